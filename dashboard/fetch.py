"""Fetching from Seven Time for a page: the calls a page needs run concurrently,
and lookup lists come from the cache.

A page asks for everything in one go - its own records plus any lookup lists
that are not cached yet - so that, once the lookups are warm, a page costs one
round trip to the API.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from seventime.records import Lookup

from .api import account_key, get_client  # account_key: here too, where callers have always found it
from .sync import read

MAX_CONCURRENT_CALLS = 8
_executor = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_CALLS, thread_name_prefix="seventime")
# For the one call of a page that renders while it waits (fetch_while): as many as the
# server has requests waiting, not shared with bulk work.
_page_executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="seventime-page")


@dataclass(frozen=True)
class LookupList:
    method: str  # name of the client method that lists it
    copy_entity: str | None = None  # the local copy's name of the list (dashboard/sync/entities.py)

    def from_copy(self):
        """The list from the local copy, or None when the copy cannot stand in for Seven Time."""
        return read.lookup(self.copy_entity) if self.copy_entity else None

    def load(self):
        return getattr(get_client(), self.method)().items


@dataclass(frozen=True, kw_only=True)
class ResultUnit(Lookup):
    kind = "result unit"
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class ResultUnitsInUse(LookupList):
    """The API has no endpoint for result units, but projects name theirs: the
    units of the latest projects are the ones a new record can use."""

    def from_copy(self):
        if not read.usable("projects"):
            return None
        newest = read.live("projects").order_by("-modified_at", "-number_key").values_list("data", flat=True)
        return self._units(read.as_records("projects", newest[:100]))

    def load(self):
        return self._units(get_client().list_projects(sort_by="createdDate", sort_direction="descending"))

    @staticmethod
    def _units(projects):
        units: dict[str, ResultUnit] = {}
        for project in projects:
            if project.result_unit:
                units.setdefault(project.result_unit, ResultUnit(id=project.result_unit, name=project.result_unit_name))
        return list(units.values())


#: The lookup lists pages resolve ids with. Cached for
#: SEVENTIME_LOOKUP_CACHE_SECONDS and dropped after a create through the dashboard.
LOOKUPS: dict[str, LookupList] = {
    "project_statuses": LookupList("list_project_statuses", "project_statuses"),
    "project_types": LookupList("list_project_types", "project_types"),
    "project_tags": LookupList("list_project_tags", "project_tags"),
    "work_order_statuses": LookupList("list_work_order_statuses", "work_order_statuses"),
    "work_order_types": LookupList("list_work_order_types", "work_order_types"),
    "work_order_tags": LookupList("list_work_order_tags", "work_order_tags"),
    "invoice_tags": LookupList("list_invoice_tags", "invoice_tags"),
    "user_roles": LookupList("list_user_roles", "user_roles"),
    "departments": LookupList("list_departments", "departments"),
    "price_lists": LookupList("list_price_lists", "price_lists"),
    "salary_types": LookupList("list_salary_types", "salary_types"),
    "user_skills": LookupList("list_user_skills", "user_skills"),
    # For the create forms' pickers (createdByUser, ourReference, project leader...).
    "users": LookupList("list_users", "users"),
    "result_units": ResultUnitsInUse("list_projects"),
}


def _cache_key(name: str) -> str:
    # One key space per account: switching accounts, or two dashboards sharing a
    # cache, never shows another account's names.
    return f"seventime:lookup:{account_key()}:{name}"


def _in_worker(call: Callable[[], Any]) -> Callable[[], Any]:
    def run():
        try:
            return call()
        finally:
            # Each worker thread has its own database connections (the in-process
            # sandbox reads the database); do not leave them open.
            connections.close_all()

    return run


def run_concurrently(calls: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run the calls at the same time (bounded) and return their results by name.

    A single call runs in the current thread. The first error is raised once all
    calls have finished, so no work is left running behind the page.
    """
    if len(calls) <= 1:
        return {name: call() for name, call in calls.items()}
    return _collect(_start(calls))


def _start(calls: Mapping[str, Callable[[], Any]], executor: ThreadPoolExecutor = _executor) -> dict[str, Future]:
    # Each call runs in the caller's context: calls made `with seventime.ratelimit.background()`
    # stay background calls for the rate limiter in the pool's threads.
    return {name: executor.submit(contextvars.copy_context().run, _in_worker(call)) for name, call in calls.items()}


def _collect(futures: Mapping[str, Future]) -> dict[str, Any]:
    """The results by name, once every call has ended; the first error is raised then."""
    results, first_error = {}, None
    for name, future in futures.items():
        try:
            results[name] = future.result()
        except Exception as error:  # re-raised below, after every call ended
            first_error = first_error or error
    if first_error is not None:
        raise first_error
    return results


def merge_pages(pages: Iterable) -> tuple[list, bool]:
    """The records of several list answers, each once (first answer wins), and
    whether any answer may have been cut off at the API's cap."""
    merged, truncated = {}, False
    for page in pages:
        truncated |= page.maybe_truncated
        for record in page:
            merged.setdefault(record.id, record)
    return list(merged.values()), truncated


class Lookups(Mapping):
    """Lookup lists by name, each a dict of id -> record."""

    def __init__(self, lists: Mapping[str, Iterable[Lookup]]):
        self._lists = {name: {item.id: item for item in items} for name, items in lists.items()}

    def __getitem__(self, name: str) -> dict[str, Lookup]:
        return self._lists[name]

    def __iter__(self):
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)


def _cached_lists(wanted: list[str]) -> dict[str, Any]:
    """The wanted lookup lists the cache holds, by name."""
    cached = cache.get_many([_cache_key(name) for name in wanted])
    return {name: cached[_cache_key(name)] for name in wanted if _cache_key(name) in cached}


def fetch(calls: Mapping[str, Callable[[], Any]], lookups: Iterable[str] = ()) -> tuple[dict[str, Any], Lookups]:
    """Run a page's calls and load the lookup lists it needs, all in one round."""
    wanted = list(dict.fromkeys(lookups))
    return _fetch(calls, wanted, _cached_lists(wanted))


def _fetch(calls: Mapping[str, Callable[[], Any]], wanted: list[str], lists: dict[str, Any]):
    # From the local copy where it stands in for Seven Time (in this thread: it reads
    # this request's database connection), else from Seven Time with the page's calls.
    copied = {name: items for name in wanted if name not in lists and (items := LOOKUPS[name].from_copy()) is not None}
    missing = {f"lookup:{name}": LOOKUPS[name].load for name in wanted if name not in lists and name not in copied}
    results = run_concurrently({**calls, **missing})
    fresh = copied | {key.removeprefix("lookup:"): results.pop(key) for key in missing}
    if fresh:
        cache.set_many(
            {_cache_key(name): items for name, items in fresh.items()}, timeout=settings.SEVENTIME_LOOKUP_CACHE_SECONDS
        )
    return results, Lookups({**lists, **fresh})


def fetch_while(
    calls: Mapping[str, Callable[[], Any]], lookups: Iterable[str], meanwhile: Callable[[Lookups], Any]
) -> tuple[dict[str, Any], Lookups, Any]:
    """`fetch`, and `meanwhile(lookups)` in this thread while the calls are on their way
    (a page renders what does not depend on them: its header, navigation and filter
    form); its result comes third. When a lookup list is not cached yet, `meanwhile`
    runs after the round that loads it. Either way no call is left running behind."""
    wanted = list(dict.fromkeys(lookups))
    lists = _cached_lists(wanted)
    if len(lists) < len(wanted) or not calls or get_client().in_process:
        # Lookups to load first, or no network to wait for (the built-in sandbox).
        results, loaded = _fetch(calls, wanted, lists)
        return results, loaded, meanwhile(loaded)
    loaded = Lookups(lists)
    # Their own threads: a page does not queue behind a sync's rounds in the shared pool.
    futures = _start(calls, _page_executor)
    # Let the calls get on the wire first: this thread would otherwise keep Python's
    # interpreter lock while it renders, and the requests would wait to be sent
    # (~1.5 ms later on the two-core machine). A zero sleep hands the lock over.
    time.sleep(0)
    try:
        done_meanwhile = meanwhile(loaded)
    except BaseException:
        wait(futures.values())
        raise
    return _collect(futures), loaded, done_meanwhile


def forget_lookups() -> None:
    """Drop every cached lookup list (after a create, so pages show fresh names)."""
    cache.delete_many([_cache_key(name) for name in LOOKUPS])
