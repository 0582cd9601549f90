"""The command palette (Ctrl+K): records found in the local copy by name, number,
organisation number, OCR number, e-mail or phone, the pages the user may open and
the create forms the user may start. No call to Seven Time: an entity whose copy is
not usable yet is left out, and the palette says so.

Ranking: a record whose number is the query, then those whose name starts with it,
then every other match; within each, customers, projects, work orders, users, then
invoices, each by name in Swedish order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..api import account_key
from ..collation import fold
from ..entities import RESOURCES
from ..models import CopyStatus, SyncedRecord
from ..sync import read

#: How many records the palette shows at most.
RECORD_LIMIT = 10
#: The order of kinds among records of the same rank.
KIND_ORDER = ("customers", "projects", "workorders", "users", "invoices")


@dataclass(frozen=True)
class Found:
    kind: str  # the resource's name (customers, workorders...): its label template and detail URL
    record: object  # the seventime.records object, as a list shows it


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    keywords: str = ""  # other words that find it


def searchable_kinds(user) -> list[str]:
    """The resources the user may browse, in the registry's order."""
    return [name for name, resource in RESOURCES.items() if user.has_perm(resource.permission)]


def usable_entities(kinds: list[str]) -> set[str]:
    entities = [RESOURCES[kind].copy_entity for kind in kinds]
    return set(
        CopyStatus.objects.filter(
            account=account_key(), entity__in=entities, last_complete_at__isnull=False
        ).values_list("entity", flat=True)
    )


def records(user, query: str) -> tuple[list[Found], list[str]]:
    """(the records matching `query` the user may see, best first; the kinds left out
    because their copy is not usable yet). One query to the copy."""
    kinds = searchable_kinds(user)
    usable = usable_entities(kinds)
    missing = [kind for kind in kinds if RESOURCES[kind].copy_entity not in usable]
    folded = fold(query)
    if not folded or not usable:
        return [], missing
    by_entity = {RESOURCES[kind].copy_entity: kind for kind in kinds if RESOURCES[kind].copy_entity in usable}
    rank = Case(
        When(number=folded, then=Value(0)),
        When(name__startswith=folded, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    # Within a rank: customers, projects, work orders, users, invoices (an invoice carries
    # its customer's name: a customer's invoices must not push the customer away).
    kind_order = Case(
        *(When(entity=entity, then=Value(KIND_ORDER.index(kind))) for entity, kind in by_entity.items()),
        output_field=IntegerField(),
    )
    rows = read.ordered(
        SyncedRecord.objects.filter(
            account=account_key(), entity__in=list(by_entity), gone_at__isnull=True, search__contains=folded
        ).annotate(rank=rank, kind_order=kind_order),
        "name_key",
        descending=False,
    )
    rows = rows.order_by("rank", "kind_order", *rows.query.order_by)
    found = []
    for entity, data in rows.values_list("entity", "data")[:RECORD_LIMIT]:
        [record] = read.as_records(entity, [data])
        found.append(Found(by_entity[entity], record))
    return found, missing


def pages(user) -> list[Link]:
    """Every page the user may open, by name."""
    links = [Link(str(_("Start page")), reverse("home"), str(_("Home")))]
    for name, resource in RESOURCES.items():
        if user.has_perm(resource.permission):
            links.append(Link(str(resource.verbose_name_plural).capitalize(), reverse(f"{name}_list")))
    if user.has_perm("dashboard.view_invoice_overview"):
        links.append(Link(str(_("Invoice overview")), reverse("overview"), str(_("Overdue"))))
    if user.has_perm("dashboard.view_sync"):
        links.append(Link(str(_("Sync")), reverse("sync"), str(_("Local copy"))))
    if user.has_perm("dashboard.view_audit_log"):
        links.append(Link(str(_("Create log")), reverse("audit_log")))
    if any(user.has_perm(resource.add_permission) for resource in RESOURCES.values() if resource.create_form):
        links.append(Link(str(_("My settings")), reverse("my_settings")))
    links.append(Link(str(_("Saved views")), reverse("saved_views")))
    return links


def create_forms(user) -> list[Link]:
    """Every create form the user may start."""
    return [
        Link(str(_("New %(thing)s") % {"thing": resource.verbose_name}), reverse(resource.create_url_name))
        for resource in RESOURCES.values()
        if resource.create_form and user.has_perm(resource.add_permission)
    ]


def matching(links: list[Link], query: str) -> list[Link]:
    """The links whose name (or other words) hold every word of the query."""
    words = fold(query).split()
    return [link for link in links if all(word in fold(f"{link.label} {link.keywords}") for word in words)]
