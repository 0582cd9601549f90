"""The start page's search: customers, projects, work orders and invoices by name or
number, each section in its list's own order."""

from collections.abc import Callable
from functools import partial

from ..api import get_client
from ..entities import RESOURCES, Resource
from ..fetch import fetch, fetch_while, merge_pages

SEARCH_LIMIT = 8


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


def search(request, query: str, meanwhile: Callable[[], str] | None = None) -> tuple[list[dict], str | None]:
    """Customers, projects, work orders and invoices matching `query` by name or
    number, fetched concurrently, each section limited to the user's permissions;
    and what `meanwhile()` gave, run while the calls are on their way."""
    plans = _plans(get_client(), query)
    allowed = {name: plan for name, plan in plans.items() if request.user.has_perm(RESOURCES[name].permission)}
    results, done_meanwhile = _fetch_meanwhile(_calls(allowed), meanwhile)
    sections = [_section(name, plan, results) for name, plan in allowed.items()]
    return sections, done_meanwhile


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
