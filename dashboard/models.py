from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .documents import DocumentField


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
            ("view_payments", _("Can see DSO, days to pay and expected payments")),
            ("set_expected_payment", _("Can set the date an invoice's payment is expected")),
            ("view_receivables", _("Can see the chase list, aged receivables, statements and ROT/RUT checks")),
            ("change_receivables", _("Can write chase notes, pause chasing and mark ROT/RUT claimed")),
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
    #: The version of the rules the copy's columns were computed with (copy.columns_version):
    #: when the code that computes them changes (invoice_state.py's rules, say), the next
    #: sync pass recomputes them from `data` (copy.refresh_columns).
    columns_version = models.CharField(max_length=32, blank=True)

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
    #: Invoices: the state (dashboard/invoice_state.py) on the due day and from the day
    #: after it on; today's is the second when due_date is before today (read.state_query).
    state = models.CharField(max_length=32, blank=True)
    state_past_due = models.CharField(max_length=32, blank=True)
    #: Sort keys of the customer's and the project's name (projects, work orders, invoices).
    customer_key = models.CharField(max_length=300, blank=True)
    project_key = models.CharField(max_length=300, blank=True)
    #: Invoices: totalAmountInclTax, exact.
    amount = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    synced_at = models.DateTimeField(help_text="When this version was read from the API.")
    gone_at = models.DateTimeField(null=True, blank=True, help_text="When a complete sweep no longer found it.")
    #: The document, last in the row (migration 0011): SQLite reads a row's columns in order
    #: and a document of several kB runs into overflow pages, so every column a filter reads
    #: sits before it and a filter scans only the rows' first page.
    data = DocumentField(encoder=DjangoJSONEncoder)  # money arrives as Decimal

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
            models.Index(fields=["account", "entity", "state", "due_date"], name="synced_state"),
            models.Index(fields=["account", "entity", "state_past_due", "due_date"], name="synced_state_past_due"),
            models.Index(fields=["account", "entity", "customer_key"], name="synced_customer_key"),
            models.Index(fields=["account", "entity", "project_key"], name="synced_project_key"),
            models.Index(fields=["account", "entity", "amount"], name="synced_amount"),
            models.Index(fields=["account", "entity", "active"], name="synced_active"),
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

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("account")
    )
    username = models.CharField(_("username"), max_length=150, help_text=_("Kept when the account is deleted."))
    entity = models.CharField(_("kind of record"), max_length=20, db_index=True)
    token = models.CharField(_("one-time token"), max_length=64, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    upstream_id = models.CharField(_("id in Seven Time"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    payload = models.JSONField(_("what was sent"), default=dict, help_text=_("What was sent, passwords removed."))

    class Meta:
        default_permissions = ()
        ordering = ["-at", "-id"]
        verbose_name = _("create attempt")
        verbose_name_plural = _("create attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.entity} {self.outcome}"


class Profile(models.Model):
    """Who a dashboard account is in Seven Time: forms use it as the creator and
    our reference of what this person creates."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seventime_profile", verbose_name=_("account")
    )
    seventime_user_id = models.CharField(_("Seven Time user id"), max_length=64, blank=True)
    seventime_user_name = models.CharField(_("Seven Time user name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

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


class ExpectedPayment(models.Model):
    """The date a manager expects an invoice to be paid (the customer promised it, say),
    set on the payments page: it overrides the date worked out from the due date and the
    customer's usual lateness (docs/invoice-overview.md, "Expected payments").

    Kept in the dashboard's own database, keyed by the invoice's id in Seven Time, apart
    from the copy (SyncedRecord), so that no sync touches it."""

    account = models.CharField(max_length=32, help_text="Hash of the API URL and client secret.")
    invoice_id = models.CharField(max_length=64)
    expected_on = models.DateField(help_text="A day in Stockholm.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_by_name = models.CharField(max_length=150, help_text="Kept when the account is deleted.")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["account", "invoice_id"], name="one_expected_payment")]

    def __str__(self) -> str:
        return f"{self.invoice_id} expected {self.expected_on} ({self.set_by_name})"


class ChaseNote(models.Model):
    """A manager's note on chasing a customer's payment ("called, pays Friday"), with
    the day the customer said they would pay, if any. Kept in the dashboard, keyed by
    Seven Time's ids, so a sync never touches it."""

    account = models.CharField(max_length=32)
    customer_id = models.CharField(max_length=64)
    invoice_id = models.CharField(max_length=64, blank=True)
    text = models.TextField(max_length=1000)
    expected_payment = models.DateField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150, help_text="Kept if the user is deleted.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "customer_id", "-created_at"], name="chase_note_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.text[:40]}"


class ChasePause(models.Model):
    """Chasing a customer is paused (a payment plan, a dispute): who paused it, when, why."""

    account = models.CharField(max_length=32)
    customer_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=200, blank=True)
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    paused_by_name = models.CharField(max_length=150)
    paused_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "customer_id"], name="one_chase_pause")]


class HouseWorkClaim(models.Model):
    """The ROT/RUT deduction of a paid invoice was claimed from Skatteverket (the API
    does not say so): the day, who recorded it and when."""

    account = models.CharField(max_length=32)
    invoice_id = models.CharField(max_length=64)
    claimed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "invoice_id"], name="one_house_work_claim")]


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
