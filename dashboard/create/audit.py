"""The create log: one row per attempt to create a record through the dashboard,
and the Managers' page that lists them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..db import retry_when_locked
from ..models import CreateAttempt
from ..resources import RESOURCES
from ..browse.views import render_list, require

PAGE_SIZE = 50
#: Keys whose values never reach the log.
SECRET_KEYS = {"password"}
#: Personal identity numbers are kept only as their last four digits: enough to
#: tell people apart in the log, not enough to identify them.
MASKED_KEYS = {"personalNumber"}


def scrub(value: Any) -> Any:
    """The payload as it may be stored: passwords removed, personal numbers masked."""
    if isinstance(value, Mapping):
        return {
            key: _mask(item) if key in MASKED_KEYS else scrub(item)
            for key, item in value.items()
            if key not in SECRET_KEYS
        }
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    return value


def _mask(value: Any) -> str:
    text = str(value or "")
    return "•" * max(0, len(text) - 4) + text[-4:]


def record(
    user, entity: str, token: str, payload: Mapping[str, Any], outcome: str, *, upstream_id="", error=""
) -> None:
    retry_when_locked(
        lambda: CreateAttempt.objects.create(
            user=user,
            username=user.get_username(),
            entity=entity,
            token=token,
            outcome=outcome,
            upstream_id=upstream_id or "",
            error=error or "",
            payload=scrub(payload),
        )
    )


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
    rows = [
        {
            "attempt": attempt,
            "resource": RESOURCES.get(attempt.entity),
            # What people call the record: its name, title or username as typed.
            "name": next(
                (str(attempt.payload[k]) for k in ("name", "title", "userName") if attempt.payload.get(k)), ""
            ),
            "payload": json.dumps(attempt.payload, indent=2, ensure_ascii=False),
        }
        for attempt in page
    ]
    # Filters as you type, like every other list (htmx asks for the results only).
    return render_list(request, "audit/list.html", {"form": filters, "page_obj": page, "rows": rows})
