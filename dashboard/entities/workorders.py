"""Work orders: the list (filters, columns), the create form and the picker."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..forms import (
    CLOCK_SKEW,
    CODE_LENGTH,
    NAME_LENGTH,
    TEXT_LENGTH,
    TITLE_LENGTH,
    ColorSwatches,
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
    date_time_field,
    first_created_after,
    same_text,
    search_calls,
    user_field,
)
from ..vocabulary import WORK_INVOICING_STATUS_CHOICES, WORK_ORDER_BILLING_METHODS, WORK_ORDER_COLORS
from . import cells
from .base import Column, FilterForm, Resource, lookup_field, lookup_label
from .customers import PICKER as CUSTOMER_PICKER
from .projects import PICKER as PROJECT_PICKER


class WorkOrderFilters(FilterForm):
    api_filters = ("title", "work_order_number", "project_id")
    title = forms.CharField(label=_("Title"), required=False)
    work_order_number = forms.CharField(label=_("Work order number"), required=False)
    project_id = forms.CharField(required=False, widget=forms.HiddenInput)
    status = lookup_field(_("Status"), "work_order_statuses")
    work_order_type = lookup_field(_("Type"), "work_order_types")
    customer = forms.CharField(label=_("Customer name"), required=False)
    customer_id = forms.CharField(required=False, widget=forms.HiddenInput)  # exact: one customer's
    copy_lookups = {
        "title": "name__contains",
        "work_order_number": "number__contains",
        "project_id": "project_id",
        "status": "status",
        "work_order_type": "type",
        "customer": "customer_name__contains",
        "customer_id": "customer_id",
    }


def number_and_title(work_order) -> str:
    """How a work order is named in a picker and in the create confirmation."""
    return f"{work_order.work_order_number} {work_order.title}".strip()


# --- the create form ---


class WorkOrderForm(CreateForm, address_fields("work_", name_label=_("Name of the place"), with_phone=True)):
    resource_name = "workorders"
    create_method = "create_work_order"
    lookups = ("work_order_statuses", "work_order_types", "departments", "users")

    title = forms.CharField(label=_("Title"), max_length=TITLE_LENGTH)
    work_order_number = forms.CharField(
        label=_("Work order number"),
        required=False,
        max_length=CODE_LENGTH,
        validators=[RegexValidator(r"^\d+$", _("Digits only."))],
        help_text=_("Leave empty and Seven Time gives the next free number."),
    )
    status = LookupChoiceField("work_order_statuses", label=_("Status"), empty_label=_("Seven Time's first status"))
    work_order_type = LookupChoiceField("work_order_types", label=_("Type"))
    department = LookupChoiceField("departments", label=_("Department"))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    customer = PickerField(CUSTOMER_PICKER, label=_("Customer"))
    contact_person = ContactPersonField()
    project = PickerField(PROJECT_PICKER, label=_("Project"), required=False, narrowed_by="customer")
    marking = forms.CharField(label=_("Marking"), required=False, max_length=NAME_LENGTH)
    your_order_number = forms.CharField(label=_("Customer's order number"), required=False, max_length=NAME_LENGTH)
    start_date = date_time_field(_("Starts"))
    end_date = date_time_field(_("Ends"))
    estimated_time = NumberField(label=_("Estimated time (hours)"), min_value=0, decimal_places=2)
    created_by_user = user_field(_("Created by"), required=True, empty_label=_("Choose who you are…"))
    remember_me = forms.BooleanField(label=_("This is me: remember it for next time"), required=False)
    work_leader = user_field(_("Work leader"))
    current_owner = user_field(_("Current owner"))
    users = LookupMultipleField("users", label=_("People working on it full time"))
    machines = forms.CharField(
        label=_("Machine ids"),
        required=False,
        max_length=TEXT_LENGTH,
        help_text=_("Rarely needed. Ids of machines working on it full time, separated by commas."),
    )
    color = forms.ChoiceField(
        label=_("Colour"),
        required=False,
        choices=[("", _("Automatic")), *WORK_ORDER_COLORS],
        widget=ColorSwatches,
        help_text=_("Used only when Seven Time's settings say colours are set by hand."),
    )
    billing_method = forms.ChoiceField(label=_("Billing method"), choices=WORK_ORDER_BILLING_METHODS, required=False)
    fixed_price = NumberField(label=_("Fixed price (SEK)"), min_value=0, decimal_places=2)
    invoice_status = forms.ChoiceField(label=_("Invoicing status"), choices=WORK_INVOICING_STATUS_CHOICES, required=False)
    is_supplement_order = forms.BooleanField(label=_("Supplement order (ÄTA)"), required=False)
    enable_portal_access = forms.BooleanField(label=_("Show in the customer portal"), required=False)
    allow_registration_of_times = forms.BooleanField(
        label=_("Time can be registered on it"), required=False, initial=True
    )
    allow_registration_of_expenses = forms.BooleanField(
        label=_("Expenses can be registered on it"), required=False, initial=True
    )
    use_other_address = forms.BooleanField(label=_("Work at another address than the customer's"), required=False)

    fieldsets = (
        Fieldset(
            _("Basics"),
            ("title", "work_order_number", "status", "work_order_type", "department", "description", "color"),
        ),
        Fieldset(_("Customer"), ("customer", "contact_person", "project", "marking", "your_order_number")),
        Fieldset(_("Planning"), ("start_date", "end_date", "estimated_time", "work_leader", "current_owner", "users")),
        Fieldset(_("Work address"), ("use_other_address",)),
        Fieldset(
            _("Work at"),
            ("work_name", "work_address", "work_address2", "work_zip_code", "work_city", "work_country", "work_phone"),
            show_if=ShowIf.field("use_other_address"),
        ),
        Fieldset(
            _("Billing"),
            (
                "billing_method",
                "fixed_price",
                "invoice_status",
                "is_supplement_order",
                "allow_registration_of_times",
                "allow_registration_of_expenses",
                "enable_portal_access",
            ),
        ),
        Fieldset(_("Created by"), ("created_by_user", "remember_me")),
        Fieldset(_("Rarely used"), ("machines",)),
    )
    conditions = {"fixed_price": ShowIf.field("billing_method", "FIXED_PRICE")}
    api_names = {
        "statusRef": "status",
        "Project": "project",
        "workAddress.name": "work_name",
        "workAddress.address": "work_address",
        "workAddress.address2": "work_address2",
        "workAddress.zipCode": "work_zip_code",
        "workAddress.city": "work_city",
        "workAddress.country": "work_country",
        "workAddress.phone": "work_phone",
    }

    def clean_machines(self):
        return [part.strip() for part in self.cleaned_data["machines"].split(",") if part.strip()]

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end is before the start."))
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data

        def when(value: dt.datetime | None) -> str | None:
            # The reference's format, in the local time the person typed.
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None

        payload = compact(
            {
                "title": data["title"],
                "customer": data["customer"],
                "createdByUser": data["created_by_user"],
                "workOrderNumber": data["work_order_number"],
                "statusRef": data["status"],
                # The create table spells it `Project` (documents say `project`): an API
                # that reads the documented name would drop any other spelling unnoticed.
                "Project": data["project"],
                "startDate": when(data["start_date"]),
                "endDate": when(data["end_date"]),
                "currentOwner": data["current_owner"],
                "users": list(data["users"]),
                "machines": data["machines"],
                "estimatedTime": data["estimated_time"],
                "contactPerson": data["contact_person"],
                "workOrderType": data["work_order_type"],
                "department": data["department"],
                "workLeader": data["work_leader"],
                "description": data["description"],
                "color": data["color"],
                "invoiceStatus": int(data["invoice_status"]) if data["invoice_status"] else None,
                "billingMethod": data["billing_method"],
                "fixedPrice": data["fixed_price"],
                "marking": data["marking"],
                "yourOrderNumber": data["your_order_number"],
            }
        )
        payload.update(
            isSupplementOrder=data["is_supplement_order"],
            enablePortalAccess=data["enable_portal_access"],
            allowRegistrationOfTimes=data["allow_registration_of_times"],
            allowRegistrationOfExpenses=data["allow_registration_of_expenses"],
        )
        if data["use_other_address"]:
            payload["workAddress"] = {"useOtherAddress": True, **address_payload(data, "work_")}
        return payload

    @classmethod
    def find_existing(cls, client, payload, since):
        number = payload.get("workOrderNumber")
        if number:
            found = (w for w in client.list_work_orders(work_order_number=number) if w.work_order_number == str(number))
            return first_created_after(found, since - CLOCK_SKEW, "create_date")
        candidates = client.list_work_orders(title=payload["title"], sort_by="createDate", sort_direction="descending")
        return first_created_after(
            (
                w
                for w in candidates
                if same_text(w.title, payload["title"])
                and w.customer == payload["customer"]
                and w.created_by_user == payload["createdByUser"]
            ),
            since - CLOCK_SKEW,
            "create_date",
        )

    @staticmethod
    def describe(record) -> str:
        return number_and_title(record)


# --- the picker other forms choose a work order with ---


PICKER = PickerSource(
    "workorders",
    partial(search_calls, "list_work_orders", "title", "work_order_number"),
    lambda client: partial(client.list_work_orders, sort_by="workOrderNumber", sort_direction="descending"),
    "get_work_order",
    label=number_and_title,
    detail=lambda work_order: work_order.customer_name,
    copy_entity="work_orders",
    first_order=("number_key", True),
)


# --- the list ---


class WorkOrders(Resource):
    name = "workorders"
    verbose_name = _("work order")
    verbose_name_plural = _("work orders")
    permission = "dashboard.view_workorders"
    list_method = "list_work_orders"
    get_method = "get_work_order"
    filter_form = WorkOrderFilters
    all_columns = (
        Column(
            "number",
            _("Number"),
            cells.text("work_order_number"),
            sort="workOrderNumber",
            numeric=True,
            export="work_order_number",
            export_label=_("Work order number"),
            export_kind="id",
            card="sub",
        ),
        Column(
            "title",
            _("Title"),
            cells.link("workorders", "title", default=_("(no title)")),
            sort="title",
            export="title",
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
            "project",
            _("Project"),
            cells.link("projects", "project_name", record_id="project", default=_("Project")),
            sort="projectName",
            export="project_name",
        ),
        Column(
            "status",
            _("Status"),
            cells.badge("work_order_statuses", "status_ref"),
            export=lambda order, lookups: lookup_label(lookups["work_order_statuses"], order.status_ref),
            card="state",
        ),
        Column(
            "type",
            _("Type"),
            export=lambda order, lookups: lookup_label(lookups["work_order_types"], order.work_order_type),
        ),
        Column(
            "start_date",
            _("Start"),
            cells.day_and_time("start_date"),
            sort="startDate",
            css="date",
            export="start_date",
            export_kind="datetime",
        ),
        Column(
            "end_date",
            _("End"),
            cells.day_and_time("end_date"),
            sort="endDate",
            css="date",
            export="end_date",
            export_kind="datetime",
        ),
        Column("estimated_time", _("Estimated time (h)"), export="estimated_time", export_kind="number"),
    )
    default_sort = ("number", "descending")
    copy_entity = "work_orders"
    copy_sorts = {
        "workOrderNumber": "number_key",
        "title": "name_key",
        "customerName": "customer_key",
        "projectName": "project_key",
        "startDate": "date",
        "endDate": "due_date",
    }
    lookups = ("work_order_statuses", "work_order_types", "work_order_tags", "departments")
    detail_lookups = ("users",)  # the work leader, current owner and assigned users, by name
    search_hint = _("Narrow the list by title or work order number.")
    create_form = WorkOrderForm
    picker = PICKER

    def local_filter(self, items, data, lookups):
        status, kind = data.get("status"), data.get("work_order_type")
        customer = (data.get("customer") or "").casefold()
        return [
            w
            for w in items
            if (not status or w.status_ref == status)
            and (not kind or w.work_order_type == kind)
            and (not customer or customer in w.customer_name.casefold())
            and (not data.get("customer_id") or w.customer == data["customer_id"])
        ]
