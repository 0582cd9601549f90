"""Browse pages show Stockholm dates and times and money with two decimals
(helpers: pages.py).
"""

from __future__ import annotations

import pytest

from tests.browse.pages import (
    DETAIL_LOOKUPS,
    SEARCH_FILTERS,
    fields,
    get,
    invoice_doc,
    search_params,
    stub,
    stub_list,
    stub_lookups,
    table,
    work_order_doc,
)

pytestmark = pytest.mark.django_db


# =====================================================================
# Stockholm dates and money
# =====================================================================


def test_invoice_date_just_before_midnight_utc_is_shown_as_the_stockholm_day(office_client, api):
    stub_list(
        api, "invoices", [invoice_doc(invoiceDate="2020-11-04T23:00:00.000Z", dueDate="2020-12-04T23:00:00.000Z")]
    )
    response, page = get(office_client, "/invoices/")
    row = table(page)[0]
    assert row[3] == "2020-11-05"
    assert row[4] == "2020-12-05"


def test_work_order_start_in_summer_is_shown_in_stockholm_summer_time(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["workorders"])
    stub(
        api, "workOrders/wo-1", work_order_doc(startDate="2026-07-01T05:00:00.000Z", endDate="2026-07-01T14:30:00.000Z")
    )
    response, page = get(office_client, "/workorders/wo-1/")
    info = fields(page)
    assert info["Start"] == "2026-07-01 07:00"
    assert info["End"] == "2026-07-01 16:30"


def test_money_has_two_decimals_grouping_and_the_currency(office_client, api):
    stub_list(
        api,
        "invoices",
        [
            invoice_doc(totalAmountInclTax=16876.24, currencyCode="SEK"),
            invoice_doc("inv-2", invoiceNumber="24482", totalAmountInclTax=1200),
        ],
    )
    response, page = get(office_client, "/invoices/")
    assert [row[5] for row in table(page)] == ["16,876.24", "1,200.00"]
    # The search label shows the amount with its currency.
    for path, key in SEARCH_FILTERS:
        stub(api, path, [invoice_doc()] if key == "invoiceNumber" else [], search_params(path, key, "24481"))
    response, page = get(office_client, "/?q=24481")
    assert "24481 · Hellapps AB · 16,876.24 SEK" in page


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(0.005, "0.01"), (0.125, "0.13"), (2.675, "2.68"), (-0.005, "-0.01"), (1234567.994, "1,234,567.99"), (0, "0.00")],
)
def test_money_rounds_half_up_to_two_decimals(office_client, api, amount, shown):
    stub_list(api, "invoices", [invoice_doc(totalAmountInclTax=amount)])
    response, page = get(office_client, "/invoices/")
    assert table(page)[0][5] == shown


def test_missing_amount_is_shown_as_a_dash(office_client, api):
    stub_list(api, "invoices", [invoice_doc(totalAmountInclTax=None)])
    response, page = get(office_client, "/invoices/")
    assert table(page)[0][5] == "–"
