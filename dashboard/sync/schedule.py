"""The sync schedule and what it costs (first version; see docs/sync.md)."""

from __future__ import annotations

import datetime as dt

#: An incremental pass this often: a new record is in the copy within twice this.
INCREMENTAL_EVERY = dt.timedelta(seconds=30)
#: Every record re-read at least this often (a full sweep of each entity).
FULL_EVERY = dt.timedelta(minutes=15)
#: Contact persons cost one call per customer: they are swept on a longer cycle.
CONTACTS_FULL_EVERY = dt.timedelta(hours=2)
#: How late a pass may be before the copy stops counting as fresh.
FRESH_SLACK = dt.timedelta(minutes=5)


def full_every(entity: str) -> dt.timedelta:
    return CONTACTS_FULL_EVERY if entity == "contact_persons" else FULL_EVERY


def describe_plan() -> str:
    return (
        f"Incremental pass every {INCREMENTAL_EVERY.total_seconds():.0f} s; every record re-read every "
        f"{FULL_EVERY.total_seconds() / 60:.0f} min (contact persons every {CONTACTS_FULL_EVERY.total_seconds() / 3600:.0f} h)."
    )
