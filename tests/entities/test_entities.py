"""The entity declarations (dashboard/entities/): each column is declared once, and
the list page, its download and the registries all come from those declarations."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from dashboard.entities import CREATE_FORMS, PICKERS, RESOURCES, cells
from dashboard.entities.base import Column, Resource
from dashboard.entities.customers import Customers
from dashboard.entities.invoices import item_payload, vat_mode
from dashboard.forms import PickerField
from seventime.sandbox import store

#: Today's download headers, kind by kind (what people's spreadsheets are built on).
DOWNLOAD_HEADERS = {
    "customers": [
        "Customer number", "Name", "Org. / personal number", "VAT number", "Address", "Zip code", "City",
        "Country", "Phone", "E-mail", "Payment days", "Active", "Created",
    ],
    "projects": [
        "Project number", "Name", "Customer", "Status", "Billing method", "Price per hour", "Fixed price",
        "Project leader", "Start", "End", "Active",
    ],
    "workorders": [
        "Work order number", "Title", "Customer", "Project", "Status", "Type", "Start", "End", "Estimated time (h)",
    ],
    "users": [
        "First name", "Last name", "Username", "E-mail", "Employee number", "Role", "Department", "Mobile", "Active",
    ],
    "invoices": [
        "Invoice number", "OCR number", "Customer number", "Customer", "Project", "Invoice date", "Due date",
        "Amount excl. VAT", "VAT", "Amount incl. VAT", "Currency", "State",
    ],
}  # fmt: skip

#: List columns the download leaves out, on purpose: it has the user's first and last name instead.
LIST_ONLY = {"users": {"name"}}


def csv_header(response) -> list[str]:
    assert response.status_code == 200
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def list_headers(response) -> list[str]:
    assert response.status_code == 200
    cells_ = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', response.content.decode(), re.S)
    texts = [html.unescape(re.sub(r"<span aria-hidden.*?</span>|<[^>]+>", "", cell)).strip() for cell in cells_]
    return texts


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(RESOURCES))
def test_a_list_and_its_download_come_from_the_same_column_declarations(manager_client, name):
    resource = RESOURCES[name]
    shown = list_headers(manager_client.get(f"/{name}/"))
    downloaded = csv_header(manager_client.get(f"/{name}/", {"export": "csv"}))
    assert shown == [str(column.label) for column in resource.columns]
    assert downloaded == DOWNLOAD_HEADERS[name]
    # Every list column is in the download (under its download name), unless meant not to be.
    exported = {column.key for column in resource.columns if column.export}
    assert {column.key for column in resource.columns} - exported == LIST_ONLY.get(name, set())
    for column in resource.columns:
        if column.export:
            assert str(column.export_label or column.label) in downloaded


def test_a_column_declared_once_is_on_the_list_and_in_the_download():
    class WithCountry(Customers):
        all_columns = (*Customers.all_columns, Column("country", "Land", cells.text("country"), export="country"))

    resource = WithCountry()
    customer = SimpleNamespace(
        id="c-1", customer_number="7", name="Ek AB", organization_number="", city="Lund", phone="", is_active=True,
        country="SE",
    )  # fmt: skip
    assert resource.columns[-1].label == "Land"
    row = str(resource.rows([customer], {}))
    assert row.count("<td") == len(resource.columns) and row.endswith("<td>SE</td></tr>")
    export = resource.export_columns({})[-1]
    assert (export.label, export.value(customer)) == ("Land", "SE")


def test_a_column_without_a_cell_is_in_the_download_only_and_one_without_an_export_on_the_list_only():
    class WithTwo(Customers):
        all_columns = (
            *Customers.all_columns,
            Column("vat", "Moms-nr", export="vat_number"),
            Column("note", "Anteckning", cells.text("notes")),
        )

    resource = WithTwo()
    assert "Moms-nr" not in [column.label for column in resource.columns]
    assert resource.export_columns({})[-1].label == "Moms-nr"
    assert resource.columns[-1].label == "Anteckning"
    assert "Anteckning" not in [column.label for column in resource.export_columns({})]


def test_cells_escape_text_from_the_api_and_link_each_record_once():
    class Things(Resource):
        all_columns = (
            Column("name", "Name", cells.link("customers", "name", default="(no name)")),
            Column("customer", "Customer", cells.link("customers", "customer_name", record_id="customer")),
            Column("note", "Note", cells.text("note"), numeric=True),
            Column("secret", "Secret", export="secret"),
        )

    record = SimpleNamespace(id="a b", name="<script>x</script>", customer="", customer_name="Ek", note="n" * 50)
    row = str(Things().rows([record, SimpleNamespace(**{**vars(record), "name": ""})], {}))
    assert "<script>" not in row and "&lt;script&gt;x&lt;/script&gt;" in row
    assert row.count('href="/customers/a%20b/"') == 2 and "(no name)" in row
    assert "Ek" not in row  # no customer id: no link, and this column shows no name without one
    assert f'<td class="num"><span class="clip" title="{"n" * 50}">' in row
    assert "Secret" not in row and row.count("<tr>") == 2


def test_each_create_form_and_picker_is_registered_under_its_kind():
    assert set(CREATE_FORMS) == {"customers", "projects", "workorders", "users", "invoices"}
    assert all(form.resource_name == name for name, form in CREATE_FORMS.items())
    assert set(PICKERS) == {"customers", "projects", "workorders"}
    for form in CREATE_FORMS.values():
        for field in form.base_fields.values():
            if isinstance(field, PickerField):
                assert PICKERS[field.source] is field.picker


def test_every_kind_declares_each_column_key_once_and_sorts_only_listed_columns():
    for resource in RESOURCES.values():
        keys = [column.key for column in resource.all_columns]
        assert len(keys) == len(set(keys)), resource.name
        assert all(column.cell for column in resource.all_columns if column.sort or column.shown_name)
        assert resource.column(resource.default_sort[0]).sort


ROW = {
    "item_type": "time", "name": "Arbete", "description": "", "number_of_items": Decimal(2), "unit": "h",
    "unit_price": Decimal(500), "discount_percent": None, "tax_percent": None, "house_work_flag": True,
}  # fmt: skip


def test_an_invoice_has_one_vat_rate_unless_its_rows_differ():
    assert vat_mode([]) == {}
    assert vat_mode([ROW, {**ROW, "tax_percent": Decimal(25)}]) == {"multipleTaxesOnRows": False, "taxPercent": 25}
    assert vat_mode([ROW, {**ROW, "tax_percent": Decimal(12)}]) == {"multipleTaxesOnRows": True}


def test_an_invoice_row_says_whether_it_is_rot_rut_work_only_on_a_rot_rut_invoice():
    assert item_payload(ROW, house=False) == {
        "itemType": "time", "name": "Arbete", "numberOfItems": 2, "unit": "h", "unitPrice": 500, "taxPercent": 25,
    }  # fmt: skip
    assert item_payload(ROW, house=True)["houseWorkFlag"] is True


@pytest.mark.django_db
def test_the_list_rows_show_the_records_the_api_sent(manager_client):
    customer = next(c for c in store.all("customers") if 0 < len(c.get("name") or "") <= 40)
    page = manager_client.get("/customers/", {"customer_number": customer["customerNumber"]}).content.decode()
    assert f'<a href="/customers/{customer["_id"]}/">{html.escape(customer["name"])}</a>' in page
