"""CSV and XLSX downloads of a list, with the list's current filters.

CSV is UTF-8 with a byte-order mark, so Excel shows å, ä and ö correctly; values
are comma-separated, numbers use a decimal point and dates are ISO (YYYY-MM-DD),
which every program reads the same way. XLSX has real number and date cells, so
sums and sorting work in Excel without conversion; a character XML cannot hold (a
control character such as \x00 or \x1b in a name) becomes U+FFFD there.
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
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportColumn:
    label: str
    value: Callable[[Any], Any]
    kind: str = "text"  # text, money, integer, number, date, datetime


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


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (dt.date, dt.datetime)):
        # As the page shows it: to the minute (no microseconds).
        return value.isoformat(sep=" ", timespec="minutes") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _csv_field(value: Any, kind: str) -> str:
    text = _csv_text(value)
    # Text from the API that a spreadsheet would run as a formula is defused
    # with a leading apostrophe (OWASP's advice on CSV injection).
    if kind == "text" and text.startswith(FORMULA_START):
        return "'" + text
    return text


def to_csv(columns: Sequence[ExportColumn], rows: Iterable[Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column.label) for column in columns])
    for row in rows:
        writer.writerow([_csv_field(_cell(column.value(row), column.kind), column.kind) for column in columns])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


#: What a character XML cannot hold becomes (as an undecodable byte does in answers).
UNREADABLE = "\ufffd"

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "integer": "0",
    "number": "0.0#",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


def to_xlsx(columns: Sequence[ExportColumn], rows: Iterable[Any], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit
    sheet.append([str(column.label) for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for column in columns:
            value = _cell(column.value(row), column.kind)
            if isinstance(value, bool):
                value = yes_no(value)
            elif isinstance(value, str):
                # XML 1.0 allows no control characters but tab and line breaks; one
                # such character in one text would fail the whole download.
                value = ILLEGAL_CHARACTERS_RE.sub(UNREADABLE, value)
            values.append(value)
        sheet.append(values)
        for cell, column in zip(sheet[sheet.max_row], columns, strict=True):
            if column.kind in NUMBER_FORMATS and cell.value is not None:
                cell.number_format = NUMBER_FORMATS[column.kind]
            elif cell.data_type == "f":
                cell.data_type = "s"  # text from the API that starts with "=" stays text, never a formula
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(str(column.label)) + 2)
    sheet.freeze_panes = "A2"
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
