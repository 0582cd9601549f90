"""Projects: the list (filters, columns), the create form and the picker."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from ..api import get_client
from ..forms import (
    CLOCK_SKEW,
    CODE_LENGTH,
    DELIVERY_FIELDSETS,
    NAME_LENGTH,
    TEXT_LENGTH,
    TITLE_LENGTH,
    ContactPersonField,
    CreateForm,
    Fieldset,
    LookupChoiceField,
    LookupMultipleField,
    NumberField,
    PickerField,
    PickerSource,
    ShowIf,
    address_fields,
    address_payload,
    compact,
    date_field,
    first_created_after,
    same_text,
    search_calls,
    user_field,
)
from ..templatetags.dashboard import billing_method
from ..vocabulary import BILLING_METHODS, PROJECT_BILLING_METHODS, WORK_INVOICING_STATUS_CHOICES
from . import cells
from ..sync import read
from .base import YES_NO, Column, FilterForm, Resource, lookup_field, lookup_label, whole_page
from .customers import PICKER as CUSTOMER_PICKER


class ProjectFilters(FilterForm):
    api_filters = ("name", "project_number")
    name = forms.CharField(label=_("Name"), required=False)
    project_number = forms.CharField(label=_("Project number"), required=False)
    status = lookup_field(_("Status"), "project_statuses")
    customer = forms.CharField(label=_("Customer name"), required=False)
    customer_id = forms.CharField(required=False, widget=forms.HiddenInput)  # exact: one customer's
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)
    copy_lookups = {
        "name": "name__contains",
        "project_number": "number__contains",
        "status": "status",
        "customer": "customer_name__contains",
        "customer_id": "customer_id",
        "active": "active",
    }


def number_and_name(project) -> str:
    """How a project is named in a picker and in the create confirmation."""
    return f"{project.project_number} {project.name}".strip()


# --- the create form ---


class ProjectForm(CreateForm, address_fields("delivery_", name_label=_("Recipient"), with_phone=True)):
    resource_name = "projects"
    create_method = "create_project"
    lookups = (
        "project_statuses",
        "project_types",
        "project_tags",
        "departments",
        "price_lists",
        "users",
        "result_units",
    )

    name = forms.CharField(label=_("Name"), max_length=TITLE_LENGTH)
    project_number = forms.CharField(
        label=_("Project number"),
        required=False,
        max_length=CODE_LENGTH,
        validators=[RegexValidator(r"^\d+$", _("Digits only."))],
        help_text=_("Leave empty and Seven Time gives the next free number."),
    )
    project_status = LookupChoiceField("project_statuses", label=_("Status"))
    project_type = LookupChoiceField("project_types", label=_("Type"))
    department = LookupChoiceField("departments", label=_("Department"))
    project_leader = user_field(_("Project leader"))
    start_date = date_field(_("Start date"))
    end_date = date_field(_("End date"))
    tags = LookupMultipleField("project_tags", label=_("Tags"))
    customer = PickerField(CUSTOMER_PICKER, label=_("Customer"), required=False)
    contact_person = ContactPersonField()
    marking = forms.CharField(label=_("Marking"), required=False, max_length=NAME_LENGTH)
    your_order_number = forms.CharField(label=_("Customer's order number"), required=False, max_length=NAME_LENGTH)
    billing_method = forms.ChoiceField(label=_("Billing method"), choices=PROJECT_BILLING_METHODS, required=False)
    price_per_hour = NumberField(label=_("Price per hour (SEK)"), min_value=0, decimal_places=2)
    fixed_price = NumberField(label=_("Fixed price (SEK)"), min_value=0, decimal_places=2)
    time_category_price_list = LookupChoiceField("price_lists", label=_("Price list"), empty_label=_("Choose…"))
    invoice_status = forms.ChoiceField(label=_("Invoicing status"), choices=WORK_INVOICING_STATUS_CHOICES, required=False)
    result_unit = LookupChoiceField("result_units", label=_("Result unit"))
    use_delivery_address = forms.BooleanField(label=_("Add a delivery address"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    fieldsets = (
        Fieldset(
            _("Basics"),
            (
                "name",
                "project_number",
                "project_status",
                "project_type",
                "department",
                "project_leader",
                "start_date",
                "end_date",
                "tags",
            ),
        ),
        Fieldset(_("Customer"), ("customer", "contact_person", "marking", "your_order_number")),
        Fieldset(
            _("Billing"),
            (
                "billing_method",
                "price_per_hour",
                "fixed_price",
                "time_category_price_list",
                "invoice_status",
                "result_unit",
            ),
        ),
        *DELIVERY_FIELDSETS,
        Fieldset(_("Notes"), ("notes",)),
    )
    conditions = {
        "price_per_hour": ShowIf.field("billing_method", "HOURLY"),
        "fixed_price": ShowIf.field("billing_method", "FIXED_PRICE"),
        "time_category_price_list": ShowIf.field("billing_method", "PRICELIST"),
    }
    required_when_shown = frozenset({"price_per_hour", "fixed_price", "time_category_price_list"})
    api_names = {
        "projectStatusRef": "project_status",
        "projectTags": "tags",
        "deliveryAddress.name": "delivery_name",
        "deliveryAddress.address": "delivery_address",
        "deliveryAddress.address2": "delivery_address2",
        "deliveryAddress.zipCode": "delivery_zip_code",
        "deliveryAddress.city": "delivery_city",
        "deliveryAddress.country": "delivery_country",
        "deliveryAddress.phone": "delivery_phone",
    }

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date is before the start date."))
        if data.get("contact_person") and not data.get("customer"):
            self.add_error("contact_person", _("Choose the customer first."))
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        number = data["project_number"]
        payload = compact(
            {
                "name": data["name"],
                "projectNumber": int(number) if number else None,
                "projectStatusRef": data["project_status"],
                "customer": data["customer"],
                "contactPerson": data["contact_person"],
                "invoiceStatus": int(data["invoice_status"]) if data["invoice_status"] else None,
                "projectLeader": data["project_leader"],
                "projectType": data["project_type"],
                "department": data["department"],
                "startDate": data["start_date"] and data["start_date"].isoformat(),
                "endDate": data["end_date"] and data["end_date"].isoformat(),
                "notes": data["notes"],
                "resultUnit": data["result_unit"],
                "billingMethod": data["billing_method"],
                "pricePerHour": data["price_per_hour"],
                "fixedPrice": data["fixed_price"],
                "timeCategoryPriceList": data["time_category_price_list"],
                "projectTags": list(data["tags"]),
                "marking": data["marking"],
                "yourOrderNumber": data["your_order_number"],
            }
        )
        if data["use_delivery_address"]:
            payload["deliveryAddress"] = address_payload(data, "delivery_")
        return payload

    @classmethod
    def find_existing(cls, client, payload, since):
        number = payload.get("projectNumber")
        if number:
            found = (p for p in client.list_projects(project_number=str(number)) if p.project_number == str(number))
            return first_created_after(found, since - CLOCK_SKEW, "created_date")
        candidates = client.list_projects(name=payload["name"], sort_by="createdDate", sort_direction="descending")
        return first_created_after(
            (
                p
                for p in candidates
                if same_text(p.name, payload["name"]) and (p.customer or None) == payload.get("customer")
            ),
            since - CLOCK_SKEW,
            "created_date",
        )

    @staticmethod
    def describe(record) -> str:
        return number_and_name(record)


# --- the picker other forms choose a project with ---


PICKER = PickerSource(
    "projects",
    partial(search_calls, "list_projects", "name", "project_number"),
    lambda client: partial(client.list_projects, sort_by="projectNumber", sort_direction="descending"),
    "get_project",
    label=number_and_name,
    detail=lambda project: project.customer_name,
    copy_entity="projects",
    first_order=("number_key", True),
)


# --- the list ---


class Projects(Resource):
    name = "projects"
    verbose_name = _("project")
    verbose_name_plural = _("projects")
    permission = "dashboard.view_projects"
    list_method = "list_projects"
    get_method = "get_project"
    filter_form = ProjectFilters
    all_columns = (
        Column(
            "number",
            _("Number"),
            cells.text("project_number"),
            sort="projectNumber",
            numeric=True,
            export="project_number",
            export_label=_("Project number"),
            export_kind="id",
            card="sub",
        ),
        Column(
            "name",
            _("Name"),
            cells.link("projects", "name", default=_("(no name)")),
            sort="name",
            export="name",
            card="title",
        ),
        Column(
            "customer",
            _("Customer"),
            cells.link("customers", "customer_name", record_id="customer"),
            sort="customerName",
            export="customer_name",
            card="sub",
        ),
        Column(
            "status",
            _("Status"),
            cells.badge("project_statuses", "project_status_ref"),
            export=lambda project, lookups: lookup_label(lookups["project_statuses"], project.project_status_ref),
            card="state",
        ),
        Column(
            "billing_method",
            _("Billing"),
            cells.billing,
            sort="billingMethod",
            shown_name=lambda project, _lookups: str(billing_method(project.billing_method)),
            export=lambda project, _lookups: str(BILLING_METHODS.get(project.billing_method, project.billing_method)),
            export_label=_("Billing method"),
        ),
        Column("price_per_hour", _("Price per hour"), export="price_per_hour", export_kind="money"),
        Column("fixed_price", _("Fixed price"), export="fixed_price", export_kind="money"),
        Column("project_leader", _("Project leader"), export="project_leader_name"),
        Column(
            "start_date",
            _("Start"),
            cells.day("start_date"),
            sort="startDate",
            css="date",
            export="start_date",
            export_kind="date",
        ),
        Column(
            "end_date",
            _("End"),
            cells.day("end_date"),
            sort="endDate",
            css="date",
            export="end_date",
            export_kind="date",
        ),
        Column("active", _("Active"), export="is_active"),
    )
    default_sort = ("number", "descending")
    copy_entity = "projects"
    copy_sorts = {
        "projectNumber": "number_key",
        "name": "name_key",
        "customerName": "customer_key",
        "startDate": "date",
        "endDate": "due_date",
    }
    lookups = ("project_statuses", "project_types", "project_tags", "departments", "price_lists")
    detail_lookups = ("work_order_statuses",)  # of the project's work orders
    search_hint = _("Narrow the list by project name or number.")
    create_form = ProjectForm
    picker = PICKER

    def local_filter(self, items, data, lookups):
        status, customer, active = data.get("status"), (data.get("customer") or "").casefold(), data.get("active")
        return [
            p
            for p in items
            if (not status or p.project_status_ref == status)
            and (not customer or customer in p.customer_name.casefold())
            and (not data.get("customer_id") or p.customer == data["customer_id"])
            and (not active or p.is_active == (active == "true"))
        ]

    def detail_from_copy(self, record_id):
        found = super().detail_from_copy(record_id)
        orders = read.related("work_orders", "project_id", record_id, order="number_key", descending=True)
        return None if found is None or orders is None else found | {"work_orders": whole_page(orders)}

    def detail_calls(self, record_id):
        client = get_client()
        return {
            "record": partial(client.get_project, record_id),
            "work_orders": partial(
                client.list_work_orders, project_id=record_id, sort_by="workOrderNumber", sort_direction="descending"
            ),
        }
