"""The invoice overview (Managers): totals, aging, charts and the overdue list,
computed from the complete local copy of every invoice (see invoice_sync.py)."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..entities.base import ANY
from ..entities.invoices import InvoicePeriod, in_period, invoice_export_columns
from ..exports import FORMATS, ExportColumn, download
from ..fetch import account_key, fetch
from ..invoice_state import InvoiceState, invoice_state, is_receivable, today
from ..pages import render_list, require
from . import charts, payments
from ..templatetags.dashboard import short_amount
from .figures import AGING_BUCKETS, BUCKETS, OverdueRow, compute, currency, outstanding, overdue_days, period_months
from ..models import ExpectedPayment
from ..sync import read
from ..sync.engine import running_run
from ..sync.tasks import start_sync, waiting
from .sync import SyncRunning, latest_sync, synced_invoices

PERMISSION = "dashboard.view_invoice_overview"
#: The payments page (DSO, days to pay, expected payments): office staff and managers.
PAYMENTS_PERMISSION = "dashboard.view_payments"
#: Setting an invoice's expected payment date: managers.
SET_EXPECTED_PERMISSION = "dashboard.set_expected_payment"


class OverviewFilters(InvoicePeriod):
    customer = forms.CharField(label=gettext_lazy("Customer name or number"), required=False)
    project = forms.CharField(label=gettext_lazy("Project"), required=False)
    result_unit = forms.ChoiceField(label=gettext_lazy("Result unit"), required=False)
    tag = forms.ChoiceField(label=gettext_lazy("Tag"), required=False)
    customer_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, invoices=(), tags=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = sorted({i.result_unit_name for i in invoices if i.result_unit_name}, key=str.casefold)
        self.fields["result_unit"].choices = ANY + [(unit, unit) for unit in units]
        tag_items = sorted((tags or {}).values(), key=lambda tag: tag.label.casefold())
        self.fields["tag"].choices = ANY + [(tag.id, tag.label) for tag in tag_items]
        for name in ("customer", "project"):
            self.fields[name].widget.input_type = "search"
            self.fields[name].widget.attrs.update(autocomplete="off")

    def apply(self, invoices):
        data = getattr(self, "cleaned_data", {})
        customer = (data.get("customer") or "").casefold()
        project = (data.get("project") or "").casefold()
        unit, tag, customer_id = data.get("result_unit"), data.get("tag"), data.get("customer_id")
        selected = []
        for invoice in invoices:
            if not in_period(invoice, data):
                continue
            if customer and customer not in f"{invoice.customer_name} {invoice.customer_number}".casefold():
                continue
            if customer_id and invoice.customer != customer_id:
                continue
            if project and project not in f"{invoice.project_name}".casefold():
                continue
            if unit and invoice.result_unit_name != unit:
                continue
            if tag and tag not in invoice.tags:
                continue
            selected.append(invoice)
        return selected


def _started(running: SyncRunning) -> str:
    return time_format(timezone.localtime(running.run.started_at), "H:i") if running.run else ""


#: How soon the "being copied" page looks again (and a download is told to ask again).
RELOAD_SECONDS = 5


def while_first_copy_is_made(view):
    """An overview page asked for while the worker makes the first copy of the
    invoices: say so, with how far it is, and reload until the figures are there."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SyncRunning as running:
            # A download asked for meanwhile must not be saved as an .xlsx holding this
            # page: 503 with Retry-After tells scripts to ask again; a browser still
            # shows the page, which reloads the download link by itself.
            exporting = request.GET.get("export") in FORMATS
            progress = (running.run.progress or {}).get("invoices") if running.run else None
            context = {"started": _started(running), "reload": RELOAD_SECONDS, "progress": progress}
            response = render(request, "overview/syncing.html", context, status=503 if exporting else 200)
            if exporting:
                response["Retry-After"] = str(RELOAD_SECONDS)
            return response

    return wrapper


#: What the overview's "Sync now" and its first visit ask the worker for.
INVOICE_SWEEP = {"full": True, "entities": ["invoices"]}


def _first_copy_in_the_worker():
    """No copy of the invoices yet: the worker makes it, asked once (not again while
    a run goes on or waits for the worker). Raises SyncRunning with the run, if any."""
    running = running_run()
    if running is None and not waiting():
        start_sync(**INVOICE_SWEEP)
    raise SyncRunning(running)


def _scope(request):
    """The invoices in scope: the local copy (asked of the worker if there is none
    yet), narrowed by the filters; with the form and the sync run they come from."""
    run = latest_sync()
    if run is None:
        _first_copy_in_the_worker()
    invoices = synced_invoices()
    _results, lookups = fetch({}, ["invoice_tags"])
    form = OverviewFilters(request.GET or None, invoices=invoices, tags=lookups["invoice_tags"])
    if form.is_bound:
        form.is_valid()
    return run, invoices, form, form.apply(invoices), lookups


#: Which figure of the overview a drill-down list shows; kept when its filters change.
FIGURE_PARAMS = ("state", "bucket", "currency", "outstanding", "overdue")


def _render(request, template, context):
    context["kept"] = [(name, request.GET[name]) for name in FIGURE_PARAMS if request.GET.get(name)]
    customer_id = request.GET.get("customer_id")
    if customer_id:
        context["selected_customer"] = next(
            (i.customer_name for i in context.pop("everything") if i.customer == customer_id), customer_id
        )
    context.pop("everything", None)
    return render_list(request, template, context)


OVERDUE_COLUMNS = (
    ExportColumn(gettext_lazy("Outstanding"), lambda row: row.outstanding, "money"),
    ExportColumn(gettext_lazy("Days overdue"), lambda row: row.days, "integer"),
    ExportColumn(gettext_lazy("Reminder date"), lambda row: row.invoice.reminder_date, "date"),
    ExportColumn(gettext_lazy("Customer e-mail"), lambda row: row.invoice.customer_email),
)


@while_first_copy_is_made
def overview(request):
    require(request, PERMISSION)
    run, everything, form, invoices, _lookups = _scope(request)
    period = getattr(form, "cleaned_data", {})
    on = today()
    data = compute(invoices, on, period_months(period.get("date_from"), period.get("date_to"), on))
    export = request.GET.get("export")
    if export in FORMATS:
        columns = [_on_row(column) for column in invoice_export_columns()] + list(OVERDUE_COLUMNS)
        return download(export, columns, data.overdue_rows, _("overdue-invoices"))
    months = {
        code: charts.column_chart(
            [
                (date_format(month, "M"), str(month.year) if index == 0 or month.month == 1 else "", sums.in_currency(code))
                for index, (month, sums) in enumerate(data.months)
            ],
            short=short_amount,
        )
        for code in data.currencies
    }
    top = {
        code: list(zip(rows, charts.rows([(name, value) for _key, name, value in rows]), strict=True))
        for code, rows in data.top_customers.items()
    }
    return _render(
        request,
        "overview/overview.html",
        {
            "run": run,
            "form": form,
            "everything": everything,
            "data": data,
            "in_copy": len(everything),
            "month_charts": months,
            "top_customers": top,
            "states": InvoiceState,
            "buckets": AGING_BUCKETS,
        },
    )


def _on_row(column: ExportColumn) -> ExportColumn:
    return ExportColumn(column.label, lambda row: column.value(row.invoice), column.kind)


@while_first_copy_is_made
def overview_invoices(request):
    """The invoices behind one figure of the overview (a state, a bucket, a
    currency), from the same complete copy and the same filters."""
    require(request, PERMISSION)
    run, everything, form, invoices, lookups = _scope(request)
    on = today()
    state, bucket, code = request.GET.get("state"), BUCKETS.get(request.GET.get("bucket", "")), request.GET.get("currency")
    if request.GET.get("outstanding"):
        invoices = [i for i in invoices if outstanding(i, on)]
    if request.GET.get("overdue"):
        invoices = [i for i in invoices if overdue_days(i, on) > 0]
    if state in InvoiceState.values:
        invoices = [i for i in invoices if invoice_state(i, on) == state]
    if bucket:
        invoices = [i for i in invoices if bucket.holds(overdue_days(i, on))]
    if code:
        invoices = [i for i in invoices if currency(i) == code.upper()]
    invoices.sort(key=lambda i: (-overdue_days(i, on), i.invoice_number))
    export = request.GET.get("export")
    if export in FORMATS:
        columns = invoice_export_columns(
            (ExportColumn(gettext_lazy("Outstanding"), lambda i: outstanding(i, on), "money"),)
        )
        return download(export, columns, invoices, _("invoices"))
    rows = [OverdueRow(i, overdue_days(i, on), outstanding(i, on)) for i in invoices]
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "overview/invoices.html",
        {
            "run": run,
            "form": form,
            "everything": everything,
            "page_obj": page_obj,
            "shown": len(invoices),
            "state": InvoiceState(state) if state in InvoiceState.values else None,
            "bucket": bucket,
            "currency": code,
            "lookups": lookups,
        },
    )


@require_POST
def overview_sync(request):
    """Hands a sweep of every invoice to the worker and returns at once."""
    require(request, PERMISSION)
    running = running_run()
    if running is not None:
        started = _started(SyncRunning(running))
        messages.info(
            request,
            (
                _("Another sync of the invoices is running (started %(time)s).") % {"time": started}
                if started
                else _("Another sync of the invoices is running.")
            )
            + " "
            + _("The figures are updated when it is done: reload the page in a moment."),
        )
    else:
        start_sync(**INVOICE_SWEEP)
        messages.info(
            request,
            _("Every invoice is being fetched from Seven Time again, in the background.")
            + " "
            + _("The figures are updated when it is done: reload the page in a moment."),
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "overview"
    return redirect(target)


def _set_dates() -> dict[str, ExpectedPayment]:
    return {chosen.invoice_id: chosen for chosen in ExpectedPayment.objects.filter(account=account_key())}


def _copied_invoices():
    """Every invoice of the local copy (asked of the worker when there is none yet)."""
    run = latest_sync()
    if run is None:
        _first_copy_in_the_worker()
    return run, read.as_records("invoices", read.live("invoices").values_list("data", flat=True))


@while_first_copy_is_made
def payments_page(request):
    """DSO per currency, company-wide and per customer; how each customer pays; the
    payments to expect in the next 7 and 30 days (docs/invoice-overview.md, "Payments")."""
    require(request, PAYMENTS_PERMISSION)
    run, invoices = _copied_invoices()
    data = payments.compute(invoices, today(), _set_dates())
    day_charts = {}
    for code, days in data.days.items():
        bars = charts.columns([(day.isoformat(), value) for day, value in days], gap=2)
        day_charts[code] = [(bar, day, index % 5 == 0) for index, (bar, (day, _value)) in enumerate(zip(bars, days, strict=True))]
    customers = Paginator(data.customers, 50).get_page(request.GET.get("customers"))
    return render(
        request,
        "overview/payments.html",
        {
            "run": run,
            "in_copy": len(invoices),
            "shown": len(invoices),
            "data": data,
            "day_charts": day_charts,
            "soon": data.within(payments.SOON_DAYS),
            "month_tables": [
                (code, [row for row in data.within(payments.MONTH_DAYS) if row.currency == code])
                for code in data.currencies
            ],
            "late": data.overdue_expectations(),
            "customers": customers,
            "can_set": request.user.has_perm(SET_EXPECTED_PERMISSION),
        },
    )


def _back_to_payments(request, anchor: str = "expected"):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = reverse("overview_payments")
    return redirect(f"{target.split('#', 1)[0]}#{anchor}")


#: How far ahead a manager may expect a payment.
LATEST_EXPECTED_DAYS = 3 * 365


@require_POST
def expected_payment(request):
    """A manager sets (or clears) the date an open invoice's payment is expected. Kept
    in ExpectedPayment with who and when, apart from the copy: no sync touches it."""
    require(request, SET_EXPECTED_PERMISSION)
    invoice_id = request.POST.get("invoice", "")
    invoice = read.get("invoices", invoice_id) if invoice_id else None
    if invoice is None:
        messages.error(request, _("That invoice is not in the local copy of Seven Time's invoices: nothing was changed."))
        return _back_to_payments(request)
    number = invoice.invoice_number or invoice_id
    if "clear" in request.POST:
        ExpectedPayment.objects.filter(account=account_key(), invoice_id=invoice_id).delete()
        messages.success(
            request,
            _("Invoice %(number)s is expected on its due day moved by its customer's usual lateness again.")
            % {"number": number},
        )
        return _back_to_payments(request)
    typed = request.POST.get("expected_on", "").strip()
    try:
        day = parse_date(typed)
    except ValueError:
        day = None
    on = today()
    problem = None
    if day is None:
        problem = _("“%(value)s” is not a date (write it as YYYY-MM-DD).") % {"value": typed}
    elif day < on:
        problem = _("%(day)s has passed: an expected payment date is today or later.") % {"day": day.isoformat()}
    elif (day - on).days > LATEST_EXPECTED_DAYS:
        problem = _("%(day)s is more than three years ahead.") % {"day": day.isoformat()}
    elif not is_receivable(invoice, on):
        problem = _("Invoice %(number)s is not open (%(state)s): no payment is expected.") % {
            "number": number,
            "state": invoice_state(invoice, on).label,
        }
    if problem:
        messages.error(
            request, problem + " " + _("The expected date of invoice %(number)s is unchanged.") % {"number": number}
        )
        return _back_to_payments(request)
    ExpectedPayment.objects.update_or_create(
        account=account_key(),
        invoice_id=invoice_id,
        defaults={
            "expected_on": day,
            "set_by": request.user,
            "set_by_name": request.user.get_username(),
            "set_at": timezone.now(),
        },
    )
    messages.success(
        request,
        _("Invoice %(number)s is now expected to be paid on %(day)s.") % {"number": number, "day": day.isoformat()},
    )
    return _back_to_payments(request)
