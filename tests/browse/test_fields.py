"""Issue 16: every documented field on its page, contact person and department pages,
and the small things (helpers: pages.py)."""

from __future__ import annotations

import re

import pytest

from tests.browse.pages import (
    DETAIL_LOOKUPS,
    called_paths,
    contact_doc,
    fields,
    full_invoice,
    get,
    stub,
    stub_invoice,
    stub_lookups,
    text,
    user_doc,
    work_order_doc,
)

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def department_doc(**fields):
    return {"_id": "dept-dev", "name": "Utveckling", "departmentNumber": "2", "isActive": True, "managerIds": ["user-1"]} | fields


def stub_department(api, doc=None, members=None):
    stub_lookups(api, ["users"])
    stub(api, "departments/dept-dev", doc or department_doc())
    stub(api, "users", members if members is not None else [user_doc()], {"department": "dept-dev", "sortBy": "lastName", "sortDirection": "ascending"})


def test_invoice_page_shows_every_field_the_issue_names(office_client, api):
    stub_invoice(
        api,
        full_invoice(
            invoiceType=3,
            createdByUser="user-1",
            createdByUserName="Lucas Hellström",
            createDate="2020-11-13T14:35:28.797Z",
            customerOrgNo="556677-8899",
            customerVAT="SE556677889901",
            quote="q-1",
            quoteNumber="1058",
            supplementOrder="s-1",
            supplementOrderNumber="77",
            workOrderIds=["wo-1", "wo-2"],
            discountInPercent=5,
            exportedToEconomy=True,
            description=f"Fakturan {SCRIPT}",
            invoiceStatus=2,
            invoiceLogEntries=[{"logDate": "2020-11-13T14:35:28.797Z", "logType": 4, "description": "Skickad"}],
        ),
    )
    response, page = get(office_client, "/invoices/inv-1/")
    info = fields(page)
    assert info["Type"] == "Construction (reverse VAT)"
    assert info["Created by"] == "Lucas Hellström"
    assert info["Created"] == "2020-11-13 15:35"
    assert info["Customer's org. / personal number"] == "556677-8899"
    assert info["Customer's VAT number"] == "SE556677889901"
    assert info["Quote number"] == "1058"
    assert info["Supplement order number"] == "77"
    assert info["Work orders"].replace(" ,", ",") == "4843, Work order 2"
    assert 'href="/workorders/wo-2/"' in page
    assert info["Discount"] == "5 %"
    assert info["Exported to the accounts"] == "Yes"
    # The state once (the header's badge); its code only under More.
    assert page.count('class="badge state-') == 1
    assert "status code in Seven Time" not in page
    more = re.search(r'<details class="more">(.*?)</details>', page, re.S).group(1)
    assert "Status code in Seven Time" in more and fields(more)["Status code in Seven Time"] == "2 (Sent)"
    assert "Skickad (type 4)" in text(page)
    # Text from the API is text.
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert "Fakturan" in text(page)


def test_work_order_page_shows_the_flags_the_form_sets_and_its_lists(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["workorders"])
    doc = work_order_doc(
        machines=["m-1", "m-2"],
        isSupplementOrder=True,
        enablePortalAccess=True,
        allowRegistrationOfTimes=True,
        allowRegistrationOfExpenses=False,
        todoItems=[{"_id": "t1", "title": f"Beställ {SCRIPT}"}],
        reminders=[{"text": "Ring kunden"}],
        relations=[{"_id": "r1", "type": "workOrder", "number": 4844}],
        contactPerson="contact-1",
        contactPersonName="Tommy Hellström",
        department="dept-dev",
    )
    stub(api, "workOrders/wo-1", doc)
    response, page = get(office_client, "/workorders/wo-1/")
    info = fields(page)
    assert info["Supplement order"] == "Yes"
    assert info["In the customer portal"] == "Yes"
    assert info["Times can be registered"] == "Yes"
    assert info["Expenses can be registered"] == "No"
    assert info["Machines"] == "2 machines (m-1, m-2)"
    body = text(page)
    assert f"Beställ {SCRIPT}" in body and SCRIPT not in page
    assert "Ring kunden" in body and "workOrder · 4844" in body
    assert 'href="/contactpersons/contact-1/"' in page  # office may browse customers
    assert 'href="/departments/dept-dev/"' not in page  # but not users, so not departments


def test_customer_page_shows_subject_billing_method_and_price_and_links_contacts(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(
        api,
        "customers/cust-1",
        {
            "_id": "cust-1",
            "name": "Bergström Bygg AB",
            "billingMethod": "HOURLY",
            "pricePerHour": 650,
            "billingSettings": {"defaultEmailSubject": f"Faktura {SCRIPT}"},
        },
    )
    stub(api, "contactPersons", [contact_doc()], {"customerId": "cust-1", "sortBy": "name"})
    response, page = get(office_client, "/customers/cust-1/")
    info = fields(page)
    assert info["Subject of invoice e-mails"] == f"Faktura {SCRIPT}"
    assert SCRIPT not in page
    assert info["Billing method"] == "Hourly price"
    assert info["Price per hour"] == "650.00 SEK"
    assert 'href="/contactpersons/contact-1/"' in page


def test_project_page_shows_quote_colour_and_settings(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    stub(
        api,
        "projects/proj-1",
        {"_id": "proj-1", "name": "Blåsippan", "quote": "q-1", "quoteNumber": "1058", "color": "9c27b0", "enableConstructionDiary": True, "enablePaymentPlans": False},
    )
    stub(api, "workOrders", [], {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    response, page = get(office_client, "/projects/proj-1/")
    info = fields(page)
    assert info["Quote number"] == "1058"
    assert info["Colour"] == "Purple"
    assert info["Construction diary"] == "Yes"
    assert info["Payment plans"] == "No"


def test_contact_person_page_live_when_not_copied(office_client, api):
    stub(api, "contactPersons/contact-1", contact_doc(customerName="Bergström Bygg AB", workPhone="046-55", title=SCRIPT))
    response, page = get(office_client, "/contactpersons/contact-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Customer"] == "Bergström Bygg AB" and info["Work phone"] == "046-55" and info["Main contact"] == "Yes"
    assert info["Title"] == SCRIPT and SCRIPT not in page
    assert 'href="/customers/cust-1/"' in page  # breadcrumb and field


def test_contact_person_unknown_id_is_404(office_client, api):
    stub(api, "contactPersons/nobody", status=404, json={"errorMessage": "Not found"})
    response, page = get(office_client, "/contactpersons/nobody/")
    assert response.status_code == 404


def test_department_page_lists_its_users_and_names_its_managers(manager_client, api):
    stub_department(api)
    response, page = get(manager_client, "/departments/dept-dev/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Department number"] == "2" and info["Managers"] == "Felix Hellström"
    assert "Hellström, Felix" in text(page) and 'href="/users/?department=dept-dev"' in page


def test_new_pages_keep_the_access_rules(office_client, plain_client, api):
    # Departments need the users' permission (office has not); contact persons the customers'.
    assert office_client.get("/departments/dept-dev/").status_code == 403
    assert plain_client.get("/contactpersons/contact-1/").status_code == 403
    assert not called_paths(api)


def test_user_page_links_its_department_page(manager_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["users"])
    stub(api, "users/user-1", user_doc())
    _response, page = get(manager_client, "/users/user-1/")
    assert 'href="/departments/dept-dev/"' in page


def test_new_pages_read_the_copy_with_no_call(manager_client, api):
    from django.utils import timezone

    from dashboard.api import account_key
    from dashboard.models import CopyStatus
    from dashboard.sync import copy
    from dashboard.sync.entities import ENTITIES

    now = timezone.now()
    for entity, docs in {
        "contact_persons": [contact_doc(customerName="Bergström Bygg AB")],
        "departments": [department_doc()],
        "users": [user_doc()],
    }.items():
        copy.put(account_key(), entity, docs, now)
        CopyStatus.objects.update_or_create(
            account=account_key(), entity=entity, defaults={"last_complete_at": now, "last_full_at": now, "complete": True, "count": len(docs)}
        )
    assert ENTITIES["departments"]
    stub_lookups(api, ["users"])  # the users lookup may still come from the API's cache path
    response, page = get(manager_client, "/contactpersons/contact-1/")
    assert response.status_code == 200 and "Tommy Hellström" in page
    response, page = get(manager_client, "/departments/dept-dev/")
    assert response.status_code == 200 and "Hellström, Felix" in text(page)
    assert not [path for path in called_paths(api) if path.startswith(("contactPersons", "departments"))]


def test_navigation_links_the_admin_for_staff_only(office_client, django_user_model, api):
    stub_lookups(api)
    assert 'href="/admin/"' not in office_client.get("/").content.decode()
    office_client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    assert 'href="/admin/"' in office_client.get("/").content.decode()


def test_admin_speaks_swedish_with_the_dashboards_name(superuser_client):
    page = superuser_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Profiler" in page and "Skapandeförsök" in page
    assert "Profils" not in page and "Create attempts" not in page
    assert "Seven Time-panelen" in page and "Django" not in re.sub(r"<[^>]+>", "", page).split("Seven Time-panelen")[0]
