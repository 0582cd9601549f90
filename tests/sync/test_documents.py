"""The copy's documents are read with msgspec (dashboard/documents.py): the same values
the standard library gives, whatever the database sends."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from dashboard.models import SyncedRecord

pytestmark = pytest.mark.django_db


def _stored(data) -> SyncedRecord:
    return SyncedRecord.objects.create(account="a", entity="invoices", record_id="r1", synced_at=timezone.now(), data=data)


def test_a_document_reads_back_as_the_standard_library_reads_it():
    document = {
        "invoiceNumber": 24001,
        "customerName": "Åkesson & Öberg AB \u2013 \U0001f600",
        "totalAmountInclTax": Decimal("12500.50"),  # stored as text by DjangoJSONEncoder, read back as text
        "rate": 0.25,
        "big": 2**70,
        "paid": False,
        "reference": None,
        "invoiceItems": [{"name": "Arbete", "numberOfItems": 2, "unitPrice": 625.0}],
        "houseProperties": {},
    }
    _stored(document)
    read = SyncedRecord.objects.values_list("data", flat=True).get()
    assert read == json.loads(json.dumps(document, default=str))
    assert read["customerName"] == "Åkesson & Öberg AB \u2013 \U0001f600"
    assert read["totalAmountInclTax"] == "12500.50" and read["big"] == 2**70 and read["rate"] == 0.25


def test_text_msgspec_refuses_is_read_by_the_standard_library():
    # Neither SQLite's JSON check nor jsonb lets such text in today; an older writer or
    # another database might have.
    field = SyncedRecord._meta.get_field("data")
    amount = field.from_db_value('{"amount": NaN, "name": "Ek"}', None, connection)["amount"]
    assert amount != amount  # NaN, as json.loads reads it


def test_a_key_of_the_document_is_read_as_before():
    _stored({"invoiceNumber": 24001, "customerName": "Ek AB"})
    assert list(SyncedRecord.objects.values_list("data__invoiceNumber", flat=True)) == [24001]
    assert list(SyncedRecord.objects.values_list("data__customerName", flat=True)) == ["Ek AB"]
