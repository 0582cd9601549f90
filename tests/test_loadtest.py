"""The arithmetic of `make loadtest` (benchmark/load.py): what its table prints is
worked out right from what it recorded. The load run itself is not part of the suite."""

import math
from collections import Counter

from benchmark.load import Level, Page, closest, counts_between, most_in_window, per_second, percentile


def test_percentile_is_the_nearest_rank():
    assert percentile([4, 1, 3, 2], 0.5) == 2
    hundred = list(range(100, 0, -1))
    assert percentile(hundred, 0.5) == 50
    assert percentile(hundred, 0.95) == 95
    assert percentile(hundred, 0.99) == 99
    assert percentile([7.5], 0.95) == 7.5
    # Twenty values: p95 is the 19th, not the slowest.
    assert percentile(list(range(1, 21)), 0.95) == 19
    assert math.isnan(percentile([], 0.5))


def test_per_second():
    assert per_second(30, 10) == 3
    assert per_second(5, 0) == 0


def test_counts_between_keeps_only_what_came_between_the_snapshots():
    # As the sandbox answers them (JSON: the seconds are strings).
    before = {"100": 3, "101": 2}
    after = {"100": 3, "101": 4, "102": 4}
    assert counts_between(before, after) == Counter({101: 2, 102: 4})
    assert counts_between({}, {"5": 1}) == Counter({5: 1})


def level(pages, calls=(), refused=()):
    return Level(
        users=2,
        began=1000.0,
        deadline=1010.0,
        ended=1012.0,
        pages=pages,
        calls=Counter(dict(calls)),
        refused=Counter(dict(refused)),
    )


def test_a_level_counts_pages_finished_in_time_and_the_latency_of_all_begun():
    pages = [Page("list", 1000.0 + n, 1000.0 + n + 0.1, 200) for n in range(9)]
    late = Page("detail", 1009.5, 1011.5, 200)  # begun in time, answered after the deadline
    failed = Page("search", 1009.0, 1009.2, 503)
    gone = Page("search", 1009.8, 1011.9, 0)
    result = level([*pages, late, failed, gone])
    assert result.seconds == 10
    assert result.pages_per_second == 1.0  # nine pages and the 503 by the deadline, over 10 s
    assert round(result.latency(0.5)) == 100
    assert round(result.latency(0.95)) == 2100  # the slowest two are 2000 and 2100 ms
    assert result.errors == Counter({503: 1, 0: 1})


def test_calls_a_second_are_over_the_whole_level_and_checked_against_the_limit():
    within = level([], calls={1000: 4, 1001: 4, 1002: 4, 1011: 3})
    assert within.calls_per_second == 15 / 12  # until the last page answered
    assert within.peak_calls == 4
    assert within.within(4)
    assert not level([], calls={1000: 5}).within(4)
    assert not level([], calls={1000: 2}, refused={1000: 1}).within(4)
    assert level([], calls={1000: 50}).within(0)  # no limit to keep


def test_the_sliding_second_and_the_closest_calls():
    # Four a second, evenly spaced, and then one late call that shares a calendar second with four.
    even = [10.0, 10.25, 10.5, 10.75, 11.0, 11.25]
    assert most_in_window(even) == 4
    assert round(closest(even), 6) == 0.25
    bunched = [10.9, 11.0, 11.25, 11.5, 11.75, 12.0]  # 10.9 came late: 11.0 followed 100 ms after
    assert most_in_window(bunched) == 5  # 10.9 .. 11.75
    assert round(closest(bunched), 6) == 0.1
    assert most_in_window([]) == 0
    assert closest([3.0]) == math.inf
