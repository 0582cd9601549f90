"""The sync schedule, and what it costs in calls to Seven Time.

Targets (issue 13), for an account of 20,000 invoices, 5,000 customers and 10,000
work orders: a new record is in the copy within 1 minute, every record is re-read
at least every 15 minutes, and the sync uses on average at most 1 request a second.

The plan:
* an incremental pass every INCREMENTAL_EVERY (30 s): a few calls, newest first
  (entities.py); a full sweep in progress runs one between its own calls too, so a
  new record waits at most one interval plus one pass (~2 s at 4 requests a second);
* a full sweep of each entity every `main_every` (15 minutes when the budget allows,
  longer when it does not: the plan says so), contact persons (one call per
  customer) on their own, longer cycle with what the budget leaves.

What a full sweep costs depends on how the API matches a number filter, which its
reference does not say: `sweep_cost` runs the very sweep code (sweep.py) against a
simulated API holding consecutive numbers, matching either substrings (as the
sandbox does) or prefixes. The engine itself uses the calls its sweeps really made
(CopyStatus.full_sweep_calls) to pace the full sweeps (`intervals`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from .entities import ENTITIES
from .sweep import Answer, plan_queries, sweep

#: An incremental pass this often: a new record is in the copy within this plus one pass.
INCREMENTAL_EVERY = dt.timedelta(seconds=30)
#: Every record re-read at least this often, when the budget allows.
FULL_EVERY = dt.timedelta(minutes=15)
#: The sync's share of Seven Time's rate limit (4 requests a second per key): on average.
BUDGET_PER_SECOND = 1.0
#: Of the budget left after incremental passes, the share full sweeps of the main
#: entities get before contact persons (one call per customer) get the rest.
MAIN_SHARE = 0.8
#: How late a pass may be before the copy stops counting as fresh.
FRESH_SLACK = dt.timedelta(minutes=5)
#: Calls of one incremental pass (entities.py): customers, users, projects and work
#: orders one each, invoices three; contact persons of changed customers come on top.
INCREMENTAL_CALLS = sum(len(entity.incremental) for entity in ENTITIES.values())
LOOKUP_CALLS = sum(1 for entity in ENTITIES.values() if entity.lookup)

#: The account of the target, with the demo data's ratios for what the issue does not
#: name (projects per invoice, users, contact persons per customer).
TARGET_ACCOUNT = {"invoices": 20000, "customers": 5000, "work_orders": 10000, "projects": 4000, "users": 100}
DEMO_ACCOUNT = {"invoices": 600, "customers": 320, "work_orders": 400, "projects": 120, "users": 30}
#: First numbers, as in the demo data (consecutive from there).
FIRST_NUMBERS = {"invoices": 24001, "customers": 1001, "work_orders": 4001, "projects": 3001}


def full_every(entity: str, measured: dict[str, int] | None = None) -> dt.timedelta:
    """How often the entity's full sweep is due, paced by the calls sweeps really cost."""
    main_every, contacts_every = intervals(measured or {})
    return contacts_every if entity == "contact_persons" else main_every


def intervals(measured: dict[str, int]) -> tuple[dt.timedelta, dt.timedelta]:
    """(main entities' full sweep interval, contact persons'), from the calls each
    entity's last full sweep made: 15 minutes when the budget allows, else as often
    as it allows."""
    budget = BUDGET_PER_SECOND - INCREMENTAL_CALLS / INCREMENTAL_EVERY.total_seconds()
    main_calls = sum(calls for name, calls in measured.items() if name != "contact_persons")
    contact_calls = measured.get("contact_persons", 0)
    whole = main_calls + contact_calls
    if whole <= budget * FULL_EVERY.total_seconds():
        return FULL_EVERY, FULL_EVERY
    main = max(FULL_EVERY.total_seconds(), main_calls / (budget * MAIN_SHARE))
    left = budget - main_calls / main
    contacts = max(FULL_EVERY.total_seconds(), contact_calls / left) if left > 0 else float("inf")
    return dt.timedelta(seconds=math.ceil(main)), dt.timedelta(seconds=min(math.ceil(contacts), 10**9))


def spare_per_second(measured: dict[str, int]) -> float:
    """What the budget has left, calls a second, once the incremental passes and every
    entity's full sweep at its interval (`intervals`) are paid for."""
    main_every, contacts_every = intervals(measured)
    main_calls = sum(calls for name, calls in measured.items() if name != "contact_persons")
    used = INCREMENTAL_CALLS / INCREMENTAL_EVERY.total_seconds() + main_calls / main_every.total_seconds()
    if measured.get("contact_persons") and contacts_every.total_seconds() < 10**9:
        used += measured["contact_persons"] / contacts_every.total_seconds()
    return max(0.0, BUDGET_PER_SECOND - used)


def early_every(calls: int, measured: dict[str, int], early: int = 1) -> dt.timedelta | None:
    """How soon after its last sweep an entity may be swept again before its interval
    (its copy could not be proven complete, or an incremental pass saw more changes
    than one answer holds): as often as the spare budget pays for `calls`, shared
    by the `early` entities waiting so; None when nothing is spare."""
    spare = spare_per_second(measured) / max(1, early)
    if spare <= 0:
        return None
    return dt.timedelta(seconds=math.ceil(max(calls, 1) / spare))


# --- what a sweep costs ---


def _simulated_documents(entity: str, count: int) -> list[tuple[str, dict]]:
    field_name = ENTITIES[entity].refine_field
    if entity == "users":
        rng = random.Random(1)
        numbers = [
            f"{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{rng.randint(0, 9999):04d}"
            for _ in range(count)
        ]
    else:
        first = FIRST_NUMBERS[entity]
        numbers = [str(first + n) for n in range(count)]
    return [(f"{n:024x}", {field_name: number}) for n, number in enumerate(numbers)]


def sweep_cost(entity: str, count: int, semantics: str = "substring", planned: bool = False) -> tuple[int, bool]:
    """(calls, proven complete) of a full sweep of `count` records of `entity` (numbers
    consecutive from the demo's first), against an API that matches the number filter
    as a substring ("substring", the sandbox) or a prefix ("prefix"). `planned`: the
    sweep of an account whose copy is complete (its queries planned from the copy's
    numbers, with the matching the last sweep saw), else the first sweep."""
    if semantics not in ("substring", "prefix"):
        raise ValueError("semantics is 'substring' or 'prefix'")
    spec = ENTITIES[entity]
    docs = _simulated_documents(entity, count)
    index: dict[str, list[int]] = {}
    for position, (_id, doc) in enumerate(docs):
        number = doc[spec.refine_field]
        if semantics == "substring":
            parts = {number[a:b] for a in range(len(number)) for b in range(a + 1, len(number) + 1)}
        else:
            parts = {number[:b] for b in range(1, len(number) + 1)}
        for part in parts:
            index.setdefault(part, []).append(position)

    def answer(params: dict) -> Answer:
        query = params.get(spec.refine_by)
        hits = index.get(query, []) if query is not None else range(len(docs))
        # Ids grow with creation: by _id and by creation date alike.
        chosen = list(hits)[::-1][:100] if params.get("sort_direction") == "descending" else list(hits)[:100]
        return Answer([docs[i] for i in chosen])

    plan = plan_queries(spec, (doc[spec.refine_field] for _id, doc in docs), semantics) if planned else None
    result = sweep(spec, lambda batch: [answer(params) for params in batch], lambda records: None, plan=plan)
    return result.calls, result.complete


@dataclass
class Plan:
    """The schedule of an account of these sizes under one matching: `full_calls` are
    the planned sweeps' (the steady state: the copy is complete), `first_calls` the
    first sweep's (no copy yet)."""

    semantics: str
    account: dict[str, int]
    full_calls: dict[str, int] = field(default_factory=dict)
    first_calls: dict[str, int] = field(default_factory=dict)
    complete: bool = True

    @property
    def main_calls(self) -> int:
        return sum(calls for name, calls in self.full_calls.items() if name != "contact_persons")

    @property
    def contact_calls(self) -> int:
        return self.full_calls.get("contact_persons", 0)

    @property
    def intervals(self) -> tuple[dt.timedelta, dt.timedelta]:
        return intervals(self.full_calls)

    @property
    def incremental_per_second(self) -> float:
        return INCREMENTAL_CALLS / INCREMENTAL_EVERY.total_seconds()

    @property
    def average_per_second(self) -> float:
        main, contacts = self.intervals
        rate = self.incremental_per_second + self.main_calls / main.total_seconds()
        if self.contact_calls and contacts.total_seconds() < 10**9:
            rate += self.contact_calls / contacts.total_seconds()
        return rate

    @property
    def new_within(self) -> float:
        """Seconds at most before a new record is in the copy: an interval, then a pass."""
        return INCREMENTAL_EVERY.total_seconds() + INCREMENTAL_CALLS / 4 + 1

    @property
    def main_meets_target(self) -> bool:
        """The main entities (all but contact persons): new within 1 min, re-read every
        15 min, everything together on average within the budget."""
        main, _contacts = self.intervals
        return (
            main <= FULL_EVERY
            and self.average_per_second <= BUDGET_PER_SECOND + 1e-9
            and self.new_within <= 60
        )

    @property
    def meets_target(self) -> bool:
        return self.main_meets_target and self.intervals[1] <= FULL_EVERY

    def describe(self) -> str:
        main, contacts = self.intervals
        sizes = ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in self.account.items())

        def calls(table: dict[str, int]) -> str:
            main_part = {name: n for name, n in table.items() if name != "contact_persons"}
            return (
                ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in main_part.items())
                + f" = {sum(main_part.values()):,} calls"
            )

        budget = BUDGET_PER_SECOND - self.incremental_per_second
        lines = [
            f"{self.semantics} matching, {sizes}:",
            f"  first full sweep (no copy yet): {calls(self.first_calls)}",
            f"  planned full sweep (from the copy): {calls(self.full_calls)}"
            + ("" if self.complete else " (NOT provably complete)"),
            f"  incremental pass: {INCREMENTAL_CALLS} calls every {INCREMENTAL_EVERY.total_seconds():.0f} s "
            f"({self.incremental_per_second:.2f}/s): a new record within {self.new_within:.0f} s",
            f"  every record re-read every {_span(main)} (15 min would need "
            f"{self.main_calls / FULL_EVERY.total_seconds() + self.incremental_per_second:.2f} requests a second "
            f"with the incremental passes); on average {self.average_per_second:.2f} requests a second",
            f"  contact persons: {self.contact_calls:,} calls (one per customer) every {_span(contacts)} with "
            f"what the budget leaves ({max(0.0, budget - self.main_calls / main.total_seconds()):.2f}/s); "
            "between, the incremental pass re-reads those of customers whose modifiedDate changed",
        ]
        if self.meets_target:
            lines.append("  meets the target (1 min, 15 min, 1/s)")
        elif self.main_meets_target:
            lines.append(
                "  the main entities meet the target (1 min, 15 min, 1/s); contact persons DO NOT "
                f"(every {_span(contacts)})"
            )
        else:
            lines.append(
                "  DOES NOT meet the target: within 1 request a second it can guarantee re-reading every record "
                f"every {_span(main)} (contact persons every {_span(contacts)})"
            )
        return "\n".join(lines)


def _span(delta: dt.timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds >= 10**9:
        return "never"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


def plan_cost(account: dict[str, int], semantics: str = "substring", contacts_per_customer: bool = True) -> Plan:
    """The plan for an account of these sizes: every entity's full sweep cost, first and
    planned (simulated), the incremental passes, the intervals the budget allows and
    whether the target is met. The intervals are the planned sweeps' (the steady state)."""
    plan = Plan(semantics, dict(account))
    for entity, count in account.items():
        if count < 100:
            first = planned = 1 + len(ENTITIES[entity].unfiltered_sorts)  # one answer holds them all
        else:
            first, complete = sweep_cost(entity, count, semantics)
            planned, planned_complete = sweep_cost(entity, count, semantics, planned=True)
            plan.complete &= complete and planned_complete
        plan.first_calls[entity] = first
        plan.full_calls[entity] = planned
    for table in (plan.first_calls, plan.full_calls):
        table["lookup lists"] = LOOKUP_CALLS + 1  # departments too
        if contacts_per_customer and "customers" in account:
            table["contact_persons"] = account["customers"]
    return plan


def describe_plan() -> str:
    parts = []
    for name, account in (("The target account", TARGET_ACCOUNT), ("The demo data", DEMO_ACCOUNT),
                          ("sandbox_reset --scale 30", {k: v * 30 for k, v in DEMO_ACCOUNT.items()})):  # fmt: skip
        parts.append(f"== {name}")
        for semantics in ("substring", "prefix"):
            parts.append(plan_cost(account, semantics).describe())
    return "\n".join(parts)
