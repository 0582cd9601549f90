"""The sync engine on a large account: python -m benchmark.sync_scale [--scale 30].

Loads `--scale` times the demo data into the sandbox (of the configured database:
point DATABASE_URL at a scratch one), runs one full sync and one incremental pass in
process, then a second full sync (planned from the copy, sweep.plan_queries), and
prints per entity the calls and records, the time, what the calls would
take at 4 requests a second, and the peak memory: Python allocations traced by
tracemalloc (the engine's own) and the process's peak resident size."""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc

import django


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmark.sync_scale", description=__doc__)
    parser.add_argument("--scale", type=int, default=30, help="Times the demo data (30: 18,000 invoices).")
    parser.add_argument("--keep", action="store_true", help="Keep the sandbox's data (no sandbox_reset).")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    django.setup()
    from django.core.management import call_command

    from dashboard.models import CopyStatus, SyncedRecord, SyncRun
    from dashboard.sync import engine

    call_command("migrate", verbosity=0)
    if not options.keep:
        started = time.monotonic()
        call_command("sandbox_reset", scale=options.scale)
        print(f"sandbox_reset --scale {options.scale}: {time.monotonic() - started:.0f} s")
    SyncedRecord.objects.all().delete()
    CopyStatus.objects.all().delete()
    SyncRun.objects.all().delete()

    # The in-process sandbox keeps every document decoded and its JSON text once sent:
    # load those caches first, so that the traced peak is the engine's (and the answers').
    from seventime.sandbox import demo, store

    for collection in demo.COLLECTIONS:
        store.encode(collection, store.all(collection))

    labels = (("First full sync (no copy yet)", True), ("Incremental pass", False), ("Planned full sync (from the copy)", True))
    for label, full in labels:
        tracemalloc.start()
        started = time.monotonic()
        run = engine.sync(full=full)
        seconds = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"\n{label}: {run.api_calls:,} calls in {seconds:.0f} s "
              f"(at 4 requests a second: {run.api_calls / 4 / 60:.1f} min); complete: {run.complete}; "
              f"peak traced Python memory {peak / 2**20:.1f} MiB")  # fmt: skip
        for name, entry in run.progress.items():
            if entry["calls"]:
                print(f"  {name:<20} {entry['calls']:>6,} calls {entry['done']:>7,} records")
        if run.error:
            print(f"  errors: {run.error}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nPeak resident size of the process: {maxrss / 1024:.0f} MiB (sandbox, its caches and Django included)")


if __name__ == "__main__":
    main()
