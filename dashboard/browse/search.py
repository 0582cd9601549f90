"""The start page's search: customers, projects, work orders and invoices.

A section whose local copy is usable (docs/sync.md, "Pages read the copy") searches
every record there: name, number, organisation number, OCR number, e-mail and phone,
ignoring case, ranked (an exact number first, then names that start with the query,
then the other matches, each in Swedish name order), with a true count; two queries,
no call to Seven Time. A section whose copy is not complete yet asks Seven Time by
name or number, each in its list's own order, as before the copy."""

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from django.db.models import Count, Q

from ..api import get_client
from ..entities import RESOURCES, Resource
from ..fetch import fetch, fetch_while, merge_pages
from ..sync import read
from ..sync.read import CopyState

SEARCH_LIMIT = 8
#: The sections of the start page, in order.
SECTIONS = ("customers", "projects", "workorders", "invoices")
#: Copy columns a list page can filter by ("<column>__contains" in its filter form's
#: copy_lookups): the "See all" links of a section read from the copy, one per column
#: that found matches.
LINKED_COLUMNS = ("name", "number", "organization_number", "ocr")


def _default_sort(resource: Resource) -> dict[str, str]:
    key, direction = resource.default_sort
    return {"sort_by": resource.sort_field(key), "sort_direction": direction}


def _newest_first(number: str) -> tuple:
    """Sort key for record numbers, highest (newest) first with reverse=False."""
    return (0, -int(number)) if number.isdecimal() else (1, 0)


#: The order of a search section: customers by name, numbered records newest first. Each
#: call asks the API for that order; two answers (by name and by number) are merged here.
SEARCH_ORDER = {
    "customers": lambda customer: customer.name.casefold(),
    "projects": lambda project: _newest_first(project.project_number),
    "workorders": lambda order: _newest_first(order.work_order_number),
    "invoices": lambda invoice: _newest_first(invoice.invoice_number),
}


def search(
    request, query: str, meanwhile: Callable[[], str] | None = None
) -> tuple[list[dict], str | None, CopyState | None]:
    """The sections the user may browse, each with its records matching `query`: from
    the local copy where it is usable, the others fetched from Seven Time concurrently;
    what `meanwhile()` gave, run while those calls are on their way (None when none was
    needed); and what the page says about the copy it read."""
    allowed = [name for name in SECTIONS if request.user.has_perm(RESOURCES[name].permission)]
    states = read.states([RESOURCES[name].copy_entity for name in allowed])
    copied = {name for name in allowed if states[RESOURCES[name].copy_entity].usable}
    sections = {name: _copy_section(name, query) for name in allowed if name in copied}
    done_meanwhile = None
    if live := [name for name in allowed if name not in copied]:
        plans = {name: plan for name, plan in _plans(get_client(), query).items() if name in live}
        results, done_meanwhile = _fetch_meanwhile(_calls(plans), meanwhile)
        sections |= {name: _section(name, plan, results) for name, plan in plans.items()}
    return [sections[name] for name in allowed], done_meanwhile, page_state(list(states.values()))


def page_state(states: list[CopyState]) -> CopyState | None:
    """One notice for a page that read several entities: when all came from the copy,
    the oldest (and any failed update, any copy not proven complete); else that of the
    first one still asked live (the copy being built)."""
    if not states:
        return None
    if waiting := [state for state in states if not state.usable]:
        return waiting[0]
    oldest = min(states, key=lambda state: (state.updated_at is not None, state.updated_at))
    combined = replace(oldest, complete=all(state.complete for state in states))
    if failing := [state for state in states if state.failing]:
        combined = replace(combined, last_error=failing[0].last_error, last_error_at=failing[0].last_error_at)
    return combined


def _copy_section(name: str, query: str) -> dict:
    """One section read from the copy: its best matches and true counts, in two queries."""
    resource = RESOURCES[name]
    entity = resource.copy_entity
    matches = read.matching(entity, query)
    folded = read.search_terms(query)[0]
    links = _linked_fields(resource)
    counts = matches.aggregate(
        total=Count("pk"), **{column: Count("pk", filter=Q(**{f"{column}__contains": folded})) for column in links}
    )
    found = list(read.ranked(matches, query).values_list("data", flat=True)[:SEARCH_LIMIT])
    list_links = [(param, resource.filter_form.base_fields[param].label) for column, param in links.items() if counts[column]]
    return {
        "resource": resource,
        "items": read.as_records(entity, found),
        "count": counts["total"],
        "more": counts["total"] > SEARCH_LIMIT,
        "truncated": False,
        "list_param": list_links[0][0] if list_links else None,
        "list_links": list_links,
        "by_number_only": False,
    }


def _linked_fields(resource: Resource) -> dict[str, str]:
    """Copy column -> the list filter that matches it as the search does (the same folded
    `contains`), for the columns the resource's list can filter by."""
    by_lookup = {lookup: field for field, lookup in resource.filter_form.copy_lookups.items()}
    return {
        column: by_lookup[f"{column}__contains"] for column in LINKED_COLUMNS if f"{column}__contains" in by_lookup
    }


#: One search of a section: (the list's filter field, the client's list method, its arguments).
Plan = list[tuple[str, Callable, dict]]


def _plans(client, query: str) -> dict[str, Plan]:
    """The searches of each section: by name, and by number when the query has digits
    (invoices only by number)."""
    has_digits = any(char.isdigit() for char in query)
    return {
        "customers": [("name", client.list_customers, {"name": query})]
        + ([("customer_number", client.list_customers, {"customer_number": query})] if has_digits else []),
        "projects": [("name", client.list_projects, {"name": query})]
        + ([("project_number", client.list_projects, {"project_number": query})] if has_digits else []),
        "workorders": [("title", client.list_work_orders, {"title": query})]
        + ([("work_order_number", client.list_work_orders, {"work_order_number": query})] if has_digits else []),
        "invoices": (
            [
                ("invoice_number", client.list_invoices, {"invoice_number": query}),
                ("ocr_number", client.list_invoices, {"ocr_number": query}),
            ]
            if has_digits
            else []
        ),
    }


def _calls(allowed: dict[str, Plan]) -> dict[str, Callable]:
    """One API call per search, named "section:field". In each list's own order (customers
    by name, the rest newest first), so that when more than 100 match, the 100 the API
    sends are the ones worth showing first."""
    return {
        f"{name}:{param}": partial(method, **kwargs, **_default_sort(RESOURCES[name]))
        for name, plan in allowed.items()
        for param, method, kwargs in plan
    }


def _fetch_meanwhile(calls: dict[str, Callable], meanwhile: Callable[[], str] | None) -> tuple[dict, str | None]:
    """The calls' results, and what `meanwhile()` gave while they were on their way."""
    if meanwhile is None:
        results, _lookups = fetch(calls)
        return results, None
    results, _lookups, done_meanwhile = fetch_while(calls, (), lambda _lookups: meanwhile())
    return results, done_meanwhile


def _section(name: str, plan: Plan, results: dict) -> dict:
    """One section of the start page: the records its searches found, merged and ordered."""
    pages = {param: results[f"{name}:{param}"] for param, _method, _kwargs in plan}
    items, truncated = merge_pages(pages.values())
    items.sort(key=SEARCH_ORDER[name])
    params = [param for param, page in pages.items() if page]
    return {
        "resource": RESOURCES[name],
        "items": items[:SEARCH_LIMIT],
        "count": len(items),
        "more": len(items) > SEARCH_LIMIT or truncated,
        "truncated": truncated,
        "list_param": params[0] if params else plan[0][0] if plan else None,
        # A list filters by one field at a time: one link per field that found
        # matches (a name search and a number search find different records).
        "list_links": [(param, RESOURCES[name].filter_form.base_fields[param].label) for param in params],
        "by_number_only": not plan,
    }
