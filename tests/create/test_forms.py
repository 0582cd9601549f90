"""Create forms against a stubbed Seven Time API.

Each test opens the form page as a browser would, takes the values the page
itself carries (its defaults and its one-time token, read by `form_values`),
changes what a person would type and posts it. Every API request is registered
with `responses` at its exact URL; creates are matched with `json_params_matcher`
on the whole body, so a form that sends a wrong, missing or extra key gets no
answer and its test fails.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from django import forms
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from responses import matchers

from dashboard import fetch
from dashboard.entities import CREATE_FORMS, PICKERS
from dashboard.forms import PickerField
from dashboard.models import CreateAttempt, CreateToken, Profile
from dashboard.vocabulary import PALETTE, WORK_INVOICING_STATUSES, WORK_ORDER_COLORS
from seventime.sandbox import api as sandbox_api
from seventime.sandbox import demo
from tests.conftest import API

pytestmark = pytest.mark.django_db

# --- API documents ---

CUSTOMER = {
    "_id": "cust-1",
    "customerNumber": "1001",
    "name": "Bergström Bygg AB",
    "city": "Lund",
    "paymentDays": 20,
    "createdDate": "2026-11-20T09:00:00.000Z",
}
CONTACTS = [
    {"_id": "contact-1", "name": "Tommy Hellström", "title": "Utvecklare", "customer": "cust-1"},
    {"_id": "contact-2", "name": "Malin Berg", "customer": "cust-1"},
]
PROJECT = {"_id": "proj-1", "projectNumber": "2001", "name": "Blåsippan", "customer": "cust-1"}
WORK_ORDER = {"_id": "wo-1", "workOrderNumber": "4843", "title": "Byt element", "customer": "cust-1"}
USERS = [
    {"_id": "user-1", "firstName": "Felix", "lastName": "Hellström", "userName": "felix"},
    {"_id": "user-2", "firstName": "Anna", "lastName": "Ek", "userName": "anna"},
]

#: Lookup list name -> (API path, query, documents).
LOOKUPS = {
    "project_statuses": ("projectStatuses", {}, [{"_id": "pstatus-active", "statusName": "Pågående"}]),
    "project_types": ("projectTypes", {}, [{"_id": "ptype-service", "projectTypeName": "Serviceavtal"}]),
    "project_tags": (
        "projectTags",
        {},
        [{"_id": "ptag-prio", "tagName": "Prioriterad"}, {"_id": "ptag-rot", "tagName": "ROT"}],
    ),
    "work_order_statuses": ("workOrderStatuses", {}, [{"_id": "wstatus-new", "statusName": "Ny"}]),
    "work_order_types": ("workOrderTypes", {}, [{"_id": "wtype-service", "workOrderTypeName": "Service"}]),
    "departments": ("departments", {}, [{"_id": "dept-dev", "name": "Utveckling"}]),
    "price_lists": ("priceLists", {}, [{"_id": "plist-gross", "name": "Grosslistan"}]),
    "invoice_tags": ("invoiceTags", {}, [{"_id": "itag-review", "tagName": "Att granska"}]),
    "user_roles": (
        "userRoles",
        {},
        [{"userRoleId": 1, "userRoleName": "Administratör"}, {"userRoleId": 2, "userRoleName": "Tekniker"}],
    ),
    "users": ("users", {}, USERS),
    "result_units": (
        "projects",
        {"sortBy": "createdDate", "sortDirection": "descending"},
        [
            {"_id": "p-9", "name": "X", "resultUnit": "unit-south", "resultUnitName": "Kontor Syd"},
            {"_id": "p-8", "name": "Y", "resultUnit": "unit-south", "resultUnitName": "Kontor Syd"},
            {"_id": "p-7", "name": "Z"},
        ],
    ),
}
#: Picker -> (API path, query) of the first records a browser without JavaScript chooses from.
FIRST = {
    "customers": ("customers", {"sortBy": "name", "sortDirection": "ascending"}, [CUSTOMER]),
    "projects": ("projects", {"sortBy": "projectNumber", "sortDirection": "descending"}, [PROJECT]),
    "workorders": ("workOrders", {"sortBy": "workOrderNumber", "sortDirection": "descending"}, [WORK_ORDER]),
}
CREATE_PATH = {
    "customers": "customers",
    "projects": "projects",
    "workorders": "workOrders",
    "users": "users",
    "invoices": "invoices",
}
CREATED = {
    "customers": {**CUSTOMER, "_id": "new-cust", "customerNumber": "1321", "name": "Bergström Bygg AB"},
    "projects": {"_id": "new-proj", "projectNumber": "2002", "name": "Blåsippan"},
    # The reference's create answer embeds the creating user.
    "workorders": {
        "_id": "new-wo",
        "workOrderNumber": 4908,
        "title": "Byt element",
        "createdByUser": {"_id": "user-1"},
    },
    "users": {"_id": "new-user", "firstName": "Tommy", "lastName": "Hellström", "userName": "TommyH"},
    "invoices": {"_id": "new-inv", "invoiceNumber": "24482", "invoiceName": "Badrum"},
}


# --- stubbing ---


def stub_get(api, path, docs, params=None):
    return api.get(API + path, match=[matchers.query_param_matcher(params or {})], json=docs)


def stub_page(api, entity):
    """Everything the empty form page asks the API for."""
    form_class = CREATE_FORMS[entity]
    for name in form_class.lookups:
        path, params, docs = LOOKUPS[name]
        stub_get(api, path, docs, params)
    for field in form_class.base_fields.values():
        if isinstance(field, PickerField):
            path, params, docs = FIRST[field.source]
            stub_get(api, path, docs, params)


def stub_contacts(api, customer="cust-1", docs=CONTACTS):
    stub_get(api, "contactPersons", docs, {"customerId": customer, "sortBy": "name"})


def stub_create(api, entity, body, *, status=200, answer=None, **kwargs):
    if "body" not in kwargs:
        kwargs["json"] = CREATED[entity] if answer is None else answer
    return api.post(API + CREATE_PATH[entity], match=[matchers.json_params_matcher(body)], status=status, **kwargs)


def posts(api, entity):
    return [
        call for call in api.calls if call.request.method == "POST" and call.request.url.endswith(CREATE_PATH[entity])
    ]


# --- reading pages like a browser ---


class _FormReader(HTMLParser):
    """The values a browser would submit for the create form, as the page sets them."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.in_template = 0
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self.in_template += 1
        named = "name" in attrs or tag == "option"
        if self.in_template or attrs.get("form") or not named:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.values.setdefault(attrs["name"], []).append(attrs.get("value", ""))
        elif tag == "select":
            self.select, self.options = attrs["name"], []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.values.setdefault(self.textarea, []).append("")

    def handle_data(self, data):
        if self.textarea and not self.in_template:
            self.values[self.textarea][-1] += data.lstrip("\n")

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template -= 1
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected] or [self.options[0][0]]
            self.values.setdefault(self.select, []).extend(chosen[:1])
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_values(page: str) -> dict[str, list[str]]:
    match = re.search(r'<form id="create-form".*?</form>', page, re.S)
    assert match, "no create form on the page"
    reader = _FormReader()
    reader.feed(match.group(0))
    return reader.values


def open_form(client, entity, **query):
    response = client.get(f"/{entity}/new/", query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def fill(values: dict[str, list[str]], **typed) -> dict[str, list[str]]:
    """The page's values with these typed in (None unticks a checkbox)."""
    data = dict(values)
    for name, value in typed.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    return data


def rows(prefix: str, *items: dict, total: int | None = None) -> dict[str, list[str]]:
    data = {f"{prefix}-TOTAL_FORMS": [str(total or len(items))], f"{prefix}-INITIAL_FORMS": ["0"]}
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{index}-{key}"] = [value]
    return data


#: A picker left without a choice says what to do, not only that it is missing.
PICK_ONE = "Type part of a name or number, then choose one of the matches."


def submit(client, entity, data):
    return client.post(f"/{entity}/new/", data)


def text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def field_error(page: str, html_name: str) -> str:
    match = re.search(
        rf'<small id="id_{re.escape(html_name)}-error" class="field-error"[^>]*>(.*?)</small>', page, re.S
    )
    assert match, f"no error element for {html_name}"
    return text(match.group(1))


def input_value(page: str, html_name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(html_name)}"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html_lib.unescape(value.group(1)) if value else ""


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


# =====================================================================
# Declarations
# =====================================================================


def test_the_colour_palette_is_the_documented_one_with_a_badge_class_each():
    """dashboard.vocabulary is the source; the sandbox keeps one copy of the codes (it
    may not import the dashboard) and the CSS a class each, painted in its colour: they
    must not drift apart. So with the invoicing statuses of projects and work orders."""
    css = (Path(__file__).resolve().parents[2] / "static/css/dashboard.css").read_text()
    assert len(WORK_ORDER_COLORS) == 24
    assert {hex_.lower() for hex_, _name in WORK_ORDER_COLORS} == PALETTE
    assert {hex_.lower() for hex_ in demo.PALETTE} == PALETTE
    assert all(f".c-{hex_} " in css for hex_ in PALETTE)
    # And each class paints its own colour.
    painted = dict(re.findall(r"\.c-([0-9a-f]{6}) \{ background:#([0-9A-Fa-f]{6});", css))
    assert {code: hex_.lower() for code, hex_ in painted.items()} == {code: code for code in PALETTE}
    assert set(sandbox_api.WORK_INVOICING_STATUSES) == set(WORK_INVOICING_STATUSES)


@pytest.mark.parametrize("entity", CREATE_FORMS)
def test_every_field_is_placed_in_a_group(entity):
    form_class = CREATE_FORMS[entity]
    grouped = {name for fieldset in form_class.fieldsets for name in fieldset.fields}
    assert grouped == set(form_class.base_fields)


# =====================================================================
# Pages: permission, grouping, required marks
# =====================================================================


def test_every_text_field_of_every_create_form_has_a_maximum_length():
    classes = [form_class for form_class in CREATE_FORMS.values()]
    classes += [formset.form for form_class in classes for formset in form_class.formset_classes.values()]
    unlimited = [
        f"{form_class.__name__}.{name}"
        for form_class in classes
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.CharField) and not field.max_length
    ]
    assert unlimited == []


@pytest.mark.parametrize("length", [10_000, 1_000_000])
def test_a_too_long_name_is_refused_and_the_input_says_its_limit(office_client, api, length):
    stub_page(api, "customers")
    page = open_form(office_client, "customers")
    assert re.search(r'<input type="text" name="name" maxlength="200"', page)
    response = submit(office_client, "customers", fill(form_values(page), name="Å" * length))
    assert field_error(response.content.decode(), "name") == (
        f"Ensure this value has at most 200 characters (it has {length:,}).".replace(",", "")
    )
    assert not posts(api, "customers")


def test_list_offers_new_button_only_with_the_add_permission(client, django_user_model, api):
    stub_get(api, "customers", [CUSTOMER], {"sortBy": "name", "sortDirection": "ascending"})
    stub_get(api, "priceLists", [])
    viewer = django_user_model.objects.create_user("vera", password="pw")
    viewer.user_permissions.add(Permission.objects.get(codename="view_customers"))
    client.force_login(viewer)
    assert 'href="/customers/new/"' not in client.get("/customers/").content.decode()
    viewer.user_permissions.add(Permission.objects.get(codename="add_customers"))
    viewer = django_user_model.objects.get(pk=viewer.pk)  # permissions are cached per instance
    client.force_login(viewer)
    page = client.get("/customers/").content.decode()
    assert '<a href="/customers/new/" role="button">New customer</a>' in page


@pytest.mark.parametrize("entity", ["customers", "projects", "workorders", "invoices"])
def test_a_user_without_the_add_permission_can_neither_see_nor_post_the_form(client, plain_user, api, entity):
    client.force_login(plain_user)
    assert client.get(f"/{entity}/new/").status_code == 403
    assert client.post(f"/{entity}/new/", {"token": "x" * 32, "name": "Nope"}).status_code == 403
    assert client.post(f"/{entity}/new/validate/?field=name", {}).status_code == 403
    assert not api.calls


def test_office_staff_cannot_create_users(office_client, api):
    assert office_client.get("/users/new/").status_code == 403
    assert office_client.post("/users/new/", {"token": "x" * 32}).status_code == 403
    assert not api.calls


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/customers/new/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_csrf_is_enforced_on_submit(office_user, api):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    stub_page(api, "customers")
    page = open_form(client, "customers")
    values = fill(form_values(page), name="Utan token AB")
    values.pop("csrfmiddlewaretoken")
    assert client.post("/customers/new/", values).status_code == 403
    assert not posts(api, "customers")


def test_form_groups_fields_marks_required_ones_and_carries_a_token(office_client, api):
    stub_page(api, "customers")
    page = open_form(office_client, "customers")
    legends = [
        text(legend) for legend in re.findall(r'<fieldset class="group"[^>]*>\s*<legend>(.*?)</legend>', page, re.S)
    ]
    assert legends == ["Basics", "Address", "Billing", "Billing address", "ROT/RUT", "Property and deduction shares"]
    assert re.search(r'<label for="id_name">Name<span class="required" aria-hidden="true"> \*</span>', page)
    assert not re.search(r'<label for="id_city">City<span class="required"', page)
    assert len(input_value(page, "token")) >= 32
    # No inline styles or scripts (strict CSP).
    assert " style=" not in page and "onclick" not in page and not re.search(r"<script>(?!</script>)", page)
    # Fields that apply only sometimes carry their condition for forms.js, and start hidden.
    assert re.search(
        r'data-show-if="\[\[&quot;use_separate_billing_address&quot;, \[&quot;on&quot;\]\]\]" data-inactive', page
    )


def test_each_rendered_form_gets_its_own_token(office_client, api):
    stub_page(api, "customers")
    first, second = (
        input_value(open_form(office_client, "customers"), "token"),
        input_value(open_form(office_client, "customers"), "token"),
    )
    assert first != second


# =====================================================================
# Customers
# =====================================================================


def test_customer_sends_every_documented_field_nested_billing_settings_included(office_client, api):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    body = {
        "name": "Bergström Bygg AB",
        "customerNumber": "1001",
        "organizationNumber": "556677-8899",
        "vatNumber": "SE556677889901",
        "email": "info@bergstrom.test",
        "phone": "046-12 34 56",
        "paymentDays": 20,
        "address": "Storgatan 1",
        "address2": "Vån 2",
        "zipCode": "222 22",
        "city": "Lund",
        "country": "SE",
        "billingSettings": {
            "invoiceDeliveryType": 10,
            "useSeparateBillingEmail": True,
            "invoiceEmail": "faktura@bergstrom.test",
            "defaultEmailSubject": "Faktura från oss",
            "isConstructionCompany": True,
            "useSeparateBillingAddress": True,
            "address": "Box 12",
            "address2": "Att: Ekonomi",
            "zipCode": "221 00",
            "city": "Lund",
            "isROTCustomer": True,
            "isRUTCustomer": False,
            "typeOfProperty": 2,
            "housingSocietyNumber": "769600-1234",
            "apartmentNumber": "1101",
            "deductionDistribution": [
                {"userName": "Anna Ek", "personalNumber": "800101-1231", "distributionPercent": 60},
                {"userName": "Bo Ek", "personalNumber": "790202-2347", "distributionPercent": 40},
            ],
        },
    }
    stub_create(api, "customers", body)
    data = fill(
        values,
        name="Bergström Bygg AB",
        customer_number="1001",
        organization_number="556677-8899",
        vat_number="SE556677889901",
        email="info@bergstrom.test",
        phone="046-12 34 56",
        payment_days="20",
        address="Storgatan 1",
        address2="Vån 2",
        zip_code="222 22",
        city="Lund",
        country="se",
        invoice_delivery_type="10",
        use_separate_billing_email="on",
        invoice_email="faktura@bergstrom.test",
        default_email_subject="Faktura från oss",
        is_construction_company="on",
        use_separate_billing_address="on",
        billing_address="Box 12",
        billing_address2="Att: Ekonomi",
        billing_zip_code="221 00",
        billing_city="Lund",
        is_rot_customer="on",
        type_of_property="2",
        property_description="Typed first, then switched to a condominium: not sent",
        housing_society_number="769600-1234",
        apartment_number="1101",
    )
    data.update(
        rows(
            "distribution",
            {"user_name": "Anna Ek", "personal_number": "19800101-1231", "distribution_percent": "60"},
            {"user_name": "Bo Ek", "personal_number": "19790202-2347", "distribution_percent": "40"},
        )
    )
    response = submit(office_client, "customers", data)
    assert response.status_code == 302, field_errors(response)
    assert response["Location"] == "/customers/new-cust/"
    assert message_texts(response) == ["Customer “Bergström Bygg AB (1321)” was created."]
    assert len(posts(api, "customers")) == 1


def field_errors(response) -> list[str]:
    page = response.content.decode()
    return [text(error) for error in re.findall(r'class="field-error"[^>]*>(.+?)</small>', page, re.S)] + [
        text(p) for p in re.findall(r'<div class="api-error form-problem"[^>]*>(.*?)</div>', page, re.S)
    ]


def test_customer_with_only_a_name_sends_the_name_and_the_ticked_state_of_the_options(office_client, api):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    stub_create(
        api,
        "customers",
        {
            "name": "Ahlgrens Måleri",
            "billingSettings": {
                "invoiceDeliveryType": 0,
                "useSeparateBillingEmail": False,
                "isConstructionCompany": False,
                "useSeparateBillingAddress": False,
                "isROTCustomer": False,
                "isRUTCustomer": False,
            },
        },
    )
    # Typed into fields that were then hidden again: neither checked nor sent.
    data = fill(values, name="Ahlgrens Måleri", invoice_email="not an address", billing_address="Box 1")
    assert submit(office_client, "customers", data).status_code == 302


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": "info(at)example"}, "email", "Enter a valid email address."),
        ({"payment_days": "400"}, "payment_days", "Ensure this value is less than or equal to 365."),
        ({"payment_days": "tio"}, "payment_days", "Enter a whole number."),
        ({"country": "S1"}, "country", "Two letters, e.g. SE."),
        ({"country": "Sverige"}, "country", "Two letters, e.g. SE. Ensure this value has at most 2 characters (it has 7)."),
        ({"use_separate_billing_email": "on"}, "invoice_email", "This field is required."),
        ({"use_separate_billing_email": "on", "invoice_email": "x@"}, "invoice_email", "Enter a valid email address."),
        ({"use_separate_billing_address": "on"}, "billing_address", "This field is required."),
    ],
)
def test_customer_rules(office_client, api, typed, field, message):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    response = submit(office_client, "customers", fill(values, **{"name": "Ahlgrens Måleri", **typed}))
    assert response.status_code == 200
    page = response.content.decode()
    assert field_error(page, field) == message
    assert "Please correct the problem listed below." in page
    assert not posts(api, "customers")


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"organization_number": "123456-7890"},
            "organization_number",
            "This number's last digit does not match the others: check it for a typo.",
        ),
        (
            {"organization_number": "55600266"},
            "organization_number",
            "Enter an organisation number as 556002-6675 or a personal number as 19811218-9876.",
        ),
        # The placeholder people type to get past a field: its check digit is right, but an
        # organisation number's third digit is 2 or more (and 00 is no month of birth).
        (
            {"organization_number": "000000-0000"},
            "organization_number",
            "Enter an organisation number as 556002-6675 or a personal number as 19811218-9876.",
        ),
        (
            {"is_rot_customer": "on", "type_of_property": "2", "housing_society_number": "811218-9876"},
            "housing_society_number",
            "Enter an organisation number as 556002-6675.",
        ),
        (
            {"organization_number": "20811218-9876"},
            "organization_number",
            "This personal number has no valid date of birth.",
        ),
        (
            {"organization_number": "19800101-1234"},
            "organization_number",
            "This personal number's last digit does not match the others: check it for a typo.",
        ),
        ({"phone": "abc"}, "phone", "Enter a phone number of 5 to 15 digits, e.g. 070-123 45 67 or +46 70 123 45 67."),
        ({"phone": "12"}, "phone", "Enter a phone number of 5 to 15 digits, e.g. 070-123 45 67 or +46 70 123 45 67."),
        # Arabic-Indic digits are digits to Python's \d, not to a telephone exchange.
        ({"phone": "\u0660\u0667\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667"}, "phone",
         "Enter a phone number of 5 to 15 digits, e.g. 070-123 45 67 or +46 70 123 45 67."),
        ({"zip_code": "ABCDE"}, "zip_code", "A Swedish postcode has five digits, e.g. 269 74."),
        ({"zip_code": "ABCDE", "country": "SE"}, "zip_code", "A Swedish postcode has five digits, e.g. 269 74."),
        ({"zip_code": "Oslo!", "country": "NO"}, "zip_code", "Enter the postcode with its digits and letters only, e.g. 0150."),
        (
            {"use_separate_billing_address": "on", "billing_address": "Box 1", "billing_zip_code": "2690"},
            "billing_zip_code",
            "A Swedish postcode has five digits, e.g. 269 74.",
        ),
        (
            {"is_rot_customer": "on", "type_of_property": "2", "housing_society_number": "769600-1235"},
            "housing_society_number",
            "This number's last digit does not match the others: check it for a typo.",
        ),
    ],
)
def test_swedish_identifiers_are_checked(office_client, api, typed, field, message):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    response = submit(office_client, "customers", fill(values, **{"name": "Ahlgrens Måleri", **typed}))
    assert field_error(response.content.decode(), field) == message
    assert not posts(api, "customers")


@pytest.mark.parametrize(
    ("personal_number", "message"),
    [
        ("19800101-1234", "This personal number's last digit does not match the others: check it for a typo."),
        ("19801301-1238", "This personal number has no valid date of birth."),
        ("1980", "Enter a personal number as YYYYMMDD-NNNN, e.g. 19811218-9876."),
    ],
)
def test_personal_numbers_of_deduction_shares_are_checked(office_client, api, personal_number, message):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    data = fill(values, name="Ek", is_rut_customer="on", type_of_property="1", property_description="Lund Ek 1:1")
    data.update(rows("distribution", {"user_name": "Anna Ek", "personal_number": personal_number}))
    page = submit(office_client, "customers", data).content.decode()
    assert field_error(page, "distribution-0-personal_number") == message
    assert not posts(api, "customers")


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ({"organization_number": "5560026675"}, {"organizationNumber": "556002-6675"}),
        ({"organization_number": " 16 556002 - 6675 "}, {"organizationNumber": "556002-6675"}),
        ({"organization_number": "165560026675"}, {"organizationNumber": "556002-6675"}),
        ({"organization_number": "19811218-9876"}, {"organizationNumber": "811218-9876"}),
        ({"organization_number": "8112189876"}, {"organizationNumber": "811218-9876"}),
        ({"zip_code": "26974", "phone": "+46 70 123 45 67"}, {"zipCode": "269 74", "phone": "+46 70 123 45 67"}),
        ({"zip_code": "0150", "country": "no"}, {"zipCode": "0150", "country": "NO"}),
    ],
)
def test_identifiers_are_sent_the_way_the_documents_write_them(office_client, api, typed, sent):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    billing = {
        "invoiceDeliveryType": 0,
        "useSeparateBillingEmail": False,
        "isConstructionCompany": False,
        "useSeparateBillingAddress": False,
        "isROTCustomer": False,
        "isRUTCustomer": False,
    }
    stub_create(api, "customers", {"name": "Ek AB", **sent, "billingSettings": billing})
    response = submit(office_client, "customers", fill(values, name="Ek AB", **typed))
    assert response.status_code == 302, field_errors(response)


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        (["60", "30"], "The shares add up to 90 %; together they must be exactly 100 %."),
        (["100", "100"], "The shares add up to 200 %; together they must be exactly 100 %."),
    ],
)
def test_deduction_shares_must_add_up_to_100(office_client, api, shares, message):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    data = fill(values, name="Ek", is_rut_customer="on")
    data.update(
        rows(
            "distribution",
            *[
                {"user_name": f"P{i}", "personal_number": ("19800101-1231", "19800102-1230")[i], "distribution_percent": s}
                for i, s in enumerate(shares)
            ],
        )
    )
    page = submit(office_client, "customers", data).content.decode()
    assert message in text(page)
    assert not posts(api, "customers")


@pytest.mark.parametrize(
    ("share", "message"), [("0", "greater than or equal to 1"), ("101", "less than or equal to 100")]
)
def test_each_deduction_share_is_between_1_and_100(office_client, api, share, message):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    data = fill(values, name="Ek", is_rot_customer="on")
    data.update(rows("distribution", {"user_name": "A", "personal_number": "1", "distribution_percent": share}))
    page = submit(office_client, "customers", data).content.decode()
    assert message in field_error(page, "distribution-0-distribution_percent")
    assert not posts(api, "customers")


def test_deduction_shares_of_a_customer_who_is_no_rot_or_rut_customer_are_ignored(office_client, api):
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    stub_create(
        api,
        "customers",
        {
            "name": "Ek",
            "billingSettings": {
                "invoiceDeliveryType": 0,
                "useSeparateBillingEmail": False,
                "isConstructionCompany": False,
                "useSeparateBillingAddress": False,
                "isROTCustomer": False,
                "isRUTCustomer": False,
            },
        },
    )
    data = fill(values, name="Ek")
    data.update(rows("distribution", {"user_name": "A", "personal_number": "1", "distribution_percent": "30"}))
    assert submit(office_client, "customers", data).status_code == 302


# =====================================================================
# Projects
# =====================================================================


def project_values(client, api):
    stub_page(api, "projects")
    return form_values(open_form(client, "projects"))


def test_project_sends_every_documented_field_with_delivery_address(office_client, api):
    values = project_values(office_client, api)
    stub_contacts(api)
    stub_create(
        api,
        "projects",
        {
            "name": "Blåsippan",
            "projectNumber": 2001,
            "projectStatusRef": "pstatus-active",
            "customer": "cust-1",
            "contactPerson": "contact-1",
            "invoiceStatus": 10,
            "projectLeader": "user-1",
            "projectType": "ptype-service",
            "department": "dept-dev",
            "startDate": "2026-03-01",
            "endDate": "2026-06-30",
            "notes": "Ring först",
            "resultUnit": "unit-south",
            "billingMethod": "HOURLY",
            "pricePerHour": 650.5,
            "projectTags": ["ptag-prio", "ptag-rot"],
            "marking": "Etapp 1",
            "yourOrderNumber": "PO-7",
            "deliveryAddress": {
                "name": "Bygget",
                "address": "Byggvägen 2",
                "zipCode": "222 22",
                "city": "Lund",
                "country": "SE",
                "phone": "070-123 45 67",
            },
        },
    )
    data = fill(
        values,
        name="Blåsippan",
        project_number="2001",
        project_status="pstatus-active",
        project_type="ptype-service",
        department="dept-dev",
        project_leader="user-1",
        start_date="2026-03-01",
        end_date="2026-06-30",
        tags=["ptag-prio", "ptag-rot"],
        customer="cust-1",
        customer_search="Bergström Bygg AB",
        contact_person="contact-1",
        marking="Etapp 1",
        your_order_number="PO-7",
        billing_method="HOURLY",
        price_per_hour="650,50",
        fixed_price="99 000",  # typed under "fixed price", then switched to hourly: not sent
        invoice_status="10",
        result_unit="unit-south",
        use_delivery_address="on",
        delivery_name="Bygget",
        delivery_address="Byggvägen 2",
        delivery_zip_code="222 22",
        delivery_city="Lund",
        delivery_country="se",
        delivery_phone="070-123 45 67",
        notes="Ring först",
    )
    response = submit(office_client, "projects", data)
    assert response.status_code == 302, field_errors(response)
    assert response["Location"] == "/projects/new-proj/"
    assert message_texts(response) == ["Project “2002 Blåsippan” was created."]


@pytest.mark.parametrize(
    ("method", "typed", "field", "sent"),
    [
        ("HOURLY", {}, "price_per_hour", None),
        ("FIXED_PRICE", {}, "fixed_price", None),
        ("PRICELIST", {}, "time_category_price_list", None),
        ("HOURLY", {"price_per_hour": "700"}, None, {"pricePerHour": 700}),
        ("FIXED_PRICE", {"fixed_price": "120 000,00"}, None, {"fixedPrice": 120000}),
        ("PRICELIST", {"time_category_price_list": "plist-gross"}, None, {"timeCategoryPriceList": "plist-gross"}),
        ("PERUSER", {"price_per_hour": "700", "fixed_price": "1"}, None, {}),
    ],
)
def test_project_billing_method_decides_which_price_is_required_and_sent(
    office_client, api, method, typed, field, sent
):
    values = project_values(office_client, api)
    if sent is not None:
        stub_create(api, "projects", {"name": "P", "billingMethod": method, **sent})
    response = submit(office_client, "projects", fill(values, name="P", billing_method=method, **typed))
    if field:
        assert field_error(response.content.decode(), field) == "This field is required."
        assert not posts(api, "projects")
    else:
        assert response.status_code == 302, field_errors(response)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"start_date": "2026-13-01"}, "start_date", "Enter a valid date."),
        ({"start_date": "1/3/2026"}, "start_date", "Enter a valid date."),
        ({"start_date": "2026-06-30", "end_date": "2026-03-01"}, "end_date", "The end date is before the start date."),
        ({"project_number": "P-12"}, "project_number", "Digits only."),
        (
            {"billing_method": "BARTER"},
            "billing_method",
            "Select a valid choice. BARTER is not one of the available choices.",
        ),
        (
            {"project_status": "pstatus-gone"},
            "project_status",
            "Select a valid choice. pstatus-gone is not one of the available choices.",
        ),
        (
            {"price_per_hour": "-5", "billing_method": "HOURLY"},
            "price_per_hour",
            "Ensure this value is greater than or equal to 0.",
        ),
        ({"price_per_hour": "sju", "billing_method": "HOURLY"}, "price_per_hour", "Enter a number."),
    ],
)
def test_project_rules(office_client, api, typed, field, message):
    values = project_values(office_client, api)
    response = submit(office_client, "projects", fill(values, name="P", **typed))
    assert field_error(response.content.decode(), field) == message
    assert not posts(api, "projects")


def test_project_contact_person_must_be_one_of_the_chosen_customers(office_client, api):
    values = project_values(office_client, api)
    stub_contacts(api, "cust-2", [{"_id": "contact-9", "name": "Other", "customer": "cust-2"}])
    response = submit(
        office_client,
        "projects",
        fill(values, name="P", customer="cust-2", customer_search="Other AB", contact_person="contact-1"),
    )
    assert field_error(response.content.decode(), "contact_person").startswith("Select a valid choice.")
    assert not posts(api, "projects")


# =====================================================================
# Work orders
# =====================================================================


def work_order_values(client, api):
    stub_page(api, "workorders")
    return form_values(open_form(client, "workorders"))


def test_work_order_sends_every_documented_field_with_work_address(office_client, api):
    values = work_order_values(office_client, api)
    stub_contacts(api)
    stub_get(api, "projects/proj-1", PROJECT)  # whose project it is, checked on submit
    stub_create(
        api,
        "workorders",
        {
            "title": "Byt element",
            "customer": "cust-1",
            "createdByUser": "user-1",
            "workOrderNumber": "4843",
            "statusRef": "wstatus-new",
            "Project": "proj-1",
            "startDate": "2026-07-01 07:00",
            "endDate": "2026-07-01 15:30",
            "currentOwner": "user-1",
            "users": ["user-1", "user-2"],
            "machines": ["m-1", "m-2"],
            "estimatedTime": 7.5,
            "contactPerson": "contact-1",
            "workOrderType": "wtype-service",
            "department": "dept-dev",
            "workLeader": "user-2",
            "description": "Element i hallen läcker.",
            "color": "FF5722",
            "invoiceStatus": 0,
            "billingMethod": "FIXED_PRICE",
            "fixedPrice": 12000,
            "marking": "Hallen",
            "yourOrderNumber": "PO-9",
            "isSupplementOrder": True,
            "enablePortalAccess": True,
            "allowRegistrationOfTimes": True,
            "allowRegistrationOfExpenses": False,
            "workAddress": {"useOtherAddress": True, "name": "Brf Eken", "address": "Ekvägen 3", "city": "Lund"},
        },
    )
    data = fill(
        values,
        title="Byt element",
        work_order_number="4843",
        status="wstatus-new",
        work_order_type="wtype-service",
        department="dept-dev",
        description="Element i hallen läcker.",
        color="FF5722",
        customer="cust-1",
        customer_search="Bergström Bygg AB",
        contact_person="contact-1",
        project="proj-1",
        project_search="2001 Blåsippan",
        marking="Hallen",
        your_order_number="PO-9",
        start_date="2026-07-01T07:00",  # what a datetime-local input sends
        end_date="2026-07-01 15:30",  # the reference's own format is accepted too
        estimated_time="7,5",
        work_leader="user-2",
        current_owner="user-1",
        users=["user-1", "user-2"],
        machines="m-1, m-2",
        billing_method="FIXED_PRICE",
        fixed_price="12 000",
        invoice_status="0",
        is_supplement_order="on",
        enable_portal_access="on",
        allow_registration_of_expenses=None,
        use_other_address="on",
        work_name="Brf Eken",
        work_address="Ekvägen 3",
        work_city="Lund",
        created_by_user="user-1",
    )
    response = submit(office_client, "workorders", data)
    assert response.status_code == 302, field_errors(response)
    assert response["Location"] == "/workorders/new-wo/"
    assert message_texts(response) == ["Work order “4908 Byt element” was created."]


@pytest.mark.parametrize("entity", ["workorders", "invoices"])
def test_a_project_of_another_customer_is_refused_with_a_message(office_client, api, entity):
    stub_page(api, entity)
    values = form_values(open_form(office_client, entity))
    stub_contacts(api)
    other = {**PROJECT, "_id": "proj-9", "projectNumber": "2009", "name": "Ekhagen", "customer": "cust-9",
             "customerName": "Ek & Son AB"}  # fmt: skip
    stub_get(api, "projects/proj-9", other)
    data = fill(values, title="Byt element", customer="cust-1", project="proj-9", created_by_user="user-1")
    response = submit(office_client, entity, data)
    assert response.status_code == 200
    assert field_error(response.content.decode(), "project") == (
        "“2009 Ekhagen” is a project of another customer, Ek & Son AB. "
        "Choose one of this customer's projects, or none."
    )
    assert not posts(api, entity)


def test_the_project_picker_offers_the_chosen_customers_projects_first(office_client, api):
    projects = [
        {**PROJECT, "_id": f"proj-{n}", "projectNumber": str(2000 + n), "customer": "cust-1" if n % 3 else "cust-2"}
        for n in range(9, 0, -1)
    ]
    stub_get(api, *FIRST["projects"][:1], projects, FIRST["projects"][1])
    page = office_client.get("/pick/projects/", {"field": "project", "customer": "cust-2"}).content.decode()
    options = re.findall(r'data-value="([^"]+)"', page)
    assert options == ["proj-9", "proj-6", "proj-3", "proj-8", "proj-7", "proj-5", "proj-4", "proj-2", "proj-1"]
    # The search box sends the chosen customer along; without JavaScript the select has the same order.
    stub_page(api, "workorders")
    api.replace(api.GET, API + "projects", json=projects, match=[matchers.query_param_matcher(FIRST["projects"][1])])
    stub_get(api, "customers/cust-2", {**CUSTOMER, "_id": "cust-2", "name": "Andra AB"})
    stub_contacts(api, "cust-2", [])
    form = open_form(office_client, "workorders", customer="cust-2")
    search = re.search(r'<input type="text" class="picker-search" id="id_project_search"[^>]*>', form).group(0)
    assert 'hx-include="#id_customer"' in search
    select = re.search(r'<select class="picker-select" name="project".*?</select>', form, re.S).group(0)
    assert re.findall(r'<option value="(proj-[^"]+)"', select)[:3] == ["proj-9", "proj-6", "proj-3"]


def test_work_order_defaults_send_registration_allowed_and_no_work_address(office_client, api):
    values = work_order_values(office_client, api)
    stub_contacts(api)
    stub_create(
        api,
        "workorders",
        {
            "title": "Service",
            "customer": "cust-1",
            "createdByUser": "user-2",
            "isSupplementOrder": False,
            "enablePortalAccess": False,
            "allowRegistrationOfTimes": True,
            "allowRegistrationOfExpenses": True,
        },
    )
    # A fixed price typed while the billing method was "fixed price", then changed: not sent.
    data = fill(
        values, title="Service", customer="cust-1", created_by_user="user-2", fixed_price="5000", work_city="Malmö"
    )
    assert submit(office_client, "workorders", data).status_code == 302


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"customer": ""}, "customer", PICK_ONE),
        ({"created_by_user": ""}, "created_by_user", "This field is required."),
        (
            {"created_by_user": "user-404"},
            "created_by_user",
            "Select a valid choice. user-404 is not one of the available choices.",
        ),
        ({"start_date": "2026-07-01"}, "start_date", "Enter a valid date/time."),
        ({"start_date": "01/07/2026 07:00"}, "start_date", "Enter a valid date/time."),
        (
            {"start_date": "2026-07-01 10:00", "end_date": "2026-07-01 09:00"},
            "end_date",
            "The end is before the start.",
        ),
        ({"color": "123456"}, "color", "Select a valid choice. 123456 is not one of the available choices."),
        ({"estimated_time": "-1"}, "estimated_time", "Ensure this value is greater than or equal to 0."),
        ({"users": ["user-404"]}, "users", "Select a valid choice. user-404 is not one of the available choices."),
    ],
)
def test_work_order_rules(office_client, api, typed, field, message):
    values = work_order_values(office_client, api)
    stub_contacts(api)
    data = fill(values, **{"title": "T", "customer": "cust-1", "created_by_user": "user-1", **typed})
    response = submit(office_client, "workorders", data)
    assert field_error(response.content.decode(), field) == message
    assert not posts(api, "workorders")


def test_created_by_defaults_to_the_linked_seven_time_user(office_client, office_user, api):
    Profile.objects.create(user=office_user, seventime_user_id="user-2", seventime_user_name="Anna Ek")
    stub_page(api, "workorders")
    page = open_form(office_client, "workorders")
    assert re.search(r'<option value="user-2" selected>Anna Ek</option>', page)
    assert "remember_me" not in page
    assert "Choose who you are in Seven Time below" not in page


def test_without_a_linked_user_the_form_asks_and_can_remember_the_answer(office_client, office_user, api):
    values = work_order_values(office_client, api)
    page = open_form(office_client, "workorders")
    assert "Choose who you are in Seven Time below" in page
    assert "Choose who you are…" in page and values["created_by_user"] == [""]
    stub_contacts(api)
    stub_create(
        api,
        "workorders",
        {
            "title": "T",
            "customer": "cust-1",
            "createdByUser": "user-1",
            "isSupplementOrder": False,
            "enablePortalAccess": False,
            "allowRegistrationOfTimes": True,
            "allowRegistrationOfExpenses": True,
        },
    )
    data = fill(values, title="T", customer="cust-1", created_by_user="user-1", remember_me="on")
    assert submit(office_client, "workorders", data).status_code == 302
    profile = Profile.objects.get(user=office_user)
    assert (profile.seventime_user_id, profile.seventime_user_name) == ("user-1", "Felix Hellström")


# =====================================================================
# Users
# =====================================================================


def test_user_body_sends_the_role_number_and_the_password_which_the_log_never_keeps(manager_client, api):
    stub_page(api, "users")
    values = form_values(open_form(manager_client, "users"))
    stub_create(
        api,
        "users",
        {
            "firstName": "Tommy",
            "lastName": "Hellström",
            "email": "tommy@nummer7.se",
            "userName": "TommyH",
            "userRoleId": 1,
            "employeeNumber": "17",
            "workPhone": "0431-360050",
            "cellPhone": "070-111 22 33",
            "isActive": True,
            "isActivated": False,
            "password": "s3cret-Pass!",
            "language": "EN",
        },
    )
    data = fill(
        values,
        first_name="Tommy",
        last_name="Hellström",
        email="tommy@nummer7.se",
        user_name="TommyH",
        user_role="1",
        employee_number="17",
        work_phone="0431-360050",
        cell_phone="070-111 22 33",
        language="EN",
        password="s3cret-Pass!",
    )
    response = submit(manager_client, "users", data)
    assert response.status_code == 302, field_errors(response)
    assert message_texts(response) == ["User “Tommy Hellström (TommyH)” was created."]
    attempt = CreateAttempt.objects.get()
    assert "password" not in attempt.payload and attempt.payload["userName"] == "TommyH"
    assert "s3cret" not in str(CreateAttempt.objects.values_list()) + str(CreateToken.objects.values_list())


RETYPE = "Type the password again: a password is never shown again in the page."


def test_a_failed_user_create_never_writes_the_typed_password_back_into_the_page(manager_client, api):
    stub_page(api, "users")
    values = form_values(open_form(manager_client, "users"))
    person = {"first_name": "Johanna", "last_name": "Ek", "email": "johanna@ek.se", "user_role": "2"}
    # Invalid here (no username), then refused by Seven Time (the username is taken): never echoed.
    page = submit(manager_client, "users", fill(values, **person, user_name="", password="s3cret-Pass!"))
    assert "s3cret" not in page.content.decode() and input_value(page.content.decode(), "password") == ""
    body = {
        "firstName": "Johanna",
        "lastName": "Ek",
        "email": "johanna@ek.se",
        "userName": "johanna",
        "userRoleId": 2,
        "isActive": True,
        "isActivated": False,
        "password": "s3cret-Pass!",
        "language": "SV",
    }
    stub_create(api, "users", body, status=400, answer={"errorMessage": "userName johanna is already in use"})
    response = submit(manager_client, "users", fill(values, **person, user_name="johanna", password="s3cret-Pass!"))
    page = response.content.decode()
    assert response.status_code == 400 and "s3cret" not in page
    assert input_value(page, "password") == ""
    # The form says so at the field, and does not let the user be created without it unnoticed.
    assert field_error(page, "password") == RETYPE
    page = submit(manager_client, "users", fill(form_values(page), user_name="johanna2")).content.decode()
    assert field_error(page, "password") == RETYPE and len(posts(api, "users")) == 1
    stub_create(api, "users", {**body, "userName": "johanna2"})
    response = submit(manager_client, "users", fill(form_values(page), password="s3cret-Pass!"))
    assert response.status_code == 302, field_errors(response)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "tommy"}, "email", "Enter a valid email address."),
        ({"user_name": ""}, "user_name", "This field is required."),
        ({"user_role": ""}, "user_role", "This field is required."),
        ({"user_role": "9"}, "user_role", "Select a valid choice. 9 is not one of the available choices."),
    ],
)
def test_user_rules(manager_client, api, typed, field, message):
    stub_page(api, "users")
    values = form_values(open_form(manager_client, "users"))
    data = fill(
        values, **{"first_name": "T", "last_name": "H", "email": "t@h.se", "user_name": "th", "user_role": "2", **typed}
    )
    response = submit(manager_client, "users", data)
    assert field_error(response.content.decode(), field) == message
    assert not posts(api, "users")


# =====================================================================
# Invoices
# =====================================================================

ROWS = (
    {
        "item_type": "time",
        "name": "Arbete",
        "description": "Rivning",
        "number_of_items": "10",
        "unit": "tim",
        "unit_price": "650",
        "discount_percent": "",
        "tax_percent": "25",
        "house_work_flag": "on",
    },
    {
        "item_type": "expense",
        "name": "Kakel",
        "description": "",
        "number_of_items": "12,5",
        "unit": "m2",
        "unit_price": "389.90",
        "discount_percent": "10",
        "tax_percent": "25",
    },
    {"item_type": "text", "name": "Enligt offert", "number_of_items": "", "unit_price": "", "tax_percent": "25"},
    # An untouched extra row, as the page offers it: left out.
    {
        "item_type": "time",
        "name": "",
        "description": "",
        "number_of_items": "1",
        "unit": "",
        "unit_price": "",
        "discount_percent": "",
        "tax_percent": "25",
    },
)


def invoice_values(client, api):
    stub_page(api, "invoices")
    return form_values(open_form(client, "invoices"))


def test_invoice_defaults_to_swedish_kronor_today_and_one_empty_row(office_client, api, today):
    values = invoice_values(office_client, api)
    assert values["language"] == ["SV"] and values["currency_code"] == ["SEK"] and values["invoice_type"] == ["0"]
    assert values["invoice_date"] == [today.isoformat()] and values["due_date"] == [""]
    assert values["rows-TOTAL_FORMS"] == ["1"] and values["rows-0-tax_percent"] == ["25"]
    assert values["rows-0-number_of_items"] == ["1"]


def test_rot_invoice_with_three_rows_sends_rows_house_properties_and_no_totals(office_client, api):
    values = invoice_values(office_client, api)
    stub_contacts(api)
    stub_get(api, "projects/proj-1", PROJECT)
    stub_create(
        api,
        "invoices",
        {
            "customer": "cust-1",
            "createdByUser": "user-1",
            "language": "SV",
            "name": "Badrum",
            "invoiceDate": "2026-11-05",
            "dueDate": "2026-12-05",
            "project": "proj-1",
            "marking": "Badrummet",
            "yourOrderNumber": "PO-1",
            "contactPerson": "contact-1",
            "ourReference": "user-2",
            "workOrder": "wo-1",
            "resultUnit": "unit-south",
            "invoiceType": 1,
            "priceList": "plist-gross",
            "currencyCode": "SEK",
            "notes": "Tack!",
            "invoiceItems": [
                {
                    "itemType": "time",
                    "name": "Arbete",
                    "description": "Rivning",
                    "numberOfItems": 10,
                    "unit": "tim",
                    "unitPrice": 650,
                    "taxPercent": 25,
                    "houseWorkFlag": True,
                },
                {
                    "itemType": "expense",
                    "name": "Kakel",
                    "numberOfItems": 12.5,
                    "unit": "m2",
                    "unitPrice": 389.9,
                    "discountPercent": 10,
                    "taxPercent": 25,
                    "houseWorkFlag": False,
                },
                {"itemType": "text", "name": "Enligt offert", "taxPercent": 25, "houseWorkFlag": False},
            ],
            "tags": ["itag-review"],
            "multipleTaxesOnRows": False,
            "taxPercent": 25,
            "deliveryAddress": {"name": "Brf Eken", "address": "Ekvägen 3", "zipCode": "222 22", "city": "Lund"},
            "houseProperties": {
                "typeOfProperty": 1,
                "propertyDescription": "Lund Sten 1:2",
                "deductionDistribution": [
                    {"userName": "Anna Ek", "personalNumber": "800101-1231", "distributionPercent": 50},
                    {"userName": "Bo Ek", "personalNumber": "790202-2347", "distributionPercent": 50},
                ],
            },
        },
    )
    data = fill(
        values,
        customer="cust-1",
        customer_search="Bergström Bygg AB",
        contact_person="contact-1",
        project="proj-1",
        work_order="wo-1",
        marking="Badrummet",
        your_order_number="PO-1",
        name="Badrum",
        invoice_date="2026-11-05",
        due_date="2026-12-05",
        price_list="plist-gross",
        result_unit="unit-south",
        tags=["itag-review"],
        invoice_type="1",
        type_of_property="1",
        property_description="Lund Sten 1:2",
        apartment_number="typed, then hidden: not sent",
        created_by_user="user-1",
        our_reference="user-2",
        use_delivery_address="on",
        delivery_name="Brf Eken",
        delivery_address="Ekvägen 3",
        delivery_zip_code="222 22",
        delivery_city="Lund",
        notes="Tack!",
    )
    data.update(rows("rows", *ROWS))
    data.update(
        rows(
            "distribution",
            {"user_name": "Anna Ek", "personal_number": "19800101-1231", "distribution_percent": "50"},
            {"user_name": "Bo Ek", "personal_number": "19790202-2347", "distribution_percent": "50"},
        )
    )
    response = submit(office_client, "invoices", data)
    assert response.status_code == 302, field_errors(response)
    assert response["Location"] == "/invoices/new-inv/"
    assert message_texts(response) == ["Invoice “24482” was created."]


def test_rows_with_different_vat_rates_send_multiple_taxes_on_rows(office_client, api):
    values = invoice_values(office_client, api)
    stub_contacts(api)
    stub_create(
        api,
        "invoices",
        {
            "customer": "cust-1",
            "createdByUser": "user-1",
            "language": "EN",
            "invoiceDate": values["invoice_date"][0],
            "invoiceType": 0,
            "currencyCode": "EUR",
            "currencyRate": 11.25,
            "invoiceItems": [
                {"itemType": "expense", "name": "Hotell", "numberOfItems": 2, "unitPrice": 100, "taxPercent": 12},
                {"itemType": "time", "name": "Arbete", "numberOfItems": 1, "unitPrice": 80, "taxPercent": 25},
            ],
            "multipleTaxesOnRows": True,
        },
    )
    data = fill(
        values, customer="cust-1", created_by_user="user-1", language="EN", currency_code="EUR", currency_rate="11,25"
    )
    data.update(
        rows(
            "rows",
            {
                "item_type": "expense",
                "name": "Hotell",
                "number_of_items": "2",
                "unit_price": "100",
                "tax_percent": "12",
            },
            {"item_type": "time", "name": "Arbete", "number_of_items": "1", "unit_price": "80", "tax_percent": "25"},
        )
    )
    response = submit(office_client, "invoices", data)
    assert response.status_code == 302, field_errors(response)


def test_a_construction_invoice_is_reverse_charge_without_vat_in_the_preview_and_the_payload(office_client, api):
    values = invoice_values(office_client, api)
    stub_contacts(api)
    row = {"rows-0-item_type": "time", "rows-0-name": "Gjutning", "rows-0-number_of_items": "8",
           "rows-0-unit_price": "650", "rows-0-tax_percent": "25"}  # fmt: skip
    data = fill(values, customer="cust-1", created_by_user="user-1", invoice_type="3", **row)
    # The form shown again (a row added without JavaScript) works the totals out without VAT.
    page = submit(office_client, "invoices", {**data, "_rows": "add:rows"}).content.decode()
    assert _shown_totals(page) == [
        ("Total excl. VAT", "5,200.00"),
        ("VAT", "0.00"),
        ("Reverse charge: no VAT on this invoice, the buyer accounts for it.", ""),
        ("Rounding", "0.00"),
        ("Total to pay", "5,200.00"),
    ]
    stub_create(
        api,
        "invoices",
        {
            "customer": "cust-1",
            "createdByUser": "user-1",
            "language": "SV",
            "invoiceDate": values["invoice_date"][0],
            "invoiceType": 3,
            "currencyCode": "SEK",
            "invoiceItems": [
                {"itemType": "time", "name": "Gjutning", "numberOfItems": 8, "unitPrice": 650, "taxPercent": 0}
            ],
            "multipleTaxesOnRows": False,
            "taxPercent": 0,
        },
    )
    response = submit(office_client, "invoices", data)
    assert response.status_code == 302, field_errors(response)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"invoice_type": "1"}, "type_of_property", "This field is required."),
        ({"invoice_type": "2", "type_of_property": "1"}, "property_description", "This field is required."),
        (
            {"invoice_type": "1", "type_of_property": "2", "apartment_number": "1101"},
            "housing_society_number",
            "This field is required.",
        ),
        (
            {"invoice_type": "2", "type_of_property": "2", "housing_society_number": "769600-1234"},
            "apartment_number",
            "This field is required.",
        ),
        ({"customer": ""}, "customer", PICK_ONE),
        ({"created_by_user": ""}, "created_by_user", "This field is required."),
        ({"language": ""}, "language", "This field is required."),
        ({"invoice_date": "2026-02-30"}, "invoice_date", "Enter a valid date."),
        (
            {"invoice_date": "2026-11-05", "due_date": "2026-11-04"},
            "due_date",
            "The due date is before the invoice date.",
        ),
        ({"currency_code": "BTC"}, "currency_code", "Select a valid choice. BTC is not one of the available choices."),
        ({"invoice_type": "4"}, "invoice_type", "Select a valid choice. 4 is not one of the available choices."),
    ],
)
def test_invoice_rules(office_client, api, typed, field, message):
    values = invoice_values(office_client, api)
    stub_contacts(api)
    data = fill(values, **{"customer": "cust-1", "created_by_user": "user-1", **typed})
    response = submit(office_client, "invoices", data)
    assert field_error(response.content.decode(), field) == message
    assert not posts(api, "invoices")


def test_house_properties_are_neither_checked_nor_sent_for_a_normal_invoice(office_client, api):
    values = invoice_values(office_client, api)
    stub_contacts(api)
    stub_create(
        api,
        "invoices",
        {
            "customer": "cust-1",
            "createdByUser": "user-1",
            "language": "SV",
            "invoiceDate": values["invoice_date"][0],
            "invoiceType": 0,
            "currencyCode": "SEK",
        },
    )
    data = fill(values, customer="cust-1", created_by_user="user-1", type_of_property="2")
    data.update(rows("distribution", {"user_name": "A", "personal_number": "1", "distribution_percent": "30"}))
    assert submit(office_client, "invoices", data).status_code == 302


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"item_type": "time", "number_of_items": "2"}, "rows-0-name", "Give the row a name or a description."),
        ({"item_type": "", "name": "X"}, "rows-0-item_type", "This field is required."),
        ({"item_type": "time", "name": "X", "unit_price": "tio"}, "rows-0-unit_price", "Enter a number."),
        (
            {"item_type": "time", "name": "X", "discount_percent": "120"},
            "rows-0-discount_percent",
            "Ensure this value is less than or equal to 100.",
        ),
        (
            {"item_type": "time", "name": "X", "tax_percent": "-1"},
            "rows-0-tax_percent",
            "Ensure this value is greater than or equal to 0.",
        ),
        ({"item_type": "time", "name": "X", "tax_percent": "17"}, "rows-0-tax_percent", "Swedish VAT is 25, 12, 6 or 0 %."),
    ],
)
def test_invoice_row_rules(office_client, api, row, field, message):
    values = invoice_values(office_client, api)
    stub_contacts(api)
    data = fill(values, customer="cust-1", created_by_user="user-1")
    data.update(rows("rows", row))
    response = submit(office_client, "invoices", data)
    assert field_error(response.content.decode(), field) == message
    assert not posts(api, "invoices")


def test_invoice_shown_again_has_every_row_and_the_totals_worked_out_by_the_server(office_client, api):
    values = invoice_values(office_client, api)
    data = fill(values, customer="", created_by_user="user-1")
    data.update(rows("rows", *ROWS))
    page = submit(office_client, "invoices", data).content.decode()
    assert field_error(page, "customer") == PICK_ONE
    assert [input_value(page, f"rows-{i}-name") for i in range(4)] == ["Arbete", "Kakel", "Enligt offert", ""]
    assert input_value(page, "rows-1-number_of_items") == "12,5"
    sums = dict(re.findall(r'data-sum="(\w+)">(?:<strong>)?([^<]*)<', page))
    # 10 × 650 = 6 500; 12.5 × 389.90 − 10 % = 4 386.38; VAT 1 625 + 1 096.60; whole kronor.
    assert sums == {
        "totalAmount": "10,886.38",
        "totalTaxAmount": "2,721.60",
        "totalAmountRounding": "0.02",
        "totalAmountInclTax": "13,608.00",
    }
    row_totals = re.findall(r"<td class=\"num\" data-row-total>([^<]*)</td>", page)
    assert row_totals[:3] == ["6,500.00", "4,386.38", "0.00"]


def _footer_rows(page: str) -> list[tuple[bool, str, str]]:
    """The invoice rows' totals as (hidden?, label as shown, amount)."""
    footer = re.search(r'<table class="edit-rows invoice-rows">.*?<tfoot>(.*?)</tfoot>', page, re.S).group(1)
    found = []
    for attrs, cells in re.findall(r"<tr([^>]*)>(.*?)</tr>", footer, re.S):
        label = re.search(r"<th[^>]*>(.*?)</th>", cells, re.S).group(1)
        label = re.sub(r"<span[^>]*\shidden>.*?</span>", "", label)  # the other kind of invoice's label
        amount = re.search(r'<td class="num"[^>]*>(.*?)</td>', cells, re.S)  # a note has none
        found.append((" hidden" in attrs, text(label), text(amount.group(1)) if amount else ""))
    return found


def _shown_totals(page: str) -> list[tuple[str, str]]:
    return [(label, amount) for hidden, label, amount in _footer_rows(page) if not hidden]


def test_invoice_totals_name_the_total_to_pay_and_the_rot_rut_rows_only_for_rot_rut(office_client, api):
    values = invoice_values(office_client, api)
    row = {"rows-0-name": "Arbete", "rows-0-unit_price": "650"}
    page = submit(office_client, "invoices", fill(values, customer="", created_by_user="user-1", **row))
    page = page.content.decode()
    assert _shown_totals(page) == [
        ("Total excl. VAT", "650.00"),
        ("VAT", "162.50"),
        ("Rounding", "0.50"),
        ("Total to pay", "813.00"),
    ]
    # Without JavaScript every column shows, the ROT/RUT one too: the labels
    # span all but the amount and remove columns (forms.js narrows them).
    table = re.search(r'<table class="edit-rows invoice-rows">.*?</table>', page, re.S).group(0)
    columns = len(re.findall(r'<th scope="col"', table))
    assert set(re.findall(r'<th scope="row" colspan="(\d+)"', table)) == {str(columns - 2)}

    row["rows-0-house_work_flag"] = "on"
    data = fill(values, customer="", created_by_user="user-1", invoice_type="1", **row)
    page = submit(office_client, "invoices", data)
    # The server works out the deduction as it will be made: 30 % of the house work
    # incl. VAT (812.50), rounded down to whole kronor; the customer pays the rest.
    assert _shown_totals(page.content.decode()) == [
        ("Total excl. VAT", "650.00"),
        ("VAT", "162.50"),
        ("Rounding", "0.50"),
        ("Total incl. VAT", "813.00"),
        ("ROT/RUT deduction", "-243.00"),
        ("Total to pay", "570.00"),
    ]
    # RUT: 50 %; and the yearly ceiling of 50 000 kr (ROT) for one person.
    page = submit(office_client, "invoices", {**data, "invoice_type": ["2"]}).content.decode()
    assert _shown_totals(page)[-2:] == [("ROT/RUT deduction", "-406.00"), ("Total to pay", "407.00")]
    page = submit(office_client, "invoices", {**data, "rows-0-unit_price": ["250000"]}).content.decode()
    assert _shown_totals(page)[-2:] == [("ROT/RUT deduction", "-50,000.00"), ("Total to pay", "262,500.00")]


def test_add_and_remove_row_buttons_work_without_javascript_and_never_create(office_client, api):
    values = invoice_values(office_client, api)
    data = fill(values, customer="cust-1", created_by_user="user-1", marking="Kept")
    data.update(rows("rows", *ROWS[:3]))
    page = office_client.post("/invoices/new/", {**data, "_rows": "remove:rows-1"}).content.decode()
    assert input_value(page, "rows-TOTAL_FORMS") == "2"
    assert [input_value(page, f"rows-{i}-name") for i in range(2)] == ["Arbete", "Enligt offert"]
    assert input_value(page, "marking") == "Kept" and input_value(page, "token") == values["token"][0]
    assert "Please correct" not in page and "This field is required" not in page
    page = office_client.post("/invoices/new/", {**form_values(page), "_rows": "add:rows"}).content.decode()
    assert input_value(page, "rows-TOTAL_FORMS") == "3" and input_value(page, "rows-2-tax_percent") == "25"
    assert not posts(api, "invoices")


@pytest.fixture
def rows_built(monkeypatch):
    """How many row forms (invoice rows, deduction shares) the server builds."""
    from dashboard.forms import RowForm

    built = []
    original = RowForm.__init__

    def counting(self, *args, **kwargs):
        built.append(self.prefix if "prefix" not in kwargs else kwargs["prefix"])
        original(self, *args, **kwargs)

    monkeypatch.setattr(RowForm, "__init__", counting)
    return built


@pytest.mark.parametrize(
    ("entity", "sent"),
    [
        # The attack of issue 11: a remove "button" with a count of 10^20 took a worker to 4 GB.
        ("invoices", {"_rows": "remove:rows-0", "rows-TOTAL_FORMS": "99999999999999999999"}),
        ("invoices", {"rows-TOTAL_FORMS": "1000"}),  # 6 s of CPU and a 5.3 MB page before
        ("invoices", {"_rows": "add:rows", "rows-TOTAL_FORMS": "201"}),
        ("invoices", {"rows-INITIAL_FORMS": "99999999999999999999"}),
        ("invoices", {"invoice_type": "1", "distribution-TOTAL_FORMS": "99999999999999999999"}),
        ("customers", {"is_rot_customer": "on", "distribution-TOTAL_FORMS": "21"}),
        ("customers", {"_rows": "remove:distribution-0", "distribution-TOTAL_FORMS": "99999999999999999999"}),
        ("customers", {"distribution-TOTAL_FORMS": "-1"}),
    ],
)
def test_a_row_count_beyond_the_maximum_is_refused_at_once(office_client, api, rows_built, entity, sent):
    values = invoice_values(office_client, api) if entity == "invoices" else customer_values(office_client, api)
    rows_built.clear()
    calls = len(api.calls)
    response = submit(office_client, entity, {**fill(values, customer="cust-1", name="Ahlgrens Måleri"), **sent})
    assert response.status_code == 400
    assert "Too many rows" in text(response.content.decode())
    assert rows_built == []  # not one row built, let alone billions
    assert len(api.calls) == calls and not CreateToken.objects.exists()
    # The check of one field as it is left, too.
    field = "rows-0-name" if entity == "invoices" else "distribution-0-user_name"
    response = office_client.post(f"/{entity}/new/validate/?field={field}", sent, headers={"HX-Request": "true"})
    assert response.status_code == 400 and rows_built == []


def test_rows_up_to_the_maximum_are_fine(office_client, api, rows_built):
    values = customer_values(office_client, api)
    data = fill(values, name="", is_rot_customer="on")  # no name: shown again, nothing sent
    data.update(rows("distribution", *[{"user_name": "", "personal_number": ""}] * 20))
    page = submit(office_client, "customers", data).content.decode()
    assert input_value(page, "distribution-TOTAL_FORMS") == "20" and not posts(api, "customers")
    # "+ Add person" without JavaScript: already at the most there may be, so nothing is added.
    page = submit(office_client, "customers", {**form_values(page), "_rows": "add:distribution"}).content.decode()
    assert input_value(page, "distribution-TOTAL_FORMS") == "20"


def test_an_invoice_with_the_most_rows_there_may_be_can_be_submitted(office_client, api):
    """200 rows of 9 fields each: more than Django's default limit of 1,000 fields a POST."""
    values = invoice_values(office_client, api)
    row = {
        "item_type": "time", "name": "Målning", "description": "Vardagsrum", "number_of_items": "2", "unit": "h",
        "unit_price": "500", "discount_percent": "", "tax_percent": "25", "house_work_flag": "",
    }
    data = fill(values, customer="")  # no customer: shown again, nothing sent
    data.update(rows("rows", *[row] * 200))
    response = submit(office_client, "invoices", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert input_value(page, "rows-TOTAL_FORMS") == "200" and input_value(page, "rows-199-name") == "Målning"
    assert not posts(api, "invoices")


def test_our_reference_and_created_by_default_to_the_linked_user(office_client, office_user, api):
    Profile.objects.create(user=office_user, seventime_user_id="user-1", seventime_user_name="Felix Hellström")
    values = invoice_values(office_client, api)
    assert values["created_by_user"] == ["user-1"] and values["our_reference"] == ["user-1"]


# =====================================================================
# Pickers, contact persons, inline validation
# =====================================================================


def test_customer_picker_searches_name_and_number_and_says_when_there_are_more(office_client, api):
    many = [{**CUSTOMER, "_id": f"c-{i}", "name": f"Berg {i}", "customerNumber": str(100 + i)} for i in range(30)]
    stub_get(api, "customers", many, {"name": "10"})
    stub_get(
        api,
        "customers",
        [{**CUSTOMER, "_id": "c-x", "name": "Tio AB", "customerNumber": "10"}],
        {"customerNumber": "10"},
    )
    page = office_client.get("/pick/customers/", {"field": "customer", "customer_search": "10"}).content.decode()
    options = re.findall(r'<li role="option" id="customer-option-\d+"[^>]*data-value="([^"]+)"', page)
    assert len(options) == 20 and options[0] == "c-0"
    assert "type more to narrow them down" in page
    assert 'data-payment-days="20"' in page


def test_picker_without_a_query_lists_the_first_records(office_client, api):
    stub_get(api, *FIRST["projects"][:1], [PROJECT], FIRST["projects"][1])
    page = office_client.get("/pick/projects/", {"field": "project"}).content.decode()
    assert 'data-value="proj-1" data-label="2001 Blåsippan"' in page


def test_picker_needs_the_view_permission_of_what_it_lists(client, plain_user, api):
    client.force_login(plain_user)
    assert client.get("/pick/customers/", {"customer_search": "a"}).status_code == 403
    assert client.get("/pick/nothing/").status_code == 404


def test_picker_tells_when_seven_time_is_not_answering(office_client, api):
    api.get(API + "customers", body=requests.exceptions.ConnectionError())
    page = office_client.get("/pick/customers/", {"field": "customer", "customer_search": "berg"}).content.decode()
    assert "Seven Time is not answering" in page


def test_without_javascript_the_picker_is_a_select_of_the_first_100(office_client, api):
    stub_page(api, "invoices")
    page = open_form(office_client, "invoices")
    select = re.search(r'<select class="picker-select" name="customer" id="id_customer".*?</select>', page, re.S).group(
        0
    )
    assert '<option value="cust-1">Bergström Bygg AB</option>' in select


def test_picker_shows_the_chosen_record_by_name_when_the_form_opens_with_one(office_client, api):
    stub_page(api, "projects")
    stub_get(api, "customers/cust-7", {**CUSTOMER, "_id": "cust-7", "name": "Sjunde AB"})
    stub_contacts(api, "cust-7", [])
    page = open_form(office_client, "projects", customer="cust-7")
    assert input_value(page, "customer_search") == "Sjunde AB"
    assert '<option value="cust-7" selected>Sjunde AB</option>' in page


def test_a_name_typed_but_not_chosen_is_kept_and_the_error_says_to_choose(office_client, api):
    """Typing "Bergström Logistik" and submitting without picking a match: the text
    stays in the search box (nothing typed is lost) and the message says what to do."""
    values = invoice_values(office_client, api)
    data = fill(values, customer="", customer_search="Bergström Logistik", created_by_user="user-1")
    data.update(rows("rows", *ROWS))
    page = submit(office_client, "invoices", data).content.decode()
    assert input_value(page, "customer_search") == "Bergström Logistik"
    assert field_error(page, "customer") == PICK_ONE
    assert not posts(api, "invoices")


def test_contact_persons_are_those_of_the_chosen_customer(office_client, api):
    stub_contacts(api)
    response = office_client.get("/invoices/new/contacts/", {"customer": "cust-1"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert re.findall(r'<option value="([^"]*)"', page) == ["", "contact-1", "contact-2"]
    assert "Tommy Hellström (Utvecklare)" in page
    assert 'hx-trigger="change from:#id_customer"' in page
    empty = office_client.get("/invoices/new/contacts/", {"customer": ""}).content.decode()
    assert "Choose a customer first" in empty


@pytest.mark.parametrize("entity", ["customers", "users"])
def test_a_form_without_a_contact_person_has_no_contact_list_to_reload(manager_client, api, entity):
    # These forms have no contact person: the address answers 404, never a server error.
    response = manager_client.get(f"/{entity}/new/contacts/", {"customer": "cust-1"}, headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert not api.calls


def test_inline_validation_answers_for_one_field_from_cached_lists_only(office_client, api):
    stub_page(api, "projects")
    values = form_values(open_form(office_client, "projects"))
    calls = len(api.calls)
    data = fill(values, name="", billing_method="HOURLY", price_per_hour="")
    page = office_client.post("/projects/new/validate/?field=price_per_hour", data).content.decode()
    assert (
        page == '<small id="id_price_per_hour-error" class="field-error" role="alert">This field is required.</small>'
    )
    page = office_client.post(
        "/projects/new/validate/?field=price_per_hour", fill(data, price_per_hour="700")
    ).content.decode()
    assert page == '<small id="id_price_per_hour-error" class="field-error"></small>'
    assert len(api.calls) == calls  # the lookup lists came from the cache
    assert not CreateToken.objects.exists()


def test_inline_validation_of_an_invoice_row_field(office_client, api):
    stub_page(api, "invoices")
    values = form_values(open_form(office_client, "invoices"))
    data = fill(values)
    data.update(rows("rows", {"item_type": "time", "name": "X", "discount_percent": "150"}))
    page = office_client.post("/invoices/new/validate/?field=rows-0-discount_percent", data).content.decode()
    assert "Ensure this value is less than or equal to 100." in page
    assert 'id="id_rows-0-discount_percent-error"' in page


# =====================================================================
# When the API says no, or nothing
# =====================================================================


def customer_values(client, api):
    stub_page(api, "customers")
    return form_values(open_form(client, "customers"))


def minimal_customer(name="Ahlgrens Måleri", **extra):
    return {
        "name": name,
        **extra,
        "billingSettings": {
            "invoiceDeliveryType": 0,
            "useSeparateBillingEmail": False,
            "isConstructionCompany": False,
            "useSeparateBillingAddress": False,
            "isROTCustomer": False,
            "isRUTCustomer": False,
        },
    }


def test_a_rejected_create_comes_back_with_every_value_and_the_message_at_its_field(office_client, api):
    values = customer_values(office_client, api)
    stub_create(
        api,
        "customers",
        minimal_customer(customerNumber="1001", city="Lund"),
        status=400,
        answer={"errorMessage": "customerNumber 1001 is already in use"},
    )
    data = fill(values, name="Ahlgrens Måleri", customer_number="1001", city="Lund")
    response = submit(office_client, "customers", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert field_error(page, "customer_number") == "“1001” is already in use in Seven Time."
    assert "Seven Time did not accept the customer" in page
    assert "customerNumber 1001 is already in use" in summary(page)  # Seven Time's own words
    for name, value in (
        ("name", "Ahlgrens Måleri"),
        ("customer_number", "1001"),
        ("city", "Lund"),
        ("token", values["token"][0]),
    ):
        assert input_value(page, name) == value, name
    assert CreateToken.objects.get().status == "failed"
    assert CreateAttempt.objects.get().outcome == "rejected"
    # Corrected and sent again with the same form: created.
    stub_create(api, "customers", minimal_customer(customerNumber="1002", city="Lund"))
    response = submit(office_client, "customers", fill(form_values(page), customer_number="1002"))
    assert response.status_code == 302
    assert CreateToken.objects.get().status == "succeeded"


def test_a_rejection_naming_no_field_is_shown_above_the_form(office_client, api):
    values = customer_values(office_client, api)
    stub_create(
        api, "customers", minimal_customer(), status=400, answer={"errorMessage": "Account is locked for edits"}
    )
    page = submit(office_client, "customers", fill(values, name="Ahlgrens Måleri")).content.decode()
    assert "Account is locked for edits" in summary(page)
    assert input_value(page, "name") == "Ahlgrens Måleri"


def test_a_rejected_row_gets_the_message_on_that_row(office_client, api):
    values = invoice_values(office_client, api)
    stub_contacts(api)
    api.post(API + "invoices", status=400, json={"errorMessage": "invoiceItems[1].unitPrice must be a number"})
    data = fill(values, customer="cust-1", created_by_user="user-1")
    data.update(rows("rows", *ROWS[:2]))
    page = submit(office_client, "invoices", data).content.decode()
    assert field_error(page, "rows-1-unit_price") == "Enter a number."
    assert field_error(page, "rows-0-unit_price") == ""
    assert summary_links(page) == [("#id_rows-1-unit_price", "Row 2, Unit price: Enter a number.")]


def summary(page: str) -> str:
    """The text of the one banner above the form."""
    banners = re.findall(r'<div class="api-error form-problem error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert len(banners) == 1, banners
    return text(banners[0])


def summary_links(page: str) -> list[tuple[str, str]]:
    block = re.search(r'<div class="api-error form-problem error-summary"[^>]*>(.*?)</div>', page, re.S).group(1)
    return [(href, text(label)) for href, label in re.findall(r'<a href="([^"]*)">(.*?)</a>', block, re.S)]


def test_the_apis_message_is_translated_in_one_banner_with_the_original_as_a_detail(manager_client, api):
    stub_page(api, "users")
    values = form_values(open_form(manager_client, "users"))
    api.post(API + "users", status=400, json={"errorMessage": "userName johanna is already in use"})
    data = fill(values, first_name="Johanna", last_name="Ek", email="j@ek.se", user_name="johanna", user_role="2")
    response = manager_client.post("/users/new/", data, HTTP_ACCEPT_LANGUAGE="sv")
    page = response.content.decode()
    assert response.status_code == 400
    assert field_error(page, "user_name") == "”johanna” används redan i Seven Time."
    # One banner: what happened, the field in error, and Seven Time's own words as a detail.
    assert summary(page) == (
        "Seven Time godkände inte posten (användare) "
        "Användarnamn: ”johanna” används redan i Seven Time. "
        "Seven Times egna ord: userName johanna is already in use"
    )
    assert page.count('class="form-errors') == 0 and page.count('role="alert"') == 1  # the field's message
    assert '<q lang="en">userName johanna is already in use</q>' in page


@pytest.mark.parametrize(
    ("message", "swedish"),
    [
        ("name is required", "Detta fält måste fyllas i."),
        ("customerNumber 1001 is already in use", "”1001” används redan i Seven Time."),
        ("workOrderNumber 4843 is already in use", "”4843” används redan i Seven Time."),
        ("startDate must be in the format YYYY-MM-DD HH:MM", "Använd formatet YYYY-MM-DD HH:MM."),
        ("invoiceDate must be in the format YYYY-MM-DD", "Använd formatet YYYY-MM-DD."),
        ("contactPerson does not belong to the customer", "Kontaktpersonen hör inte till kunden."),
        (
            "houseProperties is required when invoiceType is 1 (ROT) or 2 (RUT)",
            "Krävs för en ROT- eller RUT-faktura.",
        ),
        ("houseProperties.propertyDescription is required for a detached property", "Krävs för ett småhus (villa)."),
        ("houseProperties.apartmentNumber is required for a condominium", "Krävs för en bostadsrätt."),
        ("distributionPercent must be between 1 and 100", "Måste vara mellan 1 och 100."),
        ("Account is locked for edits", None),  # not one we know: shown as it came
    ],
)
def test_the_apis_documented_messages_are_said_in_swedish(message, swedish):
    from django.utils import translation

    from dashboard.api_errors import explain

    with translation.override("sv"):
        assert explain(message) == swedish


def test_a_failed_submit_sums_the_errors_up_at_the_top_with_a_link_to_each_field(office_client, api):
    stub_page(api, "workorders")
    stub_contacts(api)
    values = form_values(open_form(office_client, "workorders"))
    data = fill(values, title="", customer="cust-1", created_by_user="", estimated_time="a lot")
    page = submit(office_client, "workorders", data).content.decode()
    # In the order of the page; the "Created by" field is far down the long form.
    assert summary_links(page) == [
        ("#id_title", "Title: This field is required."),
        ("#id_estimated_time", "Estimated time (hours): Enter a number."),
        ("#id_created_by_user", "Created by: This field is required."),
    ]
    assert summary(page).startswith("Please correct the 3 problems listed below.")
    # Focus moves to it when the page loads, with or without JavaScript.
    banner = re.search(r'<div class="api-error form-problem error-summary"[^>]*>', page).group(0)
    assert 'tabindex="-1"' in banner and "autofocus" in banner
    assert page.count("autofocus") == 1


def test_the_summary_counts_problems_not_fields_when_one_is_about_no_field(office_client, api):
    """A message about the shares together is no field: "2 fields" would send the
    user looking for a second field in error."""
    stub_page(api, "customers")
    values = form_values(open_form(office_client, "customers"))
    data = fill(values, name="", is_rut_customer="on")
    data.update(
        rows(
            "distribution",
            {"user_name": "A", "personal_number": "19800101-1231", "distribution_percent": "60"},
            {"user_name": "B", "personal_number": "19800102-1230", "distribution_percent": "30"},
        )
    )
    page = submit(office_client, "customers", data).content.decode()
    assert summary_links(page)[0] == ("#id_name", "Name: This field is required.")
    assert len(summary_links(page)) == 2 and "must be exactly 100 %" in summary_links(page)[1][1]
    assert summary(page).startswith("Please correct the 2 problems listed below.")
    assert "fields" not in summary(page)
    page = office_client.post("/customers/new/", data, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert summary(page).startswith("Rätta de 2 fel som anges nedan.")


def test_rows_in_error_are_linked_by_row_and_shares_by_person(office_client, api):
    values = invoice_values(office_client, api)
    stub_contacts(api)
    data = fill(values, customer="cust-1", created_by_user="user-1", invoice_type="1", type_of_property="1")
    data["property_description"] = ["Ystad Ekholmen 1:4"]
    data.update(rows("rows", {"item_type": "time", "name": "", "unit_price": "100", "tax_percent": "25"}))
    data.update(rows("distribution", {"user_name": "Eva", "personal_number": "", "distribution_percent": "100"}))
    page = submit(office_client, "invoices", data).content.decode()
    assert summary_links(page) == [
        ("#id_distribution-0-personal_number", "Person 1, Personal number: This field is required."),
        ("#id_rows-0-name", "Row 1, Name: Give the row a name or a description."),
    ]


@pytest.mark.parametrize(
    ("answer", "status", "title"),
    [
        ({"status": 500, "json": {"errorMessage": "boom"}}, 502, "Seven Time had a problem"),
        ({"status": 503, "body": "<html>down</html>"}, 502, "Seven Time had a problem"),
        ({"body": requests.exceptions.ReadTimeout()}, 504, "Seven Time is not answering"),
        ({"body": requests.exceptions.ConnectionError()}, 503, "Seven Time is not answering"),
    ],
)
def test_no_answer_or_a_server_error_keeps_the_form_and_offers_a_retry(office_client, api, answer, status, title):
    values = customer_values(office_client, api)
    api.post(API + "customers", **answer)
    data = fill(values, name="Ahlgrens Måleri", city="Lund", email="a@b.se")
    response = submit(office_client, "customers", data)
    page = response.content.decode()
    assert response.status_code == status
    assert title in page and "Nothing you typed is lost" in page
    assert re.search(r'<button type="submit" form="create-form" class="retry">Try again</button>', page)
    assert (input_value(page, "name"), input_value(page, "city"), input_value(page, "email")) == (
        "Ahlgrens Måleri",
        "Lund",
        "a@b.se",
    )
    assert "no-store" in response["Cache-Control"]
    token = CreateToken.objects.get()
    assert (token.status, token.maybe_created) == ("unknown", True)


def test_a_retry_after_a_timeout_finds_the_record_the_first_attempt_created(office_client, api):
    values = customer_values(office_client, api)
    api.post(API + "customers", body=requests.exceptions.ReadTimeout())
    data = fill(values, name="Ahlgrens Måleri", city="Lund")
    assert submit(office_client, "customers", data).status_code == 504
    # It did reach the API: the customer exists now.
    created = {**CREATED["customers"], "name": "Ahlgrens Måleri", "createdDate": dt.datetime.now(dt.UTC).isoformat()}
    stub_get(
        api, "customers", [created], {"name": "Ahlgrens Måleri", "sortBy": "createdDate", "sortDirection": "descending"}
    )
    response = submit(office_client, "customers", data)
    assert response.status_code == 302 and response["Location"] == "/customers/new-cust/"
    assert len(posts(api, "customers")) == 1
    assert list(CreateAttempt.objects.order_by("id").values_list("outcome", flat=True)) == ["unknown", "found"]


def test_a_retry_after_a_timeout_posts_again_when_nothing_was_created(office_client, api):
    values = customer_values(office_client, api)
    api.post(API + "customers", body=requests.exceptions.ConnectionError())
    data = fill(values, name="Ahlgrens Måleri")
    assert submit(office_client, "customers", data).status_code == 503
    old = {**CREATED["customers"], "name": "Ahlgrens Måleri", "createdDate": "2020-01-01T00:00:00.000Z"}
    stub_get(
        api, "customers", [old], {"name": "Ahlgrens Måleri", "sortBy": "createdDate", "sortDirection": "descending"}
    )
    api.remove("POST", API + "customers")
    stub_create(api, "customers", minimal_customer())
    response = submit(office_client, "customers", data)
    assert response.status_code == 302
    assert len(posts(api, "customers")) == 2


def test_lists_that_cannot_be_loaded_on_submit_keep_the_form_and_send_nothing(office_client, api):
    values = invoice_values(office_client, api)
    cache.clear()  # the lookup lists must come from the API, which is now down
    api.reset()
    api.get(API + "users", body=requests.exceptions.ConnectionError())
    api.get(API + "priceLists", body=requests.exceptions.ConnectionError())
    data = fill(
        values, customer="cust-1", customer_search="Bergström Bygg AB", created_by_user="user-1", our_reference="user-2"
    )
    data.update(rows("rows", *ROWS[:2]))
    response = submit(office_client, "invoices", data)
    page = response.content.decode()
    assert response.status_code == 503
    assert "Nothing you typed is lost" in page
    assert input_value(page, "customer_search") == "Bergström Bygg AB"
    assert '<option value="user-1" selected>' in page and '<option value="user-2" selected>' in page
    assert input_value(page, "rows-1-name") == "Kakel"
    assert not posts(api, "invoices") and not CreateToken.objects.exists()


def test_a_form_without_its_token_creates_nothing_and_comes_back_with_a_new_one(office_client, api):
    values = customer_values(office_client, api)
    data = fill(values, name="Ahlgrens Måleri", token="forged!")
    response = submit(office_client, "customers", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "nothing was created" in page and input_value(page, "name") == "Ahlgrens Måleri"
    assert len(input_value(page, "token")) >= 32
    assert not posts(api, "customers")


# =====================================================================
# Submitting twice
# =====================================================================


def test_submitting_the_same_form_twice_creates_once_and_shows_the_same_record(office_client, api):
    values = customer_values(office_client, api)
    stub_create(api, "customers", minimal_customer())
    data = fill(values, name="Ahlgrens Måleri")
    first = submit(office_client, "customers", data)
    second = submit(office_client, "customers", data)  # back, then submit again
    assert first["Location"] == second["Location"] == "/customers/new-cust/"
    assert len(posts(api, "customers")) == 1
    assert message_texts(second) == [
        "Customer “Bergström Bygg AB (1321)” was created.",
        "This form had been submitted before, so nothing new was created. "
        "To create another customer, start from “New customer”.",
    ]
    assert list(CreateAttempt.objects.order_by("id").values_list("outcome", flat=True)) == ["created", "duplicate"]


def test_a_second_submit_after_a_restart_still_finds_the_outcome_in_the_database(office_user, api):
    first_server, second_server = Client(), Client()
    first_server.force_login(office_user)
    second_server.force_login(office_user)
    values = customer_values(first_server, api)
    stub_create(api, "customers", minimal_customer())
    data = fill(values, name="Ahlgrens Måleri")
    assert submit(first_server, "customers", data).status_code == 302
    cache.clear()
    assert submit(second_server, "customers", data)["Location"] == "/customers/new-cust/"
    assert len(posts(api, "customers")) == 1


def test_another_persons_token_is_not_honoured(office_client, api, django_user_model):
    values = customer_values(office_client, api)
    other = django_user_model.objects.create_user("otto")
    CreateToken.objects.create(
        token=values["token"][0], user=other, entity="customers", status="succeeded", upstream_id="x"
    )
    response = submit(office_client, "customers", fill(values, name="Ahlgrens Måleri"))
    assert response.status_code == 400 and input_value(response.content.decode(), "token") != values["token"][0]
    assert not posts(api, "customers")


# =====================================================================
# After a create: fresh lists
# =====================================================================


def test_a_create_drops_the_cached_lookup_lists(manager_client, api):
    stub_page(api, "users")
    values = form_values(open_form(manager_client, "users"))
    assert cache.get(fetch._cache_key("user_roles")) is not None
    api.post(API + "users", json=CREATED["users"])
    data = fill(values, first_name="T", last_name="H", email="t@h.se", user_name="th", user_role="2")
    assert submit(manager_client, "users", data).status_code == 302
    assert cache.get(fetch._cache_key("user_roles")) is None and cache.get(fetch._cache_key("users")) is None


# =====================================================================
# The create log and my settings
# =====================================================================


def test_the_create_log_is_for_managers_and_links_to_created_records(client, office_user, manager_user, api):
    CreateAttempt.objects.create(
        user=office_user,
        username="olivia",
        entity="invoices",
        token="t" * 32,
        outcome="created",
        upstream_id="inv-9",
        payload={
            "customer": "cust-1",
            "houseProperties": {"deductionDistribution": [{"personalNumber": "••••••••1234"}]},
        },
    )
    CreateAttempt.objects.create(
        user=office_user,
        username="olivia",
        entity="customers",
        token="u" * 32,
        outcome="rejected",
        error="name is required",
    )
    client.force_login(office_user)
    assert client.get("/audit/").status_code == 403
    client.force_login(manager_user)
    page = client.get("/audit/").content.decode()
    assert 'href="/invoices/inv-9/"' in page and "name is required" in page and "••••••••1234" in page
    filtered = client.get("/audit/", {"outcome": "rejected"}).content.decode()
    assert "inv-9" not in filtered and "name is required" in filtered
    assert "Create log" in page


def test_my_settings_links_the_account_to_a_seven_time_user(office_client, office_user, api):
    path, params, docs = LOOKUPS["users"]
    stub_get(api, path, docs, params)
    page = office_client.get("/settings/").content.decode()
    assert '<option value="user-2">Anna Ek</option>' in page
    response = office_client.post("/settings/", {"seventime_user": "user-2", "next": "/invoices/new/"})
    assert response["Location"] == "/invoices/new/"
    assert Profile.objects.get(user=office_user).seventime_user_name == "Anna Ek"
    response = office_client.post("/settings/", {"seventime_user": "", "next": "https://evil.example/"})
    assert response["Location"] == "/settings/"
    assert Profile.objects.get(user=office_user).seventime_user_id == ""


def test_every_create_form_only_asks_for_pickers_it_has():
    assert {
        field.source
        for form in CREATE_FORMS.values()
        for field in form.base_fields.values()
        if isinstance(field, PickerField)
    } <= set(PICKERS)


def test_the_admin_links_an_account_to_a_seven_time_user_by_name(client, django_user_model, office_user, api):
    path, params, docs = LOOKUPS["users"]
    stub_get(api, path, docs, params)
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    page = client.get("/admin/dashboard/profile/add/").content.decode()
    assert '<option value="user-2">Anna Ek</option>' in page
    response = client.post("/admin/dashboard/profile/add/", {"user": office_user.pk, "seventime_user_id": "user-2"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=office_user)
    assert (profile.seventime_user_id, profile.seventime_user_name) == ("user-2", "Anna Ek")


def test_the_create_log_filter_speaks_the_language_of_the_page(manager_client):
    page = manager_client.get("/audit/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    kinds = re.search(r'<select name="entity"[^>]*>(.*?)</select>', page, re.S)
    assert kinds, "no kind filter on the create log"
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", kinds.group(1))
    assert {"Kunder", "Projekt", "Arbetsordrar", "Användare", "Fakturor"} <= set(labels), labels
    assert "Customers" not in labels


def test_the_create_log_filters_as_you_type_like_every_list(manager_client, office_user):
    for token, outcome, error in (("t" * 32, "created", ""), ("u" * 32, "rejected", "name is required")):
        CreateAttempt.objects.create(
            user=office_user, username="olivia", entity="customers", token=token, outcome=outcome, error=error
        )
    page = manager_client.get("/audit/").content.decode()
    assert 'id="filters"' in page and 'hx-get="/audit/"' in page and 'hx-target="#results"' in page

    response = manager_client.get("/audit/", {"outcome": "rejected", "username": ""}, headers={"HX-Request": "true"})
    partial = response.content.decode()
    assert "<html" not in partial and 'id="filters"' not in partial  # the results only
    assert "name is required" in partial and partial.count("<tr>") == 1 + 1  # head and one attempt
    assert response.headers["HX-Push-Url"] == "/audit/?outcome=rejected"
    assert "HX-Request" in response.headers["Vary"]

    full = manager_client.get("/audit/?outcome=rejected").content.decode()  # the pushed URL, without htmx
    assert "<html" in full and 'id="filters"' in full and "name is required" in full
