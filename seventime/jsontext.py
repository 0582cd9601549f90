"""The JSON text of the API's answers, as Python values.

Decoded leniently, like requests: UTF-8 (or UTF-16/32) unless an answer declares
another charset; bytes that do not decode become U+FFFD instead of failing the page.
Numbers with a fraction become Decimal from their text (exact money), through
msgspec, about twice as fast as the standard library and as exact; whatever msgspec
refuses but the standard library reads (a byte-order mark, UTF-16, NaN, a lone
surrogate escape) is read by the standard library, so every answer decodes to what
`json.loads(text, parse_float=Decimal)` gives, or fails as it did (tested).

A list answer is decoded one level deep: each record's values stay JSON text
(`msgspec.Raw`) until a page reads the field (`value`). A list page reads about ten
of the ~90 fields of 100 invoices and none of their rows; decoding everything was
most of the time it spent on the answer, and the thousands of objects it made kept
the garbage collector busy for the rest of the request.
"""

from __future__ import annotations

import codecs
import json as jsonlib
from decimal import Decimal
from typing import Any

import msgspec

_decoder = msgspec.json.Decoder(float_hook=Decimal)
_list_decoder = msgspec.json.Decoder(list[dict[str, msgspec.Raw]])


def decode(content: bytes, charset: str | None) -> Any:
    """An answer's bytes as Python values."""
    declared = _charset(charset)
    if declared != "utf-8":
        return _loads(content.decode(declared, "replace"))
    try:
        return _loads(content)
    except UnicodeDecodeError:
        return _loads(content.decode("utf-8", "replace"))


def decode_list(content: bytes, charset: str | None) -> Any:
    """A list answer: a list of dicts whose values are their JSON text, read by `value`.
    Anything else (another charset, a byte-order mark, JSON msgspec refuses, not a
    list of objects) is decoded whole, exactly as `decode` does."""
    if _charset(charset) == "utf-8":
        try:
            return _list_decoder.decode(content)
        except (msgspec.DecodeError, UnicodeDecodeError):  # ValidationError is a DecodeError
            pass
    return decode(content, charset)


def value(raw: Any) -> Any:
    """A value of a list answer as `decode` would have given it."""
    if raw.__class__ is msgspec.Raw:
        return decode(bytes(raw), None)
    return raw


def _charset(charset: str | None) -> str:
    try:
        return codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:  # a charset nobody knows: read it as the UTF-8 JSON must be
        return "utf-8"


def _loads(text: bytes | str) -> Any:
    try:
        return _decoder.decode(text)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return jsonlib.loads(text, parse_float=Decimal)
