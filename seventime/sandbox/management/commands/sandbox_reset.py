from django.core.management.base import BaseCommand

from seventime.sandbox import store


class Command(BaseCommand):
    help = "Replace the sandbox's data with fresh Swedish demo data (dated from today)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Only load demo data when the sandbox has none yet."
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and not store.is_empty():
            self.stdout.write("Sandbox data already present; leaving it as it is.")
            return
        counts = store.reset()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Sandbox demo data loaded: {summary}."))
