"""The receivables pages (docs/invoice-overview.md, "Receivables"): the chase list,
aged receivables on any day, a customer's statement and the ROT/RUT checks. They read
the complete local copy of the invoices (dashboard/sync/read.py); notes, pauses and
claims are the dashboard's own (models.ChaseNote, ChasePause, HouseWorkClaim).

Office staff read them (`view_receivables`); managers also write (`change_receivables`)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..api import account_key
from ..exports import FORMATS, ExportColumn, download
from ..invoice_state import today
from ..models import ChaseNote, ChasePause, HouseWorkClaim
from ..pages import require
from ..sync import read
from . import figures

READ = "dashboard.view_receivables"
WRITE = "dashboard.change_receivables"
LANGUAGES = ("sv", "en")


def _copy():
    """The invoices' copy state and, once it is usable, every invoice in it."""
    state = read.state("invoices")
    if not state.usable:
        return state, None
    return state, read.as_records("invoices", read.live("invoices").values_list("data", flat=True))


def _not_copied(request, state, title):
    return render(request, "receivables/not_copied.html", {"copy": state, "title": title})


# --- The chase list ----------------------------------------------------------------


class NoteForm(forms.Form):
    customer_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    text = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Called, pays Friday")}),
    )
    expected_payment = forms.DateField(
        label=gettext_lazy("Expected payment"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PauseForm(forms.Form):
    customer_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=200, required=False)


def chase(request, bound: NoteForm | None = None, status: int = 200):
    require(request, READ)
    state, invoices = _copy()
    if invoices is None:
        return _not_copied(request, state, _("Chase list"))
    account = account_key()
    notes = ChaseNote.objects.filter(account=account)
    pauses = ChasePause.objects.filter(account=account)
    customers = figures.chase_list(invoices, today(), notes, pauses)
    for customer in customers:
        if bound is not None and bound.data.get("customer_id") == customer.key:
            customer.note_form = bound
        else:
            customer.note_form = NoteForm(initial={"customer_id": customer.key}, auto_id=f"id_{customer.key}_%s")
    context = {
        "copy": state,
        "customers": customers,
        "today": today(),
        "can_write": request.user.has_perm(WRITE),
        "active": sum(1 for c in customers if c.pause is None),
    }
    return render(request, "receivables/chase.html", context, status=status)


def _back_to(customer_id: str):
    return redirect(f"{reverse('chase_list')}#customer-{customer_id}")


@require_POST
def chase_note(request):
    require(request, WRITE)
    form = NoteForm(request.POST, auto_id=f"id_{request.POST.get('customer_id', '')}_%s")
    if not form.is_valid():
        # The page again with the note as typed and what is wrong with it: nothing lost.
        return chase(request, bound=form, status=400)
    data = form.cleaned_data
    ChaseNote.objects.create(
        account=account_key(),
        customer_id=data["customer_id"],
        text=data["text"],
        expected_payment=data["expected_payment"],
        author=request.user,
        author_name=request.user.get_username(),
    )
    messages.success(request, _("The note is saved."))
    return _back_to(data["customer_id"])


@require_POST
def chase_pause(request):
    require(request, WRITE)
    form = PauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason can be at most 200 characters long."))
        return redirect("chase_list")
    customer_id, account = form.cleaned_data["customer_id"], account_key()
    if request.POST.get("action") == "resume":
        ChasePause.objects.filter(account=account, customer_id=customer_id).delete()
        messages.success(request, _("Chasing this customer is resumed."))
    else:
        ChasePause.objects.update_or_create(
            account=account,
            customer_id=customer_id,
            defaults={
                "reason": form.cleaned_data["reason"],
                "paused_by": request.user,
                "paused_by_name": request.user.get_username(),
                "paused_at": dt.datetime.now(dt.UTC),
            },
        )
        messages.success(request, _("Chasing this customer is paused."))
    return _back_to(customer_id)


# --- Aged receivables ----------------------------------------------------------------


class AgedForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("As it stood at the end of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rows = forms.ChoiceField(
        required=False, choices=[("customers", "customers"), ("invoices", "invoices")], widget=forms.HiddenInput
    )


def _aged_columns(per_invoice: bool):
    bucket_columns = [
        ExportColumn(bucket.label, (lambda key: lambda row: row.buckets[key])(bucket.key), "money")
        for bucket in figures.AGE_BUCKETS
    ]
    if per_invoice:
        return [
            ExportColumn(gettext_lazy("Invoice number"), lambda r: r.invoice.invoice_number),
            ExportColumn(gettext_lazy("Customer"), lambda r: r.invoice.customer_name),
            ExportColumn(gettext_lazy("Customer number"), lambda r: r.invoice.customer_number),
            ExportColumn(gettext_lazy("Currency"), lambda r: figures.currency(r.invoice)),
            ExportColumn(gettext_lazy("Invoice date"), lambda r: r.invoice.invoice_date, "date"),
            ExportColumn(gettext_lazy("Due date"), lambda r: r.invoice.due_date, "date"),
            ExportColumn(gettext_lazy("Days overdue"), lambda r: r.days, "integer"),
            ExportColumn(gettext_lazy("Age"), lambda r: r.bucket.label),
            ExportColumn(gettext_lazy("Left to pay"), lambda r: r.left, "money"),
        ]
    return [
        ExportColumn(gettext_lazy("Customer"), lambda r: r.name),
        ExportColumn(gettext_lazy("Customer number"), lambda r: r.number),
        ExportColumn(gettext_lazy("Currency"), lambda r: r.currency),
        ExportColumn(gettext_lazy("Invoices"), lambda r: r.count, "integer"),
        *bucket_columns,
        ExportColumn(gettext_lazy("Total"), lambda r: r.total, "money"),
    ]


def aged(request):
    require(request, READ)
    state, invoices = _copy()
    if invoices is None:
        return _not_copied(request, state, _("Aged receivables"))
    form = AgedForm(request.GET or None)
    day = today()
    if form.is_bound and form.is_valid() and form.cleaned_data["on"]:
        day = form.cleaned_data["on"]
    data = figures.aged_receivables(invoices, day)
    export = request.GET.get("export")
    if export in FORMATS and not form.errors:
        per_invoice = request.GET.get("rows") == "invoices"
        rows = data.invoices if per_invoice else data.customers
        name = _("aged-receivables-%(day)s") % {"day": day.isoformat()}
        return download(export, _aged_columns(per_invoice), rows, name)
    return render(
        request,
        "receivables/aged.html",
        {"copy": state, "form": form, "data": data, "day": day, "buckets": figures.AGE_BUCKETS, "today": today()},
    )


# --- A customer's statement ------------------------------------------------------------


def statement(request, customer_id: str):
    require(request, READ)
    state = read.state("invoices")
    if not state.usable:
        return _not_copied(request, state, _("Statement"))
    docs = read.live("invoices").filter(customer_id=customer_id).values_list("data", flat=True)
    invoices = read.as_records("invoices", docs)
    customer = read.get("customers", customer_id) if read.usable("customers") else None
    if customer is None and not invoices:
        raise Http404
    language = request.GET.get("lang")
    if language not in LANGUAGES:
        language = translation.get_language()[:2] if translation.get_language()[:2] in LANGUAGES else "sv"
    first = invoices[0] if invoices else None
    with translation.override(language):
        data = figures.statement(invoices, today())
        context = {
            "copy": state,
            "data": data,
            "customer": customer,
            "customer_id": customer_id,
            "name": customer.name if customer else first.customer_name,
            "number": customer.customer_number if customer else first.customer_number,
            "address_lines": _address_lines(customer, first),
            "statement_language": language,
            "other_language": "en" if language == "sv" else "sv",
        }
        response = render(request, "receivables/statement.html", context)
    return response


def _address_lines(customer, invoice) -> list[str]:
    """The customer's billing address (from the copy of the customers), else the
    address on its newest invoice (lines joined with <br> there: split, never trusted as HTML)."""
    if customer is not None:
        billing = customer.billing_settings
        source = billing if billing and billing.use_separate_billing_address else customer
        lines = [source.address, source.address2, f"{source.zip_code} {source.city}".strip()]
        return [line for line in lines if line]
    if invoice is None:
        return []
    return [line.strip() for line in invoice.customer_address.replace("<br/>", "<br>").split("<br>") if line.strip()]


# --- ROT/RUT checks ----------------------------------------------------------------------


class ClaimForm(forms.Form):
    invoice_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    claimed_on = forms.DateField(label=gettext_lazy("Claimed on"), widget=forms.DateInput(attrs={"type": "date"}))


def house(request):
    require(request, READ)
    state, invoices = _copy()
    if invoices is None:
        return _not_copied(request, state, _("ROT/RUT checks"))
    on = today()
    claims = {claim.invoice_id: claim for claim in HouseWorkClaim.objects.filter(account=account_key())}
    data = figures.house_checks(invoices, on, claims)
    years = sorted({person.year for person in data.people}, reverse=True)
    return render(
        request,
        "receivables/house.html",
        {
            "copy": state,
            "data": data,
            "years": years,
            "today": on,
            "can_write": request.user.has_perm(WRITE),
            "rot_ceiling": figures.invoicing.ROT_CEILING,
            "total_ceiling": figures.invoicing.HOUSE_WORK_CEILING,
            "mismatches": sum(1 for check in data.invoices if not check.matches),
        },
    )


@require_POST
def house_claim(request):
    require(request, WRITE)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day the deduction was claimed, as YYYY-MM-DD."))
        return redirect("house_checks")
    HouseWorkClaim.objects.update_or_create(
        account=account_key(),
        invoice_id=form.cleaned_data["invoice_id"],
        defaults={
            "claimed_on": form.cleaned_data["claimed_on"],
            "recorded_by": request.user,
            "recorded_by_name": request.user.get_username(),
            "recorded_at": dt.datetime.now(dt.UTC),
        },
    )
    messages.success(request, _("The claim is recorded."))
    return redirect("house_checks")
