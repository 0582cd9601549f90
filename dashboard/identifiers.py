"""Swedish identifiers as people type them: checked with python-stdnum and sent the
way the API's documents write them (`556002-6675`), whatever was typed
(`5560026675`, `16 556002-6675`). Phone numbers and postcodes are checked too.

Each check raises a ValidationError with a message that says what is wrong and
what a right one looks like; the form fields below put them on their field.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as NotANumber
from stdnum.se import orgnr, personnummer, postnummer

#: Skatteverket writes an organisation number with twelve digits by putting "16" first.
ORGANISATION_PREFIX = "16"


def personal_number(text: str) -> str:
    """A personnummer (or samordningsnummer) as the documents write it: YYMMDD-NNNN,
    with "+" instead of "-" from the year its holder turns 100 (so no digit is lost)."""
    try:
        number = personnummer.validate(text)
    except InvalidChecksum:
        raise ValidationError(
            _("This personal number's last digit does not match the others: check it for a typo."), code="checksum"
        ) from None
    except InvalidComponent:
        raise ValidationError(_("This personal number has no valid date of birth."), code="date") from None
    except NotANumber:
        message = _("Enter a personal number as YYYYMMDD-NNNN, e.g. 19811218-9876.")
        raise ValidationError(message, code="format") from None
    born = personnummer.get_birth_date(number)
    if born > timezone.localdate():
        # stdnum checks only that the date exists: 20811218-9876 passes.
        raise ValidationError(_("This personal number has no valid date of birth."), code="date")
    digits = re.sub(r"\D", "", number)  # stdnum's compact form keeps the separator
    if len(digits) == 10:
        return number
    separator = "+" if timezone.localdate().year - born.year >= 100 else "-"
    return f"{digits[2:8]}{separator}{digits[8:]}"


def organisation_number(text: str, *, personal: bool = False) -> str:
    """An organisation number as NNNNNN-NNNN. With `personal`, a personal number is
    accepted too (a customer who is a person, or a sole trader, has one instead)."""
    digits = orgnr.compact(text).replace("+", "")
    if len(digits) == 12 and digits.startswith(ORGANISATION_PREFIX):
        digits = digits[2:]
    elif personal and (len(digits) == 12 or "+" in text):
        return personal_number(text)
    try:
        orgnr.validate(digits)
    except InvalidChecksum:
        raise ValidationError(
            _("This number's last digit does not match the others: check it for a typo."), code="checksum"
        ) from None
    except NotANumber:
        raise ValidationError(_format_message(personal), code="format") from None
    if personal and 1 <= int(digits[2:4]) <= 12:
        return personal_number(digits)  # the date must be real too
    if int(digits[2]) < 2:
        # An organisation number's third digit is 2 or more (so it is never read as a
        # month of birth); stdnum checks only the check digit, and 000000-0000 has a right one.
        raise ValidationError(_format_message(personal), code="format")
    return orgnr.format(digits)


def _format_message(personal: bool) -> str:
    if personal:
        return _("Enter an organisation number as 556002-6675 or a personal number as 19811218-9876.")
    return _("Enter an organisation number as 556002-6675.")


def swedish_postcode(text: str) -> str:
    """Five digits, written "NNN NN" as the Swedish post writes them."""
    try:
        return postnummer.format(postnummer.validate(text))
    except NotANumber:
        raise ValidationError(_("A Swedish postcode has five digits, e.g. 269 74."), code="postcode") from None


#: Postcodes of other countries: letters, digits, spaces and hyphens (SW1A 1AA, 0150, D-10115).
FOREIGN_POSTCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]*$")


def postcode(text: str, country: str) -> str:
    """A postcode of the country (an empty country is Sweden)."""
    if (country or "SE").strip().upper() == "SE":
        return swedish_postcode(text)
    if not FOREIGN_POSTCODE.match(text) or not any(char.isdigit() for char in text):
        raise ValidationError(_("Enter the postcode with its digits and letters only, e.g. 0150."), code="postcode")
    return text.upper()


class OrganisationNumberField(forms.CharField):
    def __init__(self, *, personal: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.personal = personal

    def to_python(self, value):
        value = super().to_python(value)
        return organisation_number(value, personal=self.personal) if value else value


class PersonalNumberField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return personal_number(value) if value else value


#: Digits with the usual separators and an optional "+" before the country code:
#: 0431-360050, +46 70 123 45 67, (08) 123 45.
PHONE = re.compile(r"\+?[\d\s()./-]+", re.ASCII)  # \d alone takes any script's digits


def phone_number(value: str) -> None:
    """5 to 15 digits (E.164 allows no more), in the usual notation."""
    if value and not (PHONE.fullmatch(value) and 5 <= sum(char in "0123456789" for char in value) <= 15):
        raise ValidationError(
            _("Enter a phone number of 5 to 15 digits, e.g. 070-123 45 67 or +46 70 123 45 67."), code="phone"
        )


class PhoneField(forms.CharField):
    default_validators = [phone_number]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")
