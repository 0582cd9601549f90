"""The sync within Seven Time's rate limit: with the dashboard's limiter and the
sandbox's enforcement both at 4 calls a second (one fake clock, nothing sleeps for
real), a full sync of the demo data never meets a 429 and copies every record."""

from dashboard.models import SyncRun
from dashboard.sync import engine
from dashboard.sync.entities import ENTITIES
from seventime.sandbox import ratelimit as sandbox_ratelimit

from tests.test_ratelimit import clock  # noqa: F401 - the fixture: both limits at 4 a second
from .test_engine import copy_ids, sandbox_ids, status


def test_a_full_sync_at_four_calls_a_second_meets_no_429_and_copies_every_record(db, clock):  # noqa: F811
    started = clock.now

    run = engine.sync(full=True)

    assert run.error == "" and run.complete
    for entity in ENTITIES:
        assert copy_ids(entity) == sandbox_ids(entity), entity
        assert status(entity).complete, entity
    seen = sandbox_ratelimit.peak()
    assert seen["refused"] == 0  # not one 429
    assert 1 <= seen["peak"] <= 4  # calls a second, as the sandbox counted them
    assert seen["served"] == run.api_calls
    # The limiter spaced the calls: a quarter of a second each, on the shared clock.
    assert clock.now - started >= (run.api_calls - 1) / 4
    assert SyncRun.objects.filter(pk=run.pk, complete=True).exists()
