"""Invoices: the list (filters, columns, downloads), the create form (rows, VAT,
ROT/RUT) and the invoice period the overview shares."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seventime.invoicing import (
    DEFAULT_TAX_PERCENT,
    HOUSE_DEDUCTION_CEILINGS,
    REVERSE_CHARGE,
    VAT_RATES,
    compute_row,
    compute_totals,
    house_deduction,
    plain_number,
    to_decimal,
)

from ..exports import ExportColumn
from ..forms import (
    CLOCK_SKEW,
    CODE_LENGTH,
    DELIVERY_FIELDSETS,
    HOUSE_PROPERTY_CONDITIONS,
    HOUSE_PROPERTY_FIELDS,
    NAME_LENGTH,
    TEXT_LENGTH,
    TITLE_LENGTH,
    ContactPersonField,
    CreateForm,
    DistributionFormSet,
    Fieldset,
    HousePropertyFields,
    LookupChoiceField,
    LookupMultipleField,
    NumberField,
    PickerField,
    RowForm,
    ShowIf,
    address_fields,
    address_payload,
    compact,
    date_field,
    first_created_after,
    house_property_payload,
    raw_value,
    same_text,
    user_field,
)
from ..invoice_state import InvoiceState, invoice_state, local_day
from ..sync import read
from ..vocabulary import CURRENCIES, INVOICE_TYPES, ITEM_TYPES, LANGUAGES, ROT_RUT
from . import cells
from .base import ANY, Column, FilterForm, Resource, within
from .customers import PICKER as CUSTOMER_PICKER
from .projects import PICKER as PROJECT_PICKER
from .workorders import PICKER as WORK_ORDER_PICKER


class InvoicePeriod(forms.Form):
    """An invoice-date period, shared by the invoice list and the invoice overview."""

    date_from = forms.DateField(
        label=_("Invoice date from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("Invoice date to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


def in_period(invoice, data: dict) -> bool:
    """Whether the invoice date (a day in Stockholm) lies in the cleaned period."""
    return within(local_day(invoice.invoice_date), data.get("date_from"), data.get("date_to"))


class CurrencyChoiceField(forms.ChoiceField):
    """A currency chosen from those Seven Time knows; an address typed by hand with
    "sek" means SEK."""

    def to_python(self, value):
        return super().to_python(value).upper()


class InvoiceFilters(InvoicePeriod, FilterForm):
    api_filters = ("invoice_number", "ocr_number", "customer_number")
    field_order = ("invoice_number", "ocr_number", "customer_number", "state", "date_from", "date_to", "currency")
    invoice_number = forms.CharField(label=_("Invoice number"), required=False)
    ocr_number = forms.CharField(label=_("OCR number"), required=False)
    customer_number = forms.CharField(label=_("Customer number"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=ANY + list(InvoiceState.choices), required=False)
    currency = CurrencyChoiceField(label=_("Currency"), choices=ANY + CURRENCIES, required=False)
    # The API matches a customer number anywhere; a customer number names one customer: whole.
    # State by the states stored at write time and today's date; no currency is SEK.
    copy_lookups = {
        "state": read.invoice_state_query,
        "currency": read.currency_query,
        "invoice_number": "number__contains",
        "ocr_number": "ocr__contains",
        "customer_number": "customer_number",
        "date_from": "date__gte",
        "date_to": "date__lte",
    }


# --- the create form ---


class InvoiceRowForm(RowForm):
    item_type = forms.ChoiceField(label=_("Type"), choices=ITEM_TYPES, initial="time")
    name = forms.CharField(label=_("Name"), required=False, max_length=TITLE_LENGTH)
    description = forms.CharField(label=_("Description"), required=False, max_length=TEXT_LENGTH)
    number_of_items = NumberField(label=_("Quantity"), decimal_places=3, initial=1)
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=CODE_LENGTH, widget=forms.TextInput(attrs={"size": 4})
    )
    unit_price = NumberField(label=_("Unit price"), decimal_places=2)
    discount_percent = NumberField(label=_("Discount %"), min_value=0, max_value=100, decimal_places=2)
    tax_percent = NumberField(label=_("VAT %"), min_value=0, max_value=100, decimal_places=2, initial=25)
    house_work_flag = forms.BooleanField(label=_("ROT/RUT work"), required=False)

    #: Set by the invoice form: on a reverse-charge invoice no row carries VAT.
    reverse_charge = False

    def clean_tax_percent(self):
        rate = self.cleaned_data["tax_percent"]
        if rate is not None and rate not in VAT_RATES:
            raise ValidationError(_("Swedish VAT is 25, 12, 6 or 0 %."), code="vat_rate")
        return rate

    def clean(self):
        data = super().clean()
        if not data.get("name") and not data.get("description") and "name" not in self._errors:
            self.add_error("name", _("Give the row a name or a description."))
        if self.reverse_charge:
            # The VAT column is hidden, its value kept in the page but neither checked nor sent.
            self._errors.pop("tax_percent", None)
            data["tax_percent"] = Decimal(0)
        return data

    def amounts(self) -> dict[str, Any] | None:
        """The row's totals from what was typed, or None when it is not a number yet."""
        try:
            return compute_row(
                {
                    "numberOfItems": _lenient(self, "number_of_items"),
                    "unitPrice": _lenient(self, "unit_price"),
                    "discountPercent": _lenient(self, "discount_percent"),
                    "taxPercent": 0 if self.reverse_charge else _lenient(self, "tax_percent"),
                }
            )
        except (ValueError, InvalidOperation):
            return None


def _lenient(form: forms.Form, name: str):
    value = raw_value(form, name).replace("\xa0", "").replace(" ", "").replace(",", ".")
    return value or None


class BaseInvoiceRowFormSet(BaseFormSet):
    def filled(self) -> list[InvoiceRowForm]:
        return [form for form in self.forms if form.cleaned_data]

    def totals(self, currency: str) -> dict[str, Any] | None:
        rows = [form.amounts() for form in self.forms if not form.is_bound or form.has_changed()]
        if any(row is None for row in rows):
            return None
        return compute_totals(rows, currency)


InvoiceRowFormSet = formset_factory(
    InvoiceRowForm, formset=BaseInvoiceRowFormSet, extra=1, max_num=200, absolute_max=200
)

HOUSE_INVOICE = ShowIf.field("invoice_type", *ROT_RUT)
WITH_VAT = ShowIf.field("invoice_type", *(code for code, _label in INVOICE_TYPES if code != str(REVERSE_CHARGE)))


class InvoiceForm(
    CreateForm, HousePropertyFields, address_fields("delivery_", name_label=_("Recipient"), with_phone=True)
):
    resource_name = "invoices"
    create_method = "create_invoice"
    lookups = ("price_lists", "invoice_tags", "users", "result_units")

    customer = PickerField(CUSTOMER_PICKER, label=_("Customer"))
    contact_person = ContactPersonField(label=_("Customer's contact person"))
    project = PickerField(PROJECT_PICKER, label=_("Project"), required=False, narrowed_by="customer")
    work_order = PickerField(WORK_ORDER_PICKER, label=_("Work order"), required=False)
    marking = forms.CharField(label=_("Marking"), required=False, max_length=NAME_LENGTH)
    your_order_number = forms.CharField(label=_("Customer's order number"), required=False, max_length=NAME_LENGTH)
    name = forms.CharField(
        label=_("Invoice title"),
        required=False,
        max_length=TITLE_LENGTH,
        help_text=_("Empty: “Faktura” or “Invoice”, in the invoice's language."),
    )
    invoice_date = date_field(_("Invoice date"))
    due_date = date_field(_("Due date"), help_text=_("Empty: the invoice date plus the customer's payment terms."))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="SV")
    currency_code = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="SEK")
    currency_rate = NumberField(
        label=_("Exchange rate"), min_value=0, decimal_places=6, help_text=_("SEK for one unit of the currency.")
    )
    price_list = LookupChoiceField("price_lists", label=_("Price list"))
    result_unit = LookupChoiceField("result_units", label=_("Result unit"))
    tags = LookupMultipleField("invoice_tags", label=_("Tags"))
    created_by_user = user_field(_("Created by"), required=True, empty_label=_("Choose who you are…"))
    our_reference = user_field(_("Our reference"))
    remember_me = forms.BooleanField(label=_("This is me: remember it for next time"), required=False)
    invoice_type = forms.ChoiceField(
        label=_("Kind of invoice"), choices=INVOICE_TYPES, initial="0", widget=forms.RadioSelect
    )
    use_delivery_address = forms.BooleanField(label=_("Deliver to another address"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    fieldsets = (
        Fieldset(
            _("Customer"), ("customer", "contact_person", "project", "work_order", "marking", "your_order_number")
        ),
        Fieldset(
            _("Invoice"),
            (
                "name",
                "invoice_date",
                "due_date",
                "language",
                "currency_code",
                "currency_rate",
                "price_list",
                "result_unit",
                "tags",
                "invoice_type",
            ),
        ),
        Fieldset(
            _("ROT/RUT"),
            HOUSE_PROPERTY_FIELDS,
            show_if=HOUSE_INVOICE,
            formset="distribution",
            description=_("The property the work was done on, and who gets the tax deduction."),
        ),
        Fieldset(_("Rows"), formset="rows"),
        Fieldset(_("Our side"), ("created_by_user", "remember_me", "our_reference")),
        *DELIVERY_FIELDSETS,
        Fieldset(_("Notes"), ("notes",)),
    )
    conditions = {
        "currency_rate": ShowIf.field("currency_code", *(code for code, _label in CURRENCIES if code != "SEK")),
        **HOUSE_PROPERTY_CONDITIONS,
    }
    required_when_shown = frozenset(HOUSE_PROPERTY_FIELDS)
    formset_classes = {"rows": InvoiceRowFormSet, "distribution": DistributionFormSet}
    api_names = {
        "houseProperties": "type_of_property",
        "houseProperties.typeOfProperty": "type_of_property",
        "invoiceItems.itemType": "rows:item_type",
        "invoiceItems.name": "rows:name",
        "invoiceItems.description": "rows:description",
        "invoiceItems.numberOfItems": "rows:number_of_items",
        "invoiceItems.unit": "rows:unit",
        "invoiceItems.unitPrice": "rows:unit_price",
        "invoiceItems.discountPercent": "rows:discount_percent",
        "invoiceItems.taxPercent": "rows:tax_percent",
        "deductionDistribution.userName": "distribution:user_name",
        "deductionDistribution.personalNumber": "distribution:personal_number",
        "deductionDistribution.distributionPercent": "distribution:distribution_percent",
        "deliveryAddress.name": "delivery_name",
        "deliveryAddress.address": "delivery_address",
        "deliveryAddress.address2": "delivery_address2",
        "deliveryAddress.zipCode": "delivery_zip_code",
        "deliveryAddress.city": "delivery_city",
        "deliveryAddress.country": "delivery_country",
        "deliveryAddress.phone": "delivery_phone",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice_date"].initial = timezone.localdate()
        # forms.js keeps the due date at the invoice date plus the chosen
        # customer's payment terms until the user sets it.
        self.fields["due_date"].widget.attrs["data-due-date"] = "auto"
        for row in self.formsets["rows"].forms:
            row.reverse_charge = self.reverse_charge

    def clean(self):
        data = super().clean()
        if data.get("invoice_date") and data.get("due_date") and data["due_date"] < data["invoice_date"]:
            self.add_error("due_date", _("The due date is before the invoice date."))
        if data.get("contact_person") and not data.get("customer"):
            self.add_error("contact_person", _("Choose the customer first."))
        return data

    @property
    def house_show_if(self) -> str:
        return HOUSE_INVOICE.as_json(self)

    @property
    def house_active(self) -> bool:
        return HOUSE_INVOICE.holds(self)

    @property
    def vat_show_if(self) -> str:
        return WITH_VAT.as_json(self)

    @property
    def reverse_charge(self) -> bool:
        return raw_value(self, "invoice_type") == str(REVERSE_CHARGE)

    def row_totals(self) -> dict[str, Any] | None:
        """The totals of what was typed, as the server will compute them; for ROT/RUT
        also the deduction and what the customer pays (forms.js keeps them live)."""
        rows = self.formsets["rows"]
        totals = rows.totals(raw_value(self, "currency_code") or "SEK")
        kind = raw_value(self, "invoice_type")
        if totals is None or kind not in ROT_RUT:
            return totals
        worked = [
            {**form.amounts(), "houseWorkFlag": raw_value(form, "house_work_flag") == "on"}
            for form in rows.forms
            if not form.is_bound or form.has_changed()
        ]
        people = sum(
            1
            for form in self.formsets["distribution"].forms
            if raw_value(form, "user_name").strip() or raw_value(form, "personal_number").strip()
        )
        ceiling = HOUSE_DEDUCTION_CEILINGS[int(kind)] * max(1, people)
        deduction = to_decimal(house_deduction(worked, int(kind), ceiling)["houseDeductionAmount"])
        to_pay = to_decimal(totals["totalAmountInclTax"]) - deduction
        return {**totals, "houseDeductionAmount": deduction, "amountToPay": to_pay}

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        house = data["invoice_type"] in ROT_RUT
        rows = [row.cleaned_data for row in self.formsets["rows"].filled()]
        payload = compact(
            {
                **invoice_fields(data),
                "invoiceItems": [item_payload(row, house=house) for row in rows],
                "tags": list(data["tags"]),
            }
        )
        payload.update(vat_mode(rows))
        if data["use_delivery_address"]:
            payload["deliveryAddress"] = address_payload(data, "delivery_")
        if house:
            payload["houseProperties"] = house_property_payload(data, self.formsets["distribution"])
        return payload

    @classmethod
    def find_existing(cls, client, payload, since):
        # Invoices can only be listed by number or customer number: list the
        # customer's newest and pick one this user created after the attempt
        # began, with the same title and number of rows.
        customer = client.get_customer(payload["customer"])
        candidates = client.list_invoices(
            customer_number=customer.customer_number, sort_by="createDate", sort_direction="descending"
        )
        return first_created_after(
            (
                i
                for i in candidates
                if i.customer == customer.id
                and i.created_by_user == payload["createdByUser"]
                and len(i.invoice_items) == len(payload.get("invoiceItems", []))
                and (not payload.get("name") or same_text(i.invoice_name, payload["name"]))
            ),
            since - CLOCK_SKEW,
            "create_date",
        )

    @staticmethod
    def describe(record) -> str:
        return record.invoice_number or record.invoice_name


# --- the invoice as the API takes it (InvoiceForm.payload) ---


def invoice_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The invoice's own fields, as typed (not yet compacted)."""
    return {
        "customer": data["customer"],
        "createdByUser": data["created_by_user"],
        "language": data["language"],
        "name": data["name"],
        "invoiceDate": data["invoice_date"] and data["invoice_date"].isoformat(),
        "dueDate": data["due_date"] and data["due_date"].isoformat(),
        "project": data["project"],
        "marking": data["marking"],
        "yourOrderNumber": data["your_order_number"],
        "contactPerson": data["contact_person"],
        "ourReference": data["our_reference"],
        "workOrder": data["work_order"],
        "resultUnit": data["result_unit"],
        "invoiceType": int(data["invoice_type"]),
        "priceList": data["price_list"],
        "currencyCode": data["currency_code"],
        "currencyRate": data["currency_rate"],
        "notes": data["notes"],
    }


def row_vat(row: Mapping[str, Any]) -> Decimal:
    """A row's VAT rate; one left empty is the API's default."""
    return row["tax_percent"] if row["tax_percent"] is not None else DEFAULT_TAX_PERCENT


def item_payload(row: Mapping[str, Any], *, house: bool) -> dict[str, Any]:
    """One invoice row; on a ROT/RUT invoice with whether it is ROT/RUT work."""
    item = compact(
        {
            "itemType": row["item_type"],
            "name": row["name"],
            "description": row["description"],
            "numberOfItems": row["number_of_items"],
            "unit": row["unit"],
            "unitPrice": row["unit_price"],
            "discountPercent": row["discount_percent"],
            "taxPercent": row_vat(row),
        }
    )
    if house:
        item["houseWorkFlag"] = row["house_work_flag"]
    return item


def vat_mode(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """One VAT rate on every row is the API's default mode; different rates on
    rows need multipleTaxesOnRows, so it follows from the rows."""
    if not rows:
        return {}
    rates = {row_vat(row) for row in rows}
    if len(rates) > 1:
        return {"multipleTaxesOnRows": True}
    return {"multipleTaxesOnRows": False, "taxPercent": plain_number(rates.pop())}


# --- the list ---


class Invoices(Resource):
    name = "invoices"
    verbose_name = _("invoice")
    verbose_name_plural = _("invoices")
    permission = "dashboard.view_invoices"
    list_method = "list_invoices"
    get_method = "get_invoice"
    filter_form = InvoiceFilters
    all_columns = (
        Column(
            "number",
            _("Number"),
            cells.link("invoices", "invoice_number", default=_("(draft)")),
            sort="invoiceNumber",
            numeric=True,
            export="invoice_number",
            export_label=_("Invoice number"),
            export_kind="id",
            card="sub",
        ),
        Column("ocr_number", _("OCR number"), export="ocr_number", export_kind="id"),
        Column("customer_number", _("Customer number"), export="customer_number", export_kind="id"),
        Column(
            "customer",
            _("Customer"),
            cells.link("customers", "customer_name", record_id="customer", unlinked=True),
            sort="customerName",
            export="customer_name",
            card="title",
        ),
        Column(
            "project",
            _("Project"),
            cells.link("projects", "project_name", record_id="project", default=_("Project")),
            sort="projectName",
            export="project_name",
        ),
        Column(
            "invoice_date",
            _("Invoice date"),
            cells.day("invoice_date"),
            sort="invoiceDate",
            css="date",
            export="invoice_date",
            export_kind="date",
        ),
        Column(
            "due_date",
            _("Due date"),
            cells.day("due_date"),
            sort="dueDate",
            css="date",
            export="due_date",
            export_kind="date",
            card="sub",
        ),
        Column("amount", _("Amount excl. VAT"), export="total_amount", export_kind="money"),
        Column("vat", _("VAT"), export="total_tax_amount", export_kind="money"),
        Column(
            "total",
            _("Amount incl. VAT"),
            cells.amount("total_amount_incl_tax"),
            sort="totalAmountInclTax",
            numeric=True,
            export="total_amount_incl_tax",
            export_kind="money",
            card="amount",
        ),
        Column(
            "currency",
            _("Currency"),
            cells.text("currency_code"),
            sort="currencyCode",
            export="currency_code",
            card="sub",
        ),
        Column(
            "state",
            _("State"),
            cells.invoice_state,
            export=lambda invoice, _lookups: str(invoice_state(invoice).label),
            card="state",
        ),
    )
    default_sort = ("number", "descending")
    copy_entity = "invoices"
    copy_sorts = {
        "invoiceNumber": "number_key",
        "customerName": "name_key",
        "projectName": "project_key",
        "invoiceDate": "date",
        "dueDate": "due_date",
        "totalAmountInclTax": "amount",
        "currencyCode": "currency",
    }
    lookups = ("invoice_tags", "price_lists")
    search_hint = _("Narrow the list by invoice number, OCR number or customer number.")
    create_form = InvoiceForm

    def local_filter(self, items, data, lookups):
        state, currency = data.get("state"), (data.get("currency") or "").upper()
        # The API matches a customer number anywhere in the number (10 finds 1010 and
        # 1100 too): a customer number names one customer, so it must match whole.
        number = (data.get("customer_number") or "").strip()
        return [
            i
            for i in items
            if (not number or i.customer_number.strip() == number)
            and (not state or invoice_state(i) == state)
            and (not currency or (i.currency_code or "SEK").upper() == currency)  # as the overview counts it
            and in_period(i, data)
        ]


def invoice_export_columns(extra: tuple[ExportColumn, ...] = ()) -> list[ExportColumn]:
    """The invoice list's download columns (the overview's downloads have them too), then `extra`."""
    return [*Invoices().export_columns({}), *extra]
