from django.core.management.base import BaseCommand, CommandError

from seventime.sandbox import store


class Command(BaseCommand):
    help = "Replace the sandbox's data with fresh Swedish demo data (dated from today)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Only load demo data when the sandbox has none yet."
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="N times the demo company (a large account: --scale 30 makes 18,000 invoices); numbers stay unique.",
        )

    def handle(self, *args, if_empty=False, scale=1, **options):
        if if_empty and not store.is_empty():
            self.stdout.write("Sandbox data already present; leaving it as it is.")
            return
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        counts = store.reset(scale=scale)
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Sandbox demo data loaded: {summary}."))
