"""A detail page read from the local copy checks its record with Seven Time once, in
the background: the page asks for `?check=1` (htmx) as soon as it is shown, and this
makes the one call only when the rate limit has room now (it never waits, so it never
delays anyone). If the record changed, the copy and the page are updated and the page
says so; if it is gone from Seven Time, the copy marks it gone and the page says so."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from seventime import SevenTimeError
from seventime.errors import NotFound
from seventime.ratelimit import spare

from .. import api_errors
from ..api import account_key, get_client
from ..entities import Resource
from ..sync import copy, read
from ..sync.entities import ENTITIES


def check(request, resource: Resource, pk: str, *, render_detail: Callable) -> object:
    entity = resource.copy_entity
    try:
        with spare():
            fresh = getattr(get_client(), resource.get_method)(pk)
        document = fresh.document()
    except NotFound:
        copy.mark_gone(account_key(), ENTITIES[entity], [pk], timezone.now())
        return _note(request, "gone")
    except SevenTimeError as error:
        # "busy": the rate limit had no room now, so the check was not made (never waited for).
        return _note(request, api_errors.check_outcome(error), problem=api_errors.describe(error))
    stored = read.live(entity).filter(record_id=pk).values_list("data", flat=True).first()
    if stored is not None and _same(stored, document):
        return _note(request, "same")
    copy.put(account_key(), entity, [document], timezone.now())
    results = resource.detail_from_copy(pk) or {"record": fresh}
    response = render_detail(results, copy=read.state(entity), changed=True)
    # The whole record again, in place of the one shown (htmx response headers).
    response["HX-Retarget"] = "#detail"
    response["HX-Reselect"] = "#detail"
    response["HX-Reswap"] = "outerHTML"
    patch_vary_headers(response, ["HX-Request"])
    return response


def _same(stored: dict, fresh: dict) -> bool:
    """Whether two versions of a document say the same (money as Decimal text in both)."""
    return json.dumps(stored, cls=DjangoJSONEncoder, sort_keys=True) == json.dumps(
        json.loads(json.dumps(fresh, cls=DjangoJSONEncoder)), cls=DjangoJSONEncoder, sort_keys=True
    )


def _note(request, outcome: str, **context):
    response = render(request, "includes/check.html", {"outcome": outcome, **context})
    patch_vary_headers(response, ["HX-Request"])
    return response
