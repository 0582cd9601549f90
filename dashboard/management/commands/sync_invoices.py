from django.core.management.base import BaseCommand

from dashboard.invoice_sync import sync_invoices


class Command(BaseCommand):
    help = "Refresh the local copy of every invoice that the invoice overview computes from. Run it on a schedule."

    def handle(self, *args, **options):
        run = sync_invoices()
        state = "complete" if run.complete else "NOT proven complete"
        self.stdout.write(
            self.style.SUCCESS(f"Synced {run.invoice_count} invoices with {run.api_calls} API calls ({state}).")
        )
