"""What every entity module declares with: `Column`, `FilterForm`, `Resource`.

An entity (customers, projects...) is one subclass of `Resource` in its own module:
its API calls, filters, columns, create form and picker. The shared list and detail
views (browse/), the create views (create/) and the downloads read only these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from operator import attrgetter
from typing import Any, ClassVar

from django import forms
from django.db.models import Q
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from seventime.client import Page
from seventime.records import Record

from ..api import get_client
from ..collation import fold
from ..exports import ExportColumn
from ..fetch import Lookups
from ..forms import CreateForm, LookupSelect, PickerSource
from ..sync import read

ANY = [("", _("Any"))]
YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]

#: A list cell: the record and the page's lookup lists give text (escaped) or markup (SafeString).
Cell = Callable[[Record, Lookups], Any]
#: A download's value: an attribute of the record, or the record and lookup lists give it.
Export = str | Callable[[Record, Lookups], Any]


@dataclass(frozen=True)
class Column:
    """One column of an entity, declared once: its header and cell on the list page
    (`cell`), its place in downloads (`export`), or both. The list shows the columns
    with a cell, downloads those with an export, each in the order declared."""

    key: str  # the `sort` parameter of the list's address
    label: str  # the list's header, and the download's unless `export_label` says otherwise
    cell: Cell | None = None  # None: in downloads only
    sort: str | None = None  # the API field sortBy takes, when the column can be sorted
    numeric: bool = False  # right-aligned (header and cell)
    css: str = ""  # the cell's class, e.g. "date" (a numeric column's is "num")
    # Where the cell goes when a phone shows each row as a card: "title" (first line),
    # "amount" (first line, right), "sub" (second line, small), "state" (second line,
    # right); "" leaves it out of the card (the record's page shows it).
    card: str = ""
    # For a column the API sorts by a code (a role's number, a billing method's key) but
    # that shows a name: the name shown, by which the returned records are then ordered.
    shown_name: Callable[[Record, Lookups], str] | None = None
    export: Export | None = None  # None: on the list only
    export_label: str | None = None
    export_kind: str = "text"  # text, id, money, integer, number, date, datetime (exports.py)

    @property
    def cell_class(self) -> str:
        return " ".join(filter(None, ("num" if self.numeric else self.css, f"card-{self.card}" if self.card else "")))

    def export_column(self, lookups: Lookups) -> ExportColumn:
        if isinstance(self.export, str):
            value = attrgetter(self.export)
        else:
            value = partial(_with_lookups, self.export, lookups)
        return ExportColumn(self.export_label or self.label, value, self.export_kind)


def _with_lookups(export: Callable[[Record, Lookups], Any], lookups: Lookups, record: Record) -> Any:
    return export(record, lookups)


def lookup_field(label, lookup: str) -> forms.CharField:
    # A CharField, not a ChoiceField: the options are only known after the lookup
    # lists are fetched, in the same round as the records themselves. An id no
    # lookup has simply matches nothing.
    return forms.CharField(label=label, required=False, widget=LookupSelect(lookup))


class FilterForm(forms.Form):
    """Filters of a list. Fields named in `api_filters` are passed to the client
    as keyword arguments; the others filter the returned records locally
    (`Resource.local_filter`)."""

    api_filters: ClassVar[tuple[str, ...]] = ()
    #: How the local copy applies a filter: the field's copy lookup ("name__contains",
    #: "customer_id"...; text is matched case folded, "active" takes the Yes/No choice).
    #: Or a function of the cleaned value giving the query (Q).
    #: A filled field without one is applied to the records in Python (`Resource.copy_filter`).
    copy_lookups: ClassVar[dict[str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.TextInput:
                field.widget.input_type = "search"
                field.widget.attrs.update(autocomplete="off")

    def api_kwargs(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.api_filters if data.get(name) not in (None, "")}

    def copy_query(self) -> tuple[Q, set[str]]:
        """The filters as a query on the copy, and the filled fields it cannot express."""
        query, rest = Q(), set()
        for name, value in getattr(self, "cleaned_data", {}).items():
            if value in (None, ""):
                continue
            lookup = self.copy_lookups.get(name)
            if lookup is None:
                rest.add(name)
            elif callable(lookup):  # a query of its own (an invoice's state: read.invoice_state_query)
                query &= lookup(value)
            elif lookup.startswith("active"):
                query &= Q(**{lookup: value == "true"})
            elif isinstance(value, str):
                query &= Q(**{lookup: fold(value)})
            else:
                query &= Q(**{lookup: value})
        return query, rest

    def fill_lookups(self, lookups: Lookups) -> None:
        for field in self.fields.values():
            if isinstance(field.widget, LookupSelect):
                items = sorted(lookups[field.widget.lookup].values(), key=lambda item: item.label.casefold())
                field.widget.choices = ANY + [(item.id, item.label) for item in items]


class Resource:
    """Everything the shared views need to know about one entity."""

    name: ClassVar[str]  # URL prefix and template folder
    verbose_name: ClassVar[str]
    verbose_name_plural: ClassVar[str]
    permission: ClassVar[str]
    list_method: ClassVar[str]
    get_method: ClassVar[str]
    filter_form: ClassVar[type[FilterForm]]
    #: Every column, in order: on the list, in downloads, or both (see Column).
    all_columns: ClassVar[tuple[Column, ...]]
    default_sort: ClassVar[tuple[str, str]]  # (column key, direction)
    lookups: ClassVar[tuple[str, ...]] = ()  # lookup lists the list page needs
    detail_lookups: ClassVar[tuple[str, ...]] = ()  # and, in addition, the detail page
    search_hint: ClassVar[str] = ""
    #: The sync engine's name of this kind (dashboard/sync/entities.py).
    copy_entity: ClassVar[str]
    #: The API sort fields the copy sorts by an indexed column, and the column; a list
    #: sorted by another field is sorted in Python (dashboard/browse/copy_list.py).
    copy_sorts: ClassVar[dict[str, str]] = {}
    #: A kind without a list of its own (entities.DETAIL_ONLY): the list its pages'
    #: breadcrumb leads to instead.
    parent_list: ClassVar[str | None] = None
    create_form: ClassVar[type[CreateForm] | None] = None  # the "New ..." page's form
    picker: ClassVar[PickerSource | None] = None  # how other forms' live search finds one

    def __init__(self) -> None:
        #: The list's columns (header, sort, cell), in order.
        self.columns: tuple[Column, ...] = tuple(column for column in self.all_columns if column.cell)
        self._cells = [
            (f'<td class="{column.cell_class}">' if column.cell_class else "<td>", column.cell)
            for column in self.columns
        ]

    @property
    def detail_template(self) -> str:
        return f"{self.name}/detail.html"

    @property
    def add_permission(self) -> str:
        return f"dashboard.add_{self.name}"

    @property
    def create_url_name(self) -> str:
        """The create form's URL name (dashboard/create/urls.py)."""
        return f"{self.name}_create"

    def list_call(self, **kwargs) -> Callable:
        return partial(getattr(get_client(), self.list_method), **kwargs)

    def local_filter(self, items: Iterable[Record], data: dict, lookups: Lookups) -> list[Record]:
        return list(items)

    def copy_filter(self, items: list[Record], data: dict, fields: set[str], lookups: Lookups) -> list[Record]:
        """The copy's records narrowed by the filled filter `fields` the copy cannot query:
        the local filters, and any of the API's filters (`api_match`)."""
        items = self.local_filter(items, data, lookups)
        api_fields = fields & set(self.filter_form.api_filters)
        return [item for item in items if self.api_match(item, data, api_fields)] if api_fields else items

    def api_match(self, record: Record, data: dict, fields: set[str]) -> bool:
        """Whether a record of the copy matches these API filters as Seven Time would."""
        raise NotImplementedError(f"{type(self).__name__}: the copy cannot apply the filters {sorted(fields)}")

    def detail_from_copy(self, record_id: str) -> dict[str, Any] | None:
        """What `detail_calls` gives, read from the local copy; None when the copy does
        not hold it all (the record not copied yet, say): the page then asks Seven Time."""
        record = read.get(self.copy_entity, record_id)
        return None if record is None else {"record": record}

    def detail_calls(self, record_id: str) -> dict[str, Callable]:
        """Everything the detail page shows, fetched together with the record."""
        return {"record": partial(getattr(get_client(), self.get_method), record_id)}

    def export_columns(self, lookups: Lookups) -> list[ExportColumn]:
        """The columns of a CSV/XLSX download: values, not markup."""
        return [column.export_column(lookups) for column in self.all_columns if column.export]

    def rows(self, records: Iterable[Record], lookups: Lookups) -> SafeString:
        """The list table's rows, each cell as its column declares it. Python, not a
        template per row: a page of 25 rows has up to 200 cells."""
        html = []
        for record in records:
            html.append("<tr>")
            for opening, cell in self._cells:
                html += (opening, conditional_escape(cell(record, lookups)), "</td>")
            html.append("</tr>")
        return mark_safe("".join(html))  # noqa: S308 - every cell escaped above

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    def sort_field(self, key: str) -> str | None:
        column = self.column(key)
        return column.sort if column else None


def whole_page(records: list[Record]) -> Page:
    """Records of the copy as a list answer that holds them all (never "maybe truncated")."""
    return Page(tuple(records), limit=len(records) + 1)


def lookup_label(items, key) -> str:
    """The label of a looked-up record (a status, a type) for a download; "" when unknown."""
    record = items.get(str(key)) if key not in (None, "") else None
    return record.label if record else ""


def within(day: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    if not (start or end):
        return True
    return day is not None and (not start or day >= start) and (not end or day <= end)
