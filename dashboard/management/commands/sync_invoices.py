import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboard.overview.sync import SyncRunning, sync_invoices
from seventime import SevenTimeError


class Command(BaseCommand):
    help = (
        "Refresh the invoices of the local copy (a full sweep of the invoices only; `sync` refreshes every entity). "
        "Exits with 75 (EX_TEMPFAIL) when another sync of the account is running, 1 when the sync failed."
    )

    def handle(self, *args, **options):
        try:
            run = sync_invoices()
        except SyncRunning as running:
            since = f" (started {timezone.localtime(running.run.started_at):%Y-%m-%d %H:%M:%S})" if running.run else ""
            # A temporary failure, not an error: the next scheduled run syncs.
            raise CommandError(
                f"Another sync of these invoices is running{since}; nothing was done. Try again when it has finished.",
                returncode=os.EX_TEMPFAIL,
            ) from None
        except SevenTimeError as error:
            raise CommandError(f"The invoices could not be synced: {error.message}") from None
        state = "complete" if run.complete else "NOT proven complete"
        self.stdout.write(self.style.SUCCESS(f"Synced {run.invoice_count} invoices ({state})."))
