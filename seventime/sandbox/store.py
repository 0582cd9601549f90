"""Storage of sandbox documents in the project database."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time

from django.db import transaction
from django.db.models import Max

from .models import Document

#: The account every sandbox record belongs to (the API's `systemAccount`).
SYSTEM_ACCOUNT = "5112826056d961c030000001"


def new_id() -> str:
    """A fresh MongoDB-style id: 4 bytes of time, 8 random bytes, in hex."""
    return f"{int(time.time()):08x}{os.urandom(8).hex()}"


#: Decoded documents per collection, with the stamp they were read at. Decoding
#: 600 invoices from JSON on every request would dominate the sandbox's time.
_decoded: dict[str, tuple[tuple, list[dict]]] = {}
_decoded_lock = threading.Lock()


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
    cached = _decoded.get(collection)
    if cached is None or cached[0] != stamp:
        docs = list(Document.objects.filter(collection=collection).order_by("seq").values_list("data", flat=True))
        with _decoded_lock:
            _decoded[collection] = cached = (stamp, docs)
    return list(cached[1])


#: JSON text of documents, by the identity of the shared dict (kept alive by the
#: entry, so its id cannot be reused): answering a list of 100 invoices (~500 KB)
#: need not encode them again every time.
_encoded: dict[int, tuple[dict, str]] = {}


def encode(docs: list[dict]) -> bytes:
    """A JSON array of documents, reusing the text of documents encoded before."""
    parts = []
    for doc in docs:
        entry = _encoded.get(id(doc))
        if entry is None or entry[0] is not doc:
            entry = _encoded[id(doc)] = (doc, json.dumps(doc, ensure_ascii=False))
        parts.append(entry[1])
    if len(_encoded) > 20_000:  # documents replaced many times over: start afresh
        _encoded.clear()
    return ("[" + ",".join(parts) + "]").encode()


def get(collection: str, doc_id: str) -> dict | None:
    return Document.objects.filter(collection=collection, doc_id=doc_id).values_list("data", flat=True).first()


def add(collection: str, doc: dict) -> None:
    seq = (Document.objects.filter(collection=collection).aggregate(Max("seq"))["seq__max"] or 0) + 1
    Document.objects.create(collection=collection, doc_id=doc.get("_id") or str(doc.get("userRoleId")), seq=seq, data=doc)


def is_empty() -> bool:
    return not Document.objects.exists()


@transaction.atomic
def reset(today: dt.date | None = None) -> dict[str, int]:
    """Replace every sandbox document with freshly generated demo data."""
    from .demo import generate

    data = generate(today or dt.date.today())
    Document.objects.all().delete()
    Document.objects.bulk_create(
        Document(collection=name, doc_id=doc.get("_id") or str(doc.get("userRoleId")), seq=seq, data=doc)
        for name, docs in data.items()
        for seq, doc in enumerate(docs, start=1)
    )
    return {name: len(docs) for name, docs in data.items()}
