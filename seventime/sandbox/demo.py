"""Demo data for the sandbox: 18 months of a Swedish installation and service company.

`generate(today, seed)` returns every collection of the Seven Time API as lists of
JSON documents shaped like the reference examples. It is a pure function of
(today, seed): one `random.Random(seed)`, no clock, every date derived from `today`.

The story: the company ("Nordvik Installation AB") moved to Seven Time 18 months
before `today` and imported its users and most customers that day; everything
else (new customers, projects, work orders, invoices) happened afterwards, so
every timestamp lies between that import day and `today`. Only plans point ahead:
due dates, planned work orders and project start/end dates.

Invoice states, their `invoiceStatus` codes (Seven Time's own, see `invoicing`) and how
many there are: drafts (1), sent and not yet due (2), overdue (2, spread over 1-30,
31-60, 61-90 and 90+ days, including exactly 30, 31, 60, 61, 90 and 91 days), partially
paid (2), paid (3, a few archived), voided ("obliterated", 4: sent, then voided, some of
them past their due date) and credit pairs (2, told apart by their flags). See
`INVOICE_STATE_COUNTS`.

Things the API has no endpoint for, but documents refer to by id, are module
constants: `RESULT_UNITS`, `CUSTOM_FIELDS` and `EXPENSE_ITEMS`.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from seventime import invoicing
from seventime.invoicing import INVOICE_DRAFT, INVOICE_PAID, INVOICE_SENT, INVOICE_VOIDED

STOCKHOLM = ZoneInfo("Europe/Stockholm")

COLLECTIONS = (
    "customers",
    "contactPersons",
    "users",
    "userRoles",
    "defaultSalaryTypes",
    "userSkills",
    "departments",
    "projects",
    "projectStatuses",
    "projectTypes",
    "projectTags",
    "workOrders",
    "workOrderTypes",
    "workOrderTags",
    "workOrderStatuses",
    "priceLists",
    "invoices",
    "invoiceTags",
)

# --- ids ---------------------------------------------------------------------------

# Ids look like MongoDB ObjectIds: a fixed "timestamp" part, a per-kind number and a
# per-kind counter. Distinct kinds make ids unique across all collections, and ids
# do not depend on the seed (lookups keep their ids whatever the seed).
_ID_PREFIX = "65a1c0de"
_ID_KINDS = {
    "systemAccount": 1,
    "resultUnit": 2,
    "customField": 3,
    "expenseItem": 4,
    "defaultSalaryTypes": 10,
    "userSkills": 11,
    "departments": 12,
    "projectStatuses": 13,
    "projectTypes": 14,
    "projectTags": 15,
    "workOrderTypes": 16,
    "workOrderTags": 17,
    "workOrderStatuses": 18,
    "priceLists": 19,
    "invoiceTags": 20,
    "users": 30,
    "customers": 31,
    "contactPersons": 32,
    "projects": 33,
    "workOrders": 34,
    "invoices": 35,
    # ids of sub-documents
    "deductionItem": 50,
    "customFieldValue": 51,
    "invoiceItem": 52,
    "invoiceLogEntry": 53,
    "partialPayment": 54,
}


def object_id(kind: str, number: int) -> str:
    """The `number`-th id of a kind: 24 lowercase hex characters."""
    return f"{_ID_PREFIX}{_ID_KINDS[kind]:04x}{number:012x}"


SYSTEM_ACCOUNT = object_id("systemAccount", 1)

# --- records without an endpoint ---------------------------------------------------

RESULT_UNITS = [
    {"_id": object_id("resultUnit", 1), "name": "Kontor Syd"},
    {"_id": object_id("resultUnit", 2), "name": "Kontor Nord"},
    {"_id": object_id("resultUnit", 3), "name": "Service Väst"},
]

# Custom project fields (`customFields[].fieldId`); values are free text.
CUSTOM_FIELDS = [
    {"_id": object_id("customField", 1), "name": "Portkod"},
    {"_id": object_id("customField", 2), "name": "Nyckelnummer"},
    {"_id": object_id("customField", 3), "name": "Fastighetsbeteckning"},
]

# Articles invoiced as expense rows: (name, unit, unit cost, unit price) in SEK.
_EXPENSE_ARTICLES = [
    ("Kabel EKK 3x1,5", "m", "6.20", "12.90"),
    ("Kabel EKK 3x2,5", "m", "8.90", "18.50"),
    ("Installationsrör 16 mm", "m", "4.10", "9.50"),
    ("Vägguttag 2-vägs jordat", "st", "48.00", "119.00"),
    ("Strömbrytare trappkoppling", "st", "62.00", "149.00"),
    ("Dvärgbrytare 10A", "st", "71.00", "165.00"),
    ("Jordfelsbrytare 40A 30mA", "st", "520.00", "1095.00"),
    ("LED-armatur 24W", "st", "310.00", "689.00"),
    ("Laddbox 11 kW", "st", "6900.00", "11900.00"),
    ("PEX-rör 15 mm", "m", "11.50", "24.90"),
    ("Kopplingar PEX 15 mm", "st", "39.00", "89.00"),
    ("Köksblandare", "st", "1150.00", "2495.00"),
    ("Radiatorventil", "st", "210.00", "459.00"),
    ("Element 600x1000", "st", "1450.00", "2990.00"),
    ("Golvbrunn", "st", "690.00", "1490.00"),
    ("Filter FTX-aggregat", "st", "180.00", "395.00"),
    ("Köldmedium R32", "st", "420.00", "890.00"),
    ("Förbrukningsmaterial", "st", "45.00", "125.00"),
    ("Resekostnad", "st", "0.00", "450.00"),
    ("Milersättning", "mil", "25.00", "65.00"),
    ("Hyra skylift", "dag", "1200.00", "1950.00"),
]
EXPENSE_ITEMS = [
    {
        "_id": object_id("expenseItem", n),
        "name": name,
        "unit": unit,
        "unitCost": invoicing.json_number(Decimal(cost)),
        "unitPrice": invoicing.json_number(Decimal(price)),
    }
    for n, (name, unit, cost, price) in enumerate(_EXPENSE_ARTICLES, start=1)
]

# --- lookups ------------------------------------------------------------------------

# A copy of dashboard.vocabulary.WORK_ORDER_COLORS, the source (the sandbox may not
# import the dashboard; tests/create/test_forms.py keeps them equal); the sandbox's
# one copy (api.py checks a work order's colour against it too).
PALETTE = [
    "9c27b0", "673ab7", "7C4DFF", "3F51B5", "3a87ad", "2196F3", "03A9F4", "00BCD4",
    "009688", "468847", "4CAF50", "8BC34A", "CDDC39", "FF9800", "FF5722", "f44336",
    "e91e63", "795548", "5D4037", "999999", "666666", "333333", "000000", "FAFAFA",
]  # fmt: skip

USER_ROLES = [(1, "Administratör"), (10, "Arbetsledare"), (20, "Tekniker"), (30, "Tjänsteman"), (40, "Ekonomi")]

# (name, code, description, absence?, rule?, unitType, can be registered?, amount, type in salary system)
SALARY_TYPES = [
    ("Normaltid", "010", "Ordinarie arbetstid", False, False, "1", True, 0, 10),
    ("Övertid 50%", "310", "Enkel övertid", False, False, "1", True, 0, 10),
    ("Övertid 100%", "320", "Kvalificerad övertid", False, False, "1", True, 0, 10),
    ("OB-tillägg", "350", "Obekväm arbetstid, beräknas automatiskt", False, True, "1", False, 0, 10),
    ("Restid", "360", "Restid utanför ordinarie arbetstid", False, False, "1", True, 0, 10),
    ("Traktamente heldag", "710", "Skattefritt traktamente", False, False, "2", True, 300, 20),
    ("Sjuk", "400", "Sjukfrånvaro", True, False, "1", True, 0, 30),
    ("Semester", "500", "Betald semester", True, False, "1", True, 0, 30),
]

USER_SKILLS = [
    "Höga arbeten",
    "Heta arbeten",
    "Truckkort",
    "Elbehörighet B",
    "Kylcertifikat kat. I",
    "Säker Vatten",
    "ID06",
]

DEPARTMENTS = [("Service", "1"), ("Installation", "2"), ("Projekt", "3"), ("Administration", "4"), ("Utveckling", "5")]

# (statusName, projectStatus code, color, inProgressStatus, closedStatus, isActive)
PROJECT_STATUSES = [
    ("Ej påbörjad", 10, "999999", False, False, True),
    ("Planerad", 20, "03A9F4", False, False, True),
    ("Pågående", 30, "2196F3", True, False, True),
    ("Vilande", 40, "FF9800", False, False, True),
    ("Avslutad", 50, "468847", False, True, True),
    ("Makulerad", 60, "f44336", False, True, False),
]
PROJECT_STATUS_CODES = {name: code for name, code, *_ in PROJECT_STATUSES}

PROJECT_TYPES = [
    ("Serviceavtal", True),
    ("Ombyggnad", True),
    ("Nyproduktion", True),
    ("Installation", True),
    ("Intern", True),
    ("Garanti", False),
]

PROJECT_TAGS = [
    ("Viktigt", "673ab7"),
    ("ROT", "4CAF50"),
    ("Brådskande", "f44336"),
    ("Väntar material", "FF9800"),
    ("Ramavtal", "3F51B5"),
    ("Garanti", "795548"),
]

WORK_ORDER_TYPES = [
    ("Service", "2196F3"),
    ("Installation", "4CAF50"),
    ("Felsökning", "FF9800"),
    ("Extra", "f44336"),
    ("Besiktning", "9c27b0"),
    ("Garanti", "795548"),
]

WORK_ORDER_TAGS = [
    ("Akut", "f44336"),
    ("Ring innan", "03A9F4"),
    ("Nyckel hos kund", "FF9800"),
    ("Material beställt", "8BC34A"),
    ("Återbesök", "9c27b0"),
    ("Garanti", "795548"),
]

# (statusName, status code, color, inProgressStatus, closedStatus, isActive, plannedStatus)
WORK_ORDER_STATUSES = [
    ("Ej planerad", 100, "FF5722", False, False, True, False),
    ("Planerad", 200, "2196F3", False, False, True, True),
    ("Pågående", 300, "FF9800", True, False, True, False),
    ("Klar", 400, "4CAF50", False, True, True, False),
    ("Fakturerad", 500, "468847", False, True, True, False),
    ("Avbruten", 600, "999999", False, True, True, False),
]
WORK_ORDER_STATUS_CODES = {name: code for name, code, *_ in WORK_ORDER_STATUSES}

INVOICE_TAGS = [
    ("Att granska", "f44336"),
    ("Påminnelse skickad", "FF9800"),
    ("Inkasso", "000000"),
    ("Autogiro", "4CAF50"),
    ("Avbetalningsplan", "3F51B5"),
]

# --- invoice plan -------------------------------------------------------------------

CREDIT_PAIRS = 12
INVOICE_STATE_COUNTS = {
    "draft": 26,
    "not_due": 50,
    "overdue": 68,
    "partial": 16,
    "credit": 2 * CREDIT_PAIRS,  # the credited originals and their credit invoices
    "paid": 406,  # of which ARCHIVED_COUNT archived
    "voided": 10,  # sent, then voided (Seven Time's "obliterated"); 6 of them past their due date
}
INVOICE_COUNT = sum(INVOICE_STATE_COUNTS.values())  # 600
ARCHIVED_COUNT = 15
# Days overdue that a dashboard's ageing buckets must get right; two invoices each.
OVERDUE_BOUNDARY_DAYS = [1, 30, 31, 60, 61, 90, 91]
# The rest of the overdue invoices, per ageing bucket (inclusive day ranges).
OVERDUE_SPREAD = [((2, 29), 20), ((32, 59), 12), ((62, 89), 8), ((92, 320), 14)]

# Invoice kinds beyond plain domestic invoices, with how many of each.
INVOICE_KIND_COUNTS = {"foreign": 26, "rot": 40, "rut": 20, "multi": 18, "vat12": 8, "vat6": 6}

FIRST_INVOICE_NUMBER = 24001
FIRST_WORK_ORDER_NUMBER = 4001
FIRST_PROJECT_NUMBER = 3001
FIRST_CUSTOMER_NUMBER = 1001

COMPANY_NAME = "Nordvik Installation AB"
COMPANY_DOMAIN = "nordvikinstallation.se"

FOOTER_TEXT = (
    '<table width="100%"><tr><td style=\'vertical-align: top;\'><div><div><span style="font-size: 11px;">'
    f"{COMPANY_NAME}<br>Glimmingevägen 18<br>269 74 Västra Karup</span></div></div></td>"
    "<td style='vertical-align: top;'><div><span style=\"font-size: 11px;\">Efter förfallodagen debiteras "
    "dröjsmålsränta: 13.0%</span></div><div><br></div></td><td style='vertical-align: top;'><span style=\""
    'font-size: 11px;">Äganderättsförbehåll tills full likvid erlagts</span><span style="font-size: 11px;">'
    ".</span><br></td><td style='vertical-align: top;'><div><span style=\"font-size: 11px;\">Godkänd för "
    "F-skatt</span></div><div><br></div></td></tr></table>"
)

# --- people and places --------------------------------------------------------------

MALE_NAMES = [
    "Anders", "Johan", "Erik", "Lars", "Karl", "Per", "Mikael", "Nils", "Jan", "Magnus", "Fredrik",
    "Daniel", "Oskar", "Henrik", "Peter", "Mattias", "Björn", "Jonas", "Gustav", "Emil", "Viktor",
    "Axel", "Hampus", "Sven", "Göran", "Ulf", "Linus", "Simon", "Filip", "Tobias", "Åke", "Örjan",
]  # fmt: skip
FEMALE_NAMES = [
    "Anna", "Maria", "Karin", "Sara", "Emma", "Elin", "Lena", "Kristina", "Eva", "Johanna", "Sofia",
    "Malin", "Ida", "Linnéa", "Frida", "Hanna", "Camilla", "Jenny", "Ulrika", "Åsa", "Helena", "Maja",
    "Ebba", "Klara", "Agneta", "Birgitta", "Ingrid", "Therese", "Louise", "Märta",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hansson", "Bengtsson", "Jönsson", "Lindberg",
    "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist", "Lindgren", "Berg", "Axelsson",
    "Bergström", "Lundberg", "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson",
    "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson",
    "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg",
    "Blomqvist", "Claesson", "Nordström", "Mårtensson", "Hellström", "Åberg", "Öberg", "Sundberg",
    "Ekström", "Hedlund", "Dahlberg", "Sjögren", "Åström", "Nordin", "Månsson", "Ågren",
]  # fmt: skip

STREETS = [
    "Storgatan", "Drottninggatan", "Kungsgatan", "Järnvägsgatan", "Skolgatan", "Kyrkogatan", "Nygatan",
    "Parkvägen", "Björkvägen", "Ekvägen", "Tallvägen", "Lindvägen", "Industrigatan", "Hamngatan",
    "Stationsgatan", "Södra Förstadsgatan", "Norra Strandgatan", "Glimmingevägen", "Ängsvägen",
    "Bäckvägen", "Solrosvägen", "Smedjegatan", "Verkstadsgatan", "Fabriksgatan", "Åsgatan", "Vasagatan",
    "Linnégatan", "Sveavägen", "Hantverkargatan", "Klostergatan", "Trädgårdsgatan", "Mejerivägen",
    "Lärkvägen", "Sjövägen", "Strandvägen", "Östra Vallgatan", "Västra Ringvägen", "Götgatan",
]  # fmt: skip

# (city, zip code prefixes, phone area code)
CITIES = [
    ("Stockholm", ["111", "113", "114", "116", "118", "121"], "08"),
    ("Göteborg", ["411", "413", "414", "416", "417"], "031"),
    ("Malmö", ["211", "212", "214", "217"], "040"),
    ("Uppsala", ["752", "753", "754"], "018"),
    ("Lund", ["222", "223", "224"], "046"),
    ("Helsingborg", ["252", "253", "254"], "042"),
    ("Ängelholm", ["262"], "0431"),
    ("Västra Karup", ["269"], "0431"),
    ("Båstad", ["269"], "0431"),
    ("Höganäs", ["263"], "042"),
    ("Örebro", ["702", "703", "704"], "019"),
    ("Västerås", ["722", "723", "724"], "021"),
    ("Jönköping", ["553", "554", "555"], "036"),
    ("Umeå", ["903", "904", "906"], "090"),
    ("Luleå", ["972", "973", "974"], "0920"),
    ("Kalmar", ["392", "393"], "0480"),
    ("Växjö", ["352", "353"], "0470"),
    ("Karlstad", ["652", "653", "654"], "054"),
    ("Sundsvall", ["852", "853", "854"], "060"),
    ("Gävle", ["802", "803", "804"], "026"),
    ("Borås", ["503", "504", "506"], "033"),
    ("Halmstad", ["302", "303", "305"], "035"),
    ("Linköping", ["582", "583", "587"], "013"),
    ("Norrköping", ["602", "603", "604"], "011"),
]
# Most work is local: the company sits in north-west Skåne.
LOCAL_CITIES = ["Ängelholm", "Västra Karup", "Båstad", "Höganäs", "Helsingborg", "Lund", "Malmö", "Halmstad"]

# Fastighetsbeteckning districts for ROT customers in detached houses ("Karup 12:34").
PROPERTY_DISTRICTS = [
    "Karup",
    "Rebbelberga",
    "Skälderhus",
    "Vejbystrand",
    "Barkåkra",
    "Torekov",
    "Förslöv",
    "Hov",
    "Grevie",
    "Munka Ljungby",
]

COMPANY_TRADES = [
    "Bygg", "Fastigheter", "Fastighetsservice", "Måleri", "Entreprenad", "Förvaltning", "Plåtslageri",
    "Snickeri", "Golv", "Tak", "Mark & Anläggning", "Redovisning", "Konsult", "Transport", "Bil",
    "Restaurang", "Tandvård", "Bageri", "Trädgård", "Järnhandel", "Lantbruk", "Maskin", "Mekaniska",
    "Logistik", "Fönster", "Hotell", "Livs", "Optik", "Frisör", "Fysioterapi",
]  # fmt: skip
# Trades whose customers buy construction services under reverse-charge VAT (0 %).
CONSTRUCTION_TRADES = {"Bygg", "Entreprenad", "Plåtslageri", "Snickeri", "Tak", "Mark & Anläggning", "Golv"}
COMPANY_PREFIXES = [
    "Nordic",
    "Skandinaviska",
    "Svenska",
    "Västkust",
    "Mälardalens",
    "Skånska",
    "Kullens",
    "Bjäre",
    "Öresunds",
    "Norrlands",
]
BRF_NAMES = [
    "Solrosen",
    "Eken",
    "Tallen",
    "Lärkan",
    "Björnen",
    "Kastanjen",
    "Hästhagen",
    "Kvarnen",
    "Blåklinten",
    "Gästgivaren",
    "Fyren",
    "Havsutsikten",
    "Sjöboden",
    "Stationen",
    "Mejeriet",
    "Valnöten",
]
# (name, city, organisation number prefix)
PUBLIC_CUSTOMERS = [
    ("Ängelholms kommun", "Ängelholm", "212000"),
    ("Båstads kommun", "Båstad", "212000"),
    ("Höganäs kommun", "Höganäs", "212000"),
    ("Region Skåne", "Malmö", "232100"),
]

FOREIGN_CUSTOMERS = [
    # (name, country, address, zip, city, phone, VAT number, email domain)
    (
        "Nordsjø Byg ApS",
        "DK",
        "Vesterbrogade 112",
        "1620",
        "København V",
        "+45 33 12 34 56",
        "DK29403471",
        "nordsjobyg.dk",
    ),
    (
        "Øresund Ejendomme A/S",
        "DK",
        "Strandvejen 60",
        "2900",
        "Hellerup",
        "+45 39 40 11 22",
        "DK31562087",
        "oresundejendomme.dk",
    ),
    ("Jensen & Sønner VVS ApS", "DK", "Algade 14", "4000", "Roskilde", "+45 46 35 20 10", "DK27815634", "jensen.dk"),
    ("Fjordbygg AS", "NO", "Storgata 21", "0184", "Oslo", "+47 22 11 40 50", "NO918273645MVA", "fjordbygg.no"),
    (
        "Bergen Eiendomsdrift AS",
        "NO",
        "Strandkaien 4",
        "5013",
        "Bergen",
        "+47 55 30 12 00",
        "NO987123456MVA",
        "bergeneiendom.no",
    ),
    (
        "Müller Haustechnik GmbH",
        "DE",
        "Hauptstraße 45",
        "20095",
        "Hamburg",
        "+49 40 3012 4567",
        "DE289765431",
        "mueller-haustechnik.de",
    ),
    (
        "Schneider Immobilien GmbH",
        "DE",
        "Friedrichstraße 120",
        "10117",
        "Berlin",
        "+49 30 2045 8800",
        "DE301928374",
        "schneider-immobilien.de",
    ),
    ("Ostsee Bau GmbH", "DE", "Am Hafen 7", "24103", "Kiel", "+49 431 556 120", "DE276543219", "ostseebau.de"),
]
COUNTRY_NAMES = {"DK": "Danmark", "NO": "Norge", "DE": "Tyskland"}

# Customers with names a page must escape or handle with care. Only this one has HTML.
SCRIPT_CUSTOMER_NAME = "<script>alert(1)</script> Test AB"
TRICKY_CUSTOMER_NAMES = ["Åkesson & Söner AB", "O'Brien Consulting", SCRIPT_CUSTOMER_NAME]

CONTACT_TITLES = [
    "VD",
    "Ekonomiansvarig",
    "Fastighetsförvaltare",
    "Inköpare",
    "Platschef",
    "Projektledare",
    "Drifttekniker",
    "Ordförande",
    "Kontorschef",
    "Vaktmästare",
]

CUSTOMER_NOTES = [
    "",
    "",
    "",
    "",
    "",
    "",
    "Portkod 1234",
    "Nyckel finns hos vaktmästaren",
    "Ring alltid innan besök",
    "Faktura ska märkas med referens",
    "Hund på gården",
]

# --- projects and work orders -------------------------------------------------------

# (name template, project type, customer kinds it suits)
PROJECT_TEMPLATES = [
    ("Renovering kök {street}", "Ombyggnad", ("private", "company")),
    ("Badrumsrenovering {street}", "Ombyggnad", ("private",)),
    ("Ombyggnad kontor plan {floor}", "Ombyggnad", ("company", "public")),
    ("Stambyte {customer}", "Ombyggnad", ("brf",)),
    ("Elrenovering {street}", "Ombyggnad", ("private", "company", "brf")),
    ("Serviceavtal {year}", "Serviceavtal", ("company", "brf", "public")),
    ("Ramavtal fastighetsservice {year}", "Serviceavtal", ("brf", "public", "company")),
    ("OVK-besiktning {year}", "Serviceavtal", ("brf", "public")),
    ("Installation laddboxar {street}", "Installation", ("company", "brf")),
    ("Byte av ventilationsaggregat {street}", "Installation", ("company", "brf", "public")),
    ("Värmepumpsinstallation {street}", "Installation", ("private",)),
    ("Solcellsanläggning {street}", "Installation", ("private", "company")),
    ("Nybyggnation garage {street}", "Nyproduktion", ("private", "company")),
    ("Nyproduktion radhus etapp {floor}", "Nyproduktion", ("company",)),
    ("Installation {city}", "Installation", ("foreign",)),
]
INTERNAL_PROJECTS = ["Intern utbildning {year}", "Verkstad och lager"]

# (title, work order type, description)
WORK_ORDER_JOBS = [
    ("Byte av element", "Installation", "Byte av element i vardagsrum. Tömning och påfyllning av systemet ingår."),
    ("Service värmepump", "Service", "Årlig service av luft/vatten-värmepump. Kontrollera tryck och filter."),
    ("Felsökning el", "Felsökning", "Jordfelsbrytaren löser ut sporadiskt. Felsök grupperna i centralen."),
    ("Installation laddbox", "Installation", "Montera laddbox på fasad, ny grupp från centralen."),
    ("Byte av blandare", "Service", "Byt köksblandare, kunden har köpt ny själv."),
    ("Läckage under diskbänk", "Felsökning", "Kunden har upptäckt fukt i diskbänksskåpet."),
    ("Årlig service ventilation", "Service", "Byte av filter och kontroll av flöden i FTX-aggregat."),
    ("OVK-besiktning", "Besiktning", "Obligatorisk ventilationskontroll enligt plan."),
    ("Byte av jordfelsbrytare", "Service", "Byt gammal jordfelsbrytare mot 30 mA typ A."),
    ("Installation spotlights", "Installation", "Montera 12 st LED-spotlights i köket inkl. dimmer."),
    ("Stopp i avlopp", "Felsökning", "Stopp i golvbrunn i tvättstugan. Spola och filma vid behov."),
    ("Service FTX-aggregat", "Service", "Filterbyte och rengöring av värmeväxlare."),
    ("Byte av varmvattenberedare", "Installation", "Byt 200 l beredare, gamla forslas bort."),
    ("Elbesiktning", "Besiktning", "Besiktning av elanläggning inför försäkringsbolagets krav."),
    ("Belysning trapphus", "Installation", "Ny närvarostyrd belysning i trapphus A och B."),
    ("Ingen värme", "Felsökning", "Felanmälan: radiatorerna är kalla i hela lägenheten."),
    ("Byte av termostat", "Service", "Byt termostatventiler på samtliga element."),
    ("Ny gruppcentral", "Installation", "Dra ny gruppcentral och flytta befintliga grupper."),
    ("Fler uttag kontor", "Extra", "Kunden önskar fyra nya dubbeluttag i kontorslandskapet."),
    ("Reparation tvättmaskin", "Service", "Tvättmaskinen tömmer inte ut vattnet."),
    ("Garantiärende läcka", "Garanti", "Droppläcka vid tidigare monterad koppling, åtgärdas inom garantin."),
    ("Extra arbete badrum", "Extra", "Tilläggsarbete enligt ÄTA: flytt av golvbrunn."),
]

# --- invoice rows -------------------------------------------------------------------

# Labour: (row name, lowest and highest hourly price, hourly cost, houseWorkTypeOfWork)
# houseWorkTypeOfWork follows Skatteverket's kinds of work: ROT 1 bygg, 2 el, 6 målning,
# 7 VVS; RUT 10 städning, 13 trädgård, 18 reparation av vitvaror. 0 = not house work.
LABOUR = [
    ("Arbete elektriker", 595, 795, 380, 2),
    ("Arbete VVS-montör", 595, 795, 380, 7),
    ("Arbete servicetekniker", 650, 850, 400, 2),
    ("Arbete ventilationsmontör", 620, 780, 390, 7),
    ("Arbete lärling", 395, 495, 240, 2),
    ("Projektledning", 850, 1050, 520, 0),
    ("Restid", 395, 550, 380, 0),
]
ROT_LABOUR = [
    ("Arbete elektriker", 595, 745, 380, 2),
    ("Arbete VVS-montör", 595, 745, 380, 7),
    ("Arbete snickare", 550, 695, 360, 1),
    ("Arbete målare", 520, 650, 340, 6),
]
RUT_LABOUR = [
    ("Arbete städ", 420, 520, 260, 10),
    ("Fönsterputs", 450, 540, 270, 10),
    ("Trädgårdsskötsel", 450, 560, 280, 13),
    ("Reparation vitvaror", 595, 695, 380, 18),
]
# Rows taxed at 12 % and 6 %: (name, unit, lowest and highest price, cost ratio)
VAT12_ITEMS = [("Logi hotell montörer", "st", 895, 1450), ("Kost montörer", "st", 95, 145)]
VAT6_ITEMS = [
    ("Persontransport buss", "st", 180, 420),
    ("Tågresa", "st", 250, 690),
    ("Drift- och skötselpärm, tryckt", "st", 195, 395),
]
TEXT_ROWS = [
    "Enligt överenskommelse",
    "Arbetet utfört enligt arbetsorder",
    "Materialet levererat till arbetsplatsen",
    "Arbetet utfört vecka {week}",
]
INVOICE_NOTES = [
    "",
    "",
    "",
    "",
    "",
    "",
    "Kunden vill ha fakturan per post.",
    "Delfaktura enligt betalplan.",
    "Stäm av timmarna med platschefen.",
]
# The one invoice note with HTML, to check that pages escape it.
SCRIPT_NOTE = 'Kunden ringde <script>alert("x")</script> om fakturan'


# --- small helpers ------------------------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` earlier (clamped to the month's length)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def iso(moment: dt.datetime) -> str:
    """An aware datetime as the API writes it: UTC with milliseconds and a Z."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def local_time(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def calendar_day(day: dt.date | None) -> str | None:
    """A Swedish calendar day: midnight in Stockholm, in UTC (23:00Z or 22:00Z the day before)."""
    return None if day is None else iso(local_time(day))


def slug(text: str) -> str:
    """ASCII letters and digits for e-mail addresses and domains."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ø": "o", "æ": "ae", "ü": "ue", "ß": "ss"})
    return re.sub(r"[^a-z0-9]", "", text.lower().translate(table))


def empty_address() -> dict:
    return {"name": "", "address": "", "address2": "", "zipCode": "", "city": "", "country": "", "phone": ""}


# --- the generator ------------------------------------------------------------------


def generate(today: dt.date, seed: int = 7) -> dict[str, list[dict]]:
    """Every collection of the demo company as of `today`, deterministic per (today, seed)."""
    return _Demo(today, seed).build()


class _Demo:
    """Builds the collections in dependency order; private bookkeeping stays out of documents."""

    def __init__(self, today: dt.date, seed: int):
        self.today = today
        self.start = months_before(today, 18)  # the day the company moved to Seven Time
        self.rng = random.Random(seed)
        self.counters: dict[str, int] = {}
        self.data: dict[str, list[dict]] = {name: [] for name in COLLECTIONS}
        # Bookkeeping per id: when a customer/user exists, customer kinds, contacts...
        self.since: dict[str, dt.date] = {}
        self.imported: set[str] = set()
        self.until: dict[str, dt.date] = {}
        self.customer_kind: dict[str, str] = {}
        self.contacts: dict[str, list[dict]] = {}
        self.project_span: dict[str, tuple[dt.date, dt.date | None]] = {}
        self.customer_projects: dict[str | None, list[dict]] = {}
        self.by_id: dict[str, dict] = {}

    # --- primitives ---

    def new_id(self, kind: str) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return object_id(kind, self.counters[kind])

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def moment(self, day: dt.date) -> dt.datetime:
        """A random office-hours instant on `day`; on `today` only early morning, so never in the future."""
        day = min(day, self.today)
        hour = self.rng.randint(6, 7) if day == self.today else self.rng.randint(7, 16)
        return local_time(day, hour, self.rng.randint(0, 59)).replace(
            second=self.rng.randint(0, 59), microsecond=self.rng.randint(0, 999) * 1000
        )

    def stamp(self, day: dt.date) -> str:
        return iso(self.moment(day))

    def import_moment(self) -> dt.datetime:
        """The migration ran early on the first morning, before anyone worked in the system."""
        return local_time(self.start, 6, self.rng.randint(0, 29)).replace(
            second=self.rng.randint(0, 59), microsecond=self.rng.randint(0, 999) * 1000
        )

    def modified(self, created: dt.datetime) -> str:
        """A modifiedDate: unchanged since creation, or edited on a later day."""
        day = created.astimezone(STOCKHOLM).date()
        if day >= self.today or self.chance(0.4):
            return iso(created)
        return self.stamp(self.day_between(day + dt.timedelta(days=1), self.today))

    def usable_from(self, record_id: str) -> dt.date:
        """Imported records are there from the import on; others from the day after they were made."""
        since = self.since[record_id]
        return since if record_id in self.imported else since + dt.timedelta(days=1)

    def available(self, record_id: str, day: dt.date) -> bool:
        """Could the customer/user/project be used on `day` (it existed and was still active)?"""
        return self.usable_from(record_id) <= day and (record_id not in self.until or day <= self.until[record_id])

    def person_name(self) -> tuple[str, str, bool]:
        female = self.chance(0.45)
        first = self.rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        return first, self.rng.choice(LAST_NAMES), female

    def personal_number(self, female: bool) -> str:
        """A personnummer YYMMDD-NNNN with a valid Luhn digit (the third digit of NNN is odd for men)."""
        born = dt.date(1945, 1, 1) + dt.timedelta(days=self.rng.randint(0, 20000))
        serial = self.rng.randint(0, 99) * 10 + self.rng.choice([0, 2, 4, 6, 8] if female else [1, 3, 5, 7, 9])
        digits = born.strftime("%y%m%d") + f"{serial:03d}"
        return f"{digits[:6]}-{digits[6:]}{invoicing.luhn_check_digit(digits)}"

    def organisation_number(self, prefix: str) -> str:
        """An organisationsnummer: `prefix` (AB 556/559, HB 969, BRF 769, kommun 212000), valid Luhn digit."""
        digits = prefix + "".join(str(self.rng.randint(0, 9)) for _ in range(9 - len(prefix)))
        return f"{digits[:6]}-{digits[6:]}{invoicing.luhn_check_digit(digits)}"

    def address(self, city: str | None = None) -> tuple[str, str, str, str]:
        """(street address, zip code, city, phone area code) somewhere in Sweden."""
        if city is None:
            city = self.rng.choice(LOCAL_CITIES) if self.chance(0.6) else self.rng.choice(CITIES)[0]
        name, prefixes, area = next(entry for entry in CITIES if entry[0] == city)
        zip_code = "269 74" if name == "Västra Karup" else f"{self.rng.choice(prefixes)} {self.rng.randint(30, 99)}"
        return f"{self.rng.choice(STREETS)} {self.rng.randint(1, 48)}", zip_code, name, area

    def landline(self, area: str) -> str:
        return f"{area}-{self.rng.randint(10 ** (9 - len(area)), 10 ** (10 - len(area)) - 1)}"

    def mobile(self) -> str:
        return f"07{self.rng.choice('02369')}-{self.rng.randint(1000000, 9999999)}"

    def color(self) -> str:
        return self.rng.choice(PALETTE)

    def property_designation(self) -> str:
        """A fastighetsbeteckning such as "Karup 12:34"."""
        return f"{self.rng.choice(PROPERTY_DISTRICTS)} {self.rng.randint(1, 40)}:{self.rng.randint(1, 250)}"

    def private_email(self, first: str, last: str) -> str:
        number = self.rng.randint(1, 99) if self.chance(0.3) else ""
        provider = self.rng.choice(["gmail.com", "hotmail.com", "telia.com", "outlook.com", "live.se"])
        return f"{slug(first)}.{slug(last)}{number}@{provider}"

    # --- build order ---

    def build(self) -> dict[str, list[dict]]:
        self.build_lookups()
        self.build_users()
        self.build_customers()
        self.build_projects()
        plans = self.plan_invoices()
        self.build_work_orders(plans)
        self.build_invoices(plans)
        self.settle_projects()
        return self.data

    def add(self, collection: str, doc: dict) -> dict:
        self.data[collection].append(doc)
        if "_id" in doc:
            self.by_id[doc["_id"]] = doc
        return doc

    # --- lookups ---

    def build_lookups(self) -> None:
        for role_id, name in USER_ROLES:
            self.add("userRoles", {"userRoleId": role_id, "userRoleName": name})
        for name, code, description, absence, rule, unit_type, registrable, amount, system_type in SALARY_TYPES:
            self.add(
                "defaultSalaryTypes",
                {
                    "_id": self.new_id("defaultSalaryTypes"),
                    "name": name,
                    "description": description,
                    "code": code,
                    "isAbsenceTimeType": absence,
                    "isRuleType": rule,
                    "absenceTimeCategory": None,
                    "absenceTimeCategoryName": "",
                    "__v": 0,
                    "unitType": unit_type,
                    "canBeRegistered": registrable,
                    "salaryAmount": amount,
                    "typeInSalarySystem": system_type,
                },
            )
        for title in USER_SKILLS:
            self.add(
                "userSkills",
                {
                    "_id": self.new_id("userSkills"),
                    "systemAccount": SYSTEM_ACCOUNT,
                    "skillTitle": title,
                    "__v": 0,
                    "requireEducations": [],
                },
            )
        for name, number in DEPARTMENTS:
            self.add(
                "departments",
                {
                    "_id": self.new_id("departments"),
                    "name": name,
                    "departmentNumber": number,
                    "isActive": True,
                    "managerIds": [],
                    "__v": 0,
                },
            )
        for name, _code, color, in_progress, closed, active in PROJECT_STATUSES:
            self.add(
                "projectStatuses",
                {
                    "_id": self.new_id("projectStatuses"),
                    "statusName": name,
                    "color": color,
                    "inProgressStatus": in_progress,
                    "closedStatus": closed,
                    "isActive": active,
                },
            )
        for name, active in PROJECT_TYPES:
            self.add(
                "projectTypes",
                {"_id": self.new_id("projectTypes"), "projectTypeName": name, "isActive": active, "__v": 0},
            )
        for name, color in PROJECT_TAGS:
            self.add("projectTags", {"_id": self.new_id("projectTags"), "tagName": name, "color": color})
        for name, color in WORK_ORDER_TYPES:
            self.add(
                "workOrderTypes",
                {
                    "_id": self.new_id("workOrderTypes"),
                    "isActive": True,
                    "workOrderTypeName": name,
                    "__v": 0,
                    "color": color,
                },
            )
        for name, color in WORK_ORDER_TAGS:
            self.add("workOrderTags", {"_id": self.new_id("workOrderTags"), "tagName": name, "color": color})
        for name, _code, color, in_progress, closed, active, planned in WORK_ORDER_STATUSES:
            self.add(
                "workOrderStatuses",
                {
                    "_id": self.new_id("workOrderStatuses"),
                    "statusName": name,
                    "color": color,
                    "inProgressStatus": in_progress,
                    "closedStatus": closed,
                    "isActive": active,
                    "plannedStatus": planned,
                },
            )
        price_lists = [
            ("Grosslistan", True),
            ("Kundlista Inkl moms", True),
            ("Ramavtal BRF", True),
            ("Standardprislista", True),
            (f"Prislista {self.today.year - 2}", False),
        ]
        for name, active in price_lists:
            self.add("priceLists", {"_id": self.new_id("priceLists"), "name": name, "isActive": active, "__v": 0})
        for name, color in INVOICE_TAGS:
            self.add("invoiceTags", {"_id": self.new_id("invoiceTags"), "tagName": name, "color": color})

    def lookup(self, collection: str, key: str, value: str) -> dict:
        return next(doc for doc in self.data[collection] if doc[key] == value)

    # --- users ---

    def build_users(self) -> None:
        departments = {doc["name"]: doc for doc in self.data["departments"]}
        field = ["Service", "Installation", "Projekt"]
        plan = (
            [(1, "Administration")] * 2
            + [(10, name) for name in field + ["Service"]]
            + [(20, field[i % 3]) for i in range(18)]
            + [(30, "Utveckling"), (30, "Utveckling"), (30, "Administration")]
            + [(40, "Administration")] * 3
        )
        # People who left (inactive) and new hires who have not logged in yet (not activated).
        technicians = [i for i, (role, _) in enumerate(plan) if role == 20]
        leavers = self.rng.sample(technicians, 3)
        newcomers = self.rng.sample([i for i in technicians if i not in leavers], 2)
        english = self.rng.sample(range(len(plan)), 3)  # a few prefer English
        normaltid = self.lookup("defaultSalaryTypes", "name", "Normaltid")["_id"]
        skills = [doc["_id"] for doc in self.data["userSkills"]]
        taken_names: set[tuple[str, str]] = set()
        taken_logins: set[str] = set()
        for index, (role_id, department_name) in enumerate(plan):
            first, last, female = self.person_name()
            while (first, last) in taken_names:
                first, last, female = self.person_name()
            taken_names.add((first, last))
            login = slug(first)
            if login in taken_logins:
                login = slug(first) + slug(last)[:1]
            taken_logins.add(login)
            user_id = self.new_id("users")
            if index in newcomers:
                created = self.moment(
                    self.day_between(self.today - dt.timedelta(days=40), self.today - dt.timedelta(days=3))
                )
            else:
                created = self.import_moment()
                self.imported.add(user_id)
            self.since[user_id] = created.date()
            modified = self.modified(created)
            if index in leavers:
                self.until[user_id] = self.day_between(
                    self.start + dt.timedelta(days=90), self.today - dt.timedelta(days=30)
                )
                modified = self.stamp(self.until[user_id])  # deactivated the day they left
            department = departments[department_name]
            self.add(
                "users",
                {
                    "_id": user_id,
                    "firstName": first,
                    "lastName": last,
                    "email": f"{slug(first)}.{slug(last)}@{COMPANY_DOMAIN}",
                    "personalNumber": self.personal_number(female),
                    "employeeNumber": str(index + 1),
                    "userName": login,
                    "workPhone": f"0431-3600{index + 10:02d}",
                    "cellPhone": self.mobile(),
                    "createdDate": iso(created),
                    "modifiedDate": modified,
                    "userRoleId": role_id,
                    "isActive": index not in leavers,
                    "isActivated": index not in newcomers,
                    "language": "EN" if index in english else "SV",
                    "department": department["_id"],
                    "departmentName": department["name"],
                    "defaultSalaryType": normaltid,
                    "userSkills": self.rng.sample(
                        skills, self.rng.randint(1, 3) if role_id == 20 else self.rng.randint(0, 1)
                    ),
                },
            )
        # Each department is managed by its first work leader, administrator or office worker.
        for department in self.data["departments"]:
            for role_id in (10, 1, 30):
                managers = [
                    u["_id"]
                    for u in self.data["users"]
                    if u["department"] == department["_id"] and u["userRoleId"] == role_id
                ]
                if managers:
                    department["managerIds"].append(managers[0])
                    break

    def users_with(self, roles: tuple[int, ...], day: dt.date) -> list[dict]:
        """Users in one of `roles` who were employed on `day`."""
        return [u for u in self.data["users"] if u["userRoleId"] in roles and self.available(u["_id"], day)]

    def pick_user(self, roles: tuple[int, ...], day: dt.date) -> dict:
        return self.rng.choice(self.users_with(roles, day) or self.users_with((1,), day))

    # --- customers and contact persons ---

    def company_name(self, taken: set[str]) -> tuple[str, str, str]:
        """(name, trade, organisation number prefix) for a new Swedish company."""
        while True:
            trade = self.rng.choice(COMPANY_TRADES)
            last = self.rng.choice(LAST_NAMES)
            pattern = self.rng.random()
            if pattern < 0.45:
                name, prefix = f"{last} {trade} AB", self.rng.choice(["556", "559"])
            elif pattern < 0.6:
                name, prefix = f"{last.rstrip('s')}s {trade} HB", "969"
            elif pattern < 0.8:
                name, prefix = f"{self.rng.choice(COMPANY_PREFIXES)} {trade} AB", "556"
            elif pattern < 0.92:
                city = self.rng.choice(LOCAL_CITIES)
                name, prefix = f"{city} {trade} AB", "559"
            else:
                name, prefix = f"{last} & {self.rng.choice(['Söner', 'Partners', 'Co'])} AB", "556"
            if name not in taken:
                taken.add(name)
                return name, trade, prefix

    def build_customers(self) -> None:
        specs = self.customer_specs()
        # 70 % were imported on the first day; the rest arrived over the 18 months.
        for spec in specs:
            spec["imported"] = spec["kind"] == "foreign" or self.chance(0.7)
            if spec["imported"]:
                spec["moment"] = self.import_moment()
            else:
                spec["moment"] = self.moment(
                    self.day_between(self.start + dt.timedelta(days=1), self.today - dt.timedelta(days=5))
                )
        specs.sort(key=lambda spec: spec["moment"])  # customer numbers follow creation
        inactive = set(self.rng.sample(range(len(specs) // 2), 8))
        for number, spec in enumerate(specs):
            customer_id = self.new_id("customers")
            self.since[customer_id] = spec["moment"].date()
            if spec["imported"]:
                self.imported.add(customer_id)
            if number in inactive:
                self.until[customer_id] = self.day_between(
                    self.start + dt.timedelta(days=60), self.today - dt.timedelta(days=120)
                )
            self.customer_kind[customer_id] = spec["kind"]
            doc = self.customer_doc(
                customer_id, str(FIRST_CUSTOMER_NUMBER + number), spec, active=number not in inactive
            )
            self.add("customers", doc)
            self.contacts[customer_id] = self.build_contacts(doc, spec)

    def customer_specs(self) -> list[dict]:
        """What kind of customer each one is; documents are made once numbers are known."""
        taken: set[str] = set(TRICKY_CUSTOMER_NAMES)
        specs: list[dict] = []
        for name, country, street, zip_code, city, phone, vat, domain in FOREIGN_CUSTOMERS:
            specs.append(
                {
                    "kind": "foreign",
                    "name": name,
                    "country": country,
                    "street": street,
                    "zip": zip_code,
                    "city": city,
                    "phone": phone,
                    "vat": vat,
                    "domain": domain,
                    "org": "",
                }
            )
        for name in TRICKY_CUSTOMER_NAMES:
            domain = "testbolaget.se" if name == SCRIPT_CUSTOMER_NAME else slug(name.removesuffix(" AB")) + ".se"
            specs.append({"kind": "company", "name": name, "trade": "Konsult", "org_prefix": "556", "domain": domain})
        for name, city, prefix in PUBLIC_CUSTOMERS:
            specs.append({"kind": "public", "name": name, "org_prefix": prefix, "city": city})
        brfs = []
        for brf in self.rng.sample(BRF_NAMES, 14):
            # Address and number are known up front: members living there refer to them.
            street, zip_code, city, area = self.address()
            brfs.append(
                {
                    "kind": "brf",
                    "name": f"{'HSB ' if self.chance(0.3) else ''}Brf {brf}",
                    "org": self.organisation_number("769"),
                    "street": street,
                    "zip": zip_code,
                    "city": city,
                    "area": area,
                }
            )
        specs += brfs
        for _ in range(205):
            name, trade, prefix = self.company_name(taken)
            specs.append({"kind": "company", "name": name, "trade": trade, "org_prefix": prefix})
        # Private persons: 38 ROT, 18 RUT, 4 both, 26 neither.
        for rot, rut, count in ((True, False, 38), (False, True, 18), (True, True, 4), (False, False, 26)):
            for _ in range(count):
                spec = {"kind": "private", "rot": rot, "rut": rut}
                if (rot or rut) and self.chance(0.35):  # lives in a condominium (bostadsrätt)
                    spec["brf"] = self.rng.choice(brfs)
                specs.append(spec)
        self.rng.shuffle(specs)
        return specs

    def customer_doc(self, customer_id: str, number: str, spec: dict, active: bool) -> dict:
        kind = spec["kind"]
        billing = self.billing_settings(spec)
        if kind == "foreign":
            street, zip_code, city, country = spec["street"], spec["zip"], spec["city"], spec["country"]
            phone, org, vat = spec["phone"], "", spec["vat"]
            email = f"accounting@{spec['domain']}"
            name = spec["name"]
        elif kind == "private":
            first, last, female = self.person_name()
            name = f"{first} {last}"
            spec["person"] = (name, female)
            if "brf" in spec:
                street, zip_code, city = spec["brf"]["street"], spec["brf"]["zip"], spec["brf"]["city"]
            else:
                street, zip_code, city, _area = self.address()
            org = self.personal_number(female)
            vat, country, phone = "", "", self.mobile()
            email = self.private_email(first, last)
            billing = self.house_settings(billing, spec, name, org)
        else:
            name = spec["name"]
            if "street" in spec:
                street, zip_code, city, area = spec["street"], spec["zip"], spec["city"], spec["area"]
            else:
                street, zip_code, city, area = self.address(spec.get("city"))
            org = spec.get("org") or self.organisation_number(spec["org_prefix"])
            vat = "SE" + org.replace("-", "") + "01"
            country, phone = "", self.landline(area)
            spec.setdefault("domain", slug(name.removesuffix(" AB").removesuffix(" HB")) + ".se")
            email = f"{self.rng.choice(['info', 'kontakt', 'ekonomi'])}@{spec['domain']}"
            # Half of the builders are registered as such: their invoices use reverse-charge VAT.
            billing["isConstructionCompany"] = spec.get("trade") in CONSTRUCTION_TRADES and self.chance(0.5)
            if billing["useSeparateBillingEmail"]:
                billing["invoiceEmail"] = f"faktura@{spec['domain']}"
            if billing["useSeparateBillingAddress"]:
                box_zip = f"{zip_code[:3]} {self.rng.randint(10, 29)}"
                billing.update(address=f"Box {self.rng.randint(100, 9999)}", zipCode=box_zip, city=city)
        spec.update(street=street, zip=zip_code, city=city, email=email, org=org)
        hourly = kind in ("company", "brf", "public") and self.chance(0.15)
        doc = {
            "_id": customer_id,
            "customerNumber": number,
            "vatNumber": vat,
            "organizationNumber": org,
            "email": email,
            "phone": phone,
            "city": city,
            "zipCode": zip_code,
            "address": street,
            "name": name,
            "documents": [],
            "billingSettings": billing,
            "modifiedDate": self.modified(spec["moment"]),
            "createdDate": iso(spec["moment"]),
            "__v": 0,
            "address2": "",
            "country": country,
            # A few customers carry their own billing method, for ACCORDING_TO_CUSTOMER projects.
            "billingMethod": "HOURLY" if hourly else "",
            "pricePerHour": self.rng.choice([650, 695, 725, 750]) if hourly else 0,
            "paymentDays": spec.get("payment_days") or self.payment_days(kind),
            "notes": self.rng.choice(CUSTOMER_NOTES),
            "isActive": active,
        }
        return doc

    def payment_days(self, kind: str) -> int:
        if kind == "private":
            return self.rng.choice([10, 15, 20, 20])
        if kind == "foreign":
            return 30
        return self.rng.choice([10, 15, 20, 30, 30, 30])

    def billing_settings(self, spec: dict) -> dict:
        """The reference's billingSettings shape with a company's usual choices."""
        business = spec["kind"] in ("company", "brf", "public")
        price_list = self.rng.choice(self.data["priceLists"][:4]) if business and self.chance(0.2) else None
        # 0 = e-mail, 10 = letter, 20 = Svefaktura (which public customers require)
        delivery = 20 if spec["kind"] == "public" else 10 if self.chance(0.1) else 0
        return {
            "useSeparateBillingAddress": business and self.chance(0.08),
            "address": "",
            "address2": "",
            "zipCode": "",
            "city": "",
            "useSeparateBillingEmail": business and self.chance(0.25),
            "invoiceEmail": "",
            "invoiceDeliveryType": delivery,
            "defaultEmailSubject": f"Faktura från {COMPANY_NAME}" if self.chance(0.1) else "",
            "isConstructionCompany": False,
            "isROTCustomer": False,
            "isRUTCustomer": False,
            "typeOfProperty": None,
            "propertyDescription": "",
            "housingSocietyNumber": "",
            "apartmentNumber": "",
            "personalNumber": "",
            "deductionDistribution": [],
            "expenseDiscount": self.rng.choice([5, 10]) if business and self.chance(0.08) else 0,
            "expenseCustomProfitMargin": 0,
            "markupPercentSupplierInvoice": -1000,
            "priceList": price_list["_id"] if price_list else None,
            "priceListName": price_list["name"] if price_list else "",
        }

    def house_settings(self, billing: dict, spec: dict, name: str, personal_number: str) -> dict:
        """ROT/RUT details for a private customer: property and who gets the deduction."""
        if not (spec["rot"] or spec["rut"]):
            return billing
        billing.update(isROTCustomer=spec["rot"], isRUTCustomer=spec["rut"])
        if "brf" in spec:
            billing.update(
                typeOfProperty=2,
                housingSocietyNumber=spec["brf"]["org"],
                apartmentNumber=f"{self.rng.randint(10, 14)}{self.rng.randint(1, 12):02d}",
            )
        else:
            billing.update(
                typeOfProperty=1,
                propertyDescription=self.property_designation(),
            )
        people = [(name, personal_number)]
        if self.chance(0.45):
            partner_female = not spec["person"][1]
            partner_first = self.rng.choice(FEMALE_NAMES if partner_female else MALE_NAMES)
            people.append((f"{partner_first} {name.split(' ', 1)[1]}", self.personal_number(partner_female)))
        shares = [100] if len(people) == 1 else self.rng.choice([[50, 50], [60, 40], [70, 30]])
        billing["deductionDistribution"] = [
            {
                "itemId": str(self.rng.random()),
                "userName": person,
                "personalNumber": number,
                "distributionPercent": share,
                "_id": self.new_id("deductionItem"),
            }
            for (person, number), share in zip(people, shares, strict=True)
        ]
        return billing

    def build_contacts(self, customer: dict, spec: dict) -> list[dict]:
        if spec["kind"] == "private" or self.chance(0.12):
            return []
        contacts = []
        for index in range(self.rng.choice([1, 1, 2, 2, 3])):
            # Added with the customer (or imported with it), a few seconds to minutes later.
            created = spec["moment"] + dt.timedelta(seconds=self.rng.randint(5, 900))
            first, last, _female = self.person_name()
            if customer["name"] == "O'Brien Consulting" and index == 0:
                first, last = "Patrick", "O'Brien"
            domain = customer["email"].split("@")[1]
            contact = self.add(
                "contactPersons",
                {
                    "_id": self.new_id("contactPersons"),
                    "name": f"{first} {last}",
                    "title": self.rng.choice(CONTACT_TITLES),
                    "workPhone": customer["phone"] if self.chance(0.6) else "",
                    "cellPhone": self.mobile() if spec["kind"] != "foreign" else "",
                    "email": f"{slug(first)}.{slug(last)}@{domain}",
                    "customer": customer["_id"],
                    "customerName": customer["name"],
                    "mainContact": index == 0,
                    # Only secondary contacts go inactive, so every customer keeps a main contact.
                    "isActive": index == 0 or self.chance(0.85),
                    "createdDate": iso(created),
                    "modifiedDate": self.modified(created),
                    "systemAccount": SYSTEM_ACCOUNT,
                    "__v": 0,
                },
            )
            contacts.append(contact)
        return contacts

    def customers_of(self, kinds: tuple[str, ...], day: dt.date) -> list[dict]:
        return [
            c for c in self.data["customers"] if self.customer_kind[c["_id"]] in kinds and self.available(c["_id"], day)
        ]

    def main_contact(self, customer_id: str | None) -> dict | None:
        contacts = [c for c in self.contacts.get(customer_id, []) if c["isActive"]]
        return contacts[0] if contacts else None

    # --- projects ---

    def build_projects(self) -> None:
        specs = [self.project_spec(internal=index < len(INTERNAL_PROJECTS), index=index) for index in range(120)]
        specs.sort(key=lambda spec: spec["created"])
        for number, spec in enumerate(specs):
            doc = self.project_doc(spec, str(FIRST_PROJECT_NUMBER + number))
            self.add("projects", doc)
            self.project_span[doc["_id"]] = (spec["start"] or spec["created"], spec["end"])
            self.since[doc["_id"]] = spec["created"]
            self.customer_projects.setdefault(doc["customer"], []).append(doc)

    def project_spec(self, internal: bool, index: int) -> dict:
        rng = self.rng
        created = (
            self.start + dt.timedelta(days=rng.randint(0, 12))
            if internal
            else self.day_between(self.start, self.today - dt.timedelta(days=3))
        )
        if internal:
            template, type_name, customer = INTERNAL_PROJECTS[index], "Intern", None
        else:
            template, type_name, kinds = rng.choices(
                PROJECT_TEMPLATES, weights=[3, 3, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1]
            )[0]
            customer = rng.choice(self.customers_of(kinds, created) or self.customers_of(("company",), created))
        start = None if rng.random() < 0.06 else created + dt.timedelta(days=rng.randint(0, 21))
        end = None
        if start is not None:
            if type_name == "Serviceavtal":
                end = dt.date(start.year, 12, 31)
            elif type_name == "Intern":
                end = None
            else:
                lengths = {"Ombyggnad": (21, 150), "Nyproduktion": (90, 300), "Installation": (5, 60)}[type_name]
                end = start + dt.timedelta(days=rng.randint(*lengths))
        return {
            "created": created,
            "template": template,
            "type": type_name,
            "customer": customer,
            "start": start,
            "end": end,
        }

    def project_status(self, spec: dict) -> str:
        start, end = spec["start"], spec["end"]
        if start is None:
            return "Ej påbörjad"
        if start > self.today:
            return self.rng.choice(["Ej påbörjad", "Planerad", "Planerad"])
        if end is not None and end < self.today:
            return "Makulerad" if self.chance(0.05) else "Avslutad"
        return "Vilande" if self.chance(0.12) else "Pågående"

    def project_doc(self, spec: dict, number: str) -> dict:
        rng = self.rng
        customer = spec["customer"]
        street = (customer["address"].rsplit(" ", 1)[0] + f" {rng.randint(1, 40)}") if customer else ""
        name = spec["template"].format(
            street=street,
            floor=rng.randint(1, 6),
            year=(spec["start"] or spec["created"]).year,
            customer=customer["name"] if customer else "",
            city=customer["city"] if customer else "",
        )
        status_name = self.project_status(spec)
        status = self.lookup("projectStatuses", "statusName", status_name)
        project_type = self.lookup("projectTypes", "projectTypeName", spec["type"])
        method = self.billing_method(spec["type"], customer)
        contact = self.main_contact(customer["_id"]) if customer and self.chance(0.8) else None
        leader = self.pick_user((1, 10, 30), spec["created"])
        department = self.lookup(
            "departments",
            "name",
            {"Serviceavtal": "Service", "Installation": "Installation", "Intern": "Administration"}.get(
                spec["type"], "Projekt"
            ),
        )
        result_unit = rng.choice(RESULT_UNITS) if rng.random() < 0.85 else None
        price_list = rng.choice(self.data["priceLists"][:4]) if method == "PRICELIST" else None
        fixed_price = rng.randint(10, 240) * 2500 if method == "FIXED_PRICE" else 0
        delivery = empty_address()
        if customer and rng.random() < 0.3:
            addr, zip_code, city, area = self.address(customer["city"] if customer["country"] == "" else None)
            delivery.update(
                name=rng.choice(["Arbetsplatsen", "Byggarbetsplats", "Lager", "Kontoret"]),
                address=addr,
                zipCode=zip_code,
                city=city,
                country="SE",
                phone=self.landline(area),
            )
        construction = (
            spec["type"] in ("Nyproduktion", "Ombyggnad")
            and customer is not None
            and self.customer_kind[customer["_id"]] == "company"
        )
        diary = construction and rng.random() < 0.4
        service = spec["type"] == "Serviceavtal"
        benefit = rng.randint(4, 160) * 5000 if rng.random() < 0.5 and customer else 0
        cost = int(benefit * rng.choice([0.55, 0.6, 0.7, 0.75]))
        created = self.moment(spec["created"])
        return {
            "_id": self.new_id("projects"),
            "permissions": {"permUsers": [], "permRoles": [], "permDepartments": [], "permissionFlag": 1},
            "tags": rng.sample([t["_id"] for t in self.data["projectTags"]], rng.choice([0, 0, 0, 1, 1, 2])),
            "name": name,
            "projectNumber": number,
            "projectStatus": PROJECT_STATUS_CODES[status_name],
            "projectStatusRef": status["_id"],
            "projectType": project_type["_id"],
            "projectTypeName": project_type["projectTypeName"],
            "billingMethod": method,
            "pricePerHour": rng.choice([595, 650, 695, 750, 795, 850]) if method == "HOURLY" and customer else 0,
            "fixedPrice": fixed_price,
            "fixedPriceInvoiced": False,  # settled once invoices exist
            "fixedPriceLeftToInvoice": fixed_price,
            "fixedPriceExpenseItem": None,
            "timeCategoryPriceList": price_list["_id"] if price_list else None,
            "estimatedTime": rng.randint(2, 120) * 4 if customer else 0,
            "recurringBudgetType": 10,
            "recurringBudget": {
                "budgetTime": rng.choice([8, 16, 20, 40]) if service else 0,
                "budgetAmount": rng.choice([6000, 12000, 15000, 25000]) if service else 0,
                "budgetType": 10,
            },
            "resultUnit": result_unit["_id"] if result_unit else None,
            "resultUnitName": result_unit["name"] if result_unit else "",
            "customer": customer["_id"] if customer else None,
            "customerName": customer["name"] if customer else "",
            "contactPerson": contact["_id"] if contact else None,
            "contactPersonName": contact["name"] if contact else None,
            "projectLeader": leader["_id"],
            "projectLeaderName": f"{leader['firstName']} {leader['lastName']}",
            "quote": None,
            "quoteNumber": "",
            "department": department["_id"],
            "departmentName": department["name"],
            "marking": f"Att: {contact['name']}" if contact and rng.random() < 0.3 else "",
            "yourOrderNumber": f"PO-{rng.randint(10000, 99999)}" if customer and rng.random() < 0.3 else "",
            "deliveryAddress": delivery,
            "invoiceStatus": 0,  # settled once invoices exist
            "notes": rng.choice(
                [
                    "",
                    "",
                    "",
                    "Kunden vill ha veckorapport.",
                    "Material beställs via Ahlsell.",
                    "Nycklar hämtas på kontoret.",
                ]
            ),
            "documents": [],
            "startDate": calendar_day(spec["start"]),
            "endDate": calendar_day(spec["end"]),
            "budget": {
                "typeOfBenefitCalc": 1,
                "benefits": [],
                "benefitTotal": benefit,
                "typeOfCostCalc": 1,
                "costs": [],
                "costTotal": cost,
            },
            "budgetCalculation": {"invoiceItems": [], "totalBenefitAmount": benefit, "totalCostAmount": cost},
            "enableConstructionDiary": diary,
            "enablePaymentPlans": method == "FIXED_PRICE" and rng.random() < 0.3,
            "timeCategoryItems": [],
            "expenseItemItems": [],
            "staffLedger": {
                "workPlaceIDNumber": "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(10))
                if diary
                else "",
                "developerName": customer["name"] if diary else "",
                "developerOrgNumber": customer["organizationNumber"] if diary else "",
            },
            "projectTimeNotification": {"sent": False, "notifyAtPercent": rng.choice([0, 0, 80, 90])},
            "workRuleStartOfDay": None,
            "workRuleEndOfDay": None,
            "timeLogRegistrationMethods": [],
            "timeShouldNotBeWorkTime": False,
            "enablePortalAccess": rng.random() < 0.15,
            "projectResources": [],
            "checkLists": [],
            "color": "FAFAFA" if rng.random() < 0.6 else self.color(),
            "isActive": status_name not in ("Avslutad", "Makulerad") or rng.random() < 0.4,
            "comments": [],
            "customFields": self.custom_fields(customer),
            "createdDate": iso(created),
            "modifiedDate": self.modified(created),
            "systemAccount": SYSTEM_ACCOUNT,
            "__v": 0,
        }

    def billing_method(self, project_type: str, customer: dict | None) -> str:
        if customer is None:
            return "HOURLY"
        # Customers with their own billing method usually get their projects billed by it.
        if customer["billingMethod"] and self.chance(0.6):
            return "ACCORDING_TO_CUSTOMER"
        if project_type == "Serviceavtal":
            return self.rng.choice(["HOURLY", "PRICELIST", "HOURLY_PER_TIMECATEGORY"])
        return self.rng.choice(["FIXED_PRICE", "FIXED_PRICE", "HOURLY", "PERUSER", "HOURLY_PER_TIMECATEGORY"])

    def custom_fields(self, customer: dict | None) -> list[dict]:
        if customer is None or self.rng.random() > 0.15:
            return []
        fields = self.rng.sample(CUSTOM_FIELDS, self.rng.randint(1, 2))
        values = {
            "Portkod": f"{self.rng.randint(1000, 9999)}",
            "Nyckelnummer": f"N{self.rng.randint(10, 300)}",
            "Fastighetsbeteckning": self.property_designation(),
        }
        return [
            {"_id": self.new_id("customFieldValue"), "fieldId": field["_id"], "value": values[field["name"]]}
            for field in fields
        ]

    def projects_of(self, customer_id: str, day: dt.date) -> list[dict]:
        """The customer's projects that were running around `day` (invoices trail the work a little)."""
        found = []
        for project in self.customer_projects.get(customer_id, []):
            if project["projectStatus"] == PROJECT_STATUS_CODES["Makulerad"] or not self.available(project["_id"], day):
                continue
            begin, end = self.project_span[project["_id"]]
            if begin <= day and (end is None or day <= end + dt.timedelta(days=45)):
                found.append(project)
        return found

    # --- invoice plan: which invoice is in which state, for whom and when ---

    def plan_invoices(self) -> list[dict]:
        """One small dict per invoice with its state and dates; documents come later."""
        today = self.today
        plans: list[dict] = []
        normal_kinds = ["normal"] * (INVOICE_COUNT - INVOICE_STATE_COUNTS["credit"] - sum(INVOICE_KIND_COUNTS.values()))
        kinds = normal_kinds + [kind for kind, count in INVOICE_KIND_COUNTS.items() for _ in range(count)]
        self.rng.shuffle(kinds)

        def due_in(days: int) -> dt.date:
            return today + dt.timedelta(days=days)

        # (state, how the dates are chosen): "due" fixes the due date, "day" the invoice date.
        wanted: list[tuple[str, str, object]] = []
        wanted += [("draft", "day", (today - dt.timedelta(days=7), today))] * INVOICE_STATE_COUNTS["draft"]
        wanted += [("not_due", "due", (0, 25))] * INVOICE_STATE_COUNTS["not_due"]
        overdue = [(days, days) for days in OVERDUE_BOUNDARY_DAYS for _ in range(2)]
        overdue += [bounds for bounds, count in OVERDUE_SPREAD for _ in range(count)]
        assert len(overdue) == INVOICE_STATE_COUNTS["overdue"]
        wanted += [("overdue", "due", (-high, -low)) for low, high in overdue]
        half = INVOICE_STATE_COUNTS["partial"] // 2
        wanted += [("partial", "due", (1, 20))] * half + [("partial", "due", (-80, -5))] * (
            INVOICE_STATE_COUNTS["partial"] - half
        )
        wanted += [
            ("paid", "day", (self.start + dt.timedelta(days=3), today - dt.timedelta(days=8)))
        ] * INVOICE_STATE_COUNTS["paid"]
        # Voided invoices: most past their due date, so that counting them as owed would show.
        voided = INVOICE_STATE_COUNTS["voided"]
        wanted += [("voided", "due", (-70, -3))] * (voided * 6 // 10) + [("voided", "due", (2, 20))] * (
            voided - voided * 6 // 10
        )

        for (state, how, bounds), kind in zip(wanted, kinds, strict=True):
            plan = {"state": state, "kind": kind}
            self.choose_customer_and_dates(plan, how, bounds)
            plans.append(plan)
        for plan in plans:
            if plan["state"] == "paid":
                self.settle_payment(plan)
            if plan["state"] == "voided":
                sent_day = plan["sent"].astimezone(STOCKHOLM).date()
                voided = self.moment(min(today, sent_day + dt.timedelta(days=self.rng.randint(1, 10))))
                plan["voided"] = max(voided, plan["sent"] + dt.timedelta(minutes=5))
        paid = sorted((p for p in plans if p["state"] == "paid"), key=lambda p: p["payment_day"])
        old_enough = [p for p in paid if p["payment_day"] <= today - dt.timedelta(days=120)]
        for plan in self.rng.sample(old_enough, min(ARCHIVED_COUNT, len(old_enough))):
            plan["archived_day"] = self.day_between(
                plan["payment_day"] + dt.timedelta(days=30), plan["payment_day"] + dt.timedelta(days=90)
            )
        for _ in range(CREDIT_PAIRS):
            plans.extend(self.plan_credit_pair())
        for plan in plans:
            self.plan_links(plan)
        return plans

    def customer_pool(self, kind: str, day: dt.date) -> list[dict]:
        if kind == "foreign":
            return self.customers_of(("foreign",), day)
        if kind in ("rot", "rut"):
            flag = "isROTCustomer" if kind == "rot" else "isRUTCustomer"
            return [c for c in self.customers_of(("private",), day) if c["billingSettings"][flag]]
        kinds = ("company", "brf", "public") if self.chance(0.85) else ("private",)
        return self.customers_of(kinds, day)

    def choose_customer_and_dates(self, plan: dict, how: str, bounds) -> None:
        """Pick a customer who existed on the invoice day, and the invoice's dates."""
        for _attempt in range(200):
            if how == "day":
                day = self.day_between(*bounds)
                approx = day
            else:
                due = self.today + dt.timedelta(days=self.rng.randint(*bounds))
                approx = due - dt.timedelta(days=30)
            # Half of the time start from a customer with a running project, so projects get invoiced.
            pool = self.customer_pool(plan["kind"], approx)
            if plan["kind"] != "foreign" and self.chance(0.5):
                with_projects = [c for c in pool if self.projects_of(c["_id"], approx)]
                pool = with_projects or pool
            customer = self.rng.choice(pool)
            if how == "due":
                day = due - dt.timedelta(days=customer["paymentDays"])
            # Partly paid invoices need a day or two between sending and the first payment.
            latest = self.today - dt.timedelta(days=3 if plan["state"] == "partial" else 0)
            if self.available(customer["_id"], day) and day <= latest:
                break
        else:  # pragma: no cover - the pools are large; kept for safety
            raise RuntimeError("no customer available for an invoice")
        plan.update(customer=customer, day=day, due=day + dt.timedelta(days=customer["paymentDays"]))
        plan["created"] = self.moment(day)
        if plan["state"] != "draft":
            # Sent minutes after it was made, or a day or two later (but not after today).
            sent_day = min(self.today, day + dt.timedelta(days=self.rng.choice([0, 0, 0, 1, 2])))
            if sent_day == day:
                plan["sent"] = plan["created"] + dt.timedelta(minutes=self.rng.randint(2, 45))
            else:
                plan["sent"] = self.moment(sent_day)

    def settle_payment(self, plan: dict) -> None:
        """Most pay in time, some late; the payment day is after the sending day and not after today."""
        sent_day = plan["sent"].astimezone(STOCKHOLM).date()
        if self.chance(0.8):
            pay = self.day_between(sent_day + dt.timedelta(days=1), plan["due"])
        else:
            pay = plan["due"] + dt.timedelta(days=self.rng.randint(1, 40))
        plan["payment_day"] = max(sent_day + dt.timedelta(days=1), min(pay, self.today))

    def plan_credit_pair(self) -> list[dict]:
        """An invoice that was sent and then cancelled by a credit invoice a few days later."""
        original = {"state": "credited", "kind": "normal"}
        self.choose_customer_and_dates(
            original, "day", (self.start + dt.timedelta(days=3), self.today - dt.timedelta(days=25))
        )
        credit_day = original["day"] + dt.timedelta(days=self.rng.randint(2, 20))
        credit = {
            "state": "credit",
            "kind": "normal",
            "customer": original["customer"],
            "day": credit_day,
            "due": credit_day + dt.timedelta(days=original["customer"]["paymentDays"]),
            "original": original,
        }
        credit["created"] = self.moment(credit_day)
        credit["sent"] = credit["created"] + dt.timedelta(minutes=self.rng.randint(2, 30))
        original["credit"] = credit
        return [original, credit]

    def plan_links(self, plan: dict) -> None:
        """Project and work orders behind an invoice (a credit invoice copies its original's)."""
        if plan["state"] == "credit":
            return
        customer = plan["customer"]
        projects = self.projects_of(customer["_id"], plan["day"])
        plan["project"] = self.rng.choice(projects) if projects and self.chance(0.8) else None
        linked = self.chance(0.65 if plan["project"] else 0.3)
        plan["work_orders"] = [{} for _ in range(2 if linked and self.chance(0.07) else 1 if linked else 0)]

    # --- work orders ---

    def build_work_orders(self, plans: list[dict]) -> None:
        specs = []
        for plan in plans:
            for spec in plan.get("work_orders", []):
                spec.update(self.invoiced_work_order(plan))
                specs.append(spec)
        statuses = self.open_work_order_statuses(400 - len(specs))
        for status in statuses:
            specs.append(self.open_work_order(status))
        specs.sort(key=lambda spec: spec["created"])
        string_numbers = set(self.rng.sample(range(len(specs)), len(specs) // 10))
        for index, spec in enumerate(specs):
            number = FIRST_WORK_ORDER_NUMBER + index
            spec["number"] = str(number) if index in string_numbers else number
            spec["doc"] = self.add("workOrders", self.work_order_doc(spec))

    def invoiced_work_order(self, plan: dict) -> dict:
        """A finished work order that the planned invoice bills."""
        # Not before the customer (or the project) existed.
        floor = max(self.start, self.usable_from(plan["customer"]["_id"]))
        if plan["project"]:
            floor = max(floor, self.usable_from(plan["project"]["_id"]), self.project_span[plan["project"]["_id"]][0])
        # The work ends at least a day before the invoice is made (unless the customer is brand new).
        end = max(floor, plan["day"] - dt.timedelta(days=self.rng.randint(1, 20)))
        start = max(floor, end - dt.timedelta(days=self.rng.choice([0, 0, 0, 1, 2, 3])))
        created_day = max(floor, start - dt.timedelta(days=self.rng.randint(0, 14)))
        created = min(self.moment(created_day), plan["created"] - dt.timedelta(minutes=30))
        return {
            "status": "Fakturerad",
            "customer": plan["customer"],
            "project": plan["project"],
            "start": start,
            "end": end,
            "created": created,
        }

    def open_work_order_statuses(self, count: int) -> list[str]:
        shares = [("Ej planerad", 0.13), ("Planerad", 0.27), ("Pågående", 0.13), ("Avbruten", 0.09)]
        statuses = [name for name, share in shares for _ in range(round(count * share))]
        return statuses + ["Klar"] * (count - len(statuses))

    def open_work_order(self, status: str) -> dict:
        """A work order not (yet) invoiced, dated to fit its status."""
        today = self.today
        start = end = None
        if status == "Ej planerad":
            created_day = self.day_between(today - dt.timedelta(days=45), today)
        elif status == "Planerad":
            start = self.day_between(today, today + dt.timedelta(days=30))
            end = start + dt.timedelta(days=self.rng.choice([0, 0, 0, 1, 2]))
            created_day = self.day_between(today - dt.timedelta(days=40), min(today, start))
        elif status == "Pågående":
            start = self.day_between(today - dt.timedelta(days=6), today)
            end = self.day_between(today, today + dt.timedelta(days=10))
            created_day = self.day_between(start - dt.timedelta(days=20), start)
        elif status == "Klar":
            end = self.day_between(today - dt.timedelta(days=60), today - dt.timedelta(days=1))
            start = end - dt.timedelta(days=self.rng.choice([0, 0, 1, 3]))
            created_day = self.day_between(start - dt.timedelta(days=20), start)
        else:  # Avbruten
            created_day = self.day_between(self.start, today - dt.timedelta(days=10))
            if self.chance(0.6):
                start = end = self.day_between(created_day, min(today, created_day + dt.timedelta(days=20)))
        created_day = max(self.start, created_day)
        anchor = start or created_day
        # Most belong to a running project; the rest are one-off jobs.
        project = None
        if self.chance(0.85):
            running = [
                p
                for p in self.data["projects"]
                if p["customer"]
                and self.project_running(p, anchor)
                and self.available(p["_id"], created_day)
                and self.available(p["customer"], created_day)
            ]
            project = self.rng.choice(running) if running else None
        if project:
            customer = self.by_id[project["customer"]]
        else:
            customer = self.rng.choice(self.customers_of(("company", "brf", "public", "private"), created_day))
        return {
            "status": status,
            "customer": customer,
            "project": project,
            "start": start,
            "end": end,
            "created": self.moment(created_day),
        }

    def project_running(self, project: dict, day: dt.date) -> bool:
        begin, end = self.project_span[project["_id"]]
        return (
            project["projectStatus"] != PROJECT_STATUS_CODES["Makulerad"]
            and begin <= day
            and (end is None or day <= end)
        )

    def work_order_doc(self, spec: dict) -> dict:
        rng = self.rng
        title, type_name, description = rng.choice(WORK_ORDER_JOBS)
        wo_type = self.lookup("workOrderTypes", "workOrderTypeName", type_name)
        status = self.lookup("workOrderStatuses", "statusName", spec["status"])
        customer, project = spec["customer"], spec["project"]
        day = spec["start"] or spec["created"].date()
        users = (
            []
            if spec["status"] == "Ej planerad"
            else rng.sample(self.users_with((20,), day) or self.users_with((10,), day), rng.choice([1, 1, 2, 3]))
        )
        leader = self.pick_user((10,), day)
        creator = self.pick_user((1, 10, 30), spec["created"].date())
        department_id = users[0]["department"] if users else leader["department"]
        contact = self.main_contact(customer["_id"]) if rng.random() < 0.6 else None
        other_address = rng.random() < 0.25
        addr, zip_code, city, _area = (
            self.address(customer["city"] if not customer["country"] else None) if other_address else ("", "", "", "")
        )
        method = rng.choices(["RUNNING", "FIXED_PRICE", "ACCORDING_TO_QUOTE"], weights=[75, 15, 10])[0]
        invoice_status = {"Klar": 10, "Fakturerad": 30, "Avbruten": 5}.get(spec["status"], 0)
        estimated = rng.choice([1, 2, 2, 3, 4, 4, 6, 8, 16, 1.5, 2.5])
        return {
            "_id": self.new_id("workOrders"),
            "workOrderNumber": spec["number"],
            "title": title,
            "description": description,
            "createdByUserName": f"{creator['firstName']} {creator['lastName']}",
            "createdByUser": creator["_id"],
            "systemAccount": SYSTEM_ACCOUNT,
            "statusRef": status["_id"],
            "status": WORK_ORDER_STATUS_CODES[spec["status"]],
            "customerNumber": customer["customerNumber"],
            "customerName": customer["name"],
            "customer": customer["_id"],
            "project": project["_id"] if project else None,
            "projectName": project["name"] if project else "",
            "contactPerson": contact["_id"] if contact else None,
            "contactPersonName": contact["name"] if contact else "",
            "workOrderType": wo_type["_id"],
            "department": department_id,
            "workLeader": leader["_id"],
            "currentOwner": users[0]["_id"] if users else None,
            "estimatedTime": estimated,
            # Work days run 07:00-16:00 in Stockholm.
            "endDate": iso(local_time(spec["end"], 16)) if spec["end"] else None,
            "startDate": iso(local_time(spec["start"], 7)) if spec["start"] else None,
            "color": wo_type["color"] if rng.random() < 0.8 else self.color(),
            "marking": f"Lgh {rng.randint(1001, 1304)}"
            if self.customer_kind[customer["_id"]] == "brf" and rng.random() < 0.5
            else "",
            "yourOrderNumber": f"{rng.randint(100000, 999999)}" if rng.random() < 0.2 else "",
            "invoiceStatus": invoice_status,
            "billingMethod": method,
            "fixedPrice": rng.randint(4, 60) * 500 if method == "FIXED_PRICE" else 0,
            "isSupplementOrder": False,
            "enablePortalAccess": rng.random() < 0.1,
            "allowRegistrationOfTimes": spec["status"] not in ("Fakturerad", "Avbruten"),
            "allowRegistrationOfExpenses": spec["status"] not in ("Fakturerad", "Avbruten"),
            "customFields": [],
            "tags": rng.sample([t["_id"] for t in self.data["workOrderTags"]], rng.choice([0, 0, 0, 1, 1, 2])),
            "workOrderUserWorkTypes": [],
            "workOrderUserSkills": [],
            "budgetCalculation": {"invoiceItems": []},
            "invoiceRows": [],
            "todoItems": [],
            "reminders": [],
            "checkLists": [],
            "documents": [],
            "locationCoordinates": [],
            "workAddress": {"useOtherAddress": other_address, "address": addr, "zipCode": zip_code, "city": city},
            "comments": [],
            "partTimeResources": [],
            "machines": [],
            "users": [user["_id"] for user in users],
            "createDate": iso(spec["created"]),
            "__v": 0,
            "relations": [],
        }

    # --- invoices ---

    def build_invoices(self, plans: list[dict]) -> None:
        plans.sort(key=lambda plan: (plan["day"], plan["created"]))
        for number, plan in enumerate(plans):
            plan["number"] = str(FIRST_INVOICE_NUMBER + number)
            plan["id"] = self.new_id("invoices")
        script_note = self.rng.choice([p for p in plans if p["state"] == "paid"])
        footers = self.rng.sample(range(len(plans)), 12)
        for index, plan in enumerate(plans):
            if plan["state"] == "credit":
                doc = self.credit_invoice_doc(plan)
            else:
                doc = self.invoice_doc(plan)
                if plan is script_note:
                    doc["notes"] = SCRIPT_NOTE
            if index in footers:
                doc["footerText"] = FOOTER_TEXT
            plan["doc"] = self.add("invoices", doc)
        for plan in plans:
            if plan["state"] == "credited":
                credit = plan["credit"]
                plan["doc"].update(creditInvoice=credit["id"], creditInvoiceNumber=credit["number"])

    def invoice_rows(self, plan: dict, currency_rate: Decimal | None) -> tuple[list[dict], int, bool]:
        """Computed rows, the invoice's taxPercent and whether rows mix VAT rates."""
        rng = self.rng
        kind, customer = plan["kind"], plan["customer"]
        reverse_charge = kind == "foreign" or (
            kind == "normal" and customer["billingSettings"]["isConstructionCompany"]
        )
        tax = 0 if reverse_charge else {"vat12": 12, "vat6": 6}.get(kind, 25)
        raw: list[dict] = []
        if kind in ("vat12", "vat6"):
            for name, unit, low, high in rng.sample(
                VAT12_ITEMS if kind == "vat12" else VAT6_ITEMS, 1 + (kind == "vat6")
            ):
                raw.append(self.raw_row("expense", name, unit, rng.randint(1, 8), rng.randint(low, high), 0.8, tax))
        else:
            labour = ROT_LABOUR if kind == "rot" else RUT_LABOUR if kind == "rut" else LABOUR
            for name, low, high, cost, work_type in rng.sample(labour, rng.choice([1, 1, 2, 2, 3])):
                hours = Decimal(rng.randint(2, 48 if plan.get("project") else 16)) / 2
                row = self.raw_row(
                    "time", name, "tim", hours, rng.randrange(low, high + 1, 5), None, tax, unit_cost=cost
                )
                if kind in ("rot", "rut") and work_type:
                    row.update(houseWorkFlag=True, houseWorkTypeOfWork=work_type)
                raw.append(row)
            for item in rng.sample(EXPENSE_ITEMS, rng.choice([0, 1, 1, 2, 3]) if kind != "rut" else rng.choice([0, 1])):
                if item["unit"] == "m":
                    quantity = rng.randint(5, 120)
                elif item["unit"] == "mil":
                    quantity = Decimal(rng.randint(5, 36)) / 2
                elif item["unitPrice"] >= 1000:  # a laddbox or a water heater, not a dozen
                    quantity = rng.choice([1, 1, 1, 2])
                else:
                    quantity = rng.randint(1, 12)
                row = self.raw_row(
                    "expense",
                    item["name"],
                    item["unit"],
                    quantity,
                    item["unitPrice"],
                    None,
                    tax,
                    unit_cost=item["unitCost"],
                )
                row.update(expenseItem=item["_id"], expenseItemName=item["name"])
                row["discountPercent"] = customer["billingSettings"]["expenseDiscount"]
                raw.append(row)
        multi = kind == "multi"
        if multi:  # travel and lodging re-invoiced at their own VAT rates
            for items, rate in ((VAT12_ITEMS, 12), (VAT6_ITEMS, 6)):
                name, unit, low, high = rng.choice(items)
                raw.insert(1, self.raw_row("expense", name, unit, rng.randint(1, 6), rng.randint(low, high), 0.8, rate))
        if len(raw) < 6 and rng.random() < 0.2:
            week = plan["day"].isocalendar().week
            raw.append(self.raw_row("text", rng.choice(TEXT_ROWS).format(week=week), "", 0, 0, None, tax))
        raw = raw[:6]
        if currency_rate is not None:  # EUR invoices: prices converted from the SEK price list
            for row in raw:
                for key in ("unitPrice", "unitCost"):
                    row[key] = invoicing.money(Decimal(str(row[key])) / currency_rate)
        rows = []
        for order, row in enumerate(raw, start=1):
            row["itemOrder"] = order * 1024
            rows.append(self.finish_row(row, plan["created"]))
        return rows, tax if not multi else 25, multi

    def raw_row(self, item_type, name, unit, quantity, unit_price, cost_ratio, tax, unit_cost=None) -> dict:
        price = Decimal(str(unit_price))
        cost = (
            Decimal(str(unit_cost)) if unit_cost is not None else invoicing.money(price * Decimal(str(cost_ratio or 0)))
        )
        discount = Decimal(self.rng.choice([10, 15])) if item_type == "time" and self.rng.random() < 0.04 else 0
        return {
            "itemType": item_type,
            "name": name,
            "unit": unit,
            "numberOfItems": Decimal(str(quantity)),
            "unitPrice": price,
            "unitCost": cost,
            "discountPercent": discount,
            "taxPercent": tax,
            "houseWorkFlag": False,
            "houseWorkTypeOfWork": 0,
            "expenseItem": None,
            "expenseItemName": "",
        }

    def finish_row(self, row: dict, created: dt.datetime) -> dict:
        """The reference's row shape, with totals from `invoicing.compute_row`."""
        quantity, unit_cost = Decimal(str(row["numberOfItems"])), Decimal(str(row["unitCost"]))
        computed = invoicing.compute_row(row)
        return {
            "createDate": iso(created),
            "_id": self.new_id("invoiceItem"),
            "houseWorkTypeOfWork": row["houseWorkTypeOfWork"],
            "name": row["name"],
            "description": ""
            if row["itemType"] != "time" or self.rng.random() < 0.6
            else self.rng.choice(["Enligt arbetsorder", "Felsökning och åtgärd", "Inkl. förbrukningsmaterial"]),
            "expenseItem": row["expenseItem"],
            "expenseItemName": row["expenseItemName"],
            "itemType": row["itemType"],
            "numberOfItems": computed["numberOfItems"],
            "unit": row["unit"],
            "unitCost": invoicing.json_number(unit_cost),
            "totalCost": invoicing.json_number(quantity * unit_cost),
            "discountPercent": computed["discountPercent"],
            "taxPercent": computed["taxPercent"],
            "unitPrice": computed["unitPrice"],
            "totalAmount": computed["totalAmount"],
            "totalTaxAmount": computed["totalTaxAmount"],
            "totalAmountInclTax": computed["totalAmountInclTax"],
            "itemId": str(self.rng.random()),
            "itemOrder": row["itemOrder"],
            "houseWorkFlag": row["houseWorkFlag"],
        }

    def invoice_doc(self, plan: dict) -> dict:
        rng = self.rng
        customer, state, kind = plan["customer"], plan["state"], plan["kind"]
        euro = kind == "foreign" and (customer["country"] == "DE" or rng.random() < 0.7)
        currency_rate = Decimal(rng.randint(11200, 11600)) / 1000 if euro else None
        rows, tax_percent, multi = self.invoice_rows(plan, currency_rate)
        totals = invoicing.compute_totals(rows, "EUR" if euro else "SEK")
        invoice_type = {"rot": 1, "rut": 2}.get(kind, 0)
        house = self.house_properties(customer, invoice_type)
        deduction = invoicing.house_deduction(rows, invoice_type, house["maxDeductionAmount"] if invoice_type else None)
        english = customer["country"] != "" or rng.random() < 0.02
        project = plan["project"]
        work_orders = [spec["doc"] for spec in plan["work_orders"]]
        contact = self.invoice_contact(customer, project)
        creator = self.pick_user((40, 1), plan["day"])
        reference = (
            self.by_id[project["projectLeader"]]
            if project and self.available(project["projectLeader"], plan["day"])
            else self.pick_user((1, 10, 30), plan["day"])
        )
        result_unit = next((u for u in RESULT_UNITS if project and u["_id"] == project["resultUnit"]), None) or (
            rng.choice(RESULT_UNITS) if rng.random() < 0.8 else None
        )
        price_list_id = customer["billingSettings"]["priceList"] or (
            project["timeCategoryPriceList"] if project else None
        )
        price_list = self.by_id[price_list_id] if price_list_id else None
        dates = self.invoice_state_fields(plan, totals, creator)
        delivery = (
            dict(project["deliveryAddress"]) if project and project["deliveryAddress"]["address"] else empty_address()
        )
        doc = {
            "deliveryAddress": delivery,
            "houseProperties": house,
            "timeLogIds": [],
            "expenseIds": [],
            "driverJournalIds": [],
            "machineTimeLogIds": [],
            "supplierInvoiceIds": [],
            "workOrderIds": [wo["_id"] for wo in work_orders],
            "externalSystemExport": [],
            "tags": dates.pop("tags"),
            "_id": plan["id"],
            "createDate": iso(plan["created"]),
            "invoiceItems": rows,
            "documents": [],
            "invoiceLogEntries": dates.pop("log"),
            "partialPayments": dates.pop("partialPayments"),
            "checkLists": [],
            "supplementOrders": [],
            "customFields": [],
            "invoiceName": "Invoice" if english else "Faktura",
            "marking": project["marking"]
            if project
            else (f"Ref: {contact['name']}" if contact and rng.random() < 0.2 else ""),
            "yourOrderNumber": project["yourOrderNumber"]
            if project
            else (f"{rng.randint(4500000, 4599999)}" if rng.random() < 0.1 else ""),
            "notes": rng.choice(INVOICE_NOTES),
            "taxPercent": tax_percent,
            "invoiceStatus": dates.pop("invoiceStatus"),
            "invoiceDate": calendar_day(plan["day"]),
            "createdByUser": creator["_id"],
            "createdByUserName": f"{creator['firstName']} {creator['lastName']}",
            "customer": customer["_id"],
            "customerName": customer["name"],
            "dueDate": calendar_day(plan["due"]),
            "language": "EN" if english else "SV",
            "project": project["_id"] if project else None,
            "projectName": project["name"] if project else "",
            "contactPerson": contact["_id"] if contact else None,
            "contactPersonName": contact["name"] if contact else "",
            "ourReference": reference["_id"],
            "ourReferenceName": f"{reference['firstName']} {reference['lastName']}",
            "workOrder": work_orders[0]["_id"] if work_orders else None,
            "workOrderNumber": str(work_orders[0]["workOrderNumber"]) if work_orders else "",
            "invoiceType": invoice_type,
            "resultUnit": result_unit["_id"] if result_unit else None,
            "resultUnitName": result_unit["name"] if result_unit else "",
            "priceList": price_list["_id"] if price_list else None,
            "priceListName": price_list["name"] if price_list else "",
            "multipleTaxesOnRows": multi,
            "currencyCode": "EUR" if euro else "SEK",
            **totals,
            "sentDate": iso(plan["sent"]) if plan.get("sent") else None,
            "invoiceNumber": plan["number"],
            "OCRNumber": invoicing.ocr_number(plan["number"]),
            "__v": 0,
            "archived": "archived_day" in plan,
            "archivedDate": self.stamp(plan["archived_day"]) if "archived_day" in plan else None,
            "creditForInvoice": None,
            "creditForInvoiceNumber": "",
            "creditInvoice": None,
            "creditInvoiceNumber": "",
            "currencyRate": invoicing.plain_number(currency_rate) if euro else 1,
            "customerAddress": self.customer_address(customer),
            "customerEmail": customer["billingSettings"]["invoiceEmail"]
            if customer["billingSettings"]["useSeparateBillingEmail"]
            else customer["email"],
            "customerNumber": customer["customerNumber"],
            "customerOrgNo": customer["organizationNumber"],
            "customerVAT": customer["vatNumber"],
            "description": None,
            "discountInPercent": 0,
            "exportedToEconomy": dates.pop("exportedToEconomy"),
            "footerInfoText": None,
            "footerText": None,
            "headerText": None,
            **deduction,
            "isCreditInvoice": False,
            "isCredited": state == "credited",
            "partiallyPaid": state == "partial",
            "paymentDate": calendar_day(plan.get("payment_day")),
            "paymentPlan": None,
            "paymentPlanRowId": "",
            "quote": None,
            "quoteNumber": "",
            "reminderDate": dates.pop("reminderDate"),
            # Private customers see prices incl. VAT on the rows.
            "showPriceInclTaxesOnRows": self.customer_kind[customer["_id"]] == "private",
            "supplementOrder": None,
            "supplementOrderNumber": "",
            "totalCost": invoicing.json_number(sum((Decimal(str(row["totalCost"])) for row in rows), Decimal(0))),
        }
        assert not dates, dates
        return doc

    def invoice_contact(self, customer: dict, project: dict | None) -> dict | None:
        if project and project["contactPerson"]:
            return self.by_id[project["contactPerson"]]
        return self.main_contact(customer["_id"]) if self.rng.random() < 0.7 else None

    def customer_address(self, customer: dict) -> str:
        """As on the invoice: lines joined with <br>, the billing address if the customer has one."""
        billing = customer["billingSettings"]
        source = billing if billing["useSeparateBillingAddress"] else customer
        lines = [source["address"], source["address2"], f"{source['zipCode']} {source['city']}"]
        if customer["country"]:
            lines.append(COUNTRY_NAMES[customer["country"]])
        return "<br>".join(line for line in lines if line)

    def house_properties(self, customer: dict, invoice_type: int) -> dict:
        """The reference's houseProperties shape; filled from the customer for ROT/RUT invoices."""
        if not invoice_type:
            return {
                "typeOfProperty": None,
                "propertyDescription": "",
                "housingSocietyNumber": "",
                "apartmentNumber": "",
                "maxDeductionAmount": 0,
                "personalNumber": "",
                "deductionDistribution": [],
            }
        billing = customer["billingSettings"]
        people = billing["deductionDistribution"]
        # Per person and year: ROT at most 50 000 kr, ROT and RUT together 75 000 kr.
        per_person = 50000 if invoice_type == 1 else 75000
        return {
            "typeOfProperty": billing["typeOfProperty"],
            "propertyDescription": billing["propertyDescription"],
            "housingSocietyNumber": billing["housingSocietyNumber"],
            "apartmentNumber": billing["apartmentNumber"],
            "maxDeductionAmount": per_person * len(people),
            "personalNumber": "",
            "deductionDistribution": [
                {
                    "_id": self.new_id("deductionItem"),
                    "userName": p["userName"],
                    "personalNumber": p["personalNumber"],
                    "distributionPercent": p["distributionPercent"],
                }
                for p in people
            ],
        }

    def invoice_state_fields(self, plan: dict, totals: dict, creator_log: dict) -> dict:
        """Status, payments, reminders, tags and the log, consistent with the planned state."""
        rng, today, state = self.rng, self.today, plan["state"]
        tags = {t["tagName"]: t["_id"] for t in self.data["invoiceTags"]}
        log = [self.log_entry(plan["created"], 1, "Faktura skapad", creator_log)]
        result = {"tags": [], "partialPayments": [], "reminderDate": None, "exportedToEconomy": False}
        if state == "draft":
            result["invoiceStatus"] = INVOICE_DRAFT
            if rng.random() < 0.3:
                result["tags"].append(tags["Att granska"])
            result["log"] = log
            return result

        sent = plan["sent"]
        delivery = plan["customer"]["billingSettings"]["invoiceDeliveryType"]
        how = {
            0: f"Skickad med e-post till {plan['customer']['email']}",
            10: "Skickad med post",
            20: "Skickad som Svefaktura",
        }[delivery]
        log.append(self.log_entry(sent, 2, how, creator_log))
        sent_day = sent.astimezone(STOCKHOLM).date()
        if sent_day < today and rng.random() < 0.9:
            result["exportedToEconomy"] = True
            log.append(
                self.log_entry(
                    self.moment(min(today, sent_day + dt.timedelta(days=1))), 3, "Exporterad till Fortnox", creator_log
                )
            )

        overdue_days = (today - plan["due"]).days
        late_payment = state == "paid" and plan["payment_day"] > plan["due"] + dt.timedelta(days=10)
        if (state in ("overdue", "partial") and overdue_days > 12 and rng.random() < 0.6) or (
            late_payment and rng.random() < 0.5
        ):
            last = min(today, plan.get("payment_day", today) - dt.timedelta(days=1))
            reminder_day = self.day_between(
                plan["due"] + dt.timedelta(days=10), min(last, plan["due"] + dt.timedelta(days=25))
            )
            reminder = self.moment(reminder_day)
            result["reminderDate"] = iso(reminder)
            log.append(self.log_entry(reminder, 4, "Påminnelse skickad", creator_log))
            if state != "paid":
                result["tags"].append(tags["Påminnelse skickad"])
                if overdue_days > 90 and rng.random() < 0.5:
                    result["tags"].append(tags["Inkasso"])

        if state == "partial":
            total = Decimal(str(totals["totalAmountInclTax"]))
            count = rng.choice([1, 1, 2])
            share = Decimal(rng.randint(20, 70)) / 100
            paid_total = invoicing.money(total * share).quantize(Decimal(1))
            for index in range(count):
                amount = (
                    paid_total
                    if count == 1
                    else (paid_total / 2).quantize(Decimal(1))
                    if index == 0
                    else paid_total - (paid_total / 2).quantize(Decimal(1))
                )
                pay_day = self.day_between(min(today, sent_day + dt.timedelta(days=1 + index * 3)), today)
                result["partialPayments"].append(
                    {
                        "_id": self.new_id("partialPayment"),
                        "paymentDate": calendar_day(pay_day),
                        "amount": invoicing.json_number(amount),
                    }
                )
                log.append(
                    self.log_entry(
                        self.moment(pay_day), 5, f"Delbetalning {invoicing.json_number(amount)} kr", creator_log
                    )
                )
            result["partialPayments"].sort(key=lambda p: p["paymentDate"])
            result["tags"].append(tags["Avbetalningsplan"] if rng.random() < 0.5 else tags["Autogiro"])
        if state == "paid":
            log.append(self.log_entry(self.moment(plan["payment_day"]), 6, "Betalning registrerad", creator_log))
            if "archived_day" in plan:
                log.append(self.log_entry(self.moment(plan["archived_day"]), 8, "Arkiverad", creator_log))
        if state == "voided":
            log.append(self.log_entry(plan["voided"], 9, "Makulerad", creator_log))
        if state == "credited":
            credit = plan["credit"]
            log.append(self.log_entry(credit["created"], 7, f"Krediterad med faktura {credit['number']}", creator_log))

        result["invoiceStatus"] = {"paid": INVOICE_PAID, "voided": INVOICE_VOIDED}.get(state, INVOICE_SENT)
        log.sort(key=lambda entry: entry["logDate"])
        result["log"] = log
        return result

    def log_entry(self, when: dt.datetime, log_type: int, description: str, user: dict) -> dict:
        return {
            "logDate": iso(when),
            "_id": self.new_id("invoiceLogEntry"),
            "logType": log_type,
            "description": description,
            "user": user["_id"],
            "userName": f"{user['firstName']} {user['lastName']}",
            "additionalData": "",
        }

    def credit_invoice_doc(self, plan: dict) -> dict:
        """The credit invoice: the original's rows negated, pointing back at it."""
        original = plan["original"]["doc"]
        doc = copy.deepcopy(original)
        rows = []
        for row in original["invoiceItems"]:
            negated = {
                **row,
                "_id": self.new_id("invoiceItem"),
                "createDate": iso(plan["created"]),
                "itemId": str(self.rng.random()),
            }
            negated["numberOfItems"] = invoicing.plain_number(-Decimal(str(row["numberOfItems"])))
            negated = invoicing.compute_row(negated)
            negated["totalCost"] = invoicing.json_number(-Decimal(str(row["totalCost"])))
            rows.append(negated)
        user = self.by_id[original["createdByUser"]]
        english = original["language"] == "EN"
        doc.update(
            _id=plan["id"],
            createDate=iso(plan["created"]),
            invoiceItems=rows,
            invoiceLogEntries=[
                self.log_entry(plan["created"], 1, f"Kreditfaktura för faktura {original['invoiceNumber']}", user),
                self.log_entry(plan["sent"], 2, f"Skickad med e-post till {original['customerEmail']}", user),
            ],
            partialPayments=[],
            tags=[],
            invoiceName="Credit invoice" if english else "Kreditfaktura",
            notes=f"Kreditering av faktura {original['invoiceNumber']}",
            invoiceStatus=INVOICE_SENT,
            invoiceDate=calendar_day(plan["day"]),
            dueDate=calendar_day(plan["due"]),
            **invoicing.compute_totals(rows, original["currencyCode"]),
            sentDate=iso(plan["sent"]),
            invoiceNumber=plan["number"],
            OCRNumber=invoicing.ocr_number(plan["number"]),
            archived=False,
            archivedDate=None,
            creditForInvoice=original["_id"],
            creditForInvoiceNumber=original["invoiceNumber"],
            isCreditInvoice=True,
            isCredited=False,
            exportedToEconomy=True,
            footerText=None,
            reminderDate=None,
            paymentDate=None,
            totalCost=invoicing.json_number(sum((Decimal(str(row["totalCost"])) for row in rows), Decimal(0))),
        )
        return doc

    # --- after invoicing: project billing state ---

    def settle_projects(self) -> None:
        """Project invoiceStatus and fixed-price fields follow from the invoices actually sent."""
        invoiced: dict[str, Decimal] = {}
        for invoice in self.data["invoices"]:
            if invoice["project"] and invoice["invoiceStatus"] not in (INVOICE_DRAFT, INVOICE_VOIDED):
                invoiced[invoice["project"]] = invoiced.get(invoice["project"], Decimal(0)) + Decimal(
                    str(invoice["totalAmount"])
                )
        closed = {PROJECT_STATUS_CODES["Avslutad"], PROJECT_STATUS_CODES["Makulerad"]}
        for project in self.data["projects"]:
            amount = invoiced.get(project["_id"], Decimal(0))
            fixed = Decimal(str(project["fixedPrice"]))
            left = max(Decimal(0), fixed - amount) if project["billingMethod"] == "FIXED_PRICE" else Decimal(0)
            started = project["projectStatus"] not in (
                PROJECT_STATUS_CODES["Ej påbörjad"],
                PROJECT_STATUS_CODES["Planerad"],
            )
            if project["customer"] is None:
                status = 5  # not invoiceable: internal
            elif amount > 0 and (
                project["projectStatus"] in closed or (project["billingMethod"] == "FIXED_PRICE" and left == 0)
            ):
                status = 30  # fully invoiced
            elif amount > 0:
                status = 20  # partly invoiced
            elif started:
                status = 10  # ready to be invoiced
            else:
                status = 0
            project["invoiceStatus"] = status
            project["fixedPriceInvoiced"] = project["billingMethod"] == "FIXED_PRICE" and status == 30
            project["fixedPriceLeftToInvoice"] = 0 if status == 30 else invoicing.json_number(left)


# --- a large account: the demo data N times ------------------------------------------

#: Kinds whose records (and sub-documents) each copy has its own of; lookups are shared.
_SCALED_KINDS = (
    "users",
    "customers",
    "contactPersons",
    "projects",
    "workOrders",
    "invoices",
    "deductionItem",
    "customFieldValue",
    "invoiceItem",
    "invoiceLogEntry",
    "partialPayment",
)
_SCALED_KIND_HEX = {f"{_ID_KINDS[kind]:04x}" for kind in _SCALED_KINDS}
_SCALED_COLLECTIONS = ("customers", "contactPersons", "users", "projects", "workOrders", "invoices")
#: Number fields, and the collection whose numbers they are: copy k shifts them by k
#: times that collection's span, so every number stays unique (and references agree).
_NUMBER_FIELDS = {
    "customerNumber": "customers",
    "projectNumber": "projects",
    "workOrderNumber": "workOrders",
    "invoiceNumber": "invoices",
    "creditForInvoiceNumber": "invoices",
    "creditInvoiceNumber": "invoices",
    "employeeNumber": "users",
}
_NUMBER_KEYS = {"customers": "customerNumber", "projects": "projectNumber", "workOrders": "workOrderNumber",
                "invoices": "invoiceNumber", "users": "employeeNumber"}  # fmt: skip
_COPY_STRIDE = 1 << 28  # ids of copy k: the per-kind counter plus k times this


def generate_scaled(today: dt.date, scale: int, seed: int = 7) -> dict[str, list[dict]]:
    """`scale` copies of the demo company (seeds seed, seed+1, ...) as one account:
    each copy's users, customers, contact persons, projects, work orders and invoices
    get ids and numbers of their own (shifted past the copies before them, references
    included, OCR numbers recomputed); the lookup lists are shared. Scale 1 is
    exactly `generate(today, seed)`."""
    first = generate(today, seed)
    if scale <= 1:
        return first
    spans = {}
    for collection, key in _NUMBER_KEYS.items():
        numbers = [int(doc[key]) for doc in first[collection] if str(doc.get(key) or "").isdigit()]
        spans[collection] = max(numbers) - min(numbers) + 1
    lows = {
        collection: min(int(doc[key]) for doc in first[collection] if str(doc.get(key) or "").isdigit())
        for collection, key in _NUMBER_KEYS.items()
    }
    data = {name: list(docs) for name, docs in first.items()}
    for index in range(1, scale):
        other = generate(today, seed + index)
        for collection in _SCALED_COLLECTIONS:
            key = _NUMBER_KEYS.get(collection)
            for doc in other[collection]:
                if key and str(doc.get(key) or "").isdigit():
                    number = int(doc[key])
                    if not lows[collection] <= number < lows[collection] + spans[collection]:
                        raise ValueError(f"{collection} number {number} of seed {seed + index} is outside the first copy's range")
                data[collection].append(_shift(doc, index, spans))
    return data


def _shift(value, index: int, spans: dict[str, int], key: str | None = None):
    if isinstance(value, dict):
        shifted = {k: _shift(v, index, spans, k) for k, v in value.items()}
        if "OCRNumber" in shifted and str(shifted.get("invoiceNumber") or "").isdigit():
            shifted["OCRNumber"] = invoicing.ocr_number(shifted["invoiceNumber"])
        return shifted
    if isinstance(value, list):
        return [_shift(item, index, spans) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and key in _NUMBER_FIELDS:
        return value + index * spans[_NUMBER_FIELDS[key]]  # work order numbers are sent as numbers
    if isinstance(value, str):
        if key in _NUMBER_FIELDS and value.isdigit():
            return str(int(value) + index * spans[_NUMBER_FIELDS[key]])
        if len(value) == 24 and value.startswith(_ID_PREFIX) and value[8:12] in _SCALED_KIND_HEX:
            return value[:12] + f"{int(value[12:], 16) + index * _COPY_STRIDE:012x}"
    return value
