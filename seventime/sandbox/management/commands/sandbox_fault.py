from django.core.management.base import BaseCommand, CommandError

from seventime.sandbox import faults


class Command(BaseCommand):
    help = (
        "Make the sandbox fail as Seven Time does, to try the dashboard's stale mode by hand: "
        "error (503), slow (answers after --seconds), ratelimit (429 with Retry-After --seconds), "
        "down (no connection), malformed (200 that is not JSON); off to answer normally again. "
        "It holds for every process using the database and overrides SANDBOX_FAULT until "
        "`sandbox_fault setting` hands back to it. Without a mode: what is in force."
    )

    def add_arguments(self, parser):
        parser.add_argument("mode", nargs="?", choices=(*faults.MODES, "setting"), help="The fault to play.")
        parser.add_argument(
            "--seconds",
            type=float,
            default=None,
            help=f"slow: how long each answer takes; ratelimit: the Retry-After (default {faults.DEFAULT_SECONDS:g}).",
        )
        parser.add_argument(
            "--only",
            default="",
            metavar="PATH-PREFIX",
            help="Fail only under these API paths, comma-separated (e.g. invoices or invoices,customers).",
        )

    def handle(self, *args, mode=None, seconds=None, only="", **options):
        if mode is None:
            self.stdout.write(f"Sandbox fault: {faults.current().describe()}")
            return
        if mode in ("off", "setting") and (seconds is not None or only):
            raise CommandError(f"--seconds and --only do not go with '{mode}'.")
        if mode == "setting":
            fault = faults.follow_setting()
        else:
            try:
                fault = faults.set_fault(mode, seconds=seconds, only=only.split(","))
            except ValueError as wrong:
                raise CommandError(str(wrong)) from None
        self.stdout.write(self.style.SUCCESS(f"Sandbox fault: {fault.describe()}"))
