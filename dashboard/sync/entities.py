"""What the sync engine copies: every entity, the client call that lists it, how
a full sweep enumerates it beyond the API's cap of 100, how an incremental pass
finds what is new or changed, and which document fields fill the copy's indexed
columns (docs/sync.md has the table)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_datetime

from seventime.records import Invoice, to_decimal

from ..invoice_state import invoice_state, local_day

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DIGITS = "0123456789"
#: Characters names are refined with (the API matches case-insensitively): the
#: letters of Swedish names, digits and the punctuation company names use. A name
#: with a character outside it is still found unless a query that ends just before
#: that character was capped; characters seen in answers are added as the sweep goes.
NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyzåäöéüæø0123456789 &'-.,/()+:@"


@dataclass(frozen=True)
class Incremental:
    """One call of an incremental pass: the list sorted by `sort_by` descending, read
    until the documents are older than the last pass's watermark."""

    sort_by: str
    #: Whether the watermark is a number ("24601") rather than a date text.
    numeric: bool = False
    #: This sort's watermark is what the pass stops at; others only add what they find.
    tracks_watermark: bool = True


@dataclass(frozen=True)
class Entity:
    name: str  # the contract's entity name: "customers", "work_orders"...
    method: str  # the client's list method
    #: The filter (client keyword) full sweeps refine by, and its alphabet; None: one call.
    refine_by: str | None = None
    alphabet: str = DIGITS
    #: The document field `refine_by` filters on (to check answers and find records without it).
    refine_field: str | None = None
    #: Extra unfiltered calls that find records the refinement cannot (no number yet).
    unfiltered_sorts: tuple[str, ...] = ()
    incremental: tuple[Incremental, ...] = ()
    #: Listed per customer (contact persons): one call per customer.
    per_customer: bool = False
    lookup: bool = False  # a small list: one call in full sweeps, none in incremental passes
    columns: Callable[[dict], dict] = field(default=lambda doc: {})


def _text(value, limit=64) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("_id", "")
    return str(value)[:limit]


def _ref(doc: dict, key: str) -> str:
    return _text(doc.get(key))


def _bool(value):
    return None if value is None else bool(value)


def _moment(value) -> dt.datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


def _day(value) -> dt.date | None:
    """An API date (midnight in Stockholm, sent in UTC) as the calendar day it means."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    moment = _moment(value)
    return moment.astimezone(STOCKHOLM).date() if moment else None


def _customer_columns(doc):
    return {
        "number": _ref(doc, "customerNumber"),
        "name": _text(doc.get("name"), 255),
        "organization_number": _ref(doc, "organizationNumber"),
        "city": _text(doc.get("city"), 128),
        "active": _bool(doc.get("isActive")),
        "modified_at": _moment(doc.get("modifiedDate")),
    }


def _contact_columns(doc):
    return {
        "name": _text(doc.get("name"), 255),
        "customer_id": _ref(doc, "customer"),
        "active": _bool(doc.get("isActive")),
        "modified_at": _moment(doc.get("modifiedDate")),
    }


def _user_columns(doc):
    full = " ".join(part for part in (doc.get("firstName"), doc.get("lastName")) if part) or doc.get("userName") or ""
    return {
        "number": _ref(doc, "employeeNumber"),
        "name": _text(full, 255),
        # The users list sorts its Name column by last name, then first name.
        "sort_name": f"{doc.get('lastName') or ''} {doc.get('firstName') or ''}".strip() or full,
        "department": _ref(doc, "department"),
        "role": _ref(doc, "userRoleId"),
        "active": _bool(doc.get("isActive")),
        "modified_at": _moment(doc.get("modifiedDate")),
    }


def _project_columns(doc):
    return {
        "number": _ref(doc, "projectNumber"),
        "customer_name": _text(doc.get("customerName"), 255),
        "name": _text(doc.get("name"), 255),
        "customer_id": _ref(doc, "customer"),
        "status": _ref(doc, "projectStatusRef") or _ref(doc, "projectStatus"),
        "type": _ref(doc, "projectType"),
        "department": _ref(doc, "department"),
        "active": _bool(doc.get("isActive")),
        "modified_at": _moment(doc.get("modifiedDate")),
        "date": _day(doc.get("startDate")),
        "due_date": _day(doc.get("endDate")),
        "customer_key": doc.get("customerName"),
    }


def _work_order_columns(doc):
    return {
        "number": _ref(doc, "workOrderNumber"),
        "customer_name": _text(doc.get("customerName"), 255),
        "name": _text(doc.get("title"), 255),
        "customer_id": _ref(doc, "customer"),
        "customer_number": _ref(doc, "customerNumber"),
        "project_id": _ref(doc, "project"),
        "status": _ref(doc, "statusRef") or _ref(doc, "status"),
        "type": _ref(doc, "workOrderType"),
        "department": _ref(doc, "department"),
        "date": _day(doc.get("startDate")),
        "due_date": _day(doc.get("endDate")),
        "customer_key": doc.get("customerName"),
        "project_key": doc.get("projectName"),
    }


def invoice_states(doc: dict) -> tuple[str, str]:
    """The invoice's state (dashboard/invoice_state.py, asked, never re-implemented) on its
    due day, and from the day after it on (the same when it has no due date). The rules
    depend on the day only through "the due date has passed" (overdue), so on any day D
    the state is the second when the due date is before D, else the first: the copy
    filters by state in SQL (`read.state_query`). Recomputed whenever the columns are
    rewritten (every sweep; `manage.py sync --recompute` after a change of the rules)."""
    invoice = Invoice.from_api(doc)
    due = local_day(invoice.due_date)
    if due is None:
        state = invoice_state(invoice)
        return state.value, state.value
    later = invoice_state(invoice, on=due + dt.timedelta(days=1)) if due < dt.date.max else invoice_state(invoice, on=due)
    return invoice_state(invoice, on=due).value, later.value


def _amount(value) -> Decimal | None:
    try:
        return to_decimal(value)
    except (ValueError, ArithmeticError):
        return None


def _invoice_columns(doc):
    state, state_past_due = invoice_states(doc)
    return {
        "number": _ref(doc, "invoiceNumber"),
        "customer_name": _text(doc.get("customerName"), 255),
        "name": _text(doc.get("customerName"), 255),
        "ocr": _ref(doc, "OCRNumber"),
        "customer_id": _ref(doc, "customer"),
        "customer_number": _ref(doc, "customerNumber"),
        "project_id": _ref(doc, "project"),
        "status": _ref(doc, "invoiceStatus"),
        "type": _ref(doc, "invoiceType"),
        "currency": _text(doc.get("currencyCode"), 8),
        "date": _day(doc.get("invoiceDate")),
        "due_date": _day(doc.get("dueDate")),
        "state": state,
        "state_past_due": state_past_due,
        "amount": _amount(doc.get("totalAmountInclTax")),
        "project_key": doc.get("projectName"),
    }


def _lookup_columns(*name_keys):
    def columns(doc):
        name = next((doc.get(key) for key in name_keys if doc.get(key)), "")
        return {"name": _text(name, 255), "active": _bool(doc.get("isActive"))}

    return columns


def _department_columns(doc):
    return {**_lookup_columns("name")(doc), "number": _ref(doc, "departmentNumber")}


MODIFIED = Incremental("modifiedDate")

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "customers",
            "list_customers",
            refine_by="customer_number",
            refine_field="customerNumber",
            unfiltered_sorts=("createdDate",),
            incremental=(MODIFIED,),
            columns=_customer_columns,
        ),
        Entity(
            "contact_persons",
            "list_contact_persons",
            per_customer=True,
            columns=_contact_columns,
        ),
        Entity(
            "users",
            "list_users",
            # Personal numbers (YYMMDD-NNNN) refine like numbers; names would need a
            # far larger alphabet (2,164 calls for 900 users against 36 this way).
            refine_by="person_number",
            alphabet=DIGITS + "-",
            refine_field="personalNumber",
            unfiltered_sorts=("createdDate",),
            incremental=(MODIFIED,),
            columns=_user_columns,
        ),
        Entity("departments", "list_departments", lookup=True, columns=_department_columns),
        Entity(
            "projects",
            "list_projects",
            refine_by="project_number",
            refine_field="projectNumber",
            unfiltered_sorts=("createdDate",),
            incremental=(MODIFIED,),
            columns=_project_columns,
        ),
        Entity(
            "work_orders",
            "list_work_orders",
            refine_by="work_order_number",
            refine_field="workOrderNumber",
            unfiltered_sorts=("createDate",),
            # Work orders carry no modifiedDate: new ones by createDate; changes wait for the full re-read.
            incremental=(Incremental("createDate"),),
            columns=_work_order_columns,
        ),
        Entity(
            "invoices",
            "list_invoices",
            refine_by="invoice_number",
            refine_field="invoiceNumber",
            unfiltered_sorts=("createDate",),
            # New invoices (drafts too) by createDate; sending and payment, the changes
            # the overview counts, by their dates; other changes wait for the full re-read.
            incremental=(
                Incremental("createDate"),
                Incremental("sentDate", tracks_watermark=False),
                Incremental("paymentDate", tracks_watermark=False),
            ),
            columns=_invoice_columns,
        ),
        Entity("project_statuses", "list_project_statuses", lookup=True, columns=_lookup_columns("statusName")),
        Entity("project_types", "list_project_types", lookup=True, columns=_lookup_columns("projectTypeName")),
        Entity("project_tags", "list_project_tags", lookup=True, columns=_lookup_columns("tagName")),
        Entity("work_order_statuses", "list_work_order_statuses", lookup=True, columns=_lookup_columns("statusName")),
        Entity("work_order_types", "list_work_order_types", lookup=True, columns=_lookup_columns("workOrderTypeName")),
        Entity("work_order_tags", "list_work_order_tags", lookup=True, columns=_lookup_columns("tagName")),
        Entity("invoice_tags", "list_invoice_tags", lookup=True, columns=_lookup_columns("tagName")),
        Entity("user_roles", "list_user_roles", lookup=True, columns=_lookup_columns("userRoleName")),
        Entity("price_lists", "list_price_lists", lookup=True, columns=_lookup_columns("name")),
        Entity("salary_types", "list_salary_types", lookup=True, columns=_lookup_columns("name")),
        Entity("user_skills", "list_user_skills", lookup=True, columns=_lookup_columns("skillTitle")),
    )
}

#: Sweep order: the order above, but what is listed one customer at a time (contact
#: persons: 320 calls on the demo data, 80 s at 4 a second) last, after the customers it
#: needs and after every other entity, so that a first sync makes those complete within
#: its first minute instead of after the contact persons.
ORDER = tuple(sorted(ENTITIES, key=lambda name: ENTITIES[name].per_customer))
