"""The API's error messages in the language of the page.

Seven Time answers a rejected create with an English `errorMessage` that starts
with the field at fault ("userName johanna is already in use"). The messages
for what the reference documents (required fields, fields required only in
some cases, unique numbers and usernames, date formats, a contact person of the
chosen customer, shares of 1-100 %) and the other shapes the sandbox answers
with are recognised here and said again in the person's language, about the
field (which the form shows next to it). A message not recognised is shown as
it came. The original stays on the page as a detail, see create.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

#: The field path a message starts with: "billingSettings.invoiceEmail", "invoiceItems[1].unitPrice".
_PATH = r"(?P<path>[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+|\[\d+\])*)"

#: (pattern of the whole message, the message about the field in the page's language).
_MESSAGES: tuple[tuple[str, Callable[[dict[str, str]], str]], ...] = (
    (rf"{_PATH} is required", lambda m: _("This field is required.")),
    (rf"{_PATH} (?P<value>.+) is already in use", lambda m: _("“%(value)s” is already in use in Seven Time.") % m),
    (rf"{_PATH} must be in the format (?P<format>[A-Z:\- ]+)", lambda m: _("Use the format %(format)s.") % m),
    (rf"{_PATH} is not a valid date", lambda m: _("This is not a valid date.")),
    (rf"{_PATH} is not a valid date and time", lambda m: _("This is not a valid date and time.")),
    (rf"{_PATH} is not a valid email address", lambda m: _("Enter a valid email address.")),
    (rf"{_PATH} must be a number", lambda m: _("Enter a number.")),
    (
        rf"{_PATH} must be between (?P<low>\S+) and (?P<high>\S+)",
        lambda m: _("Must be between %(low)s and %(high)s.") % m,
    ),
    (rf"{_PATH} must be one of (?P<values>.+)", lambda m: _("Must be one of %(values)s.") % m),
    (rf"{_PATH}: there is no (?P<kind>.+) with id (?P<id>.+)", lambda m: _("Seven Time has no such record.")),
    (rf"{_PATH}: there is no user role (?P<id>.+)", lambda m: _("Seven Time has no such record.")),
    (
        r"contactPerson does not belong to the customer",
        lambda m: _("This contact person is not one of the customer's."),
    ),
    (r"contactPerson requires customer", lambda m: _("Choose the customer first.")),
    (
        r"houseProperties is required when invoiceType is 1 \(ROT\) or 2 \(RUT\)",
        lambda m: _("Required for a ROT or RUT invoice."),
    ),
    (rf"{_PATH} is required for a detached property", lambda m: _("Required for a detached property (villa).")),
    (rf"{_PATH} is required for a condominium", lambda m: _("Required for a condominium (bostadsrätt).")),
    (r"endDate must not be before startDate", lambda m: _("The end is before the start.")),
    (r"dueDate must not be before invoiceDate", lambda m: _("The due date is before the invoice date.")),
    (
        rf"{_PATH}: distributionPercent must add up to 100",
        lambda m: _("The shares must add up to exactly 100 %."),
    ),
)


def explain(message: str) -> str | None:
    """The API's message said in the page's language (about the field it names,
    without naming it), or None when it is not one we know."""
    text = (message or "").strip()
    for pattern, say in _MESSAGES:
        match = re.fullmatch(pattern, text)
        if match:
            return say(match.groupdict())
    return None
