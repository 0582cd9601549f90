from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
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
            ("view_sync", _("Can see the local copy's sync and start one")),
        ]


class InvoiceSync(models.Model):
    """One run of `sync_invoices`: when, how many invoices, and whether the copy
    is known to be complete. The overview says which run its figures come from.

    A run without `finished_at` is running: the database lets each account have
    only one such run, so two syncs never write the copy at once, whichever
    processes or servers start them."""

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
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(finished_at__isnull=True), name="one_running_invoice_sync"
            )
        ]

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


# --- creating records (see docs/creating-records.md) ---


class CreateToken(models.Model):
    """The one-time token of a rendered create form and what became of it.

    The unique token is what makes a create happen at most once: the request
    that inserts the row calls the API; any other request with the same token
    waits for, or shows, that outcome. Kept in the database so that this holds
    across restarts and across several app servers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being created")
        SUCCEEDED = "succeeded", _("Created")
        FAILED = "failed", _("Not created")
        UNKNOWN = "unknown", _("Outcome unknown")

    token = models.CharField(max_length=64, unique=True)
    entity = models.CharField(max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Set once an attempt ended without an answer: from then on every retry looks
    # for the record that attempt may have created before it posts again.
    maybe_created = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    upstream_id = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=200, blank=True, help_text="How the confirmation names the record.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.entity} {self.token[:8]}… {self.status}"


class CreateAttempt(models.Model):
    """One row of the create log: one attempt to create a record through the dashboard."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Created")
        FOUND = "found", _("Found the earlier attempt's record")
        DUPLICATE = "duplicate", _("Repeated submit, not sent again")
        REJECTED = "rejected", _("Rejected by Seven Time")
        FAILED = "failed", _("Seven Time failed (may have been created)")
        UNKNOWN = "unknown", _("No answer (may have been created)")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept when the account is deleted.")
    entity = models.CharField(max_length=20, db_index=True)
    token = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    upstream_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    payload = models.JSONField(default=dict, help_text="What was sent, passwords removed.")

    class Meta:
        default_permissions = ()
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.entity} {self.outcome}"


class Profile(models.Model):
    """Who a dashboard account is in Seven Time: forms use it as the creator and
    our reference of what this person creates."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seventime_profile")
    seventime_user_id = models.CharField(_("Seven Time user id"), max_length=64, blank=True)
    seventime_user_name = models.CharField(_("Seven Time user name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return f"{self.user} → {self.seventime_user_name or self.seventime_user_id or '–'}"
