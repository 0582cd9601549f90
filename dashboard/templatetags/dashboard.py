"""Template tags for what every page shows the same way: money, badges, API text."""

import datetime as dt
import functools
import html
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

import nh3
from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import number_format
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.vocabulary import (
    BILLING_METHODS,
    INVOICE_STATUSES,
    INVOICE_TYPES,
    LANGUAGES,
    PALETTE,
    WORK_INVOICING_STATUSES,
    WORK_ORDER_COLORS,
)

register = template.Library()

#: Formatting that may stay in text from the API (footers, addresses); everything
#: else, attributes and styles included, is removed.
SAFE_TAGS = {"b", "strong", "i", "em", "u", "br", "p", "div", "span", "ul", "ol", "li", "table", "tbody", "tr", "td"}


@register.filter
def money(amount, currency: str = "") -> str:
    """12345.675 -> "12,345.68 SEK" (grouping and decimal mark of the language)."""
    if amount is None or amount == "":
        return "–"
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


# Table rows show dates hundreds of times a page: these two give what
# date:"Y-m-d" and date:"Y-m-d H:i" give (in the site's time zone, as Django's
# expects_localtime arranges) at a fraction of the cost.


@register.filter(expects_localtime=True)
def ymd(value) -> str:
    """2020-11-05."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else ""


@register.filter(expects_localtime=True)
def ymd_hm(value) -> str:
    """2020-11-05 00:00."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(" ", "minutes")
    return value.isoformat() if isinstance(value, dt.date) else ""


@functools.lru_cache(maxsize=64)
def _detail_url_parts(kind: str, prefix: str, urlconf: str, language: str | None) -> tuple[str, str]:
    head, _marker, tail = reverse(f"{kind}_detail", args=[_ID_MARKER], urlconf=urlconf).partition(_ID_MARKER)
    return head, tail


_ID_MARKER = "record-id-goes-here"


@register.filter
def detail_url(record_id, kind: str) -> str:
    """`{{ record.id|detail_url:"invoices" }}`: what `{% url "invoices_detail" record.id %}`
    gives, reversed once per kind instead of once per row (a 25-row table has up to
    75 links). The id is quoted as `reverse` quotes it."""
    if not record_id:
        return ""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    head, tail = _detail_url_parts(kind, get_script_prefix(), urlconf, get_language())
    return head + quote(str(record_id), safe=RFC3986_SUBDELIMS + ":@") + tail


@register.filter
def number(value) -> str:
    """A quantity as given, without trailing zeros: 2 -> "2", 1.50 -> "1.5"."""
    if value is None or value == "":
        return "–"
    value = Decimal(str(value))
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value, use_l10n=True, force_grouping=True)


@register.simple_tag
def badge(label, color: str = "", title: str = ""):
    """A coloured label that carries its meaning in text, not in colour alone."""
    color = (color or "").strip().lstrip("#").lower()
    css = f"badge c-{color}" if color in PALETTE else "badge"
    if title:
        return format_html('<span class="{}" title="{}">{}</span>', css, title, label or _("unknown"))
    return format_html('<span class="{}">{}</span>', css, label or _("unknown"))


#: Text longer than this may be wider than a table cell should be: `clip` marks it.
CLIP_AFTER = 40


@register.filter
def clip(value) -> str:
    """Text from the API for a table cell: a long one is cut short with "…" by CSS
    (`.clip`), the whole of it in the tooltip and on the record's page, so that it
    never widens the table."""
    text = "" if value is None else str(value)
    if len(text) <= CLIP_AFTER:
        return text
    return format_html('<span class="clip" title="{}">{}</span>', text, text)


@register.filter
def title_chars(rendered, length: int) -> str:
    """A page title cut to `length` characters as the reader sees them. The title
    block arrives already escaped: cutting that could split an entity ("&am…")."""
    return escape(Truncator(html.unescape(str(rendered))).chars(length))


@register.filter
def api_html(text) -> str:
    """Text from the API that may contain HTML: only harmless formatting is kept."""
    if not text:
        return ""
    return mark_safe(nh3.clean(str(text), tags=SAFE_TAGS, attributes={}, link_rel=None))  # noqa: S308 - sanitised


@register.filter
def yes_no(value) -> str:
    if value is None:
        return "–"
    return _("Yes") if value else _("No")


def _lookup(items, key):
    if key in (None, "") or not items:
        return None
    return items.get(str(key))


@register.simple_tag
def lookup_name(items, key, fallback: str = ""):
    """The name of a looked-up record (status, role, department...), never its id."""
    record = _lookup(items, key)
    if record is not None:
        return record.label
    if key in (None, ""):
        return fallback or "–"
    return fallback or _("Unknown")


@register.simple_tag
def lookup_badge(items, key, fallback: str = ""):
    record = _lookup(items, key)
    if record is None:
        return badge(fallback or (_("Unknown") if key else "–"))
    return badge(record.label, getattr(record, "color", ""))


@register.simple_tag
def lookup_badges(items, keys):
    return format_html_join(" ", "{}", ((lookup_badge(items, key),) for key in keys or ()))


@register.simple_tag
def language_name(code):
    """SV -> Swedish (in the page's language); an unknown code as sent."""
    return dict(LANGUAGES).get((code or "").upper(), code or "–")


@register.simple_tag
def billing_method(code):
    return BILLING_METHODS.get(code or "", code or "–")


@register.simple_tag
def invoice_status_code(code):
    """An invoice's invoiceStatus as "2 (Sent)": the code, and its meaning when known."""
    if code is None:
        return "–"
    label = INVOICE_STATUSES.get(code)
    return f"{code} ({label})" if label else str(code)


@register.simple_tag
def colour_name(code):
    """9c27b0 -> Purple (a documented colour's name); another code as sent, with its #."""
    code = (code or "").strip().lstrip("#")
    names = {known.lower(): label for known, label in WORK_ORDER_COLORS}
    return names.get(code.lower(), f"#{code}" if code else "–")


@register.simple_tag
def invoice_type(code):
    """0 -> Normal, 3 -> Construction (reverse VAT); an unknown code as sent."""
    if code is None:
        return "–"
    return dict(INVOICE_TYPES).get(str(code), str(code))


#: Keys that name an item of a list the API documents only as `[]` (todo items,
#: reminders, relations), most telling first.
ITEM_TEXT_KEYS = ("title", "text", "name", "description", "subject", "message", "note")


@register.filter
def api_item(item) -> str:
    """One item of an undocumented API list as a line of text (never markup): its
    title or text, else its plain values joined."""
    if isinstance(item, dict):
        for key in ITEM_TEXT_KEYS:
            if isinstance(item.get(key), str) and item[key].strip():
                return item[key].strip()
        values = [str(value) for key, value in item.items() if not key.startswith("_") and isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip()]
        return " · ".join(values) or "–"
    if item is None or item == "":
        return "–"
    return str(item)


@register.simple_tag
def work_invoice_status(code):
    return WORK_INVOICING_STATUSES.get(code, "–" if code is None else str(code))


@register.simple_tag
def invoice_state_badge(invoice):
    from dashboard.invoice_state import invoice_state

    return _state_badge(invoice_state(invoice), get_language())


@functools.lru_cache(maxsize=64)
def _state_badge(state, language: str) -> str:
    """A state's badge in a language, made once (an invoice list shows 25 a page)."""
    return format_html(
        '<span class="badge state-{}" title="{}">{}</span>', state.value, state.description, state.label
    )


@register.simple_tag
def invoice_balance(invoice):
    """What an invoice's page says about paying it: the ROT/RUT deduction and the
    customer's share after it (None without one), the part payments, and what is
    left, reckoned as the invoice overview reckons it (the total less the part
    payments, while the invoice is sent, overdue or partly paid; the deduction is
    owed by Skatteverket). Negative amounts carry a hyphen-minus, like every amount
    on the pages: a spreadsheet reads it as negative when one is pasted in."""
    from dashboard.invoice_state import invoice_state, today
    from dashboard.overview.figures import OUTSTANDING_STATES, outstanding, part_payments

    total = invoice.total_amount_incl_tax
    deduction = invoice.house_deduction_amount
    on = today()
    return {
        "deduction": -deduction if deduction else None,
        "to_pay": total - deduction if deduction and total is not None else None,
        "part_payments": part_payments(invoice),
        "left": outstanding(invoice, on),
        "outstanding": invoice_state(invoice, on) in OUTSTANDING_STATES,
    }


@register.filter
def amount_in(sums, currency_code):
    """The amount of a per-currency sum (overview) in one currency."""
    return sums.in_currency(currency_code)


@register.simple_tag
def table_rows(resource, records, lookups):
    """A list table's rows: each cell as its column declares it (dashboard/entities/)."""
    return resource.rows(records, lookups)


@register.filter
def age(seconds) -> str:
    """How old the local copy's data is: "40 seconds", "3 minutes", "2 hours", "3 days"."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds < 90:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = round(seconds / 60)
    if minutes < 90:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = round(seconds / 3600)
    if hours < 36:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = round(seconds / 86400)
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


@register.simple_tag(takes_context=True)
def filter_chips(context, form) -> list[dict]:
    """The active filters of a list's filter form, one chip each: its label, the value
    as the form shows it (a choice's label, not its code), and the address of the same
    page without it (the other filters and the figure kept; back to page 1).
    Hidden filters (a customer's or project's scope) say so in a line of their own."""
    if form is None or not form.is_bound:
        return []
    request = context["request"]
    chips = []
    for field in form.visible_fields():
        raw = form.data.get(field.html_name, "")
        if raw in ("", None):
            continue
        shown = str(raw)
        choices = getattr(field.field, "choices", None)
        if choices is not None:
            shown = next((str(label) for value, label in choices if str(value) == str(raw)), shown)
        query = request.GET.copy()
        # Not the sort: a filter answer leaves out what the table head's links carry (the
        # head is kept); with JavaScript the chip empties the field and the form, which
        # follows the address, sends the sort.
        for name in (field.html_name, "page", "export", "sort", "dir"):
            query.pop(name, None)
        encoded = query.urlencode()
        url = f"{request.path}?{encoded}" if encoded else request.path
        chips.append({"name": field.html_name, "label": field.label, "value": shown, "url": url})
    return chips


@register.filter
def short_amount(value) -> str:
    """An amount in a chart, short: 950, 45k, 1.2M (Swedish: 45 tn, 1,2 mn), the decimal
    mark of the language."""
    value = Decimal(str(value or 0))
    size = abs(value)
    if size >= 1_000_000:
        shown = (value / 1_000_000).quantize(Decimal("0.1") if size < 10_000_000 else Decimal(1), ROUND_HALF_UP)
        return _("%(number)sM") % {"number": number_format(shown.normalize() if shown == shown.to_integral() else shown)}
    if size >= 1000:
        shown = (value / 1000).quantize(Decimal("0.1") if size < 10_000 else Decimal(1), ROUND_HALF_UP)
        return _("%(number)sk") % {"number": number_format(shown.normalize() if shown == shown.to_integral() else shown)}
    return number_format(value.quantize(Decimal(1), ROUND_HALF_UP))
