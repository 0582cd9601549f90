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


class SyncRun(models.Model):
    """One pass of the sync engine (dashboard.sync.engine): full or incremental,
    its progress while it runs, the calls it made and how it ended.

    A run without `finished_at` is running: the database lets each account have
    only one such run (`one_running_sync`), so two syncs never write the copy at
    once, whichever processes or servers start them. A run whose heartbeat stops
    (its process was killed) is closed as abandoned by the next one."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

    account = models.CharField(max_length=32, help_text="Hash of the API URL and client secret.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INCREMENTAL)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    complete = models.BooleanField(default=False, help_text="Every entity's copy was complete when the run ended.")
    api_calls = models.PositiveIntegerField(default=0)
    #: {entity: {"done": int, "total": int | None, "calls": int, "state": "waiting|running|done|failed"}}
    progress = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        get_latest_by = "started_at"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(finished_at__isnull=True), name="one_running_sync"
            )
        ]
        indexes = [models.Index(fields=["account", "-started_at"], name="sync_run_recent")]

    def __str__(self) -> str:
        return f"{self.kind} sync {self.started_at:%Y-%m-%d %H:%M}"


class CopyStatus(models.Model):
    """The state of one entity's local copy for one account: how many records,
    whether the last full sweep proved it complete, when, at what cost, and the
    last failure. `watermark` and `sweep` are the engine's own bookkeeping (the
    newest change an incremental pass has seen; a rolling full sweep under way)."""

    account = models.CharField(max_length=32)
    entity = models.CharField(max_length=32)
    count = models.PositiveIntegerField(default=0, help_text="Records in the copy, not counting those gone.")
    complete = models.BooleanField(default=False)
    incomplete_reason = models.TextField(blank=True)
    last_complete_at = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True)
    last_incremental_at = models.DateTimeField(null=True, blank=True)
    full_sweep_calls = models.PositiveIntegerField(default=0, help_text="Calls the last full sweep made.")
    incremental_calls = models.PositiveIntegerField(default=0, help_text="Calls the last incremental pass made.")
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    watermark = models.CharField(max_length=64, blank=True)
    sweep = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "copy statuses"
        constraints = [models.UniqueConstraint(fields=["account", "entity"], name="unique_copy_status")]

    def __str__(self) -> str:
        return f"{self.entity}: {self.count}{'' if self.complete else ' (incomplete)'}"


class SyncedRecord(models.Model):
    """The local copy of one Seven Time record of any entity, as the API sent it
    (`data`, money as Decimal text), with the fields pages filter and sort on as
    indexed columns (see docs/sync.md for which field fills which column per entity).
    Text columns hold case-folded text (`collation.fold`): pages show `data`.
    A record that a complete sweep no longer found has `gone_at` set."""

    account = models.CharField(max_length=32)
    entity = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64)
    data = models.JSONField(encoder=DjangoJSONEncoder)  # money arrives as Decimal
    number = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=255, blank=True)
    customer_id = models.CharField(max_length=64, blank=True)
    customer_number = models.CharField(max_length=64, blank=True)
    project_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=64, blank=True)
    type = models.CharField(max_length=64, blank=True)
    department = models.CharField(max_length=64, blank=True)
    role = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(null=True)
    organization_number = models.CharField(max_length=64, blank=True)
    city = models.CharField(max_length=128, blank=True)
    ocr = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    date = models.DateField(null=True, blank=True, help_text="Invoices: the invoice date (Stockholm).")
    due_date = models.DateField(null=True, blank=True)
    modified_at = models.DateTimeField(null=True, blank=True, help_text="The API's modifiedDate, where it has one.")
    customer_name = models.CharField(max_length=255, blank=True)
    #: Sort keys (dashboard/collation.py): byte order is the Swedish alphabetical order.
    name_key = models.CharField(max_length=300, blank=True)
    number_key = models.CharField(max_length=300, blank=True)
    #: What the search and pickers match: names, numbers, e-mail, phone..., case folded.
    search = models.TextField(blank=True)
    synced_at = models.DateTimeField(help_text="When this version was read from the API.")
    gone_at = models.DateTimeField(null=True, blank=True, help_text="When a complete sweep no longer found it.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "entity", "record_id"], name="unique_synced_record")]
        indexes = [
            models.Index(fields=["account", "entity", "number"], name="synced_number"),
            models.Index(fields=["account", "entity", "name"], name="synced_name"),
            models.Index(fields=["account", "entity", "customer_id"], name="synced_customer"),
            models.Index(fields=["account", "entity", "customer_number"], name="synced_customer_number"),
            models.Index(fields=["account", "entity", "project_id"], name="synced_project"),
            models.Index(fields=["account", "entity", "status"], name="synced_status"),
            models.Index(fields=["account", "entity", "date"], name="synced_date"),
            models.Index(fields=["account", "entity", "due_date"], name="synced_due_date"),
            models.Index(fields=["account", "entity", "ocr"], name="synced_ocr"),
            models.Index(fields=["account", "entity", "organization_number"], name="synced_org_number"),
            models.Index(fields=["account", "entity", "gone_at"], name="synced_gone"),
            models.Index(fields=["account", "entity", "name_key"], name="synced_name_key"),
            models.Index(fields=["account", "entity", "number_key"], name="synced_number_key"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.number or self.name or self.record_id}"


class SyncStage(models.Model):
    """A record a full sweep has read and not yet written to the copy: sweeps
    stream here in batches and move into SyncedRecord in one transaction at their
    end, so a sweep that fails or proves nothing never touches the copy."""

    account = models.CharField(max_length=32)
    entity = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "entity", "record_id"], name="unique_sync_stage")]


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


# --- the rate limit (dashboard/ratelimit.py) ---


class RateLimitState(models.Model):
    """The shared rate limiter's state for one API key: every process and machine
    that uses this database spaces its calls by this row, changed only while it is
    locked (docs/architecture.md, "Rate limit"). Times are seconds since the epoch."""

    account = models.CharField(max_length=32, unique=True, help_text="Hash of the API URL and client secret.")
    next_at = models.FloatField(default=0, help_text="When the next call may go.")
    paused_until = models.FloatField(default=0, help_text="Seven Time answered 429: no call before this.")

    def __str__(self) -> str:
        return f"Rate limit {self.account[:8]}"


# --- saved views (dashboard/workbench/savedviews.py) ---


class SavedView(models.Model):
    """A list's filters and sort that one person saved under a name. The link is the
    list's own URL with the query, so sharing it works for anyone who may see that list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(max_length=20, help_text="The list's resource name (customers, invoices...).")
    query = models.CharField(max_length=2000, blank=True, help_text="The list's query string, without '?'.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        ordering = ["kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "name"], name="unique_saved_view_name")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.name}"
