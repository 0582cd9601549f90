"""The workbench's pages: the command palette's results, saving, renaming and
deleting saved views, and the saved views page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..entities import RESOURCES
from ..models import SavedView
from ..pages import require
from . import palette, savedviews

#: The longest query the palette looks for (longer input is cut).
QUERY_LENGTH = 100


def palette_results(request):
    """The palette's options for a query: records, pages, create forms (an HTML
    fragment for static/js/palette.js; a whole page without JavaScript)."""
    query = request.GET.get("q", "").strip()[:QUERY_LENGTH]
    found, missing = palette.records(request.user, query) if query else ([], [])
    pages = palette.pages(request.user)
    creates = palette.create_forms(request.user)
    context = {
        "query": query,
        "found": found,
        "missing": [RESOURCES[kind].verbose_name_plural for kind in missing] if query else [],
        "pages": palette.matching(pages, query) if query else pages,
        "creates": palette.matching(creates, query) if query else creates,
    }
    context["total"] = len(context["found"]) + len(context["pages"]) + len(context["creates"])
    if request.headers.get("X-Palette"):
        return render(request, "workbench/palette_results.html", context)
    return render(request, "workbench/palette_page.html", context)


class SaveViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=savedviews.NAME_LENGTH)
    kind = forms.ChoiceField(choices=[(name, name) for name in RESOURCES], widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=savedviews.QUERY_LENGTH, widget=forms.HiddenInput)


class RenameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("New name"), max_length=savedviews.NAME_LENGTH)


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
def save_view(request):
    """Saves the list's filters and sort under a name (a name used again for the same
    list replaces that view's query)."""
    form = SaveViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The view was not saved: give it a name of at most %(length)s characters.") % {
            "length": savedviews.NAME_LENGTH
        })
        return _back(request, "saved_views")
    kind = form.cleaned_data["kind"]
    require(request, RESOURCES[kind].permission)
    name = form.cleaned_data["name"].strip()
    view, created = SavedView.objects.update_or_create(
        user=request.user, kind=kind, name=name, defaults={"query": savedviews.clean_query(form.cleaned_data["query"])}
    )
    if created:
        messages.success(request, _("Saved the view “%(name)s”. It is in the menu “Saved views”.") % {"name": name})
    else:
        messages.success(request, _("Updated the view “%(name)s”.") % {"name": name})
    return redirect(savedviews.url(view))


def saved_views(request):
    """The user's saved views: open, share, rename, delete."""
    views = list(savedviews.visible(request.user))
    rows = [
        {"view": view, "url": savedviews.url(view), "kind": savedviews.kind_label(view)}
        for view in views
    ]
    return render(request, "workbench/saved_views.html", {"rows": rows, "name_length": savedviews.NAME_LENGTH})


def _own(request, pk: int) -> SavedView:
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    if view.kind not in RESOURCES:
        raise Http404
    return view


@require_POST
def rename_view(request, pk: int):
    view = _own(request, pk)
    form = RenameForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not renamed: give the view a name of at most %(length)s characters.") % {
            "length": savedviews.NAME_LENGTH
        })
        return redirect("saved_views")
    old, view.name = view.name, form.cleaned_data["name"].strip()
    try:
        with transaction.atomic():
            view.save(update_fields=["name"])
    except IntegrityError:
        messages.error(request, _("Not renamed: you already have a view of this list called “%(name)s”.") % {
            "name": view.name
        })
        return redirect("saved_views")
    messages.success(request, _("Renamed “%(old)s” to “%(new)s”.") % {"old": old, "new": view.name})
    return redirect("saved_views")


@require_POST
def delete_view(request, pk: int):
    view = _own(request, pk)
    view.delete()
    messages.success(request, _("Deleted the view “%(name)s”.") % {"name": view.name})
    return redirect("saved_views")
