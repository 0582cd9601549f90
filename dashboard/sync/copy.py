"""Writing the local copy: a full sweep streams into SyncStage in batches and is
moved into SyncedRecord in one transaction at its end; an incremental pass writes
SyncedRecord directly. Memory stays bounded by one batch, whatever the account's size."""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import logging
import sys
from collections.abc import Iterable
from functools import cache

from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef

from ..collation import fold, sort_key
from ..db import storable
from ..models import CopyStatus, SyncedRecord, SyncStage
from .entities import Entity

logger = logging.getLogger("dashboard")

BATCH = 500
COLUMNS = (
    "number",
    "name",
    "customer_id",
    "customer_number",
    "project_id",
    "status",
    "type",
    "department",
    "role",
    "active",
    "organization_number",
    "city",
    "ocr",
    "currency",
    "date",
    "due_date",
    "modified_at",
    "customer_name",
    "state",
    "state_past_due",
    "amount",
)
#: Sort keys (collation.sort_key) of a document field each entity names in its columns.
SORT_KEYS = ("customer_key", "project_key")
#: Columns that hold case-folded text (filters and searches match folded text).
FOLDED = ("number", "name", "customer_number", "customer_name", "organization_number", "city", "ocr", "currency")
#: The document fields the search matches, besides the name and the number.
SEARCHED = (
    "organizationNumber",
    "OCRNumber",
    "email",
    "phone",
    "workPhone",
    "cellPhone",
    "userName",
    "personalNumber",
)
#: Numbers people type with or without their separators: also searched as bare digits.
SEARCHED_AS_DIGITS = frozenset({"organizationNumber", "phone", "workPhone", "cellPhone", "personalNumber"})
UPDATE_FIELDS = ("data", *COLUMNS, *SORT_KEYS, "name_key", "number_key", "search", "synced_at", "gone_at")


def _unique(records: Iterable[tuple[str, dict]]) -> dict[str, dict]:
    # One statement may not upsert a row twice (PostgreSQL): the last copy wins.
    # `storable`: PostgreSQL refuses NUL in JSON and in text columns alike.
    return {storable(str(record_id)): storable(doc) for record_id, doc in records}


def stage(account: str, entity: Entity, records: list[tuple[str, dict]], at: dt.datetime) -> None:
    rows = [
        SyncStage(account=account, entity=entity.name, record_id=record_id, data=doc, fetched_at=at)
        for record_id, doc in _unique(records).items()
    ]
    for start in range(0, len(rows), BATCH):
        SyncStage.objects.bulk_create(
            rows[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["account", "entity", "record_id"],
            update_fields=["data", "fetched_at"],
        )


def staged(account: str, entity: Entity):
    return SyncStage.objects.filter(account=account, entity=entity.name)


def discard_stage(account: str, entity: Entity) -> None:
    SyncStage.objects.filter(account=account, entity=entity.name).delete()


def record_columns(entity: Entity, doc: dict) -> dict:
    """The copy's indexed columns of one document: the entity's fields (entities.py),
    text folded, the Swedish sort keys and the search text."""
    declared = entity.columns(doc)
    columns = {key: value for key, value in declared.items() if key in COLUMNS}
    for key in FOLDED:
        if key in columns:
            columns[key] = fold(columns[key])[:255]
    searched = [declared.get("name"), declared.get("number")]
    for key in SEARCHED:
        value = doc.get(key)
        if isinstance(value, str | int) and value != "":
            searched.append(str(value))
            digits = "".join(char for char in str(value) if char.isdigit())
            if key in SEARCHED_AS_DIGITS and digits and digits != str(value):
                searched.append(digits)  # "0701234567" finds "070-123 45 67", "5566778899" "556677-8899"
    columns["search"] = "\n".join(fold(value) for value in searched if value)
    columns["name_key"] = sort_key(declared.get("sort_name") or declared.get("name"))
    columns["number_key"] = sort_key(declared.get("number"))
    for key in SORT_KEYS:
        columns[key] = sort_key(declared.get(key))
    return columns


#: Every column computed from `data` (what `rewrite_columns` rewrites).
COMPUTED = (*COLUMNS, *SORT_KEYS, "name_key", "number_key", "search")


@cache
def columns_version() -> str:
    """A digest of the code that computes the columns: this module, the entities'
    fields (sync/entities.py), the Swedish keys (collation.py) and the invoice state
    rules (invoice_state.py). A deployment that changes any of them changes it."""
    from .. import collation, invoice_state
    from . import entities

    digest = hashlib.blake2s(digest_size=16)
    for module in (sys.modules[__name__], entities, collation, invoice_state):
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()


def rewrite_columns(model, rows) -> int:
    """Recompute every computed column of `rows` (a query of `model`, SyncedRecord or
    its historical version in a migration) from the documents they hold, in batches."""
    from .entities import ENTITIES

    done, last_pk = 0, 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk).order_by("pk")[:BATCH])
        if not batch:
            return done
        last_pk = batch[-1].pk
        for row in batch:
            entity = ENTITIES.get(row.entity)
            if entity is not None:
                for key, value in record_columns(entity, row.data).items():
                    setattr(row, key, value)
        model.objects.bulk_update(batch, list(COMPUTED))
        done += len(batch)


def refresh_columns(account: str, entity_names: Iterable[str]) -> list[str]:
    """Recompute the columns of the entities whose copy was computed by other rules
    (`columns_version`): a new rule in invoice_state.py reaches the stored states at the
    next sync pass. The entities recomputed."""
    version = columns_version()
    stale = list(
        CopyStatus.objects.filter(account=account, entity__in=list(entity_names)).exclude(columns_version=version)
    )
    for entry in stale:
        with transaction.atomic():
            rewrite_columns(SyncedRecord, SyncedRecord.objects.filter(account=account, entity=entry.entity))
            CopyStatus.objects.filter(pk=entry.pk).update(columns_version=version)
    return [entry.entity for entry in stale]


def _record(account: str, entity: Entity, record_id: str, doc: dict, at: dt.datetime) -> SyncedRecord:
    return SyncedRecord(
        account=account,
        entity=entity.name,
        record_id=record_id,
        data=doc,
        synced_at=at,
        gone_at=None,
        **record_columns(entity, doc),
    )


def upsert(account: str, entity: Entity, records: Iterable[tuple[str, dict]], at: dt.datetime) -> int:
    """Write these versions into the copy, unless the copy holds a newer one (read
    later by an incremental pass while a sweep ran)."""
    unique = _unique(records)
    if not unique:
        return 0
    newer = set(
        SyncedRecord.objects.filter(
            account=account, entity=entity.name, record_id__in=list(unique), synced_at__gt=at
        ).values_list("record_id", flat=True)
    )
    rows = [_record(account, entity, rid, doc, at) for rid, doc in unique.items() if rid not in newer]
    SyncedRecord.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["account", "entity", "record_id"],
        update_fields=list(UPDATE_FIELDS),
    )
    return len(rows)


def finalize(account: str, entity: Entity, *, started: dt.datetime, now: dt.datetime, proven: bool) -> int:
    """Move the staged records into the copy (call inside a transaction). When the
    sweep proved completeness, records it did not see (and that no later pass read)
    are marked gone. Returns how many were marked gone."""
    staged = SyncStage.objects.filter(account=account, entity=entity.name).order_by("pk")
    last_pk = 0
    while True:
        batch = list(staged.filter(pk__gt=last_pk).values_list("pk", "record_id", "data", "fetched_at")[:BATCH])
        if not batch:
            break
        last_pk = batch[-1][0]
        by_time: dict[dt.datetime, list[tuple[str, dict]]] = {}
        for _pk, record_id, data, fetched_at in batch:
            by_time.setdefault(fetched_at, []).append((record_id, data))
        for fetched_at, records in by_time.items():
            upsert(account, entity, records, fetched_at)
    gone = 0
    if proven:
        gone = (
            SyncedRecord.objects.filter(account=account, entity=entity.name, gone_at__isnull=True, synced_at__lt=started)
            .exclude(Exists(SyncStage.objects.filter(account=account, entity=entity.name, record_id=OuterRef("record_id"))))
            .update(gone_at=now)
        )
    staged.delete()
    return gone


def analyze() -> None:
    """Fresh planner statistics for the copy's table, once a sync's full sweeps have
    rewritten it. PostgreSQL only (SQLite's planner goes by the indexes): until autovacuum
    gets to a table that was just filled (a minute or more), PostgreSQL plans the invoice
    state filter's union from no statistics and took ~500 ms a page on the demo data
    instead of ~20 (make benchmark-copy-production). ANALYZE samples at most 30,000 rows.
    The sweeps are committed by then: a failure here is logged, not the run's."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(SyncedRecord._meta.db_table)}")
    except DatabaseError:
        logger.warning("ANALYZE of the local copy failed; autovacuum will do it later", exc_info=True)


def mark_gone(account: str, entity: Entity, record_ids: Iterable[str], now: dt.datetime) -> int:
    return SyncedRecord.objects.filter(
        account=account, entity=entity.name, record_id__in=list(record_ids), gone_at__isnull=True
    ).update(gone_at=now)


def live(account: str, entity_name: str):
    return SyncedRecord.objects.filter(account=account, entity=entity_name, gone_at__isnull=True)


def count(account: str, entity_name: str) -> int:
    return live(account, entity_name).count()


def status(account: str, entity_name: str) -> CopyStatus:
    return CopyStatus.objects.get_or_create(account=account, entity=entity_name)[0]


def put(account: str, entity_name: str, docs: Iterable[dict], at: dt.datetime) -> int:
    """Write documents as the API sent them (a create's answer, say) into the copy:
    pages then show a record the dashboard made before the next pass reads it."""
    from .entities import ENTITIES

    entity = ENTITIES[entity_name]
    records = [(str(doc.get("_id") or doc.get("userRoleId")), doc) for doc in docs]
    written = upsert(account, entity, records, at)
    CopyStatus.objects.filter(account=account, entity=entity_name).update(count=count(account, entity_name))
    return written
