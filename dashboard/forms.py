"""The dashboard's small form framework: what every create form (and filter) is made of.

The entity forms themselves live with their entity in `dashboard/entities/<kind>.py`;
here are the parts they share: number, lookup, picker and date fields, conditions
(`ShowIf`) and fieldsets, `CreateForm` (layout, validation, API errors on their
fields, choices from the API), address and ROT/RUT field groups, deduction shares.

Conditional fields are shown, checked and sent only while their condition holds:
a fixed price typed and then hidden by choosing another billing method is kept in
the page (so nothing typed is lost) but neither validated nor sent. A form class is
the whole declaration of its create page (docs/creating-records.md); the views in
create/views.py serve them all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.forms import BaseFormSet, formset_factory
from django.forms.fields import BaseTemporalField
from django.forms.utils import from_current_timezone
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from seventime import SevenTimeClient
from seventime.errors import NotFound, field_path_parts, leading_field_path
from seventime.invoicing import plain_number
from seventime.records import camel

from .collation import sort_key
from .fetch import Lookups
from .identifiers import OrganisationNumberField, PersonalNumberField, PhoneField, postcode
from .sync import read
from .vocabulary import PROPERTY_TYPES

#: How far before an attempt's start a record it created may carry as its
#: creation time: the API's clock and ours may disagree a little.
CLOCK_SKEW = dt.timedelta(minutes=2)

# The longest text each kind of field takes (form `maxlength` and server check alike);
# docs/creating-records.md says why. The reference states no limits.
CODE_LENGTH = 20  # numbers and codes: customer, project, employee, apartment, VAT and org. numbers, postcodes, units
PHONE_LENGTH = 30  # "+46 (0)70-123 45 67" has 19
NAME_LENGTH = 100  # people's and places' names, streets, cities, markings, order numbers, property designations
TITLE_LENGTH = 200  # what names a record: a customer, a project, a work order, an invoice and its rows; a subject
EMAIL_LENGTH = 254  # the longest address that can be delivered (RFC 5321)
PASSWORD_LENGTH = 128
TEXT_LENGTH = 4000  # descriptions and notes
ID_LENGTH = 64  # an id of the API (24 characters in the reference)
#: The records a picker offers a browser without JavaScript (a select): the API's cap.
FIRST_LIMIT = 100


# --- fields and widgets ---


class LookupSelect(forms.Select):
    """A select whose options come from a cached lookup list, filled in by the view."""

    def __init__(self, lookup: str, attrs=None):
        super().__init__(attrs)
        self.lookup = lookup


class NumberField(forms.DecimalField):
    """A number as people type it: "1 200,50" is 1200.50. A text input, because
    a number input refuses the Swedish decimal comma in an English browser."""

    widget = forms.TextInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\xa0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


class LookupChoiceField(forms.ChoiceField):
    """A select of a cached lookup list (statuses, types, users...). The view
    fills the choices, so an id the list does not have is refused."""

    def __init__(self, lookup: str, *, empty_label=_("Not set"), **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=(), widget=LookupSelect(lookup), **kwargs)
        self.empty_label = empty_label


class LookupCheckboxes(forms.CheckboxSelectMultiple):
    def __init__(self, lookup: str, attrs=None):
        super().__init__(attrs)
        self.lookup = lookup


class LookupMultipleField(forms.MultipleChoiceField):
    def __init__(self, lookup: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=(), widget=LookupCheckboxes(lookup), **kwargs)


class ColorSwatches(forms.RadioSelect):
    """The documented palette as swatches (CSS classes c-<hex>, no inline styles)."""


@dataclass(frozen=True)
class PickerSource:
    """Where a live-search picker finds its records: in the local copy once it is usable
    (every record, ranked, no call), else by asking Seven Time (the first 100 matches)."""

    resource: str  # the resource name: permission and detail URL
    search: Callable[[SevenTimeClient, str], dict[str, Callable]]  # the calls answering a query
    first: Callable[[SevenTimeClient], Callable]  # the list a browser without JavaScript chooses from
    get: str  # the client method getting one record by id
    label: Callable[[Any], str]  # how a record is named in the picker
    detail: Callable[[Any], str]  # what tells records of the same name apart
    copy_entity: str = ""  # the local copy's name of the kind (dashboard/sync/entities.py)
    #: The copy's order of `first`: a sort key column and whether descending.
    first_order: tuple[str, bool] = ("name_key", False)

    def from_copy(self, query: str, *, owner: str = "", limit: int = FIRST_LIMIT) -> tuple[list, bool] | None:
        """The records a query (or, without one, the first records) picks from the local copy,
        at most `limit`, a customer's own (`owner`) first; and whether there are more. None
        when the copy cannot stand in for Seven Time yet."""
        if not self.copy_entity or not read.usable(self.copy_entity):
            return None
        first = Q(customer_id=owner) if owner else None
        if query:
            found = read.ranked(read.matching(self.copy_entity, query), query, first=first)
        else:
            column, descending = self.first_order
            found = read.ordered(read.live(self.copy_entity), column, descending=descending, first=first)
        documents = list(found.values_list("data", flat=True)[: limit + 1])
        return read.as_records(self.copy_entity, documents[:limit]), len(documents) > limit

    def copied(self, record_id: str):
        """One record from the local copy, or None (not there, or the copy not usable)."""
        if not self.copy_entity or not read.usable(self.copy_entity):
            return None
        return read.get(self.copy_entity, record_id)


def search_calls(method: str, text_param: str, number_param: str, client: SevenTimeClient, query: str):
    calls = {"text": partial(getattr(client, method), **{text_param: query})}
    if any(char.isdigit() for char in query):
        calls["number"] = partial(getattr(client, method), **{number_param: query})
    return calls


class PickerField(forms.CharField):
    """The id of a record chosen by live search: there can be thousands of
    customers and a list returns at most 100. Without JavaScript the page offers
    a plain select of the first 100 instead (`options`)."""

    def __init__(self, picker: PickerSource, *, narrowed_by: str | None = None, **kwargs):
        kwargs.setdefault("max_length", ID_LENGTH)
        super().__init__(**kwargs)
        # Typing a name is not choosing: say what to do, not only that it is missing.
        self.error_messages["required"] = _("Type part of a name or number, then choose one of the matches.")
        self.picker = picker  # declared with its entity (dashboard/entities/)
        self.source = picker.resource  # the `pick` URL's kind
        # The customer field whose records come first among the matches and must
        # own the record chosen (a work order's project is one of its customer's).
        self.narrowed_by = narrowed_by
        self.options: list[tuple[str, str]] = []
        self.chosen_label = ""
        self.search_length = TITLE_LENGTH  # what may be typed to search by name


class ContactPersonField(forms.ChoiceField):
    """A contact person of the chosen customer; reloaded when the customer changes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Contact person"))
        super().__init__(choices=(), **kwargs)


# --- conditions and layout ---


@dataclass(frozen=True)
class ShowIf:
    """Applies only while one of the fields has one of the values (a ticked
    checkbox has the value "on"). Evaluated by the server and, for showing and
    hiding, by forms.js from the same JSON."""

    alternatives: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def field(cls, name: str, *values: str) -> ShowIf:
        return cls(((name, values or ("on",)),))

    def __or__(self, other: ShowIf) -> ShowIf:
        return ShowIf(self.alternatives + other.alternatives)

    def holds(self, form: forms.Form) -> bool:
        return any(raw_value(form, name) in values for name, values in self.alternatives)

    def as_json(self, form: forms.Form) -> str:
        return json.dumps([[form.add_prefix(name), list(values)] for name, values in self.alternatives])


def raw_value(form: forms.Form, name: str) -> str:
    """A field's current value as the browser would send it."""
    field = form.fields[name]
    if form.is_bound:
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
    else:
        value = form.get_initial_for_field(field, name)
    if isinstance(field, forms.BooleanField):
        return "on" if value else ""
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Fieldset:
    legend: str
    fields: tuple[str, ...] = ()
    show_if: ShowIf | None = None
    formset: str | None = None  # a formset shown after the fields (invoice rows, deduction shares)
    description: str = ""


def html_attrs(form: forms.Form) -> None:
    """Tie each input to its help text and error message for screen readers."""
    for name, field in form.fields.items():
        html_id = f"id_{form.add_prefix(name)}"
        described = [f"{html_id}-error"] + ([f"{html_id}-help"] if field.help_text else [])
        field.widget.attrs.setdefault("aria-describedby", " ".join(described))


class RowForm(forms.Form):
    """One row of a formset (an invoice row, a deduction share)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        html_attrs(self)


class CreateForm(forms.Form):
    """What every create form shares; the subclasses declare the rest."""

    resource_name: ClassVar[str]
    create_method: ClassVar[str]
    lookups: ClassVar[tuple[str, ...]] = ()
    fieldsets: ClassVar[tuple[Fieldset, ...]] = ()
    conditions: ClassVar[Mapping[str, ShowIf]] = {}
    required_when_shown: ClassVar[frozenset[str]] = frozenset()
    formset_classes: ClassVar[Mapping[str, type[BaseFormSet]]] = {}
    #: API field paths whose form field is not simply the name in snake_case
    #: ("formset:field" for a formset's rows), to put an API error on its field.
    api_names: ClassVar[Mapping[str, str]] = {}

    def __init__(self, data=None, *, me: tuple[str, str] | None = None, initial=None):
        super().__init__(data, initial=initial)
        self.me = me  # (id, name) of the Seven Time user linked to the signed-in account
        self.show_errors = True
        self.picked: dict[str, Any] = {}  # chosen records of narrowed pickers, fetched on submit
        self.formsets = {name: cls(data, prefix=name) for name, cls in self.formset_classes.items()}
        if "remember_me" in self.fields and me:
            del self.fields["remember_me"]
        for name in ("created_by_user", "our_reference"):
            if name in self.fields and me:
                self.fields[name].initial = me[0]
        if "contact_person" in self.fields:
            self.fields["contact_person"].widget.attrs.update(
                {
                    "hx-get": reverse(f"{self.resource_name}_contacts"),
                    "hx-trigger": "change from:#id_customer",
                    "hx-include": "#id_customer",
                    "hx-target": "closest .field",
                    "hx-swap": "outerHTML",
                }
            )
        for name in self.required_when_shown:
            # Required only while shown, so no `required` attribute: say it to screen readers.
            self.fields[name].widget.attrs["aria-required"] = "true"
        html_attrs(self)

    # --- conditions ---

    def conditions_of(self, name: str) -> list[ShowIf]:
        found = [self.conditions[name]] if name in self.conditions else []
        found += [fs.show_if for fs in self.fieldsets if fs.show_if and name in fs.fields]
        return found

    def applies(self, name: str) -> bool:
        return all(condition.holds(self) for condition in self.conditions_of(name))

    def active_formsets(self) -> dict[str, BaseFormSet]:
        return {
            name: formset
            for name, formset in self.formsets.items()
            if all(fs.show_if.holds(self) for fs in self.fieldsets if fs.formset == name and fs.show_if)
        }

    # --- validation ---

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for formset in self.active_formsets().values():
            valid = formset.is_valid() and valid
        return valid

    def clean(self):
        data = super().clean()
        for name in self.fields:
            if not self.applies(name):
                # Hidden by a condition: kept in the page, neither checked nor sent.
                self._errors.pop(name, None)
                field = self.fields[name]
                data[name] = False if isinstance(field, forms.BooleanField) else field.to_python("")
            elif name in self.required_when_shown and data.get(name) in (None, "", [], ()) and name not in self._errors:
                self.add_error(name, forms.Field.default_error_messages["required"])
        for name, field in self.fields.items():
            if isinstance(field, PickerField) and field.narrowed_by:
                self._check_owner(name, field, data)
        return data

    def _check_owner(self, name: str, field: PickerField, data: Mapping[str, Any]) -> None:
        record, owner = self.picked.get(name), data.get(field.narrowed_by)
        if record is None or not owner or not record.customer or record.customer == owner or name in self._errors:
            return
        message = _(
            "“%(record)s” is a project of another customer, %(owner)s. "
            "Choose one of this customer's projects, or none."
        )
        label = field.picker.label(record)
        params = {"record": label, "owner": record.customer_name or record.customer}
        self.add_error(name, ValidationError(message, params=params))

    def errors_for(self, html_name: str) -> list[str]:
        """The errors of one input, by its name in the page (a row's too)."""
        for name in self.fields:
            if self.add_prefix(name) == html_name:
                return list(self.errors.get(name, [])) if self.applies(name) else []
        for formset in self.active_formsets().values():
            for form in formset.forms:
                for name in form.fields:
                    if form.add_prefix(name) == html_name:
                        return list(form.errors.get(name, []))
        return []

    # --- what the template shows ---

    def layout(self) -> list[dict[str, Any]]:
        """The fieldsets with, for each field, how to show it: the page template
        needs no knowledge of any one entity."""
        fieldsets = []
        for fieldset in self.fieldsets:
            items = [self.describe_field(name) for name in fieldset.fields if name in self.fields]
            fieldsets.append(
                {
                    "legend": fieldset.legend,
                    "description": fieldset.description,
                    "items": items,
                    "show_if": fieldset.show_if.as_json(self) if fieldset.show_if else "",
                    "inactive": bool(fieldset.show_if and not fieldset.show_if.holds(self)),
                    "formset": self.formsets.get(fieldset.formset) if fieldset.formset else None,
                    "formset_name": fieldset.formset or "",
                    "show_errors": self.is_bound and self.show_errors and fieldset.formset in self.active_formsets(),
                }
            )
        return fieldsets

    def describe_field(self, name: str) -> dict[str, Any]:
        bound = self[name]
        field = bound.field
        condition = self.conditions.get(name)
        return {
            "field": bound,
            "kind": widget_kind(field),
            "required": field.required or name in self.required_when_shown,
            "show_if": condition.as_json(self) if condition else "",
            "inactive": bool(condition and not condition.holds(self)),
            "errors": bound.errors if self.is_bound and self.show_errors and self.applies(name) else [],
        }

    def add_api_error(self, message: str, field: str | None, shown: str | None = None) -> bool:
        """Put the API's message (as `shown`, when said in the page's language) on
        the field it blames. False when it blames none we know."""
        path = leading_field_path(message)
        candidates = []
        if path:
            names, index = field_path_parts(path)
            # "billingSettings.deductionDistribution[0].userName" is tried whole, then shorter.
            candidates += [(".".join(names[start:]), index) for start in range(len(names))]
        if field:
            candidates.append((field, None))
        for api_name, index in candidates:
            target = self.api_names.get(api_name) or snake(api_name.split(".")[-1])
            formset_name, _colon, row_field = target.rpartition(":")
            if formset_name and formset_name in self.formsets and index is not None:
                forms_ = self.formsets[formset_name].forms
                if index < len(forms_) and row_field in forms_[index].fields:
                    forms_[index].add_error(row_field, shown or message)
                    return True
            elif target in self.fields and self.applies(target):
                self.add_error(target, shown or message)
                return True
        return False

    # --- choices from the API ---

    def all_forms(self) -> Iterable[forms.Form]:
        yield self
        for formset in self.formsets.values():
            yield from formset.forms

    def api_calls(self, client: SevenTimeClient, *, options: bool = True) -> dict[str, Callable]:
        """What the form needs besides the lookup lists: the contact persons (to check
        the choice), and for showing the page (`options`) the first records of each
        picker and the chosen records' names. What the local copy holds is read from it
        now, in the request's thread, and handed over as an answer (`_answered`): only
        what it cannot answer yet (its first sync not complete) is asked of Seven Time."""
        calls = {}
        customer = raw_value(self, "customer") if "customer" in self.fields else ""
        if "contact_person" in self.fields and customer:
            contacts = read.related("contact_persons", "customer_id", customer, order="name_key")
            calls["contacts"] = (
                partial(client.list_contact_persons, customer_id=customer, sort_by="name")
                if contacts is None
                else _answered(contacts)
            )
        narrowed = [(n, f) for n, f in self.fields.items() if isinstance(f, PickerField) and f.narrowed_by]
        for name, field in narrowed if self.is_bound else ():
            # The chosen record, to check on submit that the chosen customer owns it.
            value = raw_value(self, name)
            if value and raw_value(self, field.narrowed_by):
                calls[f"record:{name}"] = _copied_or_get(field.picker, client, value, or_none=True)
        if options:
            calls.update(self.picker_calls(client))
        return calls

    def picker_calls(self, client: SevenTimeClient) -> dict[str, Callable]:
        calls = {}
        for name, field in self.fields.items():
            if isinstance(field, PickerField):
                source = field.picker
                owner = raw_value(self, field.narrowed_by) if field.narrowed_by else ""
                copied = source.from_copy("", owner=owner)
                calls[f"first:{name}"] = source.first(client) if copied is None else _answered(copied[0])
                value = raw_value(self, name)
                if value and not self.is_bound:  # a submitted form carries the chosen name
                    calls[f"chosen:{name}"] = _copied_or_get(source, client, value)
        return calls

    def fill(self, results: Mapping[str, Any] | None, lookups: Lookups | None) -> None:
        """Set the choices from what the API sent. Without an answer (`None`)
        every select keeps at least the value already chosen, so that a form
        shown again while Seven Time is unreachable loses nothing."""
        for form in self.all_forms():
            fill_lookup_choices(form, lookups)
        self.picked = {key[7:]: value for key, value in (results or {}).items() if key.startswith("record:") and value}
        self.fill_pickers(results)
        if "contact_person" in self.fields:
            field = self.fields["contact_person"]
            if results is not None and "contacts" in results:
                contacts = [(c.id, c.name + (f" ({c.title})" if c.title else "")) for c in results["contacts"]]
                field.choices = [("", _("No contact person")), *contacts]
            elif results is not None and not raw_value(self, "customer"):
                field.choices = [("", _("Choose a customer first"))]
            else:
                field.choices = [("", _("No contact person"))] + [(v, v) for v in _chosen(self, "contact_person") if v]

    def fill_pickers(self, results: Mapping[str, Any] | None) -> None:
        for name, field in self.fields.items():
            if isinstance(field, PickerField):
                self._fill_picker(name, field, results)

    def _fill_picker(self, name: str, field: PickerField, results: Mapping[str, Any] | None) -> None:
        value = raw_value(self, name)
        first = list((results or {}).get(f"first:{name}") or [])
        if field.narrowed_by and (owner := raw_value(self, field.narrowed_by)):
            first = owners_first(first, owner)
        source = field.picker
        field.options = [(record.id, source.label(record)) for record in first]
        chosen = (results or {}).get(f"chosen:{name}")
        typed = self.data.get(f"{self.add_prefix(name)}_search", "") if self.is_bound else ""
        label = typed
        if chosen is not None:
            label = source.label(chosen)
        label = label or dict(field.options).get(value, "") or value
        # With nothing chosen, the search box keeps what was typed: nothing is lost.
        field.chosen_label = label if value else typed
        if value and value not in dict(field.options):
            field.options.insert(0, (value, label))

    def shown_again(self) -> None:
        """Called before a submitted form is shown again: what it must ask anew."""

    # --- payload ---

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def find_existing(cls, client: SevenTimeClient, payload: Mapping[str, Any], since: dt.datetime):
        """The record an earlier attempt with this payload may have created, or None."""
        raise NotImplementedError

    @staticmethod
    def describe(record) -> str:
        return record.label


def owners_first(records: list, owner: str) -> list:
    """The customer's own records first, each group in the order it came in."""
    return sorted(records, key=lambda record: getattr(record, "customer", None) != owner)


def _answered(value: Any) -> Callable[[], Any]:
    """An answer read from the local copy, handed over where a call would be."""
    return lambda: value


def _copied_or_get(source: PickerSource, client: SevenTimeClient, record_id: str, *, or_none: bool = False):
    """One chosen record: from the local copy when it holds it, else asked of Seven Time
    (a record made since the copy's last pass, say); `or_none`: an unknown id gives None."""
    record = source.copied(record_id)
    if record is not None:
        return _answered(record)
    getter = getattr(client, source.get)
    return partial(_record_or_none, getter, record_id) if or_none else partial(getter, record_id)


def _record_or_none(get: Callable[[str], Any], record_id: str):
    # An id that names nothing is the API's to refuse (it says which field).
    try:
        return get(record_id)
    except NotFound:
        return None


def fill_lookup_choices(form: forms.Form, lookups: Lookups | None) -> None:
    """Options of the form's lookup selects, in Swedish order of their names; without
    the lists only the values already chosen. Every list is offered whole (from the
    local copy: every user, not the API's first 100), except what is inactive: an
    inactive user, status, type, price list or department is not for new records."""
    for name, field in form.fields.items():
        lookup = getattr(field.widget, "lookup", None)
        if lookup is None:
            continue
        if lookups is not None and lookup in lookups:
            items = sorted(filter(offered, lookups[lookup].values()), key=lambda item: sort_key(item.label))
            choices = [(item.id, item.label) for item in items]
        else:
            choices = [(value, value) for value in _chosen(form, name)]
        if isinstance(field, LookupChoiceField):
            choices = [("", field.empty_label), *choices]
        field.choices = choices


def offered(item) -> bool:
    """Whether a lookup list's record may be chosen for a new record: not when its
    document says it is inactive (a document that does not say is taken as active)."""
    document = item.__dict__.get("_doc")
    return not isinstance(document, dict) or document.get("isActive") is not False


def widget_kind(field: forms.Field) -> str:
    """Which template partial shows the field."""
    if isinstance(field, PickerField):
        return "picker"
    if isinstance(field.widget, ColorSwatches):
        return "swatches"
    if isinstance(field.widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    return "input"


def _chosen(form: forms.Form, name: str) -> list[str]:
    field = form.fields[name]
    if form.is_bound:
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
    else:
        value = form.get_initial_for_field(field, name)
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("r_o_t", "rot").replace("r_u_t", "rut")


def compact(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values worth sending: no empty text, no missing numbers; Decimals as
    JSON numbers (exactly as typed, never via float arithmetic)."""
    result = {}
    for key, value in values.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        if isinstance(value, Decimal):
            value = plain_number(value)
        result[key] = value
    return result


def same_text(a: str, b: str) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def first_created_after(candidates: Iterable, since: dt.datetime, attr: str):
    """The earliest candidate created at or after `since` (so: by the attempt)."""
    recent = [c for c in candidates if getattr(c, attr) and getattr(c, attr) >= since]
    return min(recent, key=lambda c: getattr(c, attr), default=None)


# --- shared field groups ---

#: Projects and invoices ask for a delivery address the same way: only when chosen.
DELIVERY_FIELDSETS = (
    Fieldset(_("Delivery address"), ("use_delivery_address",)),
    Fieldset(
        _("Deliver to"),
        (
            "delivery_name",
            "delivery_address",
            "delivery_address2",
            "delivery_zip_code",
            "delivery_city",
            "delivery_country",
            "delivery_phone",
        ),
        show_if=ShowIf.field("use_delivery_address"),
    ),
)


def address_fields(
    prefix: str = "", *, name_label=None, with_phone: bool = False, with_country: bool = True
) -> type[forms.Form]:
    """The fields of an address (the reference's address objects all share
    them), prefixed, as a form class to inherit from."""
    fields: dict[str, forms.Field] = {}
    if name_label:
        fields[f"{prefix}name"] = forms.CharField(label=name_label, required=False, max_length=NAME_LENGTH)
    fields[f"{prefix}address"] = forms.CharField(label=_("Street address"), required=False, max_length=NAME_LENGTH)
    fields[f"{prefix}address2"] = forms.CharField(label=_("Address line 2"), required=False, max_length=NAME_LENGTH)
    fields[f"{prefix}zip_code"] = forms.CharField(label=_("Postcode"), required=False, max_length=CODE_LENGTH)
    fields[f"{prefix}city"] = forms.CharField(label=_("City"), required=False, max_length=NAME_LENGTH)
    if with_country:
        fields[f"{prefix}country"] = forms.CharField(
            label=_("Country code"),
            required=False,
            max_length=2,
            help_text=_("Two letters, e.g. SE for Sweden."),
            validators=[RegexValidator(r"^[A-Za-z]{2}$", _("Two letters, e.g. SE."))],
        )
    if with_phone:
        fields[f"{prefix}phone"] = PhoneField(label=_("Phone"), required=False, max_length=PHONE_LENGTH)
    # A billing address has no country of its own: it is the customer's.
    country = f"{prefix}country" if with_country else "country"

    def clean(self):
        data = super(form_class, self).clean()
        typed = data.get(f"{prefix}zip_code")
        if typed:
            try:
                data[f"{prefix}zip_code"] = postcode(typed, raw_value(self, country) if country in self.fields else "")
            except ValidationError as error:
                self.add_error(f"{prefix}zip_code", error)
        return data

    form_class = type(f"AddressFields_{prefix or 'main'}", (forms.Form,), {**fields, "clean": clean})
    return form_class


def address_payload(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    keys = ("name", "address", "address2", "zip_code", "city", "country", "phone")
    values = {camel(key): data.get(f"{prefix}{key}") for key in keys if f"{prefix}{key}" in data}
    if values.get("country"):
        values["country"] = values["country"].upper()
    return compact(values)


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label, **kwargs) -> forms.DateField:
    # Only the reference's format: a browser's date input sends exactly it.
    return forms.DateField(label=label, required=False, input_formats=["%Y-%m-%d"], widget=DATE_INPUT, **kwargs)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time in exactly the formats given: Django's own field also
    takes ISO forms such as a bare date, which the reference does not allow."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return from_current_timezone(value)
        return from_current_timezone(BaseTemporalField.to_python(self, value))


def date_time_field(label, **kwargs) -> forms.DateTimeField:
    # A datetime-local input sends "YYYY-MM-DDTHH:MM"; the reference's "YYYY-MM-DD HH:MM" is accepted too.
    return LocalDateTimeField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


def user_field(label, **kwargs) -> LookupChoiceField:
    return LookupChoiceField("users", label=label, **kwargs)


# --- ROT/RUT: deduction shares and the property (customers' defaults, invoices' own) ---


class DistributionForm(RowForm):
    user_name = forms.CharField(label=_("Full name"), max_length=NAME_LENGTH)
    personal_number = PersonalNumberField(label=_("Personal number"), max_length=CODE_LENGTH)
    distribution_percent = NumberField(
        label=_("Share (%)"), required=True, min_value=1, max_value=100, decimal_places=2, initial=100
    )


class BaseDistributionFormSet(BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        shares = [form.cleaned_data["distribution_percent"] for form in self.forms if form.cleaned_data]
        total = sum(shares, Decimal(0))
        if shares and total != 100:
            raise ValidationError(
                _("The shares add up to %(total)s %%; together they must be exactly 100 %%."),
                params={"total": plain_number(total)},
            )

    def payload(self) -> list[dict[str, Any]]:
        return [
            {
                "userName": form.cleaned_data["user_name"],
                "personalNumber": form.cleaned_data["personal_number"],
                "distributionPercent": plain_number(form.cleaned_data["distribution_percent"]),
            }
            for form in self.forms
            if form.cleaned_data
        ]


# absolute_max: never more forms than may be shown (create/views.py refuses larger counts at once).
DistributionFormSet = formset_factory(
    DistributionForm, formset=BaseDistributionFormSet, extra=1, max_num=20, absolute_max=20
)


class HousePropertyFields(forms.Form):
    """The property ROT/RUT work is done on: a customer's default and an invoice's own."""

    type_of_property = forms.ChoiceField(label=_("Type of property"), choices=PROPERTY_TYPES, required=False)
    property_description = forms.CharField(
        label=_("Property designation"),
        required=False,
        max_length=NAME_LENGTH,
        help_text=_("Fastighetsbeteckning, e.g. Ystad Ekholmen 1:4."),
    )
    housing_society_number = OrganisationNumberField(
        label=_("Housing society org. number"),
        required=False,
        max_length=CODE_LENGTH,
        help_text=_("The bostadsrättsförening's organisation number."),
    )
    apartment_number = forms.CharField(label=_("Apartment number"), required=False, max_length=CODE_LENGTH)


HOUSE_PROPERTY_FIELDS = ("type_of_property", "property_description", "housing_society_number", "apartment_number")
HOUSE_PROPERTY_CONDITIONS = {  # a designation for a villa, society and apartment for a bostadsrätt
    "property_description": ShowIf.field("type_of_property", "1"),
    "housing_society_number": ShowIf.field("type_of_property", "2"),
    "apartment_number": ShowIf.field("type_of_property", "2"),
}


def house_property_payload(data: Mapping[str, Any], distribution: BaseDistributionFormSet) -> dict[str, Any]:
    """The property and deduction shares as the API names them (`billingSettings` of a
    customer, `houseProperties` of an invoice)."""
    return compact(
        {
            "typeOfProperty": int(data["type_of_property"]) if data["type_of_property"] else None,
            "propertyDescription": data["property_description"],
            "housingSocietyNumber": data["housing_society_number"],
            "apartmentNumber": data["apartment_number"],
            "deductionDistribution": distribution.payload(),
        }
    )
