from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Access(models.Model):
    """Holds the dashboard's permissions. The records live in Seven Time, not in
    our database, so there is no model per entity to hang permissions on."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_customers", _("Can browse customers")),
            ("add_customers", _("Can create customers")),
            ("view_projects", _("Can browse projects")),
            ("add_projects", _("Can create projects")),
            ("view_workorders", _("Can browse work orders")),
            ("add_workorders", _("Can create work orders")),
            ("view_invoices", _("Can browse invoices")),
            ("add_invoices", _("Can create invoices")),
            ("view_users", _("Can browse users")),
            ("add_users", _("Can create users")),
            ("view_invoice_overview", _("Can see the invoice overview")),
            ("view_audit_log", _("Can browse the create log")),
        ]


class InvoiceSync(models.Model):
    """One run of `sync_invoices`: when, how many invoices, and whether the copy
    is known to be complete. The overview says which run its figures come from."""

    account = models.CharField(max_length=32, help_text="Hash of the API URL and client secret.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    invoice_count = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    complete = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        get_latest_by = "started_at"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Invoice sync {self.started_at:%Y-%m-%d %H:%M} ({self.invoice_count})"


class SyncedInvoice(models.Model):
    """The local copy of one invoice, as the API sent it, for the overview."""

    account = models.CharField(max_length=32)
    invoice_id = models.CharField(max_length=64)
    data = models.JSONField(encoder=DjangoJSONEncoder)  # money arrives as Decimal
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "invoice_id"], name="unique_synced_invoice")]

    def __str__(self) -> str:
        return f"{self.data.get('invoiceNumber') or self.invoice_id}"
