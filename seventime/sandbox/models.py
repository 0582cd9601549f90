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
