"""The Managers' page that lists the create log (audit.py writes it)."""

from __future__ import annotations

import json

from django import forms
from django.core.paginator import Paginator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..entities import CREATE_FORMS, RESOURCES
from ..models import CreateAttempt
from ..pages import render_list, require
from ..sync import read

PAGE_SIZE = 50


class AuditFilters(forms.Form):
    entity = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Any"))] + [(name, capfirst(r.verbose_name_plural)) for name, r in RESOURCES.items()],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any")), *CreateAttempt.Outcome.choices]
    )
    username = forms.CharField(label=_("Who"), required=False)


def audit_log(request):
    require(request, "dashboard.view_audit_log")
    filters = AuditFilters(request.GET or None)
    attempts = CreateAttempt.objects.all()
    if filters.is_valid():
        data = filters.cleaned_data
        if data["entity"]:
            attempts = attempts.filter(entity=data["entity"])
        if data["outcome"]:
            attempts = attempts.filter(outcome=data["outcome"])
        if data["username"]:
            attempts = attempts.filter(username__icontains=data["username"])
    page = Paginator(attempts, PAGE_SIZE).get_page(request.GET.get("page"))
    records = _linked_records(page)
    rows = [
        {
            "attempt": attempt,
            "resource": RESOURCES.get(attempt.entity),
            # What people call the record: its name, title or username as typed.
            "name": next(
                (str(attempt.payload[k]) for k in ("name", "title", "userName") if attempt.payload.get(k)), ""
            ),
            "payload": json.dumps(attempt.payload, indent=2, ensure_ascii=False),
            # The record as the local copy has it now (None: not in the copy), and whether it is gone.
            "record": records.get((attempt.entity, attempt.upstream_id)),
        }
        for attempt in page
    ]
    # Filters as you type, like every other list (htmx asks for the results only).
    return render_list(request, "audit/list.html", {"form": filters, "page_obj": page, "rows": rows})


def _linked_records(attempts) -> dict[tuple[str, str], tuple[str, bool]]:
    """(entity, id) -> (the record's name now, whether Seven Time no longer has it), for
    the records the page links to: from the local copy, one query for the page, no call."""
    linked = [a for a in attempts if a.upstream_id and a.entity in RESOURCES and a.entity in CREATE_FORMS]
    wanted: dict[str, list[str]] = {}
    for attempt in linked:
        wanted.setdefault(RESOURCES[attempt.entity].copy_entity, []).append(attempt.upstream_id)
    found = read.by_ids(wanted)
    labels = {}
    for attempt in linked:
        key = (RESOURCES[attempt.entity].copy_entity, attempt.upstream_id)
        if key in found:
            record, gone = found[key]
            labels[(attempt.entity, attempt.upstream_id)] = (CREATE_FORMS[attempt.entity].describe(record), gone)
    return labels
