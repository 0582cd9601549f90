"""One declaration per entity: its API calls, columns, filters and detail page.

The list and detail views in views.py read these; what is truly specific to an
entity (a customer's contact persons, invoice states) is declared here too, in
the entity's own class, rather than spread over the views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from seventime.records import Record

from .api import get_client
from .exports import ExportColumn
from .fetch import Lookups
from .invoice_state import InvoiceState, invoice_state, local_day
from .templatetags.dashboard import billing_method, lookup_name
from .vocabulary import BILLING_METHODS

ANY = [("", _("Any"))]
YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str | None = None  # the API field sortBy takes, when the column can be sorted
    numeric: bool = False
    # For a column the API sorts by a code (a role's number, a billing method's key) but
    # that shows a name: the name shown, by which the returned records are then ordered.
    shown_name: Callable[[Record, Lookups], str] | None = None


class LookupSelect(forms.Select):
    """A select whose options come from a cached lookup list, filled in by the view."""

    def __init__(self, lookup: str, attrs=None):
        super().__init__(attrs)
        self.lookup = lookup


def lookup_field(label, lookup: str) -> forms.CharField:
    # A CharField, not a ChoiceField: the options are only known after the lookup
    # lists are fetched, in the same round as the records themselves. An id no
    # lookup has simply matches nothing.
    return forms.CharField(label=label, required=False, widget=LookupSelect(lookup))


class FilterForm(forms.Form):
    """Filters of a list. Fields named in `api_filters` are passed to the client
    as keyword arguments; the others filter the returned records locally."""

    api_filters: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.TextInput:
                field.widget.input_type = "search"
                field.widget.attrs.update(autocomplete="off")

    def api_kwargs(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.api_filters if data.get(name) not in (None, "")}

    def fill_lookups(self, lookups: Lookups) -> None:
        for field in self.fields.values():
            if isinstance(field.widget, LookupSelect):
                items = sorted(lookups[field.widget.lookup].values(), key=lambda item: item.label.casefold())
                field.widget.choices = ANY + [(item.id, item.label) for item in items]


class Resource:
    """What the shared list and detail views need to know about one entity."""

    name: ClassVar[str]  # URL prefix and template folder
    verbose_name: ClassVar[str]
    verbose_name_plural: ClassVar[str]
    permission: ClassVar[str]
    list_method: ClassVar[str]
    get_method: ClassVar[str]
    filter_form: ClassVar[type[FilterForm]]
    columns: ClassVar[tuple[Column, ...]]
    default_sort: ClassVar[tuple[str, str]]  # (column key, direction)
    lookups: ClassVar[tuple[str, ...]] = ()  # lookup lists the list page needs
    detail_lookups: ClassVar[tuple[str, ...]] = ()  # and, in addition, the detail page
    search_hint: ClassVar[str] = ""

    @property
    def rows_template(self) -> str:
        """The table rows of one page of records (`page_obj`)."""
        return f"{self.name}/rows.html"

    @property
    def detail_template(self) -> str:
        return f"{self.name}/detail.html"

    @property
    def add_permission(self) -> str:
        return f"dashboard.add_{self.name}"

    @property
    def create_url_name(self) -> str:
        """The create form's URL name (dashboard/create_urls.py)."""
        return f"{self.name}_create"

    def list_call(self, **kwargs) -> Callable:
        return partial(getattr(get_client(), self.list_method), **kwargs)

    def local_filter(self, items: Iterable[Record], data: dict, lookups: Lookups) -> list[Record]:
        return list(items)

    def detail_calls(self, record_id: str) -> dict[str, Callable]:
        """Everything the detail page shows, fetched together with the record."""
        return {"record": partial(getattr(get_client(), self.get_method), record_id)}

    def export_columns(self, lookups: Lookups) -> list[ExportColumn]:
        """The columns of a CSV/XLSX download: values, not markup."""
        raise NotImplementedError

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    def sort_field(self, key: str) -> str | None:
        column = self.column(key)
        return column.sort if column else None


# --- customers ---


class CustomerFilters(FilterForm):
    api_filters = ("name", "customer_number", "organization_number", "city")
    name = forms.CharField(label=_("Name"), required=False)
    customer_number = forms.CharField(label=_("Customer number"), required=False)
    organization_number = forms.CharField(label=_("Org. / personal number"), required=False)
    city = forms.CharField(label=_("City"), required=False)
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)


class Customers(Resource):
    name = "customers"
    verbose_name = _("customer")
    verbose_name_plural = _("customers")
    permission = "dashboard.view_customers"
    list_method = "list_customers"
    get_method = "get_customer"
    filter_form = CustomerFilters
    columns = (
        Column("number", _("Number"), "customerNumber", numeric=True),
        Column("name", _("Name"), "name"),
        Column("organization_number", _("Org. number"), "organizationNumber"),
        Column("city", _("City"), "city"),
        Column("phone", _("Phone"), "phone"),
        Column("active", _("Active"), "isActive"),
    )
    default_sort = ("name", "ascending")
    lookups = ("price_lists",)
    search_hint = _("Narrow the list by name, customer number, organisation number or city.")

    def local_filter(self, items, data, lookups):
        active = data.get("active")
        return [c for c in items if not active or c.is_active == (active == "true")]

    def export_columns(self, lookups):
        return [
            ExportColumn(_("Customer number"), lambda c: c.customer_number),
            ExportColumn(_("Name"), lambda c: c.name),
            ExportColumn(_("Org. / personal number"), lambda c: c.organization_number),
            ExportColumn(_("VAT number"), lambda c: c.vat_number),
            ExportColumn(_("Address"), lambda c: c.address),
            ExportColumn(_("Zip code"), lambda c: c.zip_code),
            ExportColumn(_("City"), lambda c: c.city),
            ExportColumn(_("Country"), lambda c: c.country),
            ExportColumn(_("Phone"), lambda c: c.phone),
            ExportColumn(_("E-mail"), lambda c: c.email),
            ExportColumn(_("Payment days"), lambda c: c.payment_days, "integer"),
            ExportColumn(_("Active"), lambda c: c.is_active),
            ExportColumn(_("Created"), lambda c: c.created_date, "datetime"),
        ]

    def detail_calls(self, record_id):
        client = get_client()
        return {
            "record": partial(client.get_customer, record_id),
            "contacts": partial(client.list_contact_persons, customer_id=record_id, sort_by="name"),
        }


# --- projects ---


class ProjectFilters(FilterForm):
    api_filters = ("name", "project_number")
    name = forms.CharField(label=_("Name"), required=False)
    project_number = forms.CharField(label=_("Project number"), required=False)
    status = lookup_field(_("Status"), "project_statuses")
    customer = forms.CharField(label=_("Customer name"), required=False)
    customer_id = forms.CharField(required=False, widget=forms.HiddenInput)  # exact: one customer's
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)


class Projects(Resource):
    name = "projects"
    verbose_name = _("project")
    verbose_name_plural = _("projects")
    permission = "dashboard.view_projects"
    list_method = "list_projects"
    get_method = "get_project"
    filter_form = ProjectFilters
    columns = (
        Column("number", _("Number"), "projectNumber", numeric=True),
        Column("name", _("Name"), "name"),
        Column("customer", _("Customer"), "customerName"),
        Column("status", _("Status")),
        Column(
            "billing_method",
            _("Billing"),
            "billingMethod",
            shown_name=lambda project, _lookups: str(billing_method(project.billing_method)),
        ),
        Column("start_date", _("Start"), "startDate"),
        Column("end_date", _("End"), "endDate"),
    )
    default_sort = ("number", "descending")
    lookups = ("project_statuses", "project_types", "project_tags", "departments", "price_lists")
    detail_lookups = ("work_order_statuses",)  # of the project's work orders
    search_hint = _("Narrow the list by project name or number.")

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

    def export_columns(self, lookups):
        statuses = lookups["project_statuses"]
        return [
            ExportColumn(_("Project number"), lambda p: p.project_number),
            ExportColumn(_("Name"), lambda p: p.name),
            ExportColumn(_("Customer"), lambda p: p.customer_name),
            ExportColumn(_("Status"), lambda p: _label(statuses, p.project_status_ref)),
            ExportColumn(_("Billing method"), lambda p: str(BILLING_METHODS.get(p.billing_method, p.billing_method))),
            ExportColumn(_("Price per hour"), lambda p: p.price_per_hour, "money"),
            ExportColumn(_("Fixed price"), lambda p: p.fixed_price, "money"),
            ExportColumn(_("Project leader"), lambda p: p.project_leader_name),
            ExportColumn(_("Start"), lambda p: p.start_date, "date"),
            ExportColumn(_("End"), lambda p: p.end_date, "date"),
            ExportColumn(_("Active"), lambda p: p.is_active),
        ]

    def detail_calls(self, record_id):
        client = get_client()
        return {
            "record": partial(client.get_project, record_id),
            "work_orders": partial(
                client.list_work_orders, project_id=record_id, sort_by="workOrderNumber", sort_direction="descending"
            ),
        }


# --- work orders ---


class WorkOrderFilters(FilterForm):
    api_filters = ("title", "work_order_number", "project_id")
    title = forms.CharField(label=_("Title"), required=False)
    work_order_number = forms.CharField(label=_("Work order number"), required=False)
    project_id = forms.CharField(required=False, widget=forms.HiddenInput)
    status = lookup_field(_("Status"), "work_order_statuses")
    work_order_type = lookup_field(_("Type"), "work_order_types")
    customer = forms.CharField(label=_("Customer name"), required=False)
    customer_id = forms.CharField(required=False, widget=forms.HiddenInput)  # exact: one customer's


class WorkOrders(Resource):
    name = "workorders"
    verbose_name = _("work order")
    verbose_name_plural = _("work orders")
    permission = "dashboard.view_workorders"
    list_method = "list_work_orders"
    get_method = "get_work_order"
    filter_form = WorkOrderFilters
    columns = (
        Column("number", _("Number"), "workOrderNumber", numeric=True),
        Column("title", _("Title"), "title"),
        Column("customer", _("Customer"), "customerName"),
        Column("project", _("Project"), "projectName"),
        Column("status", _("Status")),
        Column("start_date", _("Start"), "startDate"),
        Column("end_date", _("End"), "endDate"),
    )
    default_sort = ("number", "descending")
    lookups = ("work_order_statuses", "work_order_types", "work_order_tags", "departments")
    detail_lookups = ("users",)  # the work leader, current owner and assigned users, by name
    search_hint = _("Narrow the list by title or work order number.")

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

    def export_columns(self, lookups):
        statuses, types = lookups["work_order_statuses"], lookups["work_order_types"]
        return [
            ExportColumn(_("Work order number"), lambda w: w.work_order_number),
            ExportColumn(_("Title"), lambda w: w.title),
            ExportColumn(_("Customer"), lambda w: w.customer_name),
            ExportColumn(_("Project"), lambda w: w.project_name),
            ExportColumn(_("Status"), lambda w: _label(statuses, w.status_ref)),
            ExportColumn(_("Type"), lambda w: _label(types, w.work_order_type)),
            ExportColumn(_("Start"), lambda w: w.start_date, "datetime"),
            ExportColumn(_("End"), lambda w: w.end_date, "datetime"),
            ExportColumn(_("Estimated time (h)"), lambda w: w.estimated_time, "number"),
        ]


# --- users ---


class UserFilters(FilterForm):
    api_filters = (
        "name",
        "person_number",
        "department",
        "user_role",
        "is_active",
        "is_activated",
        "default_salary_type",
        "user_skills",
    )
    name = forms.CharField(label=_("Name"), required=False)
    person_number = forms.CharField(label=_("Personal number"), required=False)
    department = lookup_field(_("Department"), "departments")
    user_role = lookup_field(_("Role"), "user_roles")
    is_active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)
    is_activated = forms.ChoiceField(label=_("Activated"), choices=YES_NO, required=False)
    default_salary_type = lookup_field(_("Salary type"), "salary_types")
    user_skills = lookup_field(_("Skill"), "user_skills")


class Users(Resource):
    name = "users"
    verbose_name = _("user")
    verbose_name_plural = _("users")
    permission = "dashboard.view_users"
    list_method = "list_users"
    get_method = "get_user"
    filter_form = UserFilters
    columns = (
        Column("name", _("Name"), "lastName"),
        Column("user_name", _("Username"), "userName"),
        Column("email", _("E-mail"), "email"),
        Column(
            "role",
            _("Role"),
            "userRoleId",
            shown_name=lambda user, lookups: lookup_name(lookups["user_roles"], user.user_role_id),
        ),
        Column("department", _("Department"), "departmentName"),
        Column("active", _("Active"), "isActive"),
    )
    default_sort = ("name", "ascending")
    lookups = ("user_roles", "departments", "salary_types", "user_skills")
    search_hint = _("Narrow the list by name, department or role.")

    def export_columns(self, lookups):
        roles, departments = lookups["user_roles"], lookups["departments"]
        return [
            ExportColumn(_("First name"), lambda u: u.first_name),
            ExportColumn(_("Last name"), lambda u: u.last_name),
            ExportColumn(_("Username"), lambda u: u.user_name),
            ExportColumn(_("E-mail"), lambda u: u.email),
            ExportColumn(_("Employee number"), lambda u: u.employee_number),
            ExportColumn(_("Role"), lambda u: _label(roles, u.user_role_id)),
            ExportColumn(_("Department"), lambda u: _label(departments, u.department) or u.department_name),
            ExportColumn(_("Mobile"), lambda u: u.cell_phone),
            ExportColumn(_("Active"), lambda u: u.is_active),
        ]


# --- invoices ---


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
    return _within(local_day(invoice.invoice_date), data.get("date_from"), data.get("date_to"))


class InvoiceFilters(InvoicePeriod, FilterForm):
    api_filters = ("invoice_number", "ocr_number", "customer_number")
    field_order = ("invoice_number", "ocr_number", "customer_number", "state", "date_from", "date_to", "currency")
    invoice_number = forms.CharField(label=_("Invoice number"), required=False)
    ocr_number = forms.CharField(label=_("OCR number"), required=False)
    customer_number = forms.CharField(label=_("Customer number"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=ANY + list(InvoiceState.choices), required=False)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)


class Invoices(Resource):
    name = "invoices"
    verbose_name = _("invoice")
    verbose_name_plural = _("invoices")
    permission = "dashboard.view_invoices"
    list_method = "list_invoices"
    get_method = "get_invoice"
    filter_form = InvoiceFilters
    columns = (
        Column("number", _("Number"), "invoiceNumber", numeric=True),
        Column("customer", _("Customer"), "customerName"),
        Column("project", _("Project"), "projectName"),
        Column("invoice_date", _("Invoice date"), "invoiceDate"),
        Column("due_date", _("Due date"), "dueDate"),
        Column("total", _("Amount incl. VAT"), "totalAmountInclTax", numeric=True),
        Column("currency", _("Currency"), "currencyCode"),
        Column("state", _("State")),
    )
    default_sort = ("number", "descending")
    lookups = ("invoice_tags", "price_lists")
    search_hint = _("Narrow the list by invoice number, OCR number or customer number.")

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

    def export_columns(self, lookups):
        return invoice_export_columns()


def invoice_export_columns(extra: tuple[ExportColumn, ...] = ()) -> list[ExportColumn]:
    return [
        ExportColumn(_("Invoice number"), lambda i: i.invoice_number),
        ExportColumn(_("OCR number"), lambda i: i.ocr_number),
        ExportColumn(_("Customer number"), lambda i: i.customer_number),
        ExportColumn(_("Customer"), lambda i: i.customer_name),
        ExportColumn(_("Project"), lambda i: i.project_name),
        ExportColumn(_("Invoice date"), lambda i: i.invoice_date, "date"),
        ExportColumn(_("Due date"), lambda i: i.due_date, "date"),
        ExportColumn(_("Amount excl. VAT"), lambda i: i.total_amount, "money"),
        ExportColumn(_("VAT"), lambda i: i.total_tax_amount, "money"),
        ExportColumn(_("Amount incl. VAT"), lambda i: i.total_amount_incl_tax, "money"),
        ExportColumn(_("Currency"), lambda i: i.currency_code),
        ExportColumn(_("State"), lambda i: str(invoice_state(i).label)),
        *extra,
    ]


def _label(items, key) -> str:
    record = items.get(str(key)) if key not in (None, "") else None
    return record.label if record else ""


def _within(day: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    if not (start or end):
        return True
    return day is not None and (not start or day >= start) and (not end or day <= end)


RESOURCES: dict[str, Resource] = {r.name: r for r in (Customers(), Projects(), WorkOrders(), Users(), Invoices())}
