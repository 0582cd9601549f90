"""Swedish alphabetical order and case-insensitive matching, for pages that read the
local copy (dashboard/sync/read.py) and the copy's indexed columns (dashboard/sync/copy.py).

Neither SQLite nor every PostgreSQL has a Swedish collation, so the copy stores keys
that sort right byte by byte: `sort_key` folds case, puts Å, Ä, Ö after Z (in that
order: "Bergen" before "Båstad", "Zürich" before "Ängelholm"), and pads runs of
digits so that numbers sort as numbers ("9" before "10"). `fold` is the text the copy
matches filters and searches against: the same case folding, nothing else changed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

#: After z in ASCII: { | } — Å, Ä, Ö in the Swedish order. Letters Swedish sorts as
#: variants of another letter sort with it (é as e, ü as y, æ as ä, ø as ö).
_SWEDISH = str.maketrans(
    {
        "å": "{",
        "ä": "|",
        "æ": "|",
        "ö": "}",
        "ø": "}",
        "é": "e",
        "è": "e",
        "ê": "e",
        "á": "a",
        "à": "a",
        "ü": "y",
    }
)
_DIGITS = re.compile(r"\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
NUMBER_WIDTH = 20
KEY_LENGTH = 300


def fold(text: Any) -> str:
    """Text as the copy matches it: composed, case folded, trimmed."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", str(text)).casefold().strip()


def _pad(match: re.Match) -> str:
    return match.group().rjust(NUMBER_WIDTH, "0")


def sort_key(text: Any) -> str:
    """A key whose byte order is the Swedish alphabetical order of `text`."""
    return _DIGITS.sub(_pad, fold(text).translate(_SWEDISH))[:KEY_LENGTH]


def value_key(value: Any) -> tuple:
    """Order of any API value in a list sorted by it: empty first, then numbers (money
    arrives as Decimal text), then text in Swedish order."""
    if value is None or value == "":
        return (0,)
    if isinstance(value, bool):
        return (1, Decimal(int(value)))
    if isinstance(value, int | float | Decimal):
        return (1, Decimal(str(value)))
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        try:
            return (1, Decimal(value.strip()))
        except InvalidOperation:
            pass
    if isinstance(value, dict):
        value = value.get("name") or value.get("_id") or ""
    return (2, sort_key(value))
