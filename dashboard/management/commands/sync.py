import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboard.sync import engine, schedule
from dashboard.sync.entities import ENTITIES
from seventime import SevenTimeError


class Command(BaseCommand):
    help = (
        "Run one pass of the sync engine in the foreground (incremental, or full sweeps where due; --full forces "
        "them) and print its progress. Exits 0 when every entity's copy is complete and fresh, 1 otherwise, "
        "75 (EX_TEMPFAIL) when another sync of the account is running. --plan prints the schedule's cost instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Re-read every record of every entity now.")
        parser.add_argument("--plan", action="store_true", help="Print the sync plan and its cost; call nothing.")
        parser.add_argument(
            "--entity", action="append", choices=sorted(ENTITIES), help="Only this entity (repeatable)."
        )

    def handle(self, *args, full=False, plan=False, entity=None, **options):
        if plan:
            self.stdout.write(schedule.describe_plan())
            return
        states: dict[str, str] = {}
        last_print = [0.0]

        def on_progress(run, progress):
            # Each entity when it ends, and a long sweep every 5 seconds meanwhile.
            for name, entry in progress.items():
                state = entry["state"]
                changed = states.get(name) != state
                states[name] = state
                due = state == "running" and entry["calls"] and time.monotonic() - last_print[0] > 5
                if (changed and state in ("done", "failed")) or due:
                    last_print[0] = time.monotonic()
                    total = f"/{entry['total']}" if entry.get("total") else ""
                    self.stdout.write(f"  {name:<20} {state:<8} {entry['done']}{total} records, {entry['calls']} calls")

        started = time.monotonic()
        try:
            run = engine.sync(full=full, on_progress=on_progress, entities=entity)
        except engine.SyncRunning as running:
            since = f" (started {timezone.localtime(running.run.started_at):%Y-%m-%d %H:%M:%S})" if running.run else ""
            raise CommandError(
                f"Another sync of this account is running{since}; nothing was done. Try again when it has finished.",
                returncode=os.EX_TEMPFAIL,
            ) from None
        except SevenTimeError as error:
            raise CommandError(f"The sync failed: {error.message}") from None
        seconds = time.monotonic() - started
        self.stdout.write(f"{run.kind.capitalize()} pass: {run.api_calls} API calls in {seconds:.1f} s.")
        if run.error:
            raise CommandError(f"Some entities could not be synced (their previous copy is kept):\n{run.error}")
        if entity is None and not engine.copy_is_fresh():
            stale = engine.stale_entities()
            raise CommandError("The copy is not complete and fresh: " + "; ".join(stale))
        self.stdout.write(self.style.SUCCESS("The copy is complete and fresh." if entity is None else "Done."))
