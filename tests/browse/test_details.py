"""Detail pages against a stubbed Seven Time API (helpers: pages.py)."""

from __future__ import annotations

import re

import pytest

from tests.browse.pages import (
    DETAIL_LOOKUPS,
    cells,
    contact_doc,
    customer_doc,
    fields,
    full_invoice,
    get,
    project_doc,
    section,
    stub,
    stub_invoice,
    stub_lookups,
    text,
    user_doc,
    work_order_doc,
)

pytestmark = pytest.mark.django_db


# =====================================================================
# Detail pages
# =====================================================================


def test_customer_detail_shows_fields_billing_rot_distribution_and_contacts(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(
        api,
        "customers/cust-1",
        customer_doc(
            email="info@bergstrom.test",
            vatNumber="SE556677889901",
            paymentDays=30,
            address="Storgatan 1",
            zipCode="222 22",
            billingSettings={
                "priceList": "plist-gross",
                "isROTCustomer": True,
                "typeOfProperty": 1,
                "propertyDescription": "Lund Stenkrossen 1",
                "deductionDistribution": [
                    {"userName": "Karin Berg", "personalNumber": "19700101-1234", "distributionPercent": 60},
                    {"userName": "Per Berg", "personalNumber": "19710202-2345", "distributionPercent": 40},
                ],
            },
        ),
    )
    stub(
        api,
        "contactPersons",
        [
            contact_doc(),
            contact_doc(
                "contact-2", name="Sara Ek", mainContact=False, isActive=False, cellPhone="", workPhone="046-55"
            ),
        ],
        {"customerId": "cust-1", "sortBy": "name"},
    )
    response, page = get(office_client, "/customers/cust-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Customer number"] == "1001"
    assert info["Org. / personal number"] == "556677-8899"
    assert info["VAT number"] == "SE556677889901"
    assert info["Payment terms"] == "30 days"
    assert info["Price list"] == "Grosslistan"
    assert info["Property"] == "Detached property: Lund Stenkrossen 1"
    assert text(section(page, "Address")) == "Storgatan 1 222 22 Lund"
    rot = section(page, "ROT/RUT")
    assert "ROT/RUT distribution" in rot
    assert [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", rot.split("<tbody>")[1], re.S)] == [
        ["Karin Berg", "19700101-1234", "60 %"],
        ["Per Berg", "19710202-2345", "40 %"],
    ]
    contacts = [
        cells(row) for row in re.findall(r"<tr>(.*?)</tr>", section(page, "Contact persons").split("<tbody>")[1], re.S)
    ]
    assert contacts == [
        ["Tommy Hellström Main contact", "Utvecklare", "tommy@example.test", "070-111 22 33"],
        ["Sara Ek (inactive)", "Utvecklare", "tommy@example.test", "046-55"],
    ]
    assert "ROT customer" in page


def test_customer_detail_links_to_its_invoices_projects_and_work_orders(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(api, "customers/cust-1", customer_doc(name="Åsa & Co"))
    stub(api, "contactPersons", [], {"customerId": "cust-1", "sortBy": "name"})
    response, page = get(office_client, "/customers/cust-1/")
    related = section(page, "Related")
    assert 'href="/invoices/?customer_number=1001"' in related
    # By id, not by name: "Berg Tandvård AB" must not pick up Lundberg Tandvård AB's.
    assert 'href="/projects/?customer_id=cust-1"' in related
    assert 'href="/workorders/?customer_id=cust-1"' in related
    assert "No contact persons." in page


def test_project_detail_resolves_lookup_ids_to_names_and_lists_its_work_orders(manager_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    stub(
        api,
        "projects/proj-1",
        project_doc(
            projectStatusRef="pstatus-closed",
            projectType="ptype-service",
            department="dept-sales",
            tags=["ptag-prio"],
            projectLeader="user-1",
            projectLeaderName="Felix Hellström",
            invoiceStatus=10,
            estimatedTime=12.5,
        ),
    )
    stub(
        api,
        "workOrders",
        [
            work_order_doc("wo-2", workOrderNumber="4850", title="Efterkontroll", statusRef="wstatus-done"),
            work_order_doc(),
        ],
        {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"},
    )
    response, page = get(manager_client, "/projects/proj-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Customer"] == "Bergström Bygg AB"
    assert info["Project leader"] == "Felix Hellström"
    assert info["Type"] == "Serviceavtal"
    assert info["Department"] == "Försäljning"
    assert info["Period"] == "2026-03-01 – 2026-06-30"
    assert info["Billing method"] == "Hourly price"
    assert info["Price per hour"] == "650.00 SEK"
    assert info["Invoicing"] == "Ready to be invoiced"
    assert info["Estimated time"] == "12.5 h"
    header = re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)
    assert "Avslutad" in header and "Prioriterad" in header
    for lookup_id in ("pstatus-closed", "ptype-service", "ptag-prio"):
        assert lookup_id not in page
    assert "dept-sales" not in text(page)  # only in the department's link
    assert 'href="/customers/cust-1/"' in page and 'href="/users/user-1/"' in page
    assert 'href="/departments/dept-sales/"' in page
    orders = section(page, "Work orders")
    rows = [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", orders.split("<tbody>")[1], re.S)]
    assert [[number, title, start] for number, title, _status, start in rows] == [
        ["4850", "Efterkontroll", "2026-07-01 07:00"],
        ["4843", "Byt element", "2026-07-01 07:00"],
    ]
    assert 'href="/workorders/wo-2/"' in orders and 'href="/workorders/wo-1/"' in orders
    assert "Only the latest 100 work orders are shown." not in orders


@pytest.mark.parametrize(
    "dates, period",
    [({}, "–"), ({"endDate": None}, "2026-03-01 – …"), ({"startDate": None}, "… – 2026-06-30")],
)
def test_project_without_status_or_dates_says_so_plainly(office_client, api, dates, period):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    doc = project_doc(projectStatusRef=None) | ({"startDate": None, "endDate": None} if not dates else dates)
    stub(api, "projects/proj-1", doc)
    stub(api, "workOrders", [], {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    response, page = get(office_client, "/projects/proj-1/")
    assert response.status_code == 200
    assert fields(page)["Period"] == period
    header = re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)
    assert 'class="badge"' not in header  # no empty status badge


def test_project_detail_shows_the_status_name_of_each_work_order(office_client, api):
    stub_lookups(api)
    stub(api, "projects/proj-1", project_doc())
    stub(
        api,
        "workOrders",
        [work_order_doc("wo-2", workOrderNumber="4850", statusRef="wstatus-done"), work_order_doc()],
        {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"},
    )
    response, page = get(office_client, "/projects/proj-1/")
    orders = section(page, "Work orders")
    rows = [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", orders.split("<tbody>")[1], re.S)]
    assert [row[2] for row in rows] == ["Klar", "Ny"]


def test_project_detail_with_100_work_orders_links_to_the_full_list(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    stub(api, "projects/proj-1", project_doc())
    orders = [work_order_doc(f"wo-{n}", workOrderNumber=str(n)) for n in range(100)]
    stub(api, "workOrders", orders, {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    response, page = get(office_client, "/projects/proj-1/")
    assert "Only the latest 100 work orders are shown." in page
    assert 'href="/workorders/?project_id=proj-1"' in page


def test_project_detail_with_unknown_status_id_says_unknown_not_the_id(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    stub(api, "projects/proj-1", project_doc(projectStatusRef="pstatus-gone"))
    stub(api, "workOrders", [], {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    response, page = get(office_client, "/projects/proj-1/")
    assert response.status_code == 200
    assert "pstatus-gone" not in page
    assert '<span class="badge">Unknown</span>' in page
    assert "No work orders." in page


def test_work_order_detail_links_customer_and_project_and_names_its_lookups(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["workorders"])
    stub(
        api,
        "workOrders/wo-1",
        work_order_doc(
            statusRef="wstatus-done",
            workOrderType="wtype-extra",
            department="dept-dev",
            tags=["wtag-urgent"],
            description="Byt <b>tre</b> element",
            workAddress={"name": "Villa Berg", "address": "Bergsvägen 3", "zipCode": "223 50", "city": "Lund"},
        ),
    )
    response, page = get(office_client, "/workorders/wo-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Customer"] == "Bergström Bygg AB"
    assert info["Project"] == "Blåsippan"
    assert info["Type"] == "Extra"
    assert info["Department"] == "Utveckling"
    assert info["Start"] == "2026-07-01 07:00"
    assert info["End"] == "2026-01-15 07:00"
    basics = section(page, "Basics")
    assert 'href="/customers/cust-1/"' in basics and 'href="/projects/proj-1/"' in basics
    header = re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)
    assert "Klar" in header and "Akut" in header
    assert text(section(page, "Work address")) == "Villa Berg Bergsvägen 3 223 50 Lund"
    assert "Byt &lt;b&gt;tre&lt;/b&gt; element" in page
    for lookup_id in ("wstatus-done", "wtype-extra", "dept-dev", "wtag-urgent"):
        assert lookup_id not in page


@pytest.mark.parametrize(("client_name", "links"), [("manager_client", True), ("office_client", False)])
def test_work_order_detail_names_its_work_leader_owner_and_assigned_users(request, api, client_name, links):
    stub_lookups(api, DETAIL_LOOKUPS["workorders"])
    doc = work_order_doc(workLeader="user-1", currentOwner={"_id": "user-2"}, users=["user-2", "user-gone", "user-1"])
    stub(api, "workOrders/wo-1", doc)

    response, page = get(request.getfixturevalue(client_name), "/workorders/wo-1/")

    people = {label: value.replace(" ,", ",") for label, value in fields(section(page, "People")).items()}  # links end in a space here
    assert people == {
        "Work leader": "Felix Hellström",
        "Current owner": "Anna Ek",
        "Assigned users": "Anna Ek, User, Felix Hellström",
        "Machines": "–",
    }
    assert "user-gone" not in text(page)  # a manager's link may carry it; the page never shows it
    assert ('href="/users/user-1/"' in section(page, "People")) is links


def test_user_detail_shows_role_department_salary_type_and_skills_by_name(manager_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["users"])
    stub(
        api,
        "users/user-1",
        user_doc(
            userRoleId=2,
            department="dept-dev",
            departmentName="Old name",
            defaultSalaryType="salary-ot",
            userSkills=["skill-weld", "skill-high"],
            employeeNumber="E-17",
            isActivated=False,
        ),
    )
    response, page = get(manager_client, "/users/user-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Role"] == "Tekniker"
    assert info["Department"] == "Utveckling"
    assert info["Salary type"] == "Övertid"
    assert info["Skills"] == "Svetsning, Höga arbeten"
    assert info["Employee number"] == "E-17"
    assert 'href="/departments/dept-dev/"' in page  # the department's page
    assert 'href="/users/?user_role=2"' in page  # the others with this role
    assert "Not activated" in page
    for lookup_id in ("salary-ot", "skill-weld", "skill-high"):
        assert lookup_id not in page


def test_invoice_detail_links_customer_project_work_order_and_names_tags(manager_client, api):
    stub_invoice(api, full_invoice(invoiceName="Service Q4 <i>urgent</i>", language="SV"))
    response, page = get(manager_client, "/invoices/inv-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Invoice title"] == "Service Q4 <i>urgent</i>"  # shown as text
    assert info["Language"] == "Swedish"  # not the code "SV"
    assert info["Customer"] == "Hellapps AB (3028)"
    assert info["Project"] == "Blåsippan"
    assert info["Work order"] == "4843"
    assert info["Our reference"] == "Felix Hellström"
    assert info["OCR number"] == "2448173"
    assert info["Price list"] == "Grosslistan"
    basics = section(page, "Basics")
    for href in ("/customers/cust-1/", "/projects/proj-1/", "/workorders/wo-1/", "/users/user-1/"):
        assert f'href="{href}"' in basics
    header = re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)
    assert "Att granska" in header and "VIP-kund" in header and "ROT" in header
    assert "itag-review" not in page and "itag-vip" not in page and "plist-gross" not in page


def test_invoice_detail_shows_rows_and_totals_with_currency(office_client, api):
    stub_invoice(api, full_invoice())
    response, page = get(office_client, "/invoices/inv-1/")
    rows_table = re.search(r'<table class="rows">(.*?)</table>', page, re.S).group(1)
    rows = [
        cells(row) for row in re.findall(r"<tr>(.*?)</tr>", rows_table.split("<tbody>")[1].split("</tbody>")[0], re.S)
    ]
    assert rows == [
        # Each row: its VAT amount and total incl. VAT; a house-work row its type of work (a code).
        ["Arbete ROT/RUT work Målning Type of work: code 1", "10", "tim", "650.00", "", "25 %", "6,500.00", "1,625.00", "8,125.00"],
        ["Skruv", "1.5", "kg", "0.01", "12.5 %", "25 %", "0.13", "0.03", "0.16"],
    ]
    totals = {
        text(th): text(td)
        for th, td in re.findall(r'<th scope="row" colspan="8">(.*?)</th><td class="num">(.*?)</td>', rows_table, re.S)
    }
    assert totals == {
        "Amount excl. VAT": "13,500.00 SEK",
        "VAT": "3,375.00 SEK",
        "Rounding": "-0.24 SEK",
        "Total incl. VAT": "16,876.24 SEK",
        "ROT/RUT deduction": "-4,050.00 SEK",  # the same minus sign as the rounding's
        "Total to pay": "12,826.24 SEK",  # the customer's share
    }


def test_invoice_detail_in_euro_shows_the_currency_and_its_rate(office_client, api):
    stub_invoice(api, full_invoice(currencyCode="EUR", currencyRate=11.4525, totalAmountRounding=0))
    response, page = get(office_client, "/invoices/inv-1/")
    rows_table = re.search(r'<table class="rows">(.*?)</table>', page, re.S).group(1)
    totals = {
        text(th): text(td)
        for th, td in re.findall(r'<th scope="row" colspan="8">(.*?)</th><td class="num">(.*?)</td>', rows_table, re.S)
    }
    assert totals["Total incl. VAT"] == "16,876.24 EUR"
    assert totals["Currency rate to SEK"] == "11.4525"
    assert "Rounding" not in totals


def test_invoice_detail_shows_rot_property_deduction_and_distribution(office_client, api):
    stub_invoice(api, full_invoice())
    response, page = get(office_client, "/invoices/inv-1/")
    rot = section(page, "ROT/RUT")
    info = fields(rot)
    assert info == {
        "Property": "Condominium: association 769600-1234, apartment 1102",
        "Deduction basis": "13,500.00 SEK",
        "Deduction": "4,050.00 SEK",
        "Maximum deduction": "50,000.00 SEK",
    }
    assert [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", rot.split("<tbody>")[1], re.S)] == [
        ["Karin Berg", "19700101-1234", "50 %"],
        ["Per Berg", "19710202-2345", "50 %"],
    ]


def test_invoice_partial_payment_dates_are_stockholm_days(office_client, api):
    payments = [{"_id": "pay-1", "paymentDate": "2020-11-19T23:00:00.000Z", "amount": 5000}]
    stub_invoice(api, full_invoice(partiallyPaid=True, partialPayments=payments))
    response, page = get(office_client, "/invoices/inv-1/")
    payments_section = section(page, "Payments")
    assert "5,000.00 SEK" in payments_section
    assert "2020-11-19T23:00" not in payments_section
    assert "2020-11-20" in payments_section


@pytest.mark.parametrize("invoice_type", [0, 1])
def test_a_partly_paid_invoice_says_what_was_paid_and_what_is_left(office_client, api, invoice_type):
    payments = [
        {"_id": "pay-1", "paymentDate": "2020-11-19T23:00:00.000Z", "amount": 5000},
        {"_id": "pay-2", "paymentDate": "2020-11-26T23:00:00.000Z", "amount": 1876.24},
    ]
    doc = full_invoice(invoiceType=invoice_type, partiallyPaid=True, partialPayments=payments, sentDate="2020-11-05T08:00:00.000Z")
    if not invoice_type:
        doc["houseDeductionAmount"] = 0
    stub_invoice(api, doc)

    response, page = get(office_client, "/invoices/inv-1/")

    info = fields(section(page, "Payments"))
    assert info["Part payments in all"] == "6,876.24 SEK"
    # As the invoice overview counts it: the total less the payments.
    assert info["Left to pay"].startswith("10,000.00 SEK")
    assert ("Skatteverket" in info["Left to pay"]) is bool(invoice_type)


def test_a_paid_invoice_has_nothing_left_to_pay(office_client, api):
    payments = [{"_id": "pay-1", "paymentDate": "2020-11-19T23:00:00.000Z", "amount": 16876.24}]
    stub_invoice(api, full_invoice(partialPayments=payments, paymentDate="2020-11-19T23:00:00.000Z", sentDate="2020-11-05T08:00:00.000Z"))

    response, page = get(office_client, "/invoices/inv-1/")

    info = fields(section(page, "Payments"))
    assert info == {"Part payments in all": "16,876.24 SEK"}


def test_invoice_detail_without_rot_rut_type_has_no_deduction_section(office_client, api):
    stub_invoice(api, full_invoice(invoiceType=0))
    response, page = get(office_client, "/invoices/inv-1/")
    assert response.status_code == 200
    assert "<h2>ROT/RUT</h2>" not in page
    assert "ROT/RUT distribution" not in page


def test_a_reverse_charge_invoice_says_so(office_client, api):
    stub_invoice(api, full_invoice(invoiceType=3, houseProperties=None))
    _response, page = get(office_client, "/invoices/inv-1/")
    assert "Reverse charge" in text(re.search(r'<header class="detail-header">.*?</header>', page, re.S).group(0))
    assert "Reverse charge: no VAT on this invoice, the buyer accounts for it." in text(section(page, "Rows"))
    _response, page = get(office_client, "/invoices/inv-1/", **{"Accept-Language": "sv"})
    assert "Omvänd betalningsskyldighet" in text(page)
    stub_invoice(api, full_invoice(invoiceType=0))
    _response, page = get(office_client, "/invoices/inv-1/")
    assert "Reverse charge" not in page


def test_invoice_detail_dates_are_stockholm_days(office_client, api):
    stub_invoice(api, full_invoice(dueDate="2020-12-04T23:00:00.000Z", paymentDate="2020-12-01T23:30:00.000Z"))
    response, page = get(office_client, "/invoices/inv-1/")
    info = fields(page)
    assert info["Invoice date"] == "2020-11-05"
    assert info["Due date"] == "2020-12-05"
    assert info["Sent"] == "2020-11-13 15:35"
    assert info["Paid"] == "2020-12-02"
    assert text(re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)).count("Paid") == 1
    assert "2020-11-04" not in page
