"""Full sweeps: every record of an entity, proven complete beyond the API's cap.

The API answers at most 100 records a call, without paging. A sweep covers the
space of a refining filter (a number such as `invoiceNumber`, or a name): first
one query per character of the alphabet, then, for every query whose answer was
capped, that query plus one more character. Every number (name) starts with some
character c0, continues c1, ..., so the chain "c0", "c0c1", ... reaches it in full
unless a shorter query already returned it uncapped. That holds whether the API
matches a substring (as the sandbox does) or a prefix.

A capped query is asked a second time sorted the other way (by `_id`, descending):
when the ascending and the descending answer share a record, the two together hold
every match (at most 199), so the query needs no refinement. This halves a prefix
sweep's cost (a 3-digit prefix of 5-digit numbers holds exactly 100: capped). The
check trusts the sort only when both answers come back sorted as asked.

If a query that cannot be made longer still comes back capped, or the API ignores
the filter (every longer query gives back the parent's answer), or a numbered
record of an unfiltered call was not found by the number queries (the API matches
some other way), the sweep is not proven complete and says why.

Once a complete copy exists, a sweep is *planned* (`plan_queries`): its first
queries are chosen from the numbers the copy already knows instead of the single
characters. The trie of number prefixes is walked from the top; a node whose query
the copy expects to match at most PLAN_TWO records (counting every copy number
that CONTAINS the query: the most generous matching, the sandbox's) is a query of
the sweep (one call when it holds at most 100, the two sort directions when more),
else its children are looked at. The queries form a prefix-free cut of the whole
trie (every character at every level, not only those the copy knows), so a number
the copy has never seen still starts with one of them and is found. Correctness
does not rest on the estimate: every answer is checked as in the first sweep, and
a capped one is refined the same way.

This module knows nothing of Django: `call(params)` makes one API call, `emit`
takes the documents. `schedule.sweep_cost` runs the very same code against a
simulated API to work out what a sweep costs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .entities import Entity

LIMIT = 100
#: A guard against a runaway search: numbers are far shorter, names rarely longer.
MAX_QUERY_LENGTH = {"digits": 12, "names": 40}
#: A planned query the copy expects to match at most this many records is asked
#: (once when the answer holds fewer than 100, in both sort directions when more):
#: 2 * LIMIT - 1, the most two directions can prove complete. No margin for records
#: the copy does not know yet: descending costs a call per child (10 or more) against
#: 2, while a node that grew past it costs the same 2 plus its children, which it
#: would have cost anyway; new numbers touch only the few nodes they contain.
PLAN_TWO = 2 * LIMIT - 1
#: First queries refined to their end together, between two checkpoints of a sweep
#: that may have to resume (`on_unit_done`).
UNITS = 8
#: At most this many calls at once (a 4-requests-a-second limiter sits under every call).
CONCURRENCY = 4


@dataclass
class Answer:
    """One list answer: (id, document) pairs in the order sent."""

    records: list[tuple[str, dict]]
    limit: int = LIMIT

    @property
    def capped(self) -> bool:
        return len(self.records) >= self.limit

    @property
    def ids(self) -> list[str]:
        return [record_id for record_id, _doc in self.records]


@dataclass
class Seen:
    """What a sweep keeps of an answer once its documents are handed over: ids only,
    so that memory holds one batch of documents, not a round's (or the account's)."""

    ids: list[str]
    limit: int
    capped: bool
    numbered: list[tuple[str, str]]  # (id, number) of the records that have the refining field
    chars: set[str]  # characters of names (for refining by name)
    #: A record's refining field holds the query but does not start with it: the API
    #: matches substrings (not only prefixes).
    inner_match: bool = False


#: Makes a batch of calls (each a dict of client keywords), at most CONCURRENCY at
#: once, and returns their answers in order.
Caller = Callable[[list[dict]], list[Answer]]
Emit = Callable[[list[tuple[str, dict]]], None]


@dataclass
class SweepResult:
    calls: int = 0
    seen: int = 0
    reasons: list[str] = field(default_factory=list)
    #: How the API matched the refining filter, as far as the answers showed:
    #: "substring" once a record matched inside its number, else "prefix"; None
    #: when no filtered query was asked.
    matching: str | None = None
    planned: bool = False  # the first queries came from the copy (plan_queries)

    @property
    def complete(self) -> bool:
        return not self.reasons


def _sorted(ids: list[str], descending: bool) -> bool:
    pairs = zip(ids, ids[1:])
    return all(a >= b for a, b in pairs) if descending else all(a <= b for a, b in pairs)


def sweep(
    entity: Entity,
    caller: Caller,
    emit: Emit,
    *,
    on_calls: Callable[[int], None] | None = None,
    plan: list[str] | None = None,
    done: Iterable[str] = (),
    seen_ids: Iterable[str] = (),
    on_unit_done: Callable[[list[str]], None] | None = None,
) -> SweepResult:
    """Read every record of `entity` through `caller`, handing each answer to `emit`.
    `plan`: the first number queries (plan_queries), instead of the alphabet's characters.

    Resuming a sweep that was stopped: `done` are first queries whose whole refinement
    an earlier attempt finished (`on_unit_done` is told of each batch of them as it
    finishes), `seen_ids` the records it handed over. A first query that one of `done`
    starts (its subtree) is not asked again."""
    result = SweepResult(planned=bool(plan))
    seen: set[str] = set(seen_ids)
    done = set(done)

    def ask(params_list: list[dict]) -> list[Seen]:
        kept = []
        for start in range(0, len(params_list), CONCURRENCY):
            batch = params_list[start : start + CONCURRENCY]
            for params, answer in zip(batch, caller(batch)):
                fresh = [(record_id, doc) for record_id, doc in answer.records if record_id not in seen]
                # Each record is handed over once per sweep; a later answer's copy is no newer.
                seen.update(record_id for record_id, _doc in fresh)
                if fresh:
                    emit(fresh)
                kept.append(_seen(answer, entity, params.get(entity.refine_by) if entity.refine_by else None))
            result.calls += len(batch)
            result.seen = len(seen)
            if on_calls:
                on_calls(result.calls)
        return kept

    # Unfiltered: the default order, then newest first (records without a number
    # yet, such as draft invoices, are the newest).
    unfiltered_params = [{}] + [{"sort_by": key, "sort_direction": "descending"} for key in entity.unfiltered_sorts]
    unfiltered = ask(unfiltered_params)
    if not unfiltered[0].capped:
        return result  # the one answer holds every record
    if entity.refine_by is None:
        result.reasons.append(f"Seven Time sent {unfiltered[0].limit} {entity.name}, its cap: there may be more.")
        return result

    found_by_refinement = _refine(entity, ask, result, plan, done, on_unit_done)

    if entity.refine_field:
        for answer in unfiltered:
            # Records under queries an earlier attempt finished were checked by it.
            numbered = [rid for rid, number in answer.numbered if not any(number.startswith(d) for d in done)]
            if any(rid not in found_by_refinement for rid in numbered):
                result.reasons.append(
                    f"Seven Time did not find every {entity.name} record by {entity.refine_field}: "
                    "it filters some other way."
                )
                break
            if answer.capped and len(answer.numbered) < len(answer.ids):
                result.reasons.append(
                    f"Some {entity.name} have no {entity.refine_field}: only the newest {answer.limit} of them can be seen."
                )
                break
    return result


def _refine(
    entity: Entity,
    ask,
    result: SweepResult,
    plan: list[str] | None = None,
    done: set[str] | None = None,
    on_unit_done: Callable[[list[str]], None] | None = None,
) -> set[str]:
    """The number queries: the first queries (`plan`, else the alphabet) a few at a
    time (UNITS), each batch refined to its end before the next, so that a stopped
    sweep can resume after the last finished batch."""
    done = done or set()
    firsts = [query for query in (plan or entity.alphabet) if not any(query.startswith(d) for d in done)]
    found: set[str] = set()
    extra_chars: set[str] = set()
    for start in range(0, len(firsts), UNITS):
        units = firsts[start : start + UNITS]
        if not _refine_units(entity, ask, result, units, found, extra_chars):
            return found  # the API ignores the filter: no point going on
        if on_unit_done:
            on_unit_done(units)
    return found


def _refine_units(entity: Entity, ask, result: SweepResult, units, found: set[str], extra_chars: set[str]) -> bool:
    alphabet = entity.alphabet
    kind = "digits" if set(alphabet) <= set("0123456789-") else "names"
    max_length = MAX_QUERY_LENGTH[kind]
    # Each round: (query, the ids its parent's first answer returned).
    queries: list[tuple[str, frozenset[str] | None]] = [(query, None) for query in units]
    ignored_parents: set[str] = set()
    while queries:
        ascending = ask([{entity.refine_by: q, "sort_by": "_id", "sort_direction": "ascending"} for q, _p in queries])
        capped = []
        same_as_parent: dict[str, list[bool]] = {}
        for (query, parent_ids), answer in zip(queries, ascending):
            ids = frozenset(answer.ids)
            if answer.inner_match:
                result.matching = "substring"
            elif result.matching is None and answer.ids:
                result.matching = "prefix"
            found |= ids
            if kind == "names":
                extra_chars.update(ch for ch in answer.chars if ch not in alphabet)
            if parent_ids is not None:
                same_as_parent.setdefault(query[:-1], []).append(ids == parent_ids)
            if answer.capped:
                capped.append((query, answer))
        # If every longer query gives back the parent's answer, the API ignores the filter.
        width = len(alphabet) + len(extra_chars)
        for parent, same in same_as_parent.items():
            if len(same) >= min(width, len(alphabet)) and all(same):
                ignored_parents.add(parent)
        if ignored_parents:
            result.reasons.append(f"Seven Time ignores the {entity.refine_by} filter: cannot see beyond its cap.")
            return False
        if not capped:
            break
        descending = ask(
            [{entity.refine_by: q, "sort_by": "_id", "sort_direction": "descending"} for q, _a in capped]
        )
        queries = []
        chars = alphabet + "".join(sorted(extra_chars))
        for (query, asc), desc in zip(capped, descending):
            found |= set(desc.ids)
            if desc.inner_match:
                result.matching = "substring"
            asc_ids, desc_ids = asc.ids, desc.ids
            if _sorted(asc_ids, False) and _sorted(desc_ids, True) and set(asc_ids) & set(desc_ids):
                continue  # the two ends meet: every match is in hand
            if len(query) >= max_length:
                result.reasons.append(
                    f"{entity.name}: more than {2 * asc.limit - 2} records match {entity.refine_by} “{query}”."
                )
                continue
            queries.extend((query + char, frozenset(asc_ids)) for char in chars)
    return True


def _seen(answer: Answer, entity: Entity, query: str | None = None) -> Seen:
    numbered = [
        (rid, str(doc.get(entity.refine_field) or "").casefold())
        for rid, doc in answer.records
        if entity.refine_field and str(doc.get(entity.refine_field) or "")
    ]
    inner_match = bool(query) and any(
        not str(doc.get(entity.refine_field) or "").casefold().startswith(query.casefold())
        for _rid, doc in answer.records
    )
    chars: set[str] = set()
    if entity.refine_by == "name":
        for _rid, doc in answer.records:
            for key in ("name", "firstName", "lastName", "userName", "title"):
                value = doc.get(key)
                if isinstance(value, str):
                    chars.update(value.casefold())
    return Seen(answer.ids, answer.limit, answer.capped, numbered, chars, inner_match)


def plan_queries(entity: Entity, numbers: Iterable[str], matching: str | None = "substring") -> list[str]:
    """The first queries of a planned sweep: a prefix-free cut of the trie of every
    possible number over the entity's alphabet, each node of it expected (from the
    copy's `numbers`) to match at most PLAN_TWO records. `matching`: how the API was
    seen to match ("prefix" when every answer of the last sweep matched at the start
    of the number); anything else counts substrings, the most generous."""
    if entity.refine_by is None:
        return []
    alphabet = entity.alphabet
    max_length = MAX_QUERY_LENGTH["digits" if set(alphabet) <= set("0123456789-") else "names"]
    counts: Counter[str] = Counter()
    for number in numbers:
        text = str(number or "").casefold()[: max_length + 1]
        if not text:
            continue
        if matching == "prefix":
            counts.update(text[:end] for end in range(1, len(text) + 1))
        else:
            counts.update({text[a:b] for a in range(len(text)) for b in range(a + 1, len(text) + 1)})
    queries: list[str] = []
    pending = list(reversed(alphabet))
    while pending:  # depth first, in the alphabet's order
        query = pending.pop()
        if counts[query] <= PLAN_TWO or len(query) >= max_length:
            queries.append(query)
        else:
            pending.extend(query + char for char in reversed(alphabet))
    return queries


def per_customer(
    customer_ids: Iterable[str], caller: Caller, emit: Emit, *, on_calls: Callable[[int], None] | None = None
) -> SweepResult:
    """Contact persons: one call per customer (the API requires `customerId`)."""
    result = SweepResult()
    batch: list[str] = []

    def flush():
        answers = caller([{"customer_id": cid} for cid in batch])
        result.calls += len(batch)
        for cid, answer in zip(batch, answers):
            if answer.records:
                emit(answer.records)
                result.seen += len(answer.records)
            if answer.capped:
                result.reasons.append(f"Customer {cid} has {answer.limit} contact persons or more: there may be more.")
        batch.clear()
        if on_calls:
            on_calls(result.calls)

    for cid in customer_ids:
        batch.append(cid)
        if len(batch) == CONCURRENCY:
            flush()
    if batch:
        flush()
    return result
