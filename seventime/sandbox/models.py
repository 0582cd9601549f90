from django.db import models


class Document(models.Model):
    """One API document of one collection ("customers", "invoices", ...), stored
    as the JSON the API would send. The sandbox filters and sorts in Python: a
    few thousand documents are far below what that handles quickly."""

    collection = models.CharField(max_length=40)
    doc_id = models.CharField(max_length=64)
    seq = models.PositiveIntegerField(help_text="Insertion order: the default list order.")
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collection", "doc_id"], name="sandbox_unique_doc")]
        indexes = [models.Index(fields=["collection", "seq"])]
        ordering = ["collection", "seq"]

    def __str__(self) -> str:
        return f"{self.collection}/{self.doc_id}"


class RateBucket(models.Model):
    """The sandbox's rate limit for one client secret (by its hash): a token
    bucket holding at most SANDBOX_RATE_LIMIT calls, refilled at that many a
    second. Shared by every process that uses the database."""

    key = models.CharField(max_length=32, unique=True)
    tokens = models.FloatField()
    updated = models.FloatField(help_text="Seconds since the epoch when `tokens` was right.")


class RateSecond(models.Model):
    """What the sandbox served and refused (429) in one second (by the epoch),
    for the benchmark and tests: the peak requests a second it saw."""

    key = models.CharField(max_length=32)
    second = models.BigIntegerField()
    served = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "second"], name="sandbox_unique_rate_second")]


class Fault(models.Model):
    """The failure the sandbox is told to play (`manage.py sandbox_fault`): one row,
    read on every API call, so that every process sharing the database (the web
    server and the worker, each with the in-process transport) fails alike. While
    the row exists it overrides the SANDBOX_FAULT setting, "off" included."""

    mode = models.CharField(max_length=16)
    seconds = models.FloatField(help_text="slow: how long an answer takes; ratelimit: the Retry-After.")
    only = models.CharField(max_length=200, blank=True, help_text="Comma-separated path prefixes; empty: every path.")
    changed = models.DateTimeField(auto_now=True)
