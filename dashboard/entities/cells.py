"""The kinds of list cell a column declares (`Column(cell=...)`): each call gives a
function of (record, lookup lists) that returns the cell's content, text (escaped
when the row is made) or markup. They format as the template filters do."""

from __future__ import annotations

from operator import attrgetter

from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _

from ..templatetags.dashboard import (
    billing_method,
    clip,
    detail_url,
    invoice_state_badge,
    lookup_badge,
    lookup_name,
    money,
    ymd,
    ymd_hm,
)
from .base import Cell


def text(attr: str) -> Cell:
    """Text from the API, a long one clipped (`clip`)."""
    get = attrgetter(attr)
    return lambda record, _lookups: clip(get(record))


def link(kind: str, name: str, *, record_id: str = "id", default: str = "", unlinked: bool = False) -> Cell:
    """A link to the record named by `record_id` (by default, the row's own) on the
    detail page of `kind`, showing `name` (or `default` when empty). Without an id, no
    link: the name alone with `unlinked`, else nothing."""
    get_id, get_name = attrgetter(record_id), attrgetter(name)

    def cell(record, _lookups):
        target = get_id(record)
        if not target:
            return clip(get_name(record)) if unlinked else ""
        return format_html('<a href="{}">{}</a>', detail_url(target, kind), clip(get_name(record) or default))

    return cell


def email(attr: str) -> Cell:
    get = attrgetter(attr)

    def cell(record, _lookups):
        address = get(record)
        return format_html('<a href="mailto:{}">{}</a>', address, clip(address)) if address else ""

    return cell


def day(attr: str) -> Cell:
    """2020-11-05, in the site's time zone."""
    get = attrgetter(attr)
    return lambda record, _lookups: ymd(template_localtime(get(record)))


def day_and_time(attr: str) -> Cell:
    """2020-11-05 08:00, in the site's time zone."""
    get = attrgetter(attr)
    return lambda record, _lookups: ymd_hm(template_localtime(get(record)))


def amount(attr: str) -> Cell:
    get = attrgetter(attr)
    return lambda record, _lookups: money(get(record))


def badge(lookup: str, attr: str) -> Cell:
    """The looked-up record's (a status's) name on its colour."""
    get = attrgetter(attr)
    return lambda record, lookups: lookup_badge(lookups.get(lookup), get(record))


def name_of(lookup: str, attr: str, *, fallback: str = "", optional: bool = False) -> Cell:
    """The looked-up record's name (a role, a department), or the `fallback`
    attribute's text; with `optional`, nothing when the record names none."""
    get = attrgetter(attr)
    get_fallback = attrgetter(fallback) if fallback else lambda _record: ""

    def cell(record, lookups):
        key = get(record)
        if optional and not key:
            return ""
        return lookup_name(lookups.get(lookup), key, get_fallback(record))

    return cell


def active(record, _lookups):
    """Whether the record is active, "Inactive" greyed."""
    return _("Active") if record.is_active else format_html('<span class="muted">{}</span>', _("Inactive"))


def billing(record, _lookups):
    return billing_method(record.billing_method)


def invoice_state(record, _lookups):
    return invoice_state_badge(record)
