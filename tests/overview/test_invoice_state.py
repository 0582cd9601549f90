"""Unit tests of dashboard.invoice_state: one state per invoice, by the rules and
precedence of its docstring, with due dates judged as days in Stockholm."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dashboard.invoice_state import (
    RECEIVABLE_STATES,
    STATE_RULES,
    InvoiceState,
    days_overdue,
    invoice_state,
    is_receivable,
    local_day,
    today,
)
from dashboard.vocabulary import INVOICE_STATUSES
from seventime import invoicing
from seventime.records import Invoice

# 23:00 UTC on 25 Nov 2026 is midnight 26 Nov in Stockholm (CET, UTC+1).
DUE_26_NOV = "2026-11-25T23:00:00.000Z"
# 22:00 UTC on 30 Jun 2026 is midnight 1 Jul in Stockholm (CEST, UTC+2).
DUE_1_JUL = "2026-06-30T22:00:00.000Z"
SENT = "2026-10-27T09:15:00.000Z"


def invoice(**fields) -> Invoice:
    """An invoice document as the API sends it: sent, unpaid, due 26 Nov 2026."""
    doc = {
        "_id": "inv-1",
        "invoiceNumber": "24481",
        "invoiceDate": "2026-10-26T23:00:00.000Z",
        "dueDate": DUE_26_NOV,
        "sentDate": SENT,
        "paymentDate": None,
        "partiallyPaid": False,
        "archived": False,
        "isCreditInvoice": False,
        "isCredited": False,
        "creditInvoice": None,
    }
    doc.update(fields)
    return Invoice.from_api(doc)


NOV = lambda day: dt.date(2026, 11, day)  # noqa: E731


# --- each state on its own ---


def test_sent_unpaid_invoice_before_its_due_date_is_sent():
    assert invoice_state(invoice(), on=NOV(20)) is InvoiceState.SENT


def test_sent_invoice_is_not_overdue_on_its_due_date():
    assert invoice_state(invoice(), on=NOV(26)) is InvoiceState.SENT


def test_sent_invoice_is_overdue_the_day_after_its_due_date():
    assert invoice_state(invoice(), on=NOV(27)) is InvoiceState.OVERDUE


def test_sent_invoice_without_due_date_is_sent_never_overdue():
    assert invoice_state(invoice(dueDate=None), on=dt.date(2099, 1, 1)) is InvoiceState.SENT


def test_invoice_without_sent_date_is_a_draft():
    assert invoice_state(invoice(sentDate=None), on=NOV(20)) is InvoiceState.DRAFT


def test_partially_paid_sent_invoice_is_partially_paid():
    assert invoice_state(invoice(partiallyPaid=True), on=NOV(20)) is InvoiceState.PARTIALLY_PAID


def test_invoice_with_payment_date_is_paid():
    assert invoice_state(invoice(paymentDate="2026-11-20T10:00:00.000Z"), on=NOV(20)) is InvoiceState.PAID


def test_archived_invoice_is_archived():
    assert invoice_state(invoice(archived=True), on=NOV(20)) is InvoiceState.ARCHIVED


def test_invoice_marked_credited_is_credited():
    assert invoice_state(invoice(isCredited=True), on=NOV(20)) is InvoiceState.CREDITED


def test_invoice_with_a_credit_invoice_id_is_credited_even_without_the_flag():
    assert invoice_state(invoice(creditInvoice="credit-9"), on=NOV(20)) is InvoiceState.CREDITED


def test_credit_invoice_is_a_credit_note():
    assert invoice_state(invoice(isCreditInvoice=True), on=NOV(20)) is InvoiceState.CREDIT_NOTE


# --- precedence: the first rule that holds wins ---


def test_a_voided_invoice_is_voided_whatever_else_it_says():
    """Seven Time's code 4 ("Obliterated"): the invoice is void, so nobody owes it."""
    doc = invoice(
        invoiceStatus=4,
        isCreditInvoice=True,
        isCredited=True,
        creditInvoice="credit-9",
        archived=True,
        paymentDate="2026-11-20T10:00:00.000Z",
        partiallyPaid=True,
        partialPayments=[{"amount": 100}],
        dueDate="2020-01-01T00:00:00.000Z",
    )
    assert invoice_state(doc, on=NOV(27)) is InvoiceState.VOIDED
    past_due = invoice(invoiceStatus=4)  # sent, unpaid and past due: once "overdue"
    assert invoice_state(past_due, on=NOV(30)) is InvoiceState.VOIDED and not is_receivable(past_due, NOV(30))


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        # The reference's own example: code 2, a sentDate, no paymentDate.
        ({"invoiceStatus": 2}, InvoiceState.OVERDUE),
        ({"invoiceStatus": 1, "sentDate": None}, InvoiceState.DRAFT),
        ({"invoiceStatus": 3, "paymentDate": "2026-11-20T10:00:00.000Z"}, InvoiceState.PAID),
        ({"invoiceStatus": None, "sentDate": None}, InvoiceState.DRAFT),  # no code: the dates decide
        ({"invoiceStatus": 7}, InvoiceState.OVERDUE),  # a code nobody documented: the dates decide
        # Disagreements: what records that something happened wins.
        ({"invoiceStatus": 3}, InvoiceState.PAID),  # Paid without a payment date
        ({"invoiceStatus": 2, "paymentDate": "2026-11-20T10:00:00.000Z"}, InvoiceState.PAID),
        ({"invoiceStatus": 2, "sentDate": None}, InvoiceState.OVERDUE),  # Sent without a sent date
        ({"invoiceStatus": 1}, InvoiceState.OVERDUE),  # Draft with a sent date (the sandbox's old 1 = sent)
        ({"invoiceStatus": 1, "sentDate": None, "paymentDate": "2026-11-20T10:00:00.000Z"}, InvoiceState.PAID),
        ({"partialPayments": [{"amount": 100}]}, InvoiceState.PARTIALLY_PAID),  # payments without the flag
    ],
)
def test_seven_times_status_codes_are_read_with_the_dates(fields, state):
    assert invoice_state(invoice(**fields), on=NOV(30)) is state


def test_only_sent_overdue_and_partially_paid_invoices_are_receivable():
    assert set(RECEIVABLE_STATES) == {InvoiceState.SENT, InvoiceState.OVERDUE, InvoiceState.PARTIALLY_PAID}
    assert is_receivable(invoice(), NOV(30)) and is_receivable(invoice(partiallyPaid=True), NOV(30))
    for fields in ({"sentDate": None}, {"invoiceStatus": 3}, {"invoiceStatus": 4}, {"isCredited": True}):
        assert not is_receivable(invoice(**fields), NOV(30)), fields


def test_the_status_labels_cover_seven_times_codes():
    assert set(INVOICE_STATUSES) == set(invoicing.INVOICE_STATUSES) == {1, 2, 3, 4}
    assert (invoicing.INVOICE_DRAFT, invoicing.INVOICE_SENT, invoicing.INVOICE_PAID, invoicing.INVOICE_VOIDED) == (1, 2, 3, 4)


def test_credit_note_wins_over_every_other_rule_but_voided():
    doc = invoice(
        isCreditInvoice=True,
        isCredited=True,
        creditInvoice="credit-9",
        archived=True,
        paymentDate="2026-11-20T10:00:00.000Z",
        sentDate=None,
        partiallyPaid=True,
        dueDate="2020-01-01T00:00:00.000Z",
    )
    assert invoice_state(doc, on=NOV(27)) is InvoiceState.CREDIT_NOTE


@pytest.mark.parametrize("credited", [{"isCredited": True}, {"creditInvoice": "credit-9"}])
def test_credited_wins_over_archived_paid_draft_and_overdue(credited):
    doc = invoice(archived=True, paymentDate="2026-11-20T10:00:00.000Z", sentDate=None, **credited)
    assert invoice_state(doc, on=NOV(27)) is InvoiceState.CREDITED


def test_archived_wins_over_paid_draft_partially_paid_and_overdue():
    doc = invoice(archived=True, paymentDate="2026-11-20T10:00:00.000Z", sentDate=None, partiallyPaid=True)
    assert invoice_state(doc, on=NOV(27)) is InvoiceState.ARCHIVED


def test_paid_wins_over_not_sent_partially_paid_and_a_past_due_date():
    doc = invoice(paymentDate="2026-11-28T10:00:00.000Z", sentDate=None, partiallyPaid=True)
    assert invoice_state(doc, on=NOV(30)) is InvoiceState.PAID


def test_draft_wins_over_partially_paid_and_a_past_due_date():
    assert invoice_state(invoice(sentDate=None, partiallyPaid=True), on=NOV(30)) is InvoiceState.DRAFT


def test_partially_paid_wins_over_overdue():
    assert invoice_state(invoice(partiallyPaid=True), on=NOV(30)) is InvoiceState.PARTIALLY_PAID


# --- due dates are days in Stockholm, not in UTC ---


def test_due_date_at_23_utc_is_the_next_day_in_stockholm():
    assert local_day(invoice().due_date) == NOV(26)


def test_winter_due_date_late_utc_evening_is_not_overdue_on_the_stockholm_due_day():
    # In UTC the due date is 25 Nov; in Stockholm it is 26 Nov, so 26 Nov is still in time.
    assert invoice_state(invoice(dueDate=DUE_26_NOV), on=NOV(26)) is InvoiceState.SENT
    assert invoice_state(invoice(dueDate=DUE_26_NOV), on=NOV(27)) is InvoiceState.OVERDUE


def test_summer_due_date_uses_summer_time():
    doc = invoice(dueDate=DUE_1_JUL)
    assert invoice_state(doc, on=dt.date(2026, 7, 1)) is InvoiceState.SENT
    assert invoice_state(doc, on=dt.date(2026, 7, 2)) is InvoiceState.OVERDUE


def test_due_date_early_utc_morning_is_the_same_day_in_stockholm():
    doc = invoice(dueDate="2026-11-26T06:00:00.000Z")
    assert invoice_state(doc, on=NOV(26)) is InvoiceState.SENT
    assert invoice_state(doc, on=NOV(27)) is InvoiceState.OVERDUE


@pytest.mark.parametrize(
    ("utc_now", "expected"),
    [
        # 22:30 UTC on 26 Nov is 23:30 on 26 Nov in Stockholm: due today, not overdue.
        (dt.datetime(2026, 11, 26, 22, 30, tzinfo=dt.UTC), InvoiceState.SENT),
        # 23:30 UTC on 26 Nov is already 27 Nov in Stockholm: overdue.
        (dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC), InvoiceState.OVERDUE),
    ],
)
def test_without_a_date_today_is_taken_in_stockholm(monkeypatch, utc_now, expected):
    monkeypatch.setattr(timezone, "now", lambda: utc_now)
    assert invoice_state(invoice()) is expected


def test_today_is_the_stockholm_date(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC))
    assert today() == NOV(27)


# --- days overdue ---


@pytest.mark.parametrize(("on", "days"), [(NOV(20), 0), (NOV(26), 0), (NOV(27), 1), (dt.date(2026, 12, 26), 30)])
def test_days_overdue_counts_whole_stockholm_days_after_the_due_date(on, days):
    assert days_overdue(invoice(dueDate=DUE_26_NOV), on=on) == days


def test_days_overdue_is_zero_without_a_due_date():
    assert days_overdue(invoice(dueDate=None), on=dt.date(2099, 1, 1)) == 0


def test_days_overdue_uses_summer_time():
    assert days_overdue(invoice(dueDate=DUE_1_JUL), on=dt.date(2026, 7, 1)) == 0
    assert days_overdue(invoice(dueDate=DUE_1_JUL), on=dt.date(2026, 7, 3)) == 2


def test_days_overdue_without_a_date_counts_from_today_in_stockholm(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC))  # 28 Nov locally
    assert days_overdue(invoice()) == 2


# --- every state is explained ---


def test_every_state_has_a_label_and_a_description():
    assert set(STATE_RULES) == set(InvoiceState)
    for state in InvoiceState:
        assert state.label and state.description
    assert InvoiceState.OVERDUE.description != InvoiceState.SENT.description
