"""Customers: the list (filters, columns), the create form and the picker."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..api import get_client
from ..forms import (
    CLOCK_SKEW,
    CODE_LENGTH,
    EMAIL_LENGTH,
    HOUSE_PROPERTY_CONDITIONS,
    HOUSE_PROPERTY_FIELDS,
    PHONE_LENGTH,
    TITLE_LENGTH,
    CreateForm,
    DistributionFormSet,
    Fieldset,
    HousePropertyFields,
    PickerSource,
    ShowIf,
    address_fields,
    address_payload,
    compact,
    first_created_after,
    house_property_payload,
    same_text,
    search_calls,
)
from ..identifiers import OrganisationNumberField, PhoneField
from ..vocabulary import DELIVERY_TYPES
from . import cells
from ..sync import read
from .base import YES_NO, Column, FilterForm, Resource, whole_page


class CustomerFilters(FilterForm):
    api_filters = ("name", "customer_number", "organization_number", "city")
    name = forms.CharField(label=_("Name"), required=False)
    customer_number = forms.CharField(label=_("Customer number"), required=False)
    organization_number = forms.CharField(label=_("Org. / personal number"), required=False)
    city = forms.CharField(label=_("City"), required=False)
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)
    copy_lookups = {
        "name": "name__contains",
        "customer_number": "number__contains",
        "organization_number": "organization_number__contains",
        "city": "city__contains",
        "active": "active",
    }


# --- the create form ---


ROT_OR_RUT_CUSTOMER = ShowIf.field("is_rot_customer") | ShowIf.field("is_rut_customer")


class CustomerForm(
    CreateForm, HousePropertyFields, address_fields(), address_fields("billing_", with_country=False)
):
    resource_name = "customers"
    create_method = "create_customer"

    name = forms.CharField(
        label=_("Name"),
        max_length=TITLE_LENGTH,
        help_text=_("The company's or the person's name, as invoices show it."),
    )
    customer_number = forms.CharField(
        label=_("Customer number"),
        required=False,
        max_length=CODE_LENGTH,
        help_text=_("Leave empty and Seven Time gives the next free number."),
    )
    organization_number = OrganisationNumberField(
        label=_("Organisation or personal number"), required=False, personal=True, max_length=CODE_LENGTH
    )
    vat_number = forms.CharField(label=_("VAT number"), required=False, max_length=CODE_LENGTH)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=EMAIL_LENGTH)
    phone = PhoneField(label=_("Phone"), required=False, max_length=PHONE_LENGTH)
    payment_days = forms.IntegerField(
        label=_("Payment terms (days)"),
        required=False,
        min_value=0,
        max_value=365,
        help_text=_("Days until an invoice is due. Empty: Seven Time's default."),
    )
    invoice_delivery_type = forms.ChoiceField(
        label=_("Send invoices by"), choices=DELIVERY_TYPES, initial="0", widget=forms.RadioSelect
    )
    use_separate_billing_email = forms.BooleanField(label=_("Send invoices to another e-mail address"), required=False)
    invoice_email = forms.EmailField(label=_("Invoice e-mail"), required=False, max_length=EMAIL_LENGTH)
    default_email_subject = forms.CharField(
        label=_("Subject of invoice e-mails"), required=False, max_length=TITLE_LENGTH
    )
    is_construction_company = forms.BooleanField(label=_("Construction company"), required=False)
    use_separate_billing_address = forms.BooleanField(
        label=_("Send invoices to another postal address"), required=False
    )
    is_rot_customer = forms.BooleanField(label=_("ROT customer (home improvement deduction)"), required=False)
    is_rut_customer = forms.BooleanField(label=_("RUT customer (household services deduction)"), required=False)

    fieldsets = (
        Fieldset(
            _("Basics"),
            ("name", "customer_number", "organization_number", "vat_number", "email", "phone", "payment_days"),
        ),
        Fieldset(_("Address"), ("address", "address2", "zip_code", "city", "country")),
        Fieldset(
            _("Billing"),
            (
                "invoice_delivery_type",
                "use_separate_billing_email",
                "invoice_email",
                "default_email_subject",
                "is_construction_company",
                "use_separate_billing_address",
            ),
        ),
        Fieldset(
            _("Billing address"),
            ("billing_address", "billing_address2", "billing_zip_code", "billing_city"),
            show_if=ShowIf.field("use_separate_billing_address"),
        ),
        Fieldset(_("ROT/RUT"), ("is_rot_customer", "is_rut_customer")),
        Fieldset(
            _("Property and deduction shares"),
            HOUSE_PROPERTY_FIELDS,
            show_if=ROT_OR_RUT_CUSTOMER,
            formset="distribution",
            description=_("Who gets the tax deduction, and how much of it each person gets."),
        ),
    )
    conditions = {
        "invoice_email": ShowIf.field("use_separate_billing_email"),
        **HOUSE_PROPERTY_CONDITIONS,
    }
    required_when_shown = frozenset({"invoice_email", "billing_address"})
    formset_classes = {"distribution": DistributionFormSet}
    api_names = {
        "billingSettings.address": "billing_address",
        "billingSettings.address2": "billing_address2",
        "billingSettings.zipCode": "billing_zip_code",
        "billingSettings.city": "billing_city",
        "deductionDistribution.userName": "distribution:user_name",
        "deductionDistribution.personalNumber": "distribution:personal_number",
        "deductionDistribution.distributionPercent": "distribution:distribution_percent",
    }

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload = compact(
            {
                "name": data["name"],
                "customerNumber": data["customer_number"],
                "organizationNumber": data["organization_number"],
                "vatNumber": data["vat_number"],
                "email": data["email"],
                "phone": data["phone"],
                "paymentDays": data["payment_days"],
                **address_payload(data, ""),
            }
        )
        billing: dict[str, Any] = {
            "invoiceDeliveryType": int(data["invoice_delivery_type"] or 0),
            "useSeparateBillingEmail": data["use_separate_billing_email"],
            **compact({"invoiceEmail": data["invoice_email"], "defaultEmailSubject": data["default_email_subject"]}),
            "isConstructionCompany": data["is_construction_company"],
            "useSeparateBillingAddress": data["use_separate_billing_address"],
            **address_payload(data, "billing_"),
            "isROTCustomer": data["is_rot_customer"],
            "isRUTCustomer": data["is_rut_customer"],
        }
        if data["is_rot_customer"] or data["is_rut_customer"]:
            billing.update(
                house_property_payload(data, self.formsets["distribution"])
            )
        payload["billingSettings"] = billing
        return payload

    @classmethod
    def find_existing(cls, client, payload, since):
        number = payload.get("customerNumber")
        if number:
            # Only a customer created since the attempt began: an older one with
            # that number means the attempt failed, not that it succeeded.
            found = (c for c in client.list_customers(customer_number=number) if c.customer_number == number)
            return first_created_after(found, since - CLOCK_SKEW, "created_date")
        candidates = client.list_customers(name=payload["name"], sort_by="createdDate", sort_direction="descending")
        return first_created_after(
            (
                c
                for c in candidates
                if same_text(c.name, payload["name"])
                and same_text(c.organization_number, payload.get("organizationNumber", ""))
                and same_text(c.email, payload.get("email", ""))
            ),
            since - CLOCK_SKEW,
            "created_date",
        )

    @staticmethod
    def describe(record) -> str:
        return f"{record.name} ({record.customer_number})" if record.customer_number else record.name


# --- the picker other forms choose a customer with ---


PICKER = PickerSource(
    "customers",
    partial(search_calls, "list_customers", "name", "customer_number"),
    lambda client: partial(client.list_customers, sort_by="name", sort_direction="ascending"),
    "get_customer",
    label=lambda customer: customer.name,
    detail=lambda customer: " · ".join(part for part in (customer.customer_number, customer.city) if part),
    copy_entity="customers",
    first_order=("name_key", False),
)


# --- the list ---


class Customers(Resource):
    name = "customers"
    verbose_name = _("customer")
    verbose_name_plural = _("customers")
    permission = "dashboard.view_customers"
    list_method = "list_customers"
    get_method = "get_customer"
    filter_form = CustomerFilters
    all_columns = (
        Column(
            "number",
            _("Number"),
            cells.text("customer_number"),
            sort="customerNumber",
            numeric=True,
            export="customer_number",
            export_label=_("Customer number"),
            export_kind="id",
            card="sub",
        ),
        Column(
            "name",
            _("Name"),
            cells.link("customers", "name", default=_("(no name)")),
            sort="name",
            export="name",
            card="title",
        ),
        Column(
            "organization_number",
            _("Org. number"),
            cells.text("organization_number"),
            sort="organizationNumber",
            export="organization_number",
            export_label=_("Org. / personal number"),
        ),
        Column("vat_number", _("VAT number"), export="vat_number"),
        Column("address", _("Address"), export="address"),
        Column("zip_code", _("Zip code"), export="zip_code"),
        Column("city", _("City"), cells.text("city"), sort="city", export="city", card="sub"),
        Column("country", _("Country"), export="country"),
        Column("phone", _("Phone"), cells.text("phone"), sort="phone", export="phone"),
        Column("email", _("E-mail"), export="email"),
        Column("payment_days", _("Payment days"), export="payment_days", export_kind="integer"),
        Column("active", _("Active"), cells.active, sort="isActive", export="is_active", card="state"),
        Column("created", _("Created"), export="created_date", export_kind="datetime"),
    )
    default_sort = ("name", "ascending")
    copy_entity = "customers"
    copy_sorts = {"customerNumber": "number_key", "name": "name_key", "city": "city", "isActive": "active"}
    lookups = ("price_lists",)
    search_hint = _("Narrow the list by name, customer number, organisation number or city.")
    create_form = CustomerForm
    picker = PICKER

    def local_filter(self, items, data, lookups):
        active = data.get("active")
        return [c for c in items if not active or c.is_active == (active == "true")]

    def detail_from_copy(self, record_id):
        found = super().detail_from_copy(record_id)
        contacts = read.related("contact_persons", "customer_id", record_id, order="name_key")
        return None if found is None or contacts is None else found | {"contacts": whole_page(contacts)}

    def detail_calls(self, record_id):
        client = get_client()
        return {
            "record": partial(client.get_customer, record_id),
            "contacts": partial(client.list_contact_persons, customer_id=record_id, sort_by="name"),
        }
