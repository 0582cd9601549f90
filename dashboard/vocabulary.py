"""Codes the Seven Time API uses, with the labels people see: each defined once,
for the forms, the pages, the template tags and the exports alike."""

from django.utils.translation import gettext_lazy as _

BILLING_METHODS = {
    "ACCORDING_TO_CUSTOMER": _("According to customer"),
    "HOURLY": _("Hourly price"),
    "PERUSER": _("Price per user"),
    "HOURLY_PER_TIMECATEGORY": _("Per time category"),
    "FIXED_PRICE": _("Fixed price"),
    "PRICELIST": _("Price list"),
    "RUNNING": _("Running price"),
    "ACCORDING_TO_QUOTE": _("According to quote"),
}

#: How far a project or work order has been invoiced (its invoiceStatus): not the
#: state of an invoice (invoice_state.InvoiceState).
WORK_INVOICING_STATUSES = {
    0: _("No invoicing status"),
    5: _("Not invoiceable"),
    10: _("Ready to be invoiced"),
    20: _("Partly invoiced"),
    30: _("Fully invoiced"),
}

#: An invoice's own invoiceStatus, Seven Time's codes (its published API documentation;
#: seventime/invoicing.py has the same codes as constants). Read by invoice_state.py
#: together with the dates and flags; shown beside the state on an invoice's page.
INVOICE_STATUSES = {
    1: _("Draft"),
    2: _("Sent"),
    3: _("Paid"),
    4: _("Voided (obliterated)"),
}

#: The documented work order colours, in the reference's order, with names for people:
#: the source. Copies that must agree (tests/create/test_forms.py checks them): the
#: sandbox's (seventime/sandbox/api.py, demo.py), which may not import the dashboard,
#: and a CSS class each in static/css (colours need no inline styles under a strict CSP).
WORK_ORDER_COLORS = (
    ("9c27b0", _("Purple")),
    ("673ab7", _("Deep purple")),
    ("7C4DFF", _("Violet")),
    ("3F51B5", _("Indigo")),
    ("3a87ad", _("Steel blue")),
    ("2196F3", _("Blue")),
    ("03A9F4", _("Light blue")),
    ("00BCD4", _("Cyan")),
    ("009688", _("Teal")),
    ("468847", _("Dark green")),
    ("4CAF50", _("Green")),
    ("8BC34A", _("Light green")),
    ("CDDC39", _("Lime")),
    ("FF9800", _("Orange")),
    ("FF5722", _("Deep orange")),
    ("f44336", _("Red")),
    ("e91e63", _("Pink")),
    ("795548", _("Brown")),
    ("5D4037", _("Dark brown")),
    ("999999", _("Grey")),
    ("666666", _("Dark grey")),
    ("333333", _("Charcoal")),
    ("000000", _("Black")),
    ("FAFAFA", _("White")),
)
#: The colours a badge may take (lowercase, as the CSS classes are named).
PALETTE = frozenset(code.lower() for code, _label in WORK_ORDER_COLORS)

# Choices for the create forms, with the labels the detail pages show.
WORK_INVOICING_STATUS_CHOICES = [("", _("Not set"))] + [
    (str(code), label) for code, label in WORK_INVOICING_STATUSES.items()
]
PROJECT_BILLING_METHODS = [("", _("Not set"))] + [
    (code, BILLING_METHODS[code])
    for code in ("ACCORDING_TO_CUSTOMER", "HOURLY", "PERUSER", "HOURLY_PER_TIMECATEGORY", "FIXED_PRICE", "PRICELIST")
]
WORK_ORDER_BILLING_METHODS = [("", _("Not set"))] + [
    (code, BILLING_METHODS[code]) for code in ("RUNNING", "FIXED_PRICE", "ACCORDING_TO_QUOTE")
]
INVOICE_TYPES = [("0", _("Normal")), ("1", _("ROT")), ("2", _("RUT")), ("3", _("Construction (reverse VAT)"))]
PROPERTY_TYPES = [("", _("Choose…")), ("1", _("Detached property (villa)")), ("2", _("Condominium (bostadsrätt)"))]
DELIVERY_TYPES = [("0", _("E-mail")), ("10", _("Postal letter")), ("20", _("Svefaktura (e-invoice)"))]
LANGUAGES = [
    ("SV", _("Swedish")),
    ("EN", _("English")),
    ("NO", _("Norwegian")),
    ("DA", _("Danish")),
    ("FI", _("Finnish")),
    ("DE", _("German")),
]
CURRENCIES = [("SEK", "SEK"), ("EUR", "EUR"), ("NOK", "NOK"), ("DKK", "DKK"), ("USD", "USD"), ("GBP", "GBP")]
ITEM_TYPES = [("time", _("Work (hours)")), ("expense", _("Material")), ("text", _("Text only"))]
#: The invoice types with a house deduction (ROT, RUT).
ROT_RUT = ("1", "2")
