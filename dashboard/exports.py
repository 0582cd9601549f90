"""CSV and XLSX downloads of a list, with the list's current filters.

CSV is UTF-8 with a byte-order mark, so Excel shows å, ä and ö correctly, in the
conventions of the page's language, so that an office in that language opens it with
a double click: in Swedish values are separated by semicolons and numbers have a
decimal comma (as Excel set to Swedish expects), in English commas and a decimal
point. Numbers have no thousands separator and dates are ISO (YYYY-MM-DD) in both.

XLSX has real number and date cells, so sums and sorting work in Excel without
conversion, numbers such as invoice and customer numbers included (`id`: digits
only; one with a leading zero or longer than Excel keeps exact stays text). Its
columns are as wide as their contents, the header row is frozen and has a filter
button on each column. A character XML cannot hold (a control character such as
\x00 or \x1b in a name) becomes U+FFFD there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportColumn:
    label: str
    value: Callable[[Any], Any]
    kind: str = "text"  # text, id, money, integer, number, date, datetime


#: Digits Excel keeps exact in a number (it has 15 significant digits).
EXACT_DIGITS = 15


def _as_number(text: str) -> int | None:
    """A number such as an invoice number ("24481") as a number; None when it is not
    one, or not one that survives as a number ("00123" would lose its zeros)."""
    if text.isascii() and text.isdigit() and len(text) <= EXACT_DIGITS and (text == "0" or not text.startswith("0")):
        return int(text)
    return None


def _cell(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == "date" and isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    if kind == "datetime" and isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    return value


def yes_no(value: bool) -> str:
    """As the pages say it, in the language of the page."""
    return gettext("Yes") if value else gettext("No")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Any, decimal_mark: str = ".") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (dt.date, dt.datetime)):
        # As the page shows it: to the minute (no microseconds).
        return value.isoformat(sep=" ", timespec="minutes") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", decimal_mark)
    if isinstance(value, float):
        return repr(value).replace(".", decimal_mark)
    return str(value)


def _csv_field(value: Any, kind: str, decimal_mark: str = ".") -> str:
    text = _csv_text(value, decimal_mark)
    # Text from the API that a spreadsheet would run as a formula is defused
    # with a leading apostrophe (OWASP's advice on CSV injection).
    if kind in ("text", "id") and text.startswith(FORMULA_START):
        return "'" + text
    return text


#: (separator, decimal mark) by the page's language; English for any other.
CSV_CONVENTIONS = {"sv": (";", ","), "en": (",", ".")}


def csv_conventions(language: str | None = None) -> tuple[str, str]:
    """The separator and decimal mark a spreadsheet in this language expects."""
    language = (language or get_language() or "en").split("-")[0].lower()
    return CSV_CONVENTIONS.get(language, CSV_CONVENTIONS["en"])


def to_csv(columns: Sequence[ExportColumn], rows: Iterable[Any], language: str | None = None) -> bytes:
    delimiter, decimal_mark = csv_conventions(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([str(column.label) for column in columns])
    for row in rows:
        writer.writerow(
            [_csv_field(_cell(column.value(row), column.kind), column.kind, decimal_mark) for column in columns]
        )
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


#: What a character XML cannot hold becomes (as an undecodable byte does in answers).
UNREADABLE = "\ufffd"

NUMBER_FORMATS = {
    "id": "0",
    "money": "#,##0.00",
    "integer": "0",
    "number": "0.0#",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


#: Column widths in characters (Excel's unit): never narrower or wider than these.
MIN_WIDTH, MAX_WIDTH = 8, 60


def _shown_width(value: Any, kind: str) -> int:
    """About how many characters Excel shows for a value in its number format."""
    if value is None:
        return 0
    if kind == "money" and isinstance(value, (int, float, Decimal)):
        return len(f"{value:,.2f}")
    if isinstance(value, dt.datetime):
        return 16  # yyyy-mm-dd hh:mm
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def to_xlsx(columns: Sequence[ExportColumn], rows: Iterable[Any], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit
    sheet.append([str(column.label) for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # The header is bold and has the filter button beside it: a little more room.
    widths = [len(str(column.label)) + 3 for column in columns]
    for row in rows:
        values = []
        for column in columns:
            value = _cell(column.value(row), column.kind)
            if isinstance(value, bool):
                value = yes_no(value)
            elif column.kind == "id" and isinstance(value, str):
                number = _as_number(value.strip())
                value = number if number is not None else ILLEGAL_CHARACTERS_RE.sub(UNREADABLE, value)
            elif isinstance(value, str):
                # XML 1.0 allows no control characters but tab and line breaks; one
                # such character in one text would fail the whole download.
                value = ILLEGAL_CHARACTERS_RE.sub(UNREADABLE, value)
            values.append(value)
        sheet.append(values)
        for index, (cell, column) in enumerate(zip(sheet[sheet.max_row], columns, strict=True)):
            widths[index] = max(widths[index], _shown_width(cell.value, column.kind) + 1)
            if column.kind in NUMBER_FORMATS and isinstance(cell.value, (int, float, Decimal, dt.date)):
                cell.number_format = NUMBER_FORMATS[column.kind]
            elif cell.data_type == "f":
                cell.data_type = "s"  # text from the API that starts with "=" stays text, never a formula
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, width))
    sheet.freeze_panes = "A2"
    if columns:
        # A filter button on each column of the header, over every row.
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(fmt: str, columns: Sequence[ExportColumn], rows: Iterable[Any], name: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            to_xlsx(columns, rows, name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(to_csv(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}-{stamp}.{fmt}"'
    return response
