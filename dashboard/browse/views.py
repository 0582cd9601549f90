"""The browse pages: the start page with its search, every resource's list and
detail pages, and the error pages. Each view checks permission, fetches what it
needs (concurrently), renders.

A list URL answers an htmx request with only its results partial and any other
request with the whole page, so every URL works with and without JavaScript.
"""

import hashlib
from functools import partial

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from seventime.errors import SevenTimeError

from ..api_errors import describe
from ..entities import RESOURCES, Resource
from ..exports import FORMATS, download
from ..fetch import fetch, fetch_while
from ..pages import _partial_request, page_around_results, render_list, require
from ..sync import read
from . import copy_list, detail_check
from .search import search

PAGE_SIZE = 25
# Sent by static/js/dashboard.js with a list's htmx requests: what the table head on the
# page shows (its data-head, see _head_key). A head like the one asked for is not sent
# again (the browser keeps it, hx-preserve): a filter partial carries only what a filter changes.
TABLE_HEAD_HEADER = "X-Table-Head"


def home(request):
    # Every signed-in user may see the start page; search() only searches the sections
    # the user may browse (in the copy, or asking Seven Time), and only links to those are shown.
    query = request.GET.get("q", "").strip()
    visible = [name for name, resource in RESOURCES.items() if request.user.has_perm(resource.permission)]
    context = {"query": query, "sections": [], "resources": [RESOURCES[name] for name in visible]}
    around = None
    if query:
        # A whole page renders its header, navigation and search form while the calls are on their way.
        meanwhile = None
        if not _partial_request(request):
            meanwhile = partial(page_around_results, request, "home.html", context)
        context["sections"], around, context["copy"] = search(request, query, meanwhile)
    return render_list(request, "home.html", context, around=around)


def _head_key(resource: Resource, sort: str, direction: str) -> str:
    """What a list's table head shows: the sort, and a digest of its columns in the
    page's language (a page left open across a release that changed the columns, or
    one in another language, is sent a new head)."""
    columns = "|".join(f"{column.key}:{column.label}" for column in resource.columns)
    digest = hashlib.blake2s(f"{get_language()}|{columns}".encode(), digest_size=4).hexdigest()
    return f"{sort} {direction} {digest}"


def list_view(request, resource: Resource):
    require(request, resource.permission)
    form = resource.filter_form(request.GET or None)
    if form.is_bound:
        form.is_valid()
    data = getattr(form, "cleaned_data", {})
    sort, sort_field, direction = _chosen_sort(request, resource)
    export = request.GET.get("export")
    context = _list_context(request, resource, form, sort, direction)
    context["copy"] = copy_state = read.state(resource.copy_entity)
    if copy_state.usable:
        return _list_from_copy(request, resource, form, sort_field, direction, context)
    call = resource.list_call(**form.api_kwargs(), sort_by=sort_field, sort_direction=direction)
    whole_page = not _partial_request(request) and export not in FORMATS
    page, lookups, around = _fetch_list(request, resource, form, call, context, whole_page=whole_page)
    items = _shown_items(resource, page.items, data, lookups, sort, direction)
    if export in FORMATS:
        return download(export, resource.export_columns(lookups), items, str(resource.verbose_name_plural))
    context |= {
        "headers": _headers(resource, sort, direction),
        "page_obj": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")),
        "returned": len(page.items),
        "scope_name": _scope_name(items, data),
        "shown": len(items),
        "truncated": page.maybe_truncated,
        "lookups": lookups,
    }
    response = render_list(request, "list.html", context, around=around)
    # What the browser says it already shows changes the answer.
    patch_vary_headers(response, [TABLE_HEAD_HEADER])
    return response


def _list_from_copy(request, resource: Resource, form, sort_field: str, direction: str, context: dict):
    """The list from the local copy: every record, no call to Seven Time (copy_list.py)."""
    _results, lookups = fetch({}, resource.lookups)  # from the copy too, once it holds them
    form.fill_lookups(lookups)
    data = getattr(form, "cleaned_data", {})
    matches = copy_list.matching(resource, form, sort_field, direction, lookups)
    export = request.GET.get("export")
    if export in FORMATS:
        rows = copy_list.every_record(resource, matches)
        return download(export, resource.export_columns(lookups), rows, str(resource.verbose_name_plural))
    page_obj = copy_list.paginate(resource, matches, PAGE_SIZE, request.GET.get("page"))
    context |= {
        "headers": _headers(resource, context["sort"], direction),
        "page_obj": page_obj,
        "returned": page_obj.paginator.count,
        "scope_name": copy_list.scope_name(data),
        "shown": page_obj.paginator.count,
        "truncated": False,
        "lookups": lookups,
    }
    response = render_list(request, "list.html", context)
    patch_vary_headers(response, [TABLE_HEAD_HEADER])
    return response


def _chosen_sort(request, resource: Resource) -> tuple[str, str, str]:
    """(column key, the API's sort field, direction) asked for, or the list's default."""
    sort = request.GET.get("sort") or resource.default_sort[0]
    sort_field = resource.sort_field(sort)
    if not sort_field:
        sort, sort_field = resource.default_sort[0], resource.sort_field(resource.default_sort[0])
    direction = request.GET.get("dir")
    if direction not in ("ascending", "descending"):
        direction = resource.default_sort[1]
    return sort, sort_field, direction


def _list_context(request, resource: Resource, form, sort: str, direction: str) -> dict:
    """What the page around the results needs (it renders before the results arrive)."""
    head_key = _head_key(resource, sort, direction)
    return {
        "resource": resource,
        "form": form,
        "sort": sort,
        "direction": direction,
        # The filter form carries the sort (dashboard.js keeps it on the address).
        "kept": (("sort", sort), ("dir", direction)),
        "head_key": head_key,
        "head_kept": _partial_request(request) and request.headers.get(TABLE_HEAD_HEADER) == head_key,
    }


def _fetch_list(request, resource: Resource, form, call, context: dict, *, whole_page: bool):
    """(the API's page of records, the lookups, the page rendered around the results
    or None). A whole page renders its header, navigation and filter form while the
    API call is on its way."""
    if not whole_page:
        results, lookups = fetch({"page": call}, resource.lookups)
        form.fill_lookups(lookups)
        return results["page"], lookups, None

    def page_with_lookups(lookups):
        form.fill_lookups(lookups)
        return page_around_results(request, "list.html", context)

    results, lookups, around = fetch_while({"page": call}, resource.lookups, page_with_lookups)
    return results["page"], lookups, around


def _shown_items(resource: Resource, items: list, data: dict, lookups, sort: str, direction: str) -> list:
    """The records the list shows, in the order it shows them."""
    items = resource.local_filter(items, data, lookups)
    shown_name = resource.column(sort).shown_name
    if shown_name:
        # The API ordered them by a code; the column shows names. (Stable: the same name keeps the API's order.)
        items = sorted(items, key=lambda record: shown_name(record, lookups).casefold(), reverse=direction == "descending")
    return items


def _headers(resource: Resource, sort: str, direction: str) -> list[dict]:
    """Each column's head: whether the list is sorted by it, and the direction a click asks for."""
    return [
        {
            "column": column,
            "active": column.key == sort,
            "next": "descending" if column.key == sort and direction == "ascending" else "ascending",
        }
        for column in resource.columns
    ]


def _scope_name(items: list, data: dict) -> str:
    """The name of the one customer or project a list is limited to, from the records found."""
    if project_id := data.get("project_id"):
        return next((item.project_name for item in items if item.project == project_id), "")
    if customer_id := data.get("customer_id"):
        return next((item.customer_name for item in items if item.customer == customer_id), "")
    return ""


def detail_view(request, resource: Resource, pk: str):
    require(request, resource.permission)
    request.not_found_message = _("There is no %(kind)s with the id “%(id)s” in Seven Time.") % {
        "kind": resource.verbose_name,
        "id": pk,
    }
    if request.GET.get("check") and getattr(request, "htmx", False):
        return detail_check.check(request, resource, pk, render_detail=partial(_render_detail, request, resource))
    state = read.state(resource.copy_entity)
    copied = resource.detail_from_copy(pk) if state.usable else None
    if copied is None:
        # Not in the copy (yet), or a part of the page whose copy is not complete yet (a
        # customer's contact persons before their first sweep): from Seven Time, as before the copy.
        try:
            results, lookups = fetch(resource.detail_calls(pk), resource.lookups + resource.detail_lookups)
        except SevenTimeError as error:
            # Seven Time failing for now (5xx, 429, no answer, a malformed one: `retryable`):
            # the record itself from the copy if it is there, saying which part of the page
            # Seven Time could not give. Not found or not configured stay the error page.
            record_only = Resource.detail_from_copy(resource, pk) if state.usable and error.retryable else None
            if record_only is None:
                raise
            return _render_detail(request, resource, record_only, copy=state, related_error=describe(error))
        return _render_detail(request, resource, results, lookups)
    # At once from the copy; the page then checks the record with Seven Time (detail_check.py).
    return _render_detail(request, resource, copied, copy=state)


def _render_detail(request, resource: Resource, results: dict, lookups=None, **context):
    if lookups is None:
        lookups = fetch({}, resource.lookups + resource.detail_lookups)[1]  # from the copy once it holds them
    # The page shows nearly every field, some in {% if %} comparisons, which would
    # take a malformed one for false: convert them all now (BadResponse -> error page).
    record = results.pop("record").validate(deep=True)
    context |= {"resource": resource, "record": record, "lookups": lookups, **results}
    return render(request, resource.detail_template, context)


@login_not_required
def permission_denied(request, exception=None):
    if getattr(request, "htmx", False) and not request.htmx.history_restore_request:
        context = {"title": _("No access"), "explanation": _("Your account is not allowed to see this."), "retry": False}
        response = render(request, "errors/inline.html", context, status=403)
    else:
        response = render(request, "errors/403.html", status=403)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
@requires_csrf_token
def server_error(request):
    return render(request, "errors/500.html", status=500)
