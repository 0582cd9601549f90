"""Invoice arithmetic: shared by the dashboard's invoice form and the sandbox (its demo data and its "create invoice" endpoint).

Pure functions, no Django. Money is exact: every amount is a `Decimal` internally
and is rounded half-up to whole öre (2 decimals), the way Swedish invoices are.
The JSON documents carry plain numbers, as the API does: an int when whole
(`16549`), otherwise a float with two decimals (`327.24`).

`invoiceStatus`: Seven Time's own codes, from its published API documentation (the
reference's invoice example agrees: `invoiceStatus` 2 with a `sentDate` and no
`paymentDate`, a sent and unpaid invoice):

    1 = Draft, not sent (`sentDate` and `paymentDate` are null)
    2 = Sent: not fully paid, overdue and partially paid invoices included. The
        credited original (`isCredited`) and the credit invoice itself
        (`isCreditInvoice`) keep 2 (a choice of ours: the documentation has no
        code for crediting, which the flags say)
    3 = Paid (`paymentDate` set); only a sent invoice; archived invoices are all paid
    4 = Obliterated: voided after it was sent, never paid (no `paymentDate`)

Codes the reference does not document (chosen here, used consistently by the demo):

`invoiceLogEntries[].logType`: see `LOG_TYPES`.

`OCRNumber` follows the reference example (`24481` -> `2448173`): the invoice
number, then a length digit (total length modulo 10, check digit included),
then a Luhn check digit over everything before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from .records import to_decimal as parse_decimal

CENT = Decimal("0.01")
KRONA = Decimal("1")
HUNDRED = Decimal("100")

DEFAULT_TAX_PERCENT = Decimal("25")

INVOICE_DRAFT = 1
INVOICE_SENT = 2
INVOICE_PAID = 3
INVOICE_VOIDED = 4  # "Obliterated" in Seven Time's documentation
INVOICE_STATUSES = {INVOICE_DRAFT: "Draft", INVOICE_SENT: "Sent", INVOICE_PAID: "Paid", INVOICE_VOIDED: "Obliterated"}

LOG_TYPES = {
    1: "Skapad",
    2: "Skickad",
    3: "Exporterad till ekonomisystem",
    4: "Påminnelse skickad",
    5: "Delbetalning registrerad",
    6: "Betalning registrerad",
    7: "Krediterad",
    8: "Arkiverad",
    9: "Makulerad",
}

# --- ROT and RUT: the rules, once (docs/invoice-overview.md, "ROT/RUT checks") ------
#
# The deduction (skattereduktion för hushållsarbete) is a share of the labour cost
# incl. VAT (rows with `houseWorkFlag`), by invoiceType: 1 = ROT, 2 = RUT. Which share
# depends on the day the customer paid for the work.
#
# Sources:
# * inkomstskattelagen (1999:1229) 67 kap. 11-19 §§ (hushållsarbete): RUT 50 %, ROT 30 %;
#   at most 75 000 kr per person and year for ROT and RUT together, of which at most
#   50 000 kr ROT (the rules in force from 2025; the temporarily higher ceilings of
#   July-December 2024, prop. 2023/24:86, are not modelled).
# * prop. 2024/25:156 "Extra ändringsbudget för 2025 - Tillfälligt höjd subventionsgrad
#   för rotavdraget": ROT 50 % for work paid 12 May - 31 December 2025.
# * lagen (2009:194) om förfarandet vid skattereduktion för hushållsarbete: the company
#   asks Skatteverket for the payment by 31 January of the year after the customer paid.

ROT = 1
RUT = 2


@dataclass(frozen=True)
class DeductionRate:
    """The share of the labour cost deducted for one kind of work, for payments made
    from `first` to `last` (inclusive; None: no bound)."""

    invoice_type: int
    rate: Decimal
    first: dt.date | None = None
    last: dt.date | None = None
    source: str = ""

    def applies(self, invoice_type: int, paid: dt.date | None) -> bool:
        if invoice_type != self.invoice_type:
            return False
        if paid is None:
            return self.first is None and self.last is None
        return (self.first is None or self.first <= paid) and (self.last is None or paid <= self.last)


#: The first rule that applies to a payment day gives its rate (the dated ones first).
HOUSE_DEDUCTION_RULES = (
    DeductionRate(ROT, Decimal("0.50"), dt.date(2025, 5, 12), dt.date(2025, 12, 31), "prop. 2024/25:156"),
    DeductionRate(ROT, Decimal("0.30"), source="inkomstskattelagen 67 kap."),
    DeductionRate(RUT, Decimal("0.50"), source="inkomstskattelagen 67 kap."),
)
#: Per person and year (kronor): ROT at most 50 000, ROT and RUT together at most 75 000.
ROT_CEILING = 50000
HOUSE_WORK_CEILING = 75000


def house_deduction_rate(invoice_type: int | None, paid: dt.date | None = None) -> Decimal | None:
    """The share deducted for work of `invoice_type` paid on `paid` (without a day: the
    standing rate, the one no dated rule changes); None when the type deducts nothing."""
    for rule in HOUSE_DEDUCTION_RULES:
        if rule.applies(invoice_type, paid):
            return rule.rate
    if paid is not None:
        return house_deduction_rate(invoice_type)
    return None


def claim_deadline(paid: dt.date) -> dt.date:
    """The last day to ask Skatteverket for the deduction of work paid on `paid`."""
    return dt.date(paid.year + 1, 1, 31)


# The standing shares and each type's own yearly ceiling per person (ROT 50 000, RUT
# the common 75 000), as the invoice form and the sandbox use them.
HOUSE_DEDUCTION_RATES = {kind: house_deduction_rate(kind) for kind in (ROT, RUT)}
#: The yearly ceiling of the deduction, per person sharing it (kronor).
HOUSE_DEDUCTION_CEILINGS = {ROT: ROT_CEILING, RUT: HOUSE_WORK_CEILING}
#: invoiceType 3, "construction": reverse charge for construction services (omvänd
#: betalningsskyldighet): the buyer accounts for the VAT, so the invoice charges none.
REVERSE_CHARGE = 3
#: The Swedish VAT rates, in percent.
VAT_RATES = (25, 12, 6, 0)


def to_decimal(value: Any, default: Decimal | None = None) -> Decimal:
    """A number or numeric string ("12.5", "12,5", " 1 200 ") as an exact Decimal
    (parsed as records.to_decimal parses the API's numbers).

    A missing value (None or blank) gives `default`; without a default it is an error.
    """
    number = None if isinstance(value, str) and not value.strip() else parse_decimal(value)
    if number is not None:
        return number
    if default is None:
        raise ValueError("a number is required")
    return default


def money(value: Decimal) -> Decimal:
    """Round to whole öre, half away from zero (ROUND_HALF_UP)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def json_number(d: Decimal) -> int | float:
    """An amount as the API sends it: int when whole, else a float with 2 decimals."""
    rounded = money(d)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


def plain_number(d: Decimal) -> int | float:
    """A quantity or percentage as a JSON number, without rounding it."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def compute_row(row: dict) -> dict:
    """A copy of an invoice row with its totals computed.

    Uses `numberOfItems`, `unitPrice`, `discountPercent` (default 0) and
    `taxPercent` (default 25); a missing quantity or price counts as 0, since
    text rows carry neither. Those four come back as numbers too.
    """
    quantity = to_decimal(row.get("numberOfItems"), Decimal(0))
    unit_price = to_decimal(row.get("unitPrice"), Decimal(0))
    discount = to_decimal(row.get("discountPercent"), Decimal(0))
    tax = to_decimal(row.get("taxPercent"), DEFAULT_TAX_PERCENT)
    if not 0 <= discount <= 100:
        raise ValueError("discountPercent must be between 0 and 100")
    if tax < 0:
        raise ValueError("taxPercent cannot be negative")

    amount = money(quantity * unit_price * (HUNDRED - discount) / HUNDRED)
    tax_amount = money(amount * tax / HUNDRED)

    result = dict(row)
    result.update(
        numberOfItems=plain_number(quantity),
        unitPrice=plain_number(unit_price),
        discountPercent=plain_number(discount),
        taxPercent=plain_number(tax),
        totalAmount=json_number(amount),
        totalTaxAmount=json_number(tax_amount),
        totalAmountInclTax=json_number(amount + tax_amount),
    )
    return result


def compute_totals(rows: list[dict], currency_code: str) -> dict:
    """The invoice totals for rows computed by `compute_row`.

    SEK invoices are payable in whole kronor: the total incl. VAT is rounded
    half-up and `totalAmountRounding` holds the difference (the reference's
    16549 + 327.24 -> 16876, rounding -0.24). Other currencies are not rounded.
    """
    # Rows without totals (raw input) are computed first, so they still count.
    rows = [row if "totalAmount" in row else compute_row(row) for row in rows]
    amount = sum((to_decimal(row.get("totalAmount"), Decimal(0)) for row in rows), Decimal(0))
    tax = sum((to_decimal(row.get("totalTaxAmount"), Decimal(0)) for row in rows), Decimal(0))
    exact = amount + tax
    if (currency_code or "SEK").strip().upper() == "SEK":
        payable = exact.quantize(KRONA, rounding=ROUND_HALF_UP)
    else:
        payable = exact
    return {
        "totalAmount": json_number(amount),
        "totalTaxAmount": json_number(tax),
        "totalAmountInclTax": json_number(payable),
        "totalAmountRounding": json_number(payable - exact),
    }


def deduction_of(basis: Decimal, invoice_type: int | None, paid: dt.date | None = None, max_amount: Any = None) -> Decimal:
    """The deduction for a labour basis incl. VAT: the rate in force on `paid` (see
    `house_deduction_rate`), rounded down to whole kronor, capped at `max_amount`."""
    rate = house_deduction_rate(invoice_type, paid)
    if rate is None:
        return Decimal(0)
    deduction = (basis * rate).quantize(KRONA, rounding=ROUND_FLOOR)
    if max_amount is not None:
        deduction = min(deduction, to_decimal(max_amount))
    return deduction


def house_deduction(rows: list[dict], invoice_type: int, max_amount: Any = None, paid: dt.date | None = None) -> dict:
    """ROT/RUT amounts for computed rows.

    The basis is the labour incl. VAT (rows with `houseWorkFlag`); the deduction is
    the rate in force on `paid` (without it the standing rate: ROT 30 %, RUT 50 %),
    rounded down to whole kronor and capped at `max_amount`. Other types deduct nothing.
    """
    if house_deduction_rate(invoice_type, paid) is None:
        return {"houseDeductionBasisAmount": 0, "houseDeductionAmount": 0}
    basis = sum(
        (to_decimal(row.get("totalAmountInclTax"), Decimal(0)) for row in rows if row.get("houseWorkFlag")),
        Decimal(0),
    )
    deduction = deduction_of(basis, invoice_type, paid, max_amount)
    return {"houseDeductionBasisAmount": json_number(basis), "houseDeductionAmount": json_number(deduction)}


def luhn_check_digit(digits: str) -> int:
    """The Luhn (modulus 10) digit to append to `digits`."""
    total = 0
    # Doubling starts with the rightmost digit, because the check digit goes after it.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def luhn_valid(digits: str) -> bool:
    """True if the last digit is the Luhn check digit of the others."""
    return len(digits) > 1 and digits.isdigit() and luhn_check_digit(digits[:-1]) == int(digits[-1])


def ocr_number(invoice_number: str) -> str:
    """OCR reference with length digit and Luhn check digit: "24481" -> "2448173"."""
    digits = "".join(char for char in str(invoice_number) if char.isdigit())
    if not digits:
        raise ValueError("an invoice number with digits is required")
    with_length = digits + str((len(digits) + 2) % 10)
    return with_length + str(luhn_check_digit(with_length))
