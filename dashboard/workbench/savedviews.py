"""Saved views: a list's filters and sort saved under a name, per user. A saved
view is just the list's URL with its query, so its link works for anyone allowed to
see that list (and for nobody else: the list checks permission as always)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.urls import reverse

from ..entities import RESOURCES
from ..models import SavedView

#: Query parameters a saved view never keeps: the page number and a download.
DROPPED = {"page", "export"}
NAME_LENGTH = SavedView._meta.get_field("name").max_length
QUERY_LENGTH = SavedView._meta.get_field("query").max_length


def clean_query(query: str) -> str:
    """The query string as saved: no leading '?', no empty values, no page or download."""
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=False)
    return urlencode([(key, value) for key, value in pairs if key not in DROPPED])


def url(view: SavedView) -> str:
    path = reverse(f"{view.kind}_list")
    return f"{path}?{view.query}" if view.query else path


def visible(user):
    """The user's saved views of the lists the user may (still) see."""
    kinds = [name for name, resource in RESOURCES.items() if user.has_perm(resource.permission)]
    return SavedView.objects.filter(user=user, kind__in=kinds)


def kind_label(view: SavedView) -> str:
    resource = RESOURCES.get(view.kind)
    return str(resource.verbose_name_plural).capitalize() if resource else view.kind
