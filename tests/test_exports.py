"""CSV and XLSX downloads of every list, with its current filters, against the sandbox's
demo data (the in-process sandbox: settings.SEVENTIME_API_URL is empty).

CSV: UTF-8 with a byte-order mark, a header row, one row per listed record, Swedish
characters intact. XLSX: opened with openpyxl, numbers are numeric cells with a number
format and dates are date cells. Expected rows come straight from the sandbox's raw
documents, filtered here the way the sandbox API documents its filters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from dashboard.overview import sync as invoice_sync
from seventime.sandbox import store

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
BOM = b"\xef\xbb\xbf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers ---


def stockholm_day(text) -> dt.date | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(STOCKHOLM).date()


def stockholm_time(text) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(STOCKHOLM).replace(tzinfo=None)


def contains(value, wanted: str) -> bool:
    return wanted.casefold() in str(value or "").casefold()


def read_csv(response, delimiter=",") -> tuple[list[str], list[dict[str, str]]]:
    """A CSV download as a spreadsheet reads it: English pages' with commas, Swedish
    pages' with semicolons (`delimiter=";"`)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith(BOM), body[:20]
    assert not body[3:].startswith(BOM)  # exactly one
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline=""), delimiter=delimiter))
    header, data = rows[0], rows[1:]
    return header, [dict(zip(header, row, strict=True)) for row in data]


def read_xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return sheet, header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


def assert_attachment(response, name: str, fmt: str) -> None:
    disposition = response["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="([^"/\\]+)"', disposition)
    assert match, disposition
    filename = match.group(1)
    today = dt.datetime.now(STOCKHOLM).date().isoformat()
    assert filename == f"{name}-{today}.{fmt}", filename


def assert_number_cell(cell, fmt: str | None = None) -> None:
    assert cell.data_type == "n" and isinstance(cell.value, (int, float)), (cell.coordinate, cell.value)
    assert not isinstance(cell.value, bool)
    assert cell.number_format != "General", cell.coordinate
    if fmt:
        assert cell.number_format == fmt, (cell.coordinate, cell.number_format)


def assert_date_cell(cell, expected: dt.date) -> None:
    assert cell.is_date, (cell.coordinate, cell.value, cell.number_format)
    assert isinstance(cell.value, dt.datetime | dt.date)
    value = cell.value.date() if isinstance(cell.value, dt.datetime) else cell.value
    assert value == expected, cell.coordinate
    assert cell.number_format == "yyyy-mm-dd"


def listed_count(client, url: str) -> int:
    """The number of records the list page says it shows for the same filters."""
    text = client.get(url).content.decode()
    match = re.search(r"Showing \d+–\d+ of (\d+) match", text)
    return int(match.group(1)) if match else 0


# --- customers ---


def test_customers_csv_has_one_row_per_filtered_customer_with_swedish_characters(manager_client):
    expected = [c for c in store.all("customers") if contains(c.get("city"), "Höganäs")]
    assert 0 < len(expected) < 100
    response = manager_client.get("/customers/", {"city": "Höganäs", "export": "csv"})
    header, rows = read_csv(response)
    assert header[:3] == ["Customer number", "Name", "Org. / personal number"]
    assert "City" in header and "Created" in header
    assert len(rows) == len(expected) == listed_count(manager_client, "/customers/?city=H%C3%B6gan%C3%A4s")
    assert {row["City"] for row in rows} == {"Höganäs"}
    assert sorted(row["Name"] for row in rows) == sorted(c["name"] for c in expected)
    assert "Höganäs".encode() in response.content  # UTF-8, not Latin-1 or mangled
    assert_attachment(response, "customers", "csv")


def test_customers_csv_respects_a_local_filter_too(manager_client):
    expected = [c for c in store.all("customers") if contains(c.get("city"), "Båstad") and not c.get("isActive")]
    _header, rows = read_csv(manager_client.get("/customers/", {"city": "Båstad", "active": "false", "export": "csv"}))
    assert sorted(row["Customer number"] for row in rows) == sorted(c["customerNumber"] for c in expected)
    assert {row["Active"] for row in rows} <= {"No"}  # as the page says it


def test_customers_xlsx_has_numbers_and_dates_as_cells(manager_client):
    expected = {c["customerNumber"]: c for c in store.all("customers") if contains(c.get("city"), "Ängelholm")}
    response = manager_client.get("/customers/", {"city": "Ängelholm", "export": "xlsx"})
    sheet, header, rows = read_xlsx(response)
    assert_attachment(response, "customers", "xlsx")
    assert header[0] == "Customer number"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert len(rows) == len(expected) > 0
    for row in rows:
        customer = expected[str(row["Customer number"].value)]
        assert row["City"].value == "Ängelholm"
        assert row["Name"].value == customer["name"]
        assert_number_cell(row["Payment days"])
        assert row["Payment days"].value == customer["paymentDays"]
        created = row["Created"]
        assert created.is_date and created.number_format == "yyyy-mm-dd hh:mm"
        assert abs(created.value - stockholm_time(customer["createdDate"])) < dt.timedelta(seconds=1)


# --- projects ---


def test_projects_csv_and_xlsx(manager_client):
    expected = {p["projectNumber"]: p for p in store.all("projects") if contains(p.get("name"), "badrumsrenovering")}
    assert 0 < len(expected) < 100
    header, rows = read_csv(manager_client.get("/projects/", {"name": "badrumsrenovering", "export": "csv"}))
    assert header[:3] == ["Project number", "Name", "Customer"]
    assert sorted(row["Project number"] for row in rows) == sorted(expected)
    assert len(rows) == listed_count(manager_client, "/projects/?name=badrumsrenovering")
    for row in rows:
        project = expected[row["Project number"]]
        assert row["Name"] == project["name"]
        assert row["Start"] == (stockholm_day(project["startDate"]).isoformat() if project.get("startDate") else "")

    response = manager_client.get("/projects/", {"name": "badrumsrenovering", "export": "xlsx"})
    _sheet, _header, xrows = read_xlsx(response)
    assert_attachment(response, "projects", "xlsx")
    assert len(xrows) == len(expected)
    for row in xrows:
        project = expected[str(row["Project number"].value)]
        if project.get("pricePerHour") not in (None, ""):
            assert_number_cell(row["Price per hour"], "#,##0.00")
            assert Decimal(str(row["Price per hour"].value)) == Decimal(str(project["pricePerHour"]))
        if project.get("startDate"):
            assert_date_cell(row["Start"], stockholm_day(project["startDate"]))


# --- work orders ---


def test_work_orders_csv_and_xlsx(manager_client):
    expected = {w["workOrderNumber"]: w for w in store.all("workOrders") if contains(w.get("title"), "Byte av element")}
    expected = {str(k): v for k, v in expected.items()}
    assert 0 < len(expected) < 100
    response = manager_client.get("/workorders/", {"title": "Byte av element", "export": "csv"})
    header, rows = read_csv(response)
    assert_attachment(response, "work-orders", "csv")
    assert header[:2] == ["Work order number", "Title"]
    assert sorted(row["Work order number"] for row in rows) == sorted(expected)
    assert all(row["Title"] == expected[row["Work order number"]]["title"] for row in rows)

    _sheet, _header, xrows = read_xlsx(manager_client.get("/workorders/", {"title": "Byte av element", "export": "xlsx"}))
    assert len(xrows) == len(expected)
    checked_time = checked_start = 0
    for row in xrows:
        order = expected[str(row["Work order number"].value)]
        if order.get("estimatedTime") not in (None, ""):
            assert_number_cell(row["Estimated time (h)"])
            assert Decimal(str(row["Estimated time (h)"].value)) == Decimal(str(order["estimatedTime"]))
            checked_time += 1
        if order.get("startDate"):
            start = row["Start"]
            assert start.is_date and start.number_format == "yyyy-mm-dd hh:mm"
            assert abs(start.value - stockholm_time(order["startDate"])) < dt.timedelta(seconds=1)
            checked_start += 1
    assert checked_time and checked_start


# --- users (Managers only) ---


def test_users_csv_and_xlsx(manager_client):
    def matches(u):
        return any(contains(u.get(key), "berg") for key in ("firstName", "lastName", "userName"))

    expected = {u["userName"]: u for u in store.all("users") if matches(u)}
    assert 0 < len(expected) < 100
    response = manager_client.get("/users/", {"name": "berg", "export": "csv"})
    header, rows = read_csv(response)
    assert_attachment(response, "users", "csv")
    assert header[:3] == ["First name", "Last name", "Username"]
    assert sorted(row["Username"] for row in rows) == sorted(expected)
    assert len(rows) == listed_count(manager_client, "/users/?name=berg")
    names = {f"{row['First name']} {row['Last name']}" for row in rows}
    assert names == {f"{u['firstName']} {u['lastName']}" for u in expected.values()}
    assert any(set(name) & set("åäöÅÄÖé") for name in names), names  # Swedish letters survive
    _sheet, _header, xrows = read_xlsx(manager_client.get("/users/", {"name": "berg", "export": "xlsx"}))
    assert sorted(row["Username"].value for row in xrows) == sorted(expected)


def test_office_staff_cannot_download_users(office_client):
    assert office_client.get("/users/", {"export": "csv"}).status_code == 403


# --- invoices ---


def customer_number_with_invoices() -> str:
    counts: dict[str, int] = {}
    for d in store.all("invoices"):
        counts[d["customerNumber"]] = counts.get(d["customerNumber"], 0) + 1
    numbers = [n for n, count in counts.items() if count >= 4 and sum(n in m for m in counts) == 1]
    return sorted(numbers)[0]


def test_invoices_csv_and_xlsx(manager_client):
    number = customer_number_with_invoices()
    expected = {d["invoiceNumber"]: d for d in store.all("invoices") if number in d["customerNumber"]}
    response = manager_client.get("/invoices/", {"customer_number": number, "export": "csv"})
    header, rows = read_csv(response)
    assert_attachment(response, "invoices", "csv")
    assert "Amount incl. VAT" in header and "State" in header
    assert sorted(row["Invoice number"] for row in rows) == sorted(expected)
    assert len(rows) == listed_count(manager_client, f"/invoices/?customer_number={number}")
    for row in rows:
        invoice = expected[row["Invoice number"]]
        assert Decimal(row["Amount incl. VAT"]) == Decimal(str(invoice["totalAmountInclTax"]))
        assert row["Invoice date"] == stockholm_day(invoice["invoiceDate"]).isoformat()
        assert row["Due date"] == stockholm_day(invoice["dueDate"]).isoformat()
        assert row["Currency"] == invoice["currencyCode"]

    response = manager_client.get("/invoices/", {"customer_number": number, "export": "xlsx"})
    _sheet, _header, xrows = read_xlsx(response)
    assert_attachment(response, "invoices", "xlsx")
    assert len(xrows) == len(expected)
    for row in xrows:
        invoice = expected[str(row["Invoice number"].value)]
        amount = row["Amount incl. VAT"]
        assert_number_cell(amount, "#,##0.00")
        assert Decimal(str(amount.value)) == Decimal(str(invoice["totalAmountInclTax"]))
        assert_number_cell(row["Amount excl. VAT"], "#,##0.00")
        assert_date_cell(row["Invoice date"], stockholm_day(invoice["invoiceDate"]))
        assert_date_cell(row["Due date"], stockholm_day(invoice["dueDate"]))
        assert isinstance(row["State"].value, str)


def test_invoices_csv_respects_the_local_state_filter(manager_client):
    _header, all_rows = read_csv(manager_client.get("/invoices/", {"export": "csv"}))
    _header, overdue = read_csv(manager_client.get("/invoices/", {"state": "overdue", "export": "csv"}))
    assert overdue and len(overdue) < len(all_rows)
    assert {row["State"] for row in overdue} == {"Overdue"}
    assert len(overdue) == listed_count(manager_client, "/invoices/?state=overdue")


def test_invoice_date_in_csv_is_the_stockholm_day_not_the_utc_day(manager_client):
    # Sandbox invoice dates are midnight in Stockholm: 22:00Z or 23:00Z the day before.
    _header, rows = read_csv(manager_client.get("/invoices/", {"export": "csv"}))
    by_number = {d["invoiceNumber"]: d for d in store.all("invoices")}
    for row in rows:
        utc_day = by_number[row["Invoice number"]]["invoiceDate"][:10]
        assert row["Invoice date"] != utc_day


# --- the overview's lists ---


def sandbox_overdue(today: dt.date) -> list[tuple[int, str, Decimal]]:
    """(days overdue, invoice number, left to pay) of every overdue sandbox invoice."""
    rows = []
    for d in store.all("invoices"):
        if d.get("invoiceStatus") == 4:  # voided (Seven Time's "Obliterated"): owed by nobody
            continue
        if d.get("isCreditInvoice") or d.get("isCredited") or d.get("creditInvoice") or d.get("archived"):
            continue
        if d.get("paymentDate") or not d.get("sentDate"):
            continue
        due = stockholm_day(d.get("dueDate"))
        if due is None or due >= today:
            continue
        paid = sum((Decimal(str(p["amount"])) for p in d.get("partialPayments") or []), Decimal(0))
        rows.append(((today - due).days, d["invoiceNumber"], Decimal(str(d["totalAmountInclTax"])) - paid))
    return sorted(rows, key=lambda row: (-row[0], row[1]))


@pytest.fixture
def synced(db):
    """The overview's copy of the sandbox's invoices (a full sweep, in-process)."""
    run = invoice_sync.sync_invoices()
    assert run.complete and run.invoice_count == 600
    return run


def test_overview_overdue_list_xlsx_has_one_row_per_overdue_invoice_by_days(manager_client, synced):
    today = dt.datetime.now(STOCKHOLM).date()
    expected = sandbox_overdue(today)
    response = manager_client.get("/overview/", {"export": "xlsx"})
    sheet, header, rows = read_xlsx(response)
    assert_attachment(response, "overdue-invoices", "xlsx")
    assert header[-4:] == ["Outstanding", "Days overdue", "Reminder date", "Customer e-mail"]
    assert [(row["Days overdue"].value, str(row["Invoice number"].value)) for row in rows] == [
        (days, number) for days, number, _left in expected
    ]
    for row, (_days, _number, left) in zip(rows, expected, strict=True):
        assert_number_cell(row["Days overdue"])
        assert_number_cell(row["Outstanding"], "#,##0.00")
        assert Decimal(str(row["Outstanding"].value)) == left
        assert_number_cell(row["Amount incl. VAT"], "#,##0.00")
        assert_date_cell(row["Due date"], today - dt.timedelta(days=row["Days overdue"].value))
        if row["Reminder date"].value is not None:
            assert row["Reminder date"].is_date
    reminders = [row["Reminder date"] for row in rows if row["Reminder date"].value is not None]
    assert reminders and all(cell.number_format == "yyyy-mm-dd" for cell in reminders)


def test_overview_overdue_list_csv_respects_the_filters(manager_client, synced):
    today = dt.datetime.now(STOCKHOLM).date()
    raw = {d["invoiceNumber"]: d for d in store.all("invoices")}
    expected = [row for row in sandbox_overdue(today) if contains(raw[row[1]]["customerName"], "ab")]
    response = manager_client.get("/overview/", {"customer": "ab", "export": "csv"})
    header, rows = read_csv(response)
    assert_attachment(response, "overdue-invoices", "csv")
    assert [(int(row["Days overdue"]), row["Invoice number"]) for row in rows] == [(d, n) for d, n, _l in expected]
    assert all(Decimal(row["Outstanding"]) == left for row, (_d, _n, left) in zip(rows, expected, strict=True))


def test_overview_bucket_list_csv_over_90_days(manager_client, synced):
    today = dt.datetime.now(STOCKHOLM).date()
    expected = [row for row in sandbox_overdue(today) if row[0] > 90]
    assert expected
    response = manager_client.get("/overview/invoices/?bucket=90%2B&export=csv")
    header, rows = read_csv(response)
    assert_attachment(response, "invoices", "csv")
    assert header[-1] == "Outstanding"
    assert [row["Invoice number"] for row in rows] == [number for _days, number, _left in expected]
    assert [Decimal(row["Outstanding"]) for row in rows] == [left for _d, _n, left in expected]
    for row in rows:
        due = dt.date.fromisoformat(row["Due date"])
        assert (today - due).days > 90


def test_overview_bucket_list_xlsx(manager_client, synced):
    today = dt.datetime.now(STOCKHOLM).date()
    expected = [row for row in sandbox_overdue(today) if 31 <= row[0] <= 60]
    _sheet, _header, rows = read_xlsx(manager_client.get("/overview/invoices/", {"bucket": "31-60", "export": "xlsx"}))
    assert [str(row["Invoice number"].value) for row in rows] == [number for _d, number, _l in expected]
    for row in rows:
        assert_number_cell(row["Outstanding"], "#,##0.00")
        assert row["Due date"].is_date


def test_download_links_on_the_overview_keep_the_filters(manager_client, synced):
    text = manager_client.get("/overview/", {"customer": "ab"}).content.decode()
    assert 'href="?customer=ab&amp;export=csv"' in text
    assert 'href="?customer=ab&amp;export=xlsx"' in text
    text = manager_client.get("/overview/invoices/", {"bucket": "90+", "customer": "ab"}).content.decode()
    assert 'href="?bucket=90%2B&amp;customer=ab&amp;export=csv"' in text


@pytest.mark.parametrize("url", ["/customers/", "/projects/", "/workorders/", "/users/", "/invoices/"])
def test_every_list_offers_both_downloads(manager_client, url):
    text = manager_client.get(url).content.decode()
    assert 'export=csv' in text and 'export=xlsx' in text


def test_unknown_export_format_shows_the_page(manager_client):
    response = manager_client.get("/customers/", {"export": "pdf"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


# --- known defects ---


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text(manager_client, api):
    from tests.conftest import API

    name = '=HYPERLINK("https://evil.example/","Klicka här")'
    api.get(API + "customers", json=[{"_id": "c1", "customerNumber": "1001", "name": name, "city": "Lund"}])
    api.get(API + "priceLists", json=[])
    _sheet, _header, rows = read_xlsx(manager_client.get("/customers/", {"export": "xlsx"}))
    cell = rows[0]["Name"]
    assert cell.data_type == "s" and cell.value == name


def test_whole_numbers_are_formatted_without_a_trailing_decimal_point(manager_client, synced):
    # "0.##" would show 45 as "45." in Excel and LibreOffice.
    _sheet, _header, rows = read_xlsx(manager_client.get("/overview/", {"export": "xlsx"}))
    assert rows and {row["Days overdue"].number_format for row in rows} == {"0"}
    _sheet, _header, rows = read_xlsx(manager_client.get("/customers/", {"city": "Lund", "export": "xlsx"}))
    assert rows and {row["Payment days"].number_format for row in rows} == {"0"}


def test_csv_says_what_the_page_says_in_its_language(manager_client):
    """Billing methods by name, yes/no in the page's language, times to the minute."""
    _header, rows = read_csv(
        manager_client.get("/projects/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="sv"), delimiter=";"
    )
    methods = {row["Debiteringssätt"] for row in rows}
    assert methods and not methods & {"HOURLY", "FIXED_PRICE", "PERUSER", "PRICELIST"}, methods
    assert {row["Aktiv"] for row in rows} <= {"Ja", "Nej"}
    _header, rows = read_csv(manager_client.get("/customers/", {"export": "csv"}))
    created = [row["Created"] for row in rows if row["Created"]]
    assert created and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", value) for value in created), created[:3]


@pytest.mark.parametrize("url", ["/customers/", "/invoices/"])
def test_xlsx_replaces_control_characters_xml_cannot_hold(manager_client, api, url):
    from tests.conftest import API

    api.get(API + "priceLists", json=[])
    api.get(API + "invoiceTags", json=[])
    api.get(
        API + "customers",
        json=[{"_id": "c1", "customerNumber": "1001", "name": "Bygg\x01AB\x1b[31m", "city": "Lu\x00nd"}],
    )
    api.get(
        API + "invoices",
        json=[{"_id": "i1", "invoiceNumber": "24481", "customerName": "Ek\x00 & Son\x1f", "marking": "a\tb"}],
    )
    _sheet, header, rows = read_xlsx(manager_client.get(url, {"export": "xlsx"}))
    names = [cell.value for cell in (rows[0].get("Name") or rows[0].get("Customer"),)]
    assert names in (["Bygg\ufffdAB\ufffd[31m"], ["Ek\ufffd & Son\ufffd"]), names


def test_the_overviews_xlsx_survives_a_control_character_in_an_invoice(manager_client, synced):
    # NUL as Seven Time might send it: the copy keeps the invoices (PostgreSQL refuses
    # the character in JSON and text columns) and the sheet shows where it was.
    from django.utils import timezone

    from dashboard.api import account_key
    from dashboard.models import SyncedRecord
    from dashboard.sync import copy

    documents = SyncedRecord.objects.filter(entity="invoices").values_list("data", flat=True)
    copy.put(account_key(), "invoices", [{**doc, "customerName": "Nul\x00l AB"} for doc in documents], timezone.now())
    _sheet, _header, rows = read_xlsx(manager_client.get("/overview/", {"export": "xlsx"}))
    assert rows and {row["Customer"].value for row in rows} == {"Nul\ufffdl AB"}


# --- what a Swedish office opens at once ---


def swedish_decimal(text: str) -> Decimal | None:
    """A Swedish spreadsheet's number: decimal comma, no thousands separator."""
    if text == "":
        return None
    assert "." not in text and " " not in text and "\xa0" not in text, text
    return Decimal(text.replace(",", "."))


def test_swedish_csv_has_semicolons_and_decimal_commas_and_the_records_amounts(manager_client):
    number = customer_number_with_invoices()
    expected = {d["invoiceNumber"]: d for d in store.all("invoices") if number in d["customerNumber"]}
    response = manager_client.get(
        "/invoices/", {"customer_number": number, "export": "csv"}, HTTP_ACCEPT_LANGUAGE="sv"
    )
    assert response.content.startswith(BOM)
    first_line = response.content[3:].decode("utf-8").splitlines()[0]
    assert first_line.count(";") >= 5 and "," not in first_line  # the header: one field per column
    header, rows = read_csv(response, delimiter=";")
    assert "Fakturanummer" in header and "Belopp inkl. moms" in header, header
    assert sorted(row["Fakturanummer"] for row in rows) == sorted(expected)
    fractions = 0
    for row in rows:
        invoice = expected[row["Fakturanummer"]]
        assert swedish_decimal(row["Belopp inkl. moms"]) == Decimal(str(invoice["totalAmountInclTax"]))
        assert swedish_decimal(row["Moms"]) == Decimal(str(invoice["totalTaxAmount"]))
        fractions += "," in row["Moms"]
    assert fractions, "no amount with öre: the decimal comma was not tried"


def test_english_csv_keeps_commas_and_decimal_points(manager_client):
    response = manager_client.get("/invoices/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    header, rows = read_csv(response)
    assert "Amount incl. VAT" in header
    amounts = [row["VAT"] for row in rows if row["VAT"]]
    assert amounts and all(re.fullmatch(r"-?\d+(\.\d+)?", amount) for amount in amounts), amounts[:5]
    assert any("." in amount for amount in amounts)


def test_csv_conventions_follow_the_language():
    from dashboard.exports import ExportColumn, to_csv

    columns = [ExportColumn("Namn", lambda r: r[0]), ExportColumn("Belopp", lambda r: r[1], "money")]
    rows = [("Ek; Son", Decimal("-1234.50")), ("=1+1", Decimal("0.05"))]
    swedish = list(csv.reader(io.StringIO(to_csv(columns, rows, "sv")[3:].decode()), delimiter=";"))
    assert swedish == [["Namn", "Belopp"], ["Ek; Son", "-1234,50"], ["'=1+1", "0,05"]]
    english = list(csv.reader(io.StringIO(to_csv(columns, rows, "en")[3:].decode())))
    assert english == [["Namn", "Belopp"], ["Ek; Son", "-1234.50"], ["'=1+1", "0.05"]]


def test_xlsx_has_number_cells_for_numeric_ids_fitted_widths_a_filter_and_a_frozen_header(manager_client):
    number = customer_number_with_invoices()
    expected = {d["invoiceNumber"]: d for d in store.all("invoices") if number in d["customerNumber"]}
    response = manager_client.get("/invoices/", {"customer_number": number, "export": "xlsx"})
    sheet, header, rows = read_xlsx(response)
    assert sheet.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(header))
    assert sheet.auto_filter.ref == f"A1:{last}{len(rows) + 1}"
    for row in rows:
        invoice = expected[str(row["Invoice number"].value)]
        for label, key in (("Invoice number", "invoiceNumber"), ("Customer number", "customerNumber"), ("OCR number", "OCRNumber")):
            assert_number_cell(row[label], "0")
            assert row[label].value == int(invoice[key])
    # Each column fits its longest value (or header), within bounds.
    for index, label in enumerate(header, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        width = sheet.column_dimensions[letter].width
        texts = [len(row[label].value) for row in rows if isinstance(row[label].value, str)]
        longest = max([len(str(label)), *texts])
        assert 8 <= width <= 60, (label, width)
        assert width >= min(longest, 59), (label, width, longest)
    customer = sheet.column_dimensions[openpyxl.utils.get_column_letter(header.index("Customer") + 1)].width
    currency = sheet.column_dimensions[openpyxl.utils.get_column_letter(header.index("Currency") + 1)].width
    assert customer > currency  # fitted, not one width for all


def test_xlsx_keeps_ids_that_would_change_as_numbers_as_text(manager_client, api):
    from tests.conftest import API

    api.get(API + "priceLists", json=[])
    api.get(
        API + "customers",
        json=[
            {"_id": "c1", "customerNumber": "00123", "name": "Nollan AB"},
            {"_id": "c2", "customerNumber": "K-17", "name": "Bokstav AB"},
            {"_id": "c3", "customerNumber": "1234567890123456789", "name": "Lång AB"},
            {"_id": "c4", "customerNumber": "1001", "name": "Tal AB"},
        ],
    )
    _sheet, _header, rows = read_xlsx(manager_client.get("/customers/", {"export": "xlsx"}))
    numbers = {row["Name"].value: row["Customer number"] for row in rows}
    assert {name: cell.value for name, cell in numbers.items()} == {
        "Nollan AB": "00123",
        "Bokstav AB": "K-17",
        "Lång AB": "1234567890123456789",
        "Tal AB": 1001,
    }
    assert numbers["Nollan AB"].data_type == "s" and numbers["Tal AB"].data_type == "n"


def test_overview_xlsx_has_the_same_filter_row_and_number_cells(manager_client, synced):
    sheet, header, rows = read_xlsx(manager_client.get("/overview/", {"export": "xlsx"}))
    assert rows and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(rows) + 1}"
    assert all(isinstance(row["Invoice number"].value, int) for row in rows)


def test_overview_csv_in_swedish(manager_client, synced):
    header, rows = read_csv(
        manager_client.get("/overview/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="sv"), delimiter=";"
    )
    today = dt.datetime.now(STOCKHOLM).date()
    expected = sandbox_overdue(today)
    assert [(int(row["Dagar förfallen"]), row["Fakturanummer"], swedish_decimal(row["Utestående"])) for row in rows] == expected
