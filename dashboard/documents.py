"""The local copy's documents: a JSONField read with msgspec.

A list page reads 25 documents of ~5 kB (an invoice with its rows), the start page,
the overview and the receivables every invoice of the account; the standard library's
`json.loads` was the largest single cost of reading them. msgspec decodes the same
text to the same values (dicts, lists, str, int, float, bool, None), two to three times
faster; whatever it refuses (NaN, say, which the standard library reads) goes to the
standard library as before. Writing, lookups and key transforms are JSONField's own.
"""

from __future__ import annotations

import msgspec
from django.db import models
from django.db.models.fields.json import KeyTransform

_decoder = msgspec.json.Decoder()


class DocumentField(models.JSONField):
    def from_db_value(self, value, expression, connection):
        if value.__class__ is str and self.decoder is None and not isinstance(expression, KeyTransform):
            try:
                return _decoder.decode(value)
            except msgspec.DecodeError:
                pass
        return super().from_db_value(value, expression, connection)
