"""Reading the local copy for pages: whether an entity's copy can stand in for Seven
Time, its records as the same `seventime.records` objects a live answer gives, in
Swedish order, and how old it is (docs/sync.md, "Pages read the copy").

An entity's copy is *usable* once a full sweep has proved it complete (`CopyStatus.
last_complete_at`); from then on pages read it and make no call to Seven Time, even
when a later sweep could not prove completeness (the page says so) or Seven Time is
down. Before that, pages ask Seven Time live, as they always did.
"""

from __future__ import annotations

import datetime as dt
import operator
import typing
from dataclasses import dataclass
from functools import cache, reduce

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Collate
from django.utils import timezone

from seventime.client import SevenTimeClient
from seventime.records import Record

from ..api import account_key
from ..collation import fold
from ..invoice_state import today
from ..models import CopyStatus, SyncedRecord, SyncRun
from . import copy
from .entities import ENTITIES

#: Columns that hold text sort keys: PostgreSQL must compare them byte by byte ("C"),
#: whatever the database's own collation; SQLite always does.
KEY_COLUMNS = frozenset({"name_key", "number_key", "customer_key", "project_key", "currency"})


@dataclass(frozen=True)
class CopyState:
    """What a page says about the copy it reads (or would read)."""

    entity: str
    usable: bool  # proved complete once: pages read it
    complete: bool  # the last full sweep proved it complete
    reason: str  # why completeness could not be proven
    count: int
    updated_at: dt.datetime | None  # the newest pass that read it
    last_error: str
    last_error_at: dt.datetime | None = None
    #: While a sync fills it for the first time: (records so far, total or None).
    building: tuple[int, int | None] | None = None

    @property
    def failing(self) -> bool:
        """The newest attempt to update it failed (Seven Time down, say): the page shows older data."""
        return self.last_error_at is not None and (self.updated_at is None or self.last_error_at > self.updated_at)

    @property
    def age_seconds(self) -> int | None:
        if self.updated_at is None:
            return None
        return max(0, int((timezone.now() - self.updated_at).total_seconds()))


def state(entity: str) -> CopyState:
    return _state(entity, CopyStatus.objects.filter(account=account_key(), entity=entity).first())


def states(entities: list[str]) -> dict[str, CopyState]:
    """`state` of several entities, in one query (two while a first sync builds one)."""
    statuses = {status.entity: status for status in CopyStatus.objects.filter(account=account_key(), entity__in=entities)}
    return {entity: _state(entity, statuses.get(entity)) for entity in entities}


def _state(entity: str, status: CopyStatus | None) -> CopyState:
    if status is None:
        return CopyState(entity, False, False, "", 0, None, "", building=_building(entity))
    moments = [moment for moment in (status.last_full_at, status.last_incremental_at) if moment]
    usable = status.last_complete_at is not None
    return CopyState(
        entity,
        usable,
        status.complete,
        status.incomplete_reason,
        status.count,
        max(moments) if moments else None,
        status.last_error,
        status.last_error_at,
        building=None if usable else _building(entity),
    )


def usable(entity: str) -> bool:
    """Whether pages read this entity from the copy (one query; `state` says more)."""
    return CopyStatus.objects.filter(account=account_key(), entity=entity, last_complete_at__isnull=False).exists()


def _building(entity: str) -> tuple[int, int | None] | None:
    run = SyncRun.objects.filter(account=account_key(), finished_at__isnull=True).first()
    if run is None:
        return None
    progress = (run.progress or {}).get(entity) or {}
    return (int(progress.get("done") or 0), progress.get("total"))


def live(entity: str) -> QuerySet[SyncedRecord]:
    """The entity's records in the copy (not those gone from Seven Time)."""
    return copy.live(account_key(), entity)


@cache
def record_class(entity: str) -> type[Record]:
    """The record class the client's list method gives for this entity."""
    method = getattr(SevenTimeClient, ENTITIES[entity].method)
    page = typing.get_type_hints(method)["return"]
    return typing.get_args(page)[0]


def as_records(entity: str, docs) -> list[Record]:
    cls = record_class(entity)
    return [cls.from_api(doc) for doc in docs]


def get(entity: str, record_id: str) -> Record | None:
    doc = live(entity).filter(record_id=record_id).values_list("data", flat=True).first()
    return None if doc is None else record_class(entity).from_api(doc)


def ordered(queryset: QuerySet, column: str, *, descending: bool, first: Q | None = None) -> QuerySet:
    """Ordered by a copy column, ties by record id, so that pages never overlap; the
    records matching `first` (a chosen customer's own, say) before the others."""
    expression = _key(column) if column in KEY_COLUMNS else F(column)
    # Empty first when ascending, last when descending: as lists sorted in Python (collation.value_key).
    expression = expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)
    tie = "-record_id" if descending else "record_id"
    return queryset.order_by(*_first(first), expression, tie)


def _first(condition: Q | None) -> list:
    """Ordering that puts the records meeting `condition` first (none without one)."""
    if condition is None:
        return []
    return [Case(When(condition, then=Value(0)), default=Value(1), output_field=IntegerField()).asc()]


def lookup(entity: str) -> list[Record] | None:
    """A lookup list (statuses, types, users...) from the copy; None when the copy
    cannot stand in for Seven Time yet."""
    if not usable(entity):
        return None
    return as_records(entity, live(entity).order_by("name_key").values_list("data", flat=True))


def related(entity: str, column: str, value: str, *, order: str, descending: bool = False) -> list[Record] | None:
    """The records of `entity` whose `column` is `value` (a customer's contact persons,
    a project's work orders), in order; None when the copy cannot stand in for Seven Time."""
    if not usable(entity):
        return None
    found = ordered(live(entity).filter(**{column: value}), order, descending=descending)
    return as_records(entity, found.values_list("data", flat=True))


# --- searching the copy: the start page's search and the create forms' pickers ---

#: What may separate the digits of a number as people type it: "556677-8899", "070-123 45 67".
_NUMBER_PUNCTUATION = frozenset(" -+()./")


def search_terms(query: str) -> list[str]:
    """The texts a record's `search` column must contain one of to match `query`: the
    query folded, and for a number typed with separators also its bare digits (the
    column holds phone and organisation numbers both as written and as digits)."""
    folded = fold(query)
    if not folded:
        return []
    terms = [folded]
    digits = "".join(char for char in folded if char.isdigit())
    if digits and digits != folded and all(char.isdigit() or char in _NUMBER_PUNCTUATION for char in folded):
        terms.append(digits)
    return terms


def matching(entity: str, query: str) -> QuerySet[SyncedRecord]:
    """The entity's records whose name, number, organisation number, OCR number, e-mail
    or phone contains `query`, ignoring case (the folded `search` column: `contains`
    works alike on SQLite and PostgreSQL, as both sides are folded already)."""
    terms = search_terms(query)
    if not terms:
        return live(entity).none()
    return live(entity).filter(_any(Q(search__contains=term) for term in terms))


def ranked(queryset: QuerySet[SyncedRecord], query: str, *, first: Q | None = None) -> QuerySet[SyncedRecord]:
    """Search matches in the order people look for them: records matching `first` (a
    chosen customer's own projects, say) before the others; within each, an exact number
    (or OCR or organisation number) first, then names that start with the query, then the
    other matches; each group in Swedish name order, then by number."""
    terms = search_terms(query) or [""]
    exact = _any(Q(number=term) | Q(ocr=term) | Q(organization_number=term) for term in terms if term)
    rank = Case(
        When(exact, then=Value(0)),
        When(Q(name__startswith=terms[0]) & ~Q(name=""), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.order_by(*_first(first), rank.asc(), _key("name_key").asc(), _key("number_key").asc(), "record_id")


def _key(column: str):
    """A sort key column compared byte by byte (see KEY_COLUMNS)."""
    return Collate(column, "C") if connection.vendor == "postgresql" else F(column)


def _any(conditions) -> Q:
    """The conditions OR'ed; none: a condition nothing meets."""
    return reduce(operator.or_, conditions, Q(pk__in=[]))


def by_ids(wanted: dict[str, list[str]]) -> dict[tuple[str, str], tuple[Record, bool]]:
    """Records of several entities by id in one query, whatever the copy's state:
    (entity, id) -> (the record, whether it is gone from Seven Time). Ids the copy
    does not hold are left out."""
    condition = _any(Q(entity=entity, record_id__in=ids) for entity, ids in wanted.items() if ids)
    rows = SyncedRecord.objects.filter(condition, account=account_key())
    return {
        (entity, record_id): (record_class(entity).from_api(data), gone_at is not None)
        for entity, record_id, data, gone_at in rows.values_list("entity", "record_id", "data", "gone_at")
    }


def invoice_state_query(state: str, on: dt.date | None = None) -> Q:
    """The invoices whose state (dashboard/invoice_state.py) is `state` on the day `on`
    (today in Stockholm): the copy stores each invoice's state on its due day and from
    the day after on, computed by invoice_state.py when written (sync/entities.py,
    `invoice_states`). Three index ranges, each read from its index alone (synced_state,
    synced_state_past_due: account, entity, state, due date), joined by UNION ALL: a
    handful of index pages whatever the account's size."""
    on = on or today()
    invoices = SyncedRecord.objects.filter(account=account_key(), entity="invoices")
    ids = (
        invoices.filter(state_past_due=state, due_date__lt=on)
        .values("pk")
        .union(
            invoices.filter(state=state, due_date__gte=on).values("pk"),
            invoices.filter(state=state, due_date__isnull=True).values("pk"),
            all=True,
        )
    )
    return Q(pk__in=ids)


def currency_query(currency: str) -> Q:
    """Invoices in this currency; one without a currency is in SEK (as the overview counts it)."""
    code = fold(currency)
    return Q(currency=code) | Q(currency="") if code == "sek" else Q(currency=code)
