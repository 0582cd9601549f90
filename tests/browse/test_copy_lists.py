"""List pages read from the local copy (issue 14): every filter over all records,
true totals, Swedish order, downloads of every match, and no call to Seven Time.
Each count is checked against the sandbox's own tables, not against the copy."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest

from dashboard.invoice_state import InvoiceState, invoice_state
from dashboard.models import CopyStatus
from dashboard.sync import engine
from seventime.client import SevenTimeClient
from seventime.records import Invoice
from seventime.sandbox import store
from tests.browse.pages import body_rows, cells, get, text

pytestmark = pytest.mark.django_db

# `copied` and `seventime_down`: tests/conftest.py


def summary(page: str) -> str:
    found = re.search(r'<p class="summary"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no summary"
    return text(found.group(1))


def test_lists_show_true_totals_beyond_the_api_cap_without_asking_seven_time(
    copied, superuser_client, seventime_down
):
    for url, collection in [
        ("/customers/", "customers"),
        ("/projects/", "projects"),
        ("/workorders/", "workOrders"),
        ("/users/", "users"),
        ("/invoices/", "invoices"),
    ]:
        response, page = get(superuser_client, url)
        assert response.status_code == 200, url
        total = len(store.all(collection))
        assert f"of {total} matches" in summary(page), url
        assert len(body_rows(page)) == min(25, total)
        assert "at most" not in page  # no 100-record notice
        assert re.search(r"Updated \d+ seconds? ago", text(page)), url
    assert len(store.all("invoices")) > 100
    # The last page of the invoices holds the oldest ones.
    _response, page = get(superuser_client, f"/invoices/?page={-(-len(store.all('invoices')) // 25)}")
    assert "Showing" in summary(page)
    assert seventime_down == []  # not one call, lookups included


def test_the_overdue_filter_counts_every_overdue_invoice(copied, office_client, seventime_down):
    invoices = [Invoice.from_api(doc) for doc in store.all("invoices")]
    overdue = sum(1 for invoice in invoices if invoice_state(invoice) == InvoiceState.OVERDUE)
    assert overdue > 5
    _response, page = get(office_client, "/invoices/?state=overdue")
    assert f"of {overdue} matches" in summary(page) or f"of {overdue} match" in summary(page)
    # Sorted by due date, over all of them.
    _response, page = get(office_client, "/invoices/?state=overdue&sort=due_date&dir=ascending")
    assert f"of {overdue} match" in summary(page)


def test_a_customers_work_orders_are_all_found_by_the_customers_id(copied, office_client, seventime_down):
    by_customer = Counter(doc.get("customer") for doc in store.all("workOrders") if doc.get("customer"))
    customer_id, count = by_customer.most_common(1)[0]
    _response, page = get(office_client, f"/workorders/?customer_id={customer_id}")
    assert f"of {count} match" in summary(page)
    customer = next(doc for doc in store.all("customers") if doc["_id"] == customer_id)
    assert f"Only the work orders of {customer['name']}" in text(page)


def test_filters_match_any_record_ignoring_case(copied, office_client, seventime_down):
    oldest = min(store.all("customers"), key=lambda doc: doc.get("createdDate") or "")
    _response, page = get(office_client, f"/customers/?name={oldest['name'][2:].upper()}")
    assert oldest["name"] in text(page)
    city = next(doc["city"] for doc in store.all("customers") if doc.get("city"))
    expected = sum(1 for doc in store.all("customers") if city.casefold() in (doc.get("city") or "").casefold())
    _response, page = get(office_client, f"/customers/?city={city.lower()}")
    assert f"of {expected} match" in summary(page)
    # A customer's invoices by exact customer number.
    number = store.all("invoices")[0]["customerNumber"]
    expected = sum(1 for doc in store.all("invoices") if doc.get("customerNumber") == number)
    _response, page = get(office_client, f"/invoices/?customer_number={number}")
    assert f"of {expected} match" in summary(page)


def test_names_sort_in_swedish_order_over_all_records(copied, office_client):
    from dashboard.api import get_client

    for name in ["Qx Örebro", "Qx Bergen", "Qx Åre", "Qx Zeta", "Qx Ängby", "Qx Båstad", "Qx 10", "Qx 9"]:
        get_client().create_customer({"name": name})
    engine.sync(full=True, entities=["customers"])
    _response, page = get(office_client, "/customers/?name=qx&sort=name&dir=ascending")
    names = [cells(row)[1] for row in body_rows(page)]
    assert names == ["Qx 9", "Qx 10", "Qx Bergen", "Qx Båstad", "Qx Zeta", "Qx Åre", "Qx Ängby", "Qx Örebro"]
    _response, page = get(office_client, "/customers/?name=qx&sort=name&dir=descending")
    assert [cells(row)[1] for row in body_rows(page)] == names[::-1]


def test_a_download_holds_every_matching_record(copied, office_client, seventime_down):
    response = office_client.get("/customers/?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) - 1 == len(store.all("customers")) > 100


def test_before_the_first_complete_sync_lists_ask_seven_time_and_show_the_copys_progress(office_client, db):
    from django.utils import timezone

    from dashboard.api import account_key
    from dashboard.models import SyncRun

    SyncRun.objects.create(
        account=account_key(), kind="full", started_at=timezone.now(), progress={"customers": {"done": 120, "total": None}}
    )
    _response, page = get(office_client, "/customers/")
    assert "The local copy is being built. 120 read so far." in text(page)
    assert "Showing 1–25" in summary(page)  # from Seven Time, as before the copy


def test_when_the_last_update_failed_the_list_says_so_and_still_shows_every_record(
    copied, office_client, seventime_down
):
    from django.utils import timezone

    from dashboard.models import CopyStatus

    CopyStatus.objects.filter(entity="customers").update(last_error="Seven Time did not answer.", last_error_at=timezone.now())
    _response, page = get(office_client, "/customers/")
    assert "The last update from Seven Time failed" in text(page)
    assert f"of {len(store.all('customers'))} match" in summary(page)


def test_the_age_reads_in_swedish(copied, office_client):
    office_client.cookies["django_language"] = "sv"
    _response, page = get(office_client, "/customers/", **{"Accept-Language": "sv"})
    assert re.search(r"Uppdaterad för \d+ sekunde?r? sedan", text(page))


def test_a_record_created_through_the_dashboard_is_in_its_list_at_once(copied, office_client):
    from tests.create.test_forms import fill, form_values, open_form

    data = fill(form_values(open_form(office_client, "customers")), name="Ödmjuka Nykunden AB")
    assert office_client.post("/customers/new/", data).status_code == 302
    # No sync has run since: the list shows it from what Seven Time answered the create.
    _response, page = get(office_client, "/customers/?name=ödmjuka")
    assert "Ödmjuka Nykunden AB" in text(page)
    assert f"of {len(store.all('customers'))} match" in summary(get(office_client, "/customers/")[1])


# --- detail pages ---


def test_a_detail_page_renders_from_the_copy_when_seven_time_is_down_and_its_check_says_so(
    copied, office_client, seventime_down
):
    customer = store.all("customers")[-1]
    response, page = get(office_client, f"/customers/{customer['_id']}/")
    assert response.status_code == 200 and customer["name"] in text(page)
    assert 'hx-get="/customers/%s/?check=1"' % customer["_id"] in page and "Updated" in text(page)
    assert seventime_down == []  # rendered without asking
    _response, note = get(office_client, f"/customers/{customer['_id']}/?check=1", **{"HX-Request": "true"})
    assert "Could not check with Seven Time." in text(note) and "The page shows the local copy." in text(note)
    assert len(seventime_down) == 1  # the check: one call


@pytest.mark.parametrize(
    ("kind", "related", "words"),
    [("customers", "contact_persons", "The contact persons could not be read from Seven Time."),
     ("projects", "work_orders", "The work orders could not be read from Seven Time.")],
)
def test_a_detail_page_whose_related_records_are_not_copied_yet_still_renders_when_seven_time_is_down(
    copied, office_client, seventime_down, kind, related, words
):
    # A fresh install: the records are copied, their contact persons (or work orders) not yet.
    CopyStatus.objects.filter(entity=related).update(last_complete_at=None)
    record = store.all(kind)[-1]
    response, page = get(office_client, f"/{kind}/{record['_id']}/")
    assert response.status_code == 200 and record["name"] in text(page)
    assert words in text(page) and "The dashboard could not reach Seven Time." in text(page)
    assert seventime_down  # it asked Seven Time for what the copy lacks


def test_the_check_updates_a_changed_record_in_the_copy_and_on_the_page(copied, office_client):
    from tests.sync.test_engine import replace_document

    invoice = dict(next(doc for doc in store.all("invoices") if doc.get("invoiceNumber")))
    _response, note = get(office_client, f"/invoices/{invoice['_id']}/?check=1", **{"HX-Request": "true"})
    assert "up to date" in text(note)
    invoice["customerName"] = "Ändrad Kund AB"
    replace_document("invoices", invoice)
    response, page = get(office_client, f"/invoices/{invoice['_id']}/?check=1", **{"HX-Request": "true"})
    assert response["HX-Retarget"] == "#detail" and response["HX-Reselect"] == "#detail"
    assert "had changed in Seven Time" in text(page) and "Ändrad Kund AB" in text(page)
    # The copy has it now: the list shows the new name without a sync.
    _response, page = get(office_client, f"/invoices/?invoice_number={invoice['invoiceNumber']}")
    assert "Ändrad Kund AB" in text(page)


def test_the_check_waits_for_no_one_when_the_rate_limit_has_no_room(copied, office_client, monkeypatch):
    from seventime.errors import RateLimited

    def busy(self, method, path, **kwargs):
        from seventime.ratelimit import SPARE, current_priority

        assert current_priority() == SPARE
        raise RateLimited("busy", retry_after=1)

    monkeypatch.setattr(SevenTimeClient, "_request", busy)
    project = store.all("projects")[0]
    _response, note = get(office_client, f"/projects/{project['_id']}/?check=1", **{"HX-Request": "true"})
    assert "rate limit has no room" in text(note)


def test_a_record_gone_from_seven_time_is_marked_gone_by_the_check(copied, office_client):
    from seventime.sandbox.models import Document

    order = store.all("workOrders")[0]
    Document.objects.filter(collection="workOrders", doc_id=order["_id"]).delete()
    _response, note = get(office_client, f"/workorders/{order['_id']}/?check=1", **{"HX-Request": "true"})
    assert "Seven Time no longer has this record." in text(note)
    from dashboard.models import SyncedRecord

    assert SyncedRecord.objects.get(entity="work_orders", record_id=order["_id"]).gone_at is not None


def test_a_record_not_yet_in_the_copy_is_fetched_live(transactional_db, copied, office_client):
    from dashboard.api import get_client

    created = get_client().create_customer({"name": "Inte Kopierad AB"})
    response, page = get(office_client, f"/customers/{created.id}/")
    assert response.status_code == 200 and "Inte Kopierad AB" in text(page)
    assert "?check=1" not in page
