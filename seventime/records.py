"""Records: the API's JSON documents as frozen dataclasses.

Parsing is lenient and faithful, because the reference's own examples disagree
with each other:

* ids are kept as opaque strings (the reference shows `5bae34dca878bd790d02065g`,
  which is not hex, and `59d05abdc471b72e4901079`, which is 23 characters long);
* a reference to another record may be an id or an embedded object
  (`createdByUser` on a created work order) - we keep the id either way;
* numbers that are really labels (`workOrderNumber` is `2901` in one example and
  `"4843"` in another) become strings;
* timestamps become aware UTC datetimes (`2020-11-04T23:00:00.000Z` is 5 November
  in Stockholm: converting to local time is the page's job);
* money and quantities become `Decimal`, built from the JSON text, never via float
  arithmetic;
* `null`, missing fields and unknown extra fields are all fine: unknown fields are
  kept in `extra`, so nothing the API sends is lost;
* a field is converted the first time it is read (a list page reads a tenth of what
  100 invoices carry). A value of the wrong shape raises `BadResponse` naming the
  field on the page that reads it, which shows "the answer could not be read".

A field's API key is its name in camelCase unless `api("key")` says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import Any, ClassVar, Self

from .errors import BadResponse
from .jsontext import value as json_value


def api(key: str | None = None, *, ref: bool = False, default: Any = dataclasses.MISSING):
    """Declare a field's API key, or that it holds a reference (an id or an object)."""
    if default is dataclasses.MISSING:
        default = None
    # Defaults must be immutable (from_api shares them between records).
    return dataclasses.field(default=default, metadata={"api": key, "ref": ref})


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# --- value converters: each takes whatever JSON gave and returns a clean value ---


def to_text(value: Any) -> str:
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, Decimal)) and value == int(value):
        return str(int(value))
    if isinstance(value, (dict, list)):
        raise ValueError("expected text, got an object")
    return str(value)


def to_ref(value: Any) -> str | None:
    """An id, whether the API sent the id itself or the whole referenced object."""
    if value.__class__ is str:
        return value or None
    if value is None:
        return None
    if isinstance(value, dict):
        return to_ref(value.get("_id"))
    return to_text(value)


def to_decimal(value: Any) -> Decimal | None:
    """A number or numeric string ("12.5", "12,5", " 1 200 ") as an exact Decimal,
    None for a missing one (None or ""); the one parser of numbers (invoicing.to_decimal
    adds a default)."""
    kind = value.__class__
    if kind is Decimal:  # the client parses JSON numbers straight into Decimal
        if not value.is_finite():
            raise ValueError("expected a finite number")
        return value
    if kind is int:
        return Decimal(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    try:
        # str() of a float gives its shortest repr (12.35, not 12.3499999...).
        number = Decimal(str(value).strip().replace(",", ".").replace(" ", "").replace("\xa0", ""))
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError("expected a finite number")
    return number


def to_int(value: Any) -> int | None:
    number = to_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(number)


def to_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def to_datetime(value: Any) -> dt.datetime | None:
    """An aware datetime. The API sends UTC (`...Z`); a bare date is midnight UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(float(value) / 1000, tz=dt.UTC)  # JavaScript milliseconds
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected a timestamp, got {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _unwrap_optional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _converter(hint: Any, is_ref: bool):
    hint = _unwrap_optional(hint)
    if is_ref:
        if typing.get_origin(hint) is tuple:
            return lambda value: tuple(ref for ref in map(to_ref, _as_list(value)) if ref)
        return to_ref
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        convert_item = _converter(item, False)
        return lambda value: tuple(item for item in map(convert_item, _as_list(value)) if item is not None)
    if isinstance(hint, type) and issubclass(hint, Record):
        return partial(_nested, hint)
    return {
        str: to_text,
        Decimal: to_decimal,
        int: to_int,
        bool: to_bool,
        dt.datetime: to_datetime,
    }.get(hint, lambda value: value)


def _nested(record: type[Record], value: Any) -> Record | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dict):
        raise ValueError("expected an object")
    return record.from_api(value)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


_ABSENT = object()


class _Field:
    """A record field, converted from the API's value the first time it is read.

    A list page parses 100 invoices of ~90 fields each but reads about ten of them
    (and shows 25); converting every field when the answer arrived was most of the
    time a page spent on it. The value is kept once converted.

    A non-data descriptor: a value in the instance's __dict__ (set by __init__ or by
    an earlier read) wins, so only records built by from_api ever get here. A value
    of the wrong shape raises BadResponse naming the field, on the page that reads
    it (and again on every read: nothing half-converted is kept); pages that do not
    read it are not held back by it."""

    __slots__ = ("name", "key", "convert", "default", "kind")

    def __init__(self, name: str, key: str, convert: Any, default: Any, kind: str):
        self.name, self.key, self.convert, self.default, self.kind = name, key, convert, default, kind

    def __get__(self, record: Any, owner: Any = None) -> Any:
        if record is None:
            return self.default
        raw = record.__dict__["_doc"].get(self.key, _ABSENT)
        if raw is _ABSENT:
            value = self.default
        else:
            try:
                raw = json_value(raw)  # still JSON text in a list answer
                value = self.convert(raw)
            except (ValueError, TypeError, BadResponse):
                # Only the field and the type: the value itself may be personal data.
                raise BadResponse(f"Unexpected {type(raw).__name__} in the {self.kind} field {self.key!r}.") from None
            if value is None:
                value = self.default
        record.__dict__[self.name] = value
        return value


class _Extra:
    """`extra` of a record built by from_api: the API's fields no field reads."""

    def __get__(self, record: Any, owner: Any = None) -> Any:
        if record is None:
            return self
        plan = type(record)._plan()
        extra = {key: json_value(raw) for key, raw in record.__dict__["_doc"].items() if key not in plan}
        record.__dict__["extra"] = extra
        return extra


@dataclasses.dataclass(frozen=True, kw_only=True)
class Record:
    """Base class of every API record; unknown API fields land in `extra`."""

    extra: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    kind: ClassVar[str] = "record"

    @classmethod
    @cache
    def _plan(cls) -> dict[str, str]:
        """API key -> field name. Each field gets its converting descriptor here, on
        first use of the class."""
        hints = typing.get_type_hints(cls)
        plan = {}
        for field in dataclasses.fields(cls):
            if field.name == "extra":
                continue
            key = field.metadata.get("api") or camel(field.name)
            if key in plan:
                raise TypeError(f"{cls.__name__}: two fields read the API key {key!r}")
            convert = _converter(hints[field.name], field.metadata.get("ref", False))
            setattr(cls, field.name, _Field(field.name, key, convert, field.default, cls.kind))
            plan[key] = field.name
        cls.extra = _Extra()
        return plan

    @classmethod
    def from_api(cls, doc: Any) -> Self:
        """The record of an API document. Its fields are converted when first read."""
        if not isinstance(doc, dict):
            raise BadResponse(f"Expected a {cls.kind} object, got {type(doc).__name__}.")
        cls._plan()
        # Filling the instance directly skips the generated __init__ (which would
        # want every field converted now).
        record = object.__new__(cls)
        record.__dict__["_doc"] = doc
        return record

    def document(self) -> dict[str, Any]:
        """The API's document of a record built by from_api, every value decoded (for
        the local copy: what a create answered goes in as a sweep would have read it)."""
        return {key: json_value(raw) for key, raw in self.__dict__["_doc"].items()}

    def validate(self, *, deep: bool = False) -> Self:
        """Convert every field now: BadResponse names the first malformed one. With
        `deep`, the nested records (invoice rows, addresses...) too. For a record kept
        for later (the invoice copy) and for a detail page, which shows nearly every
        field, some in `{% if %}` comparisons, which would take an error for false."""
        for name in type(self)._plan().values():
            value = getattr(self, name)
            if deep:
                for nested in value if isinstance(value, tuple) else (value,):
                    if isinstance(nested, Record):
                        nested.validate(deep=True)
        return self

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A record unpickled from a shared cache, possibly in a process that has not
        # parsed this kind yet: its fields need their descriptors first.
        plan = type(self)._plan()
        if "_doc" not in state:
            # Pickled by the version that converted fields on arrival: every field is
            # in the state but the nested ones, kept unconverted under `_deferred`.
            names = {name: key for key, name in plan.items()}
            state = dict(state)
            state["_doc"] = {names[name]: raw for name, raw in state.pop("_deferred", {}).items()}
        self.__dict__.update(state)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Lookup(Record):
    """A record that other records refer to by id and that pages show by name."""

    id: str = api("_id", default="")

    @property
    def label(self) -> str:
        return self.id


# --- shared parts ---


@dataclasses.dataclass(frozen=True, kw_only=True)
class Address(Record):
    kind = "address"
    use_other_address: bool | None = None
    name: str = ""
    address: str = ""
    address2: str = ""
    zip_code: str = ""
    city: str = ""
    country: str = ""
    phone: str = ""

    @property
    def is_empty(self) -> bool:
        return not any((self.name, self.address, self.address2, self.zip_code, self.city, self.country, self.phone))


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeductionItem(Record):
    kind = "deduction distribution item"
    id: str | None = api("_id")
    item_id: str = ""
    user_name: str = ""
    personal_number: str = ""
    distribution_percent: Decimal | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomField(Record):
    kind = "custom field"
    id: str | None = api("_id")
    field_id: str | None = api(ref=True)
    value: Any = None


# --- customers and contact persons ---


@dataclasses.dataclass(frozen=True, kw_only=True)
class BillingSettings(Record):
    kind = "billing settings"
    use_separate_billing_address: bool = False
    address: str = ""
    address2: str = ""
    zip_code: str = ""
    city: str = ""
    use_separate_billing_email: bool = False
    invoice_email: str = ""
    invoice_delivery_type: int | None = None
    default_email_subject: str = ""
    is_construction_company: bool = False
    is_rot_customer: bool = api("isROTCustomer", default=False)
    is_rut_customer: bool = api("isRUTCustomer", default=False)
    type_of_property: int | None = None
    property_description: str = ""
    housing_society_number: str = ""
    apartment_number: str = ""
    personal_number: str = ""
    deduction_distribution: tuple[DeductionItem, ...] = ()
    expense_discount: Decimal | None = None
    price_list: str | None = api(ref=True)
    price_list_name: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Customer(Lookup):
    kind = "customer"
    customer_number: str = ""
    name: str = ""
    organization_number: str = ""
    vat_number: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    address2: str = ""
    zip_code: str = ""
    city: str = ""
    country: str = ""
    billing_method: str = ""
    price_per_hour: Decimal | None = None
    payment_days: int | None = None
    notes: str = ""
    is_active: bool = True
    billing_settings: BillingSettings | None = None
    created_date: dt.datetime | None = None
    modified_date: dt.datetime | None = None

    @property
    def label(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContactPerson(Lookup):
    kind = "contact person"
    name: str = ""
    title: str = ""
    work_phone: str = ""
    cell_phone: str = ""
    email: str = ""
    customer: str | None = api(ref=True)
    customer_name: str = ""
    main_contact: bool = False
    is_active: bool = True
    created_date: dt.datetime | None = None
    modified_date: dt.datetime | None = None

    @property
    def label(self) -> str:
        return self.name


# --- users and their lookups ---


@dataclasses.dataclass(frozen=True, kw_only=True)
class User(Lookup):
    kind = "user"
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    personal_number: str = ""
    employee_number: str = ""
    user_name: str = ""
    work_phone: str = ""
    cell_phone: str = ""
    user_role_id: int | None = None
    # Not in the reference's user documents, but users can be filtered by
    # department, so a user must carry one; we accept it when present.
    department: str | None = api(ref=True)
    department_name: str = ""
    default_salary_type: str | None = api(ref=True)
    user_skills: tuple[str, ...] = api(ref=True, default=())
    is_active: bool = False
    is_activated: bool = False
    language: str = ""
    created_date: dt.datetime | None = None
    modified_date: dt.datetime | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.user_name

    @property
    def sorted_name(self) -> str:
        """"Last, First", as a list sorted by last name shows it."""
        if self.first_name and self.last_name:
            return f"{self.last_name}, {self.first_name}"
        return self.full_name

    @property
    def label(self) -> str:
        return self.full_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserRole(Lookup):
    kind = "user role"
    # Roles are identified by a number, not an `_id`; we keep it as text like every id.
    id: str = api("userRoleId", default="")
    name: str = api("userRoleName", default="")

    @property
    def label(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True, kw_only=True)
class SalaryType(Lookup):
    kind = "salary type"
    name: str = ""
    description: str = ""
    code: str = ""
    is_absence_time_type: bool = False
    unit_type: str = ""
    can_be_registered: bool = True
    salary_amount: Decimal | None = None
    type_in_salary_system: int | None = None

    @property
    def label(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserSkill(Lookup):
    kind = "user skill"
    skill_title: str = ""
    require_educations: tuple[str, ...] = api(ref=True, default=())

    @property
    def label(self) -> str:
        return self.skill_title


@dataclasses.dataclass(frozen=True, kw_only=True)
class Department(Lookup):
    kind = "department"
    name: str = ""
    department_number: str = ""
    is_active: bool = True
    manager_ids: tuple[str, ...] = api(ref=True, default=())

    @property
    def label(self) -> str:
        return self.name


# --- statuses, types, tags, price lists ---


@dataclasses.dataclass(frozen=True, kw_only=True)
class Status(Lookup):
    kind = "status"
    status_name: str = ""
    color: str = ""
    in_progress_status: bool = False
    closed_status: bool = False
    planned_status: bool = False
    is_active: bool = True

    @property
    def label(self) -> str:
        return self.status_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProjectType(Lookup):
    kind = "project type"
    project_type_name: str = ""
    is_active: bool = True

    @property
    def label(self) -> str:
        return self.project_type_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class WorkOrderType(Lookup):
    kind = "work order type"
    work_order_type_name: str = ""
    color: str = ""
    is_active: bool = True

    @property
    def label(self) -> str:
        return self.work_order_type_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class Tag(Lookup):
    kind = "tag"
    tag_name: str = ""
    color: str = ""

    @property
    def label(self) -> str:
        return self.tag_name


@dataclasses.dataclass(frozen=True, kw_only=True)
class PriceList(Lookup):
    kind = "price list"
    name: str = ""
    is_active: bool = True

    @property
    def label(self) -> str:
        return self.name


# --- projects and work orders ---


@dataclasses.dataclass(frozen=True, kw_only=True)
class Project(Lookup):
    kind = "project"
    name: str = ""
    project_number: str = ""
    project_status: int | None = None
    project_status_ref: str | None = api(ref=True)
    project_type: str | None = api(ref=True)
    project_type_name: str = ""
    billing_method: str = ""
    price_per_hour: Decimal | None = None
    fixed_price: Decimal | None = None
    fixed_price_invoiced: bool = False
    fixed_price_left_to_invoice: Decimal | None = None
    time_category_price_list: str | None = api(ref=True)
    estimated_time: Decimal | None = None
    recurring_budget: dict | None = None
    customer: str | None = api(ref=True)
    customer_name: str = ""
    contact_person: str | None = api(ref=True)
    contact_person_name: str = ""
    project_leader: str | None = api(ref=True)
    project_leader_name: str = ""
    quote: str | None = api(ref=True)
    quote_number: str = ""
    department: str | None = api(ref=True)
    department_name: str = ""
    result_unit: str | None = api(ref=True)
    result_unit_name: str = ""
    marking: str = ""
    your_order_number: str = ""
    delivery_address: Address | None = None
    invoice_status: int | None = None
    notes: str = ""
    start_date: dt.datetime | None = None
    end_date: dt.datetime | None = None
    budget: dict | None = None
    tags: tuple[str, ...] = api(ref=True, default=())
    color: str = ""
    enable_construction_diary: bool = False
    enable_payment_plans: bool = False
    enable_portal_access: bool = False
    time_should_not_be_work_time: bool = False
    is_active: bool = True
    custom_fields: tuple[CustomField, ...] = ()
    created_date: dt.datetime | None = None
    modified_date: dt.datetime | None = None

    @property
    def label(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True, kw_only=True)
class WorkOrder(Lookup):
    kind = "work order"
    work_order_number: str = ""
    title: str = ""
    description: str = ""
    created_by_user: str | None = api(ref=True)
    created_by_user_name: str = ""
    status_ref: str | None = api(ref=True)
    status: int | None = None
    customer: str | None = api(ref=True)
    customer_name: str = ""
    customer_number: str = ""
    # The reference's create table spells it `Project`; documents use `project`.
    project: str | None = api(ref=True)
    project_name: str = ""
    contact_person: str | None = api(ref=True)
    contact_person_name: str = ""
    work_order_type: str | None = api(ref=True)
    department: str | None = api(ref=True)
    work_leader: str | None = api(ref=True)
    current_owner: str | None = api(ref=True)
    estimated_time: Decimal | None = None
    start_date: dt.datetime | None = None
    end_date: dt.datetime | None = None
    color: str = ""
    marking: str = ""
    your_order_number: str = ""
    invoice_status: int | None = None
    billing_method: str = ""
    fixed_price: Decimal | None = None
    is_supplement_order: bool = False
    enable_portal_access: bool = False
    # Not in the reference's example document; the create form sends them (None: not said).
    allow_registration_of_times: bool | None = None
    allow_registration_of_expenses: bool | None = None
    work_address: Address | None = None
    users: tuple[str, ...] = api(ref=True, default=())
    machines: tuple[str, ...] = api(ref=True, default=())
    # Documented only as empty lists: their items are kept as sent (objects or text).
    todo_items: tuple[Any, ...] = ()
    reminders: tuple[Any, ...] = ()
    relations: tuple[Any, ...] = ()
    tags: tuple[str, ...] = api(ref=True, default=())
    custom_fields: tuple[CustomField, ...] = ()
    create_date: dt.datetime | None = None

    @property
    def label(self) -> str:
        return f"{self.work_order_number} {self.title}".strip()


# --- invoices ---


@dataclasses.dataclass(frozen=True, kw_only=True)
class InvoiceItem(Record):
    kind = "invoice row"
    id: str | None = api("_id")
    item_id: str = ""
    item_type: str = ""
    name: str = ""
    description: str = ""
    number_of_items: Decimal | None = None
    unit: str = ""
    unit_price: Decimal | None = None
    unit_cost: Decimal | None = None
    total_cost: Decimal | None = None
    discount_percent: Decimal | None = None
    tax_percent: Decimal | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    house_work_flag: bool = False
    house_work_type_of_work: int | None = None
    expense_item: str | None = api(ref=True)
    expense_item_name: str = ""
    item_order: int | None = None
    create_date: dt.datetime | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class InvoiceLogEntry(Record):
    kind = "invoice log entry"
    id: str | None = api("_id")
    log_date: dt.datetime | None = None
    log_type: int | None = None
    description: str = ""
    user: str | None = api(ref=True)
    user_name: str = ""
    additional_data: Any = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class HouseProperties(Record):
    kind = "house properties"
    type_of_property: int | None = None
    property_description: str = ""
    housing_society_number: str = ""
    apartment_number: str = ""
    max_deduction_amount: Decimal | None = None
    personal_number: str = ""
    deduction_distribution: tuple[DeductionItem, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class PartialPayment(Record):
    # Not documented beyond an empty list in the reference; the sandbox sends these keys.
    kind = "partial payment"
    id: str | None = api("_id")
    payment_date: dt.datetime | None = None
    amount: Decimal | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Invoice(Lookup):
    kind = "invoice"
    invoice_number: str = ""
    ocr_number: str = api("OCRNumber", default="")
    invoice_name: str = ""
    invoice_status: int | None = None
    invoice_type: int | None = None
    invoice_date: dt.datetime | None = None
    due_date: dt.datetime | None = None
    sent_date: dt.datetime | None = None
    payment_date: dt.datetime | None = None
    reminder_date: dt.datetime | None = None
    archived: bool = False
    archived_date: dt.datetime | None = None
    customer: str | None = api(ref=True)
    customer_name: str = ""
    customer_number: str = ""
    customer_email: str = ""
    customer_address: str = ""
    customer_org_no: str = ""
    customer_vat: str = api("customerVAT", default="")
    project: str | None = api(ref=True)
    project_name: str = ""
    work_order: str | None = api(ref=True)
    work_order_number: str = ""
    work_order_ids: tuple[str, ...] = api(ref=True, default=())
    contact_person: str | None = api(ref=True)
    contact_person_name: str = ""
    our_reference: str | None = api(ref=True)
    our_reference_name: str = ""
    created_by_user: str | None = api(ref=True)
    created_by_user_name: str = ""
    result_unit: str | None = api(ref=True)
    result_unit_name: str = ""
    price_list: str | None = api(ref=True)
    price_list_name: str = ""
    language: str = ""
    currency_code: str = ""
    currency_rate: Decimal | None = None
    tax_percent: Decimal | None = None
    multiple_taxes_on_rows: bool = False
    show_price_incl_taxes_on_rows: bool = False
    discount_in_percent: Decimal | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    total_amount_rounding: Decimal | None = None
    total_cost: Decimal | None = None
    house_deduction_amount: Decimal | None = None
    house_deduction_basis_amount: Decimal | None = None
    is_credit_invoice: bool = False
    is_credited: bool = False
    credit_invoice: str | None = api(ref=True)
    credit_invoice_number: str = ""
    credit_for_invoice: str | None = api(ref=True)
    credit_for_invoice_number: str = ""
    partially_paid: bool = False
    partial_payments: tuple[PartialPayment, ...] = ()
    exported_to_economy: bool = False
    quote: str | None = api(ref=True)
    quote_number: str = ""
    supplement_order: str | None = api(ref=True)
    supplement_order_number: str = ""
    marking: str = ""
    your_order_number: str = ""
    notes: str = ""
    description: str = ""
    header_text: str = ""
    footer_text: str = ""
    footer_info_text: str = ""
    delivery_address: Address | None = None
    house_properties: HouseProperties | None = None
    invoice_items: tuple[InvoiceItem, ...] = ()
    invoice_log_entries: tuple[InvoiceLogEntry, ...] = ()
    tags: tuple[str, ...] = api(ref=True, default=())
    custom_fields: tuple[CustomField, ...] = ()
    create_date: dt.datetime | None = None

    @property
    def label(self) -> str:
        return self.invoice_number or self.invoice_name
