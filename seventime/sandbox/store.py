"""Storage of sandbox documents in the project database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import threading
import time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max

from .models import Document

STOCKHOLM = ZoneInfo("Europe/Stockholm")

#: The account every sandbox record belongs to (the API's `systemAccount`).
SYSTEM_ACCOUNT = "5112826056d961c030000001"


def new_id() -> str:
    """A fresh MongoDB-style id: 4 bytes of time, 8 random bytes, in hex."""
    return f"{int(time.time()):08x}{os.urandom(8).hex()}"


@dataclasses.dataclass
class _Cached:
    """A collection's decoded documents as read at `stamp`, and the JSON text of
    those that were sent (kept with them and dropped with them)."""

    stamp: tuple
    docs: list[dict]
    ids: frozenset[int]
    texts: dict[int, str] = dataclasses.field(default_factory=dict)


#: Decoding 600 invoices from JSON on every request would dominate the sandbox's
#: time, and so would encoding 100 of them (~500 KB) for every answer.
_cached: dict[str, _Cached] = {}
_cached_lock = threading.Lock()


def _stamp(collection: str) -> tuple:
    """Changes whenever the collection does, in this process or another one: the
    count and the newest row (its random doc_id tells apart rows that reuse an id
    after a rollback)."""
    rows = Document.objects.filter(collection=collection)
    return (rows.count(), rows.order_by("-id").values_list("id", "doc_id").first())


def all(collection: str) -> list[dict]:  # noqa: A001 - reads as store.all("customers")
    """Every document of a collection in creation order. The dicts are shared:
    callers must not change them."""
    stamp = _stamp(collection)
    cached = _cached.get(collection)
    if cached is None or cached.stamp != stamp:
        docs = list(Document.objects.filter(collection=collection).order_by("seq").values_list("data", flat=True))
        cached = _Cached(stamp, docs, frozenset(map(id, docs)))
        with _cached_lock:
            _cached[collection] = cached
    return list(cached.docs)


def encode(collection: str, docs: list[dict]) -> bytes:
    """A JSON array of documents of a collection, reusing the text of cached ones.
    (An id found among the cache's ids is that very dict: the cache keeps it alive.)"""
    cached = _cached.get(collection)
    parts = []
    for doc in docs:
        text = cached.texts.get(id(doc)) if cached else None
        if text is None:
            text = json.dumps(doc, ensure_ascii=False)
            if cached and id(doc) in cached.ids:
                cached.texts[id(doc)] = text
        parts.append(text)
    return ("[" + ",".join(parts) + "]").encode()


def get(collection: str, doc_id: str) -> dict | None:
    return Document.objects.filter(collection=collection, doc_id=doc_id).values_list("data", flat=True).first()


def lock(collection: str) -> None:
    """Inside a create's transaction, before it reads: wait for the other creates
    in this collection to end, so that what this one reads (numbers taken, the last
    position) is still true when it writes. SQLite's immediate transactions queue
    every write already; PostgreSQL needs a row lock (its first document's)."""
    list(Document.objects.select_for_update().filter(collection=collection).order_by("seq").values_list("id")[:1])


def add(collection: str, doc: dict) -> None:
    seq = (Document.objects.filter(collection=collection).aggregate(Max("seq"))["seq__max"] or 0) + 1
    Document.objects.create(collection=collection, doc_id=doc.get("_id") or str(doc.get("userRoleId")), seq=seq, data=doc)


def is_empty() -> bool:
    return not Document.objects.exists()


@transaction.atomic
def reset(today: dt.date | None = None, scale: int = 1) -> dict[str, int]:
    """Replace every sandbox document with freshly generated demo data (`scale` times
    the demo company: a large account, see demo.generate_scaled)."""
    from .demo import generate_scaled

    data = generate_scaled(today or dt.datetime.now(STOCKHOLM).date(), scale)  # the business day in Sweden
    Document.objects.all().delete()
    Document.objects.bulk_create(
        Document(collection=name, doc_id=doc.get("_id") or str(doc.get("userRoleId")), seq=seq, data=doc)
        for name, docs in data.items()
        for seq, doc in enumerate(docs, start=1)
    )
    return {name: len(docs) for name, docs in data.items()}
