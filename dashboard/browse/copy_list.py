"""A list page read from the local copy (docs/sync.md, "Pages read the copy"): every
filter over all records, Swedish order, true totals, downloads of every match, and
no call to Seven Time.

Filters the copy's columns can express and sorts by an indexed column run in the
database, which then hands over one page of records (`Paginator` over the query).
Other filters (an invoice's state, a user's skills) and sorts (a column showing a
looked-up name) load the matching records and finish in Python: still every record,
only slower on a large account.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.paginator import Page, Paginator

from ..collation import sort_key, value_key
from ..entities import Resource
from ..fetch import Lookups
from ..sync import read

CHUNK = 500


class RecordPaginator(Paginator):
    """Pages of the copy's documents (a query), each page's turned into records."""

    def __init__(self, documents, per_page: int, entity: str):
        super().__init__(documents, per_page)
        self.entity = entity

    def _get_page(self, object_list, number, paginator) -> Page:
        return Page(read.as_records(self.entity, object_list), number, paginator)


def matching(resource: Resource, form, sort_field: str, direction: str, lookups: Lookups):
    """The records matching the form's filters in the order asked for: a query of
    documents when the database can do it all, else a list of records."""
    entity = resource.copy_entity
    query, rest = form.copy_query()
    documents = read.live(entity).filter(query)
    column = resource.copy_sorts.get(sort_field)
    descending = direction == "descending"
    if column and not rest:
        return read.ordered(documents, column, descending=descending).values_list("data", flat=True)
    records = read.as_records(entity, read.ordered(documents, "number_key", descending=False).values_list("data", flat=True))
    if rest:
        records = resource.copy_filter(records, form.cleaned_data, rest, lookups)
    return sorted(records, key=_sort_key(resource, sort_field, lookups), reverse=descending)


def _sort_key(resource: Resource, sort_field: str, lookups: Lookups):
    shown = next((column.shown_name for column in resource.columns if column.sort == sort_field), None)
    if shown is not None:
        return lambda record: sort_key(shown(record, lookups))
    return lambda record: value_key(record.__dict__["_doc"].get(sort_field))


def paginate(resource: Resource, matches, per_page: int, number) -> Page:
    if isinstance(matches, list):
        return Paginator(matches, per_page).get_page(number)
    return RecordPaginator(matches, per_page, resource.copy_entity).get_page(number)


def every_record(resource: Resource, matches) -> Iterator:
    """Every match, for a download: read in chunks, so memory stays bounded."""
    if isinstance(matches, list):
        yield from matches
        return
    record_class = read.record_class(resource.copy_entity)
    for document in matches.iterator(chunk_size=CHUNK):
        yield record_class.from_api(document)


def scope_name(data: dict) -> str:
    """The name of the one customer or project a list is limited to."""
    if project_id := data.get("project_id"):
        project = read.get("projects", project_id)
        return project.name if project else ""
    if customer_id := data.get("customer_id"):
        customer = read.get("customers", customer_id)
        return customer.name if customer else ""
    return ""
