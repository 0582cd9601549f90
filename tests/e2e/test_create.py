"""Creating records in a real browser against the live server and the sandbox:
one of each kind, found in its list afterwards; an invoice with three rows and
a ROT deduction; a double click and a back-and-resubmit that create one record."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from seventime.sandbox import store

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def open_form(page: Page, list_path: str, button: str) -> None:
    page.goto(list_path)
    page.get_by_role("button", name=button).click()  # a link styled as a button (Pico)
    expect(page.get_by_role("heading", level=1, name=button)).to_be_visible()


def labelled(page: Page, text: str):
    """The input with this label (a required field's label ends in " *")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(text)}( \*)?\s*$"))


def pick(page: Page, field: str, text: str, choice: str) -> None:
    """Choose a record in a live-search picker, with the keyboard."""
    search = page.locator(f"#id_{field}_search")
    search.click()
    search.press_sequentially(text, delay=20)
    option = page.locator(f"#id_{field}_listbox [role=option]", has_text=choice).first
    expect(option).to_be_visible()
    while page.locator(f"#id_{field}_listbox [aria-selected=true]", has_text=choice).count() == 0:
        search.press("ArrowDown")
    search.press("Enter")
    expect(search).to_have_value(re.compile(re.escape(choice)))


def created_message(page: Page, kind: str) -> str:
    message = page.locator(".messages .message-success")
    expect(message).to_contain_text(f"{kind} “")
    return re.search(r"“(.+)”", message.inner_text()).group(1)


def count(collection: str, **fields) -> int:
    return sum(all(doc.get(key) == value for key, value in fields.items()) for doc in store.all(collection))


def find_in_list(page: Page, path: str, text: str) -> None:
    page.goto(path)
    expect(page.locator("#results tbody tr", has_text=text)).to_have_count(1)


def test_customer_double_click_and_resubmit_create_one(logged_in):
    page = logged_in
    open_form(page, "/customers/", "New customer")
    # The billing address appears only when asked for.
    expect(labelled(page, "Street address").nth(1)).to_be_hidden()
    labelled(page, "Name").fill("Ekholmens Snickeri AB")
    labelled(page, "Organisation or personal number").fill("556123-4567")
    page.get_by_role("textbox", name="E-mail", exact=True).fill("info@ekholmen.test")
    labelled(page, "City").first.fill("Ystad")
    labelled(page, "Send invoices to another postal address").check()
    page.locator("#id_billing_address").fill("Box 7")
    page.locator("#id_billing_city").fill("Ystad")
    labelled(page, "ROT customer (home improvement deduction)").check()
    labelled(page, "Type of property").select_option("1")
    labelled(page, "Property designation").fill("Ystad Ekholmen 1:4")
    page.locator("#id_distribution-0-user_name").fill("Eva Ekholm")
    page.locator("#id_distribution-0-personal_number").fill("19700101-1233")
    expect(page.locator("[data-share-total]")).to_have_text("100 %")
    screenshot(page, "create-customer")

    page.get_by_role("button", name="Create customer").dblclick()
    expect(page).to_have_url(re.compile(r"/customers/[0-9a-f]{24}/$"))
    detail = page.url
    assert created_message(page, "Customer").startswith("Ekholmens Snickeri AB (")
    assert count("customers", name="Ekholmens Snickeri AB") == 1

    # Back to the filled-in form and submit it again: the same customer, not a new one.
    page.go_back()
    expect(labelled(page, "Name")).to_have_value("Ekholmens Snickeri AB")
    page.get_by_role("button", name="Create customer").click()
    expect(page).to_have_url(detail)
    assert count("customers", name="Ekholmens Snickeri AB") == 1
    find_in_list(page, "/customers/?name=Ekholmens", "Ekholmens Snickeri AB")


def test_project_with_customer_contact_and_hourly_price(logged_in):
    page = logged_in
    open_form(page, "/projects/", "New project")
    labelled(page, "Name").fill("Takbyte Ekholmen")
    pick(page, "customer", "Åberg Livs", "Åberg Livs AB")
    expect(page.locator("#id_contact_person option").nth(1)).to_be_attached()  # reloaded for the customer
    page.locator("#id_contact_person").select_option(index=1)
    price = labelled(page, "Price per hour (SEK)")
    expect(price).to_be_hidden()
    labelled(page, "Billing method").select_option("HOURLY")
    expect(price).to_be_visible()
    expect(labelled(page, "Fixed price (SEK)")).to_be_hidden()
    # Checked as soon as the field is left, not only on submit.
    price.focus()
    price.press("Tab")
    expect(page.locator("#id_price_per_hour-error")).to_have_text("This field is required.")
    expect(price).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Create project").click()
    # Required when hourly: the form comes back with everything typed and the message at the field.
    expect(page.locator("#id_price_per_hour-error")).to_have_text("This field is required.")
    expect(page.locator("#id_customer_search")).to_have_value("Åberg Livs AB")
    screenshot(page, "create-project-error")
    price.fill("725")
    labelled(page, "Start date").fill("2026-12-01")
    screenshot(page, "create-project")
    page.get_by_role("button", name="Create project").click()
    expect(page).to_have_url(re.compile(r"/projects/[0-9a-f]{24}/$"))
    number = created_message(page, "Project").split()[0]
    project = next(doc for doc in store.all("projects") if doc["projectNumber"] == number)
    assert (project["pricePerHour"], project["customerName"], project["billingMethod"]) == (
        725,
        "Åberg Livs AB",
        "HOURLY",
    )
    assert project["contactPerson"]
    find_in_list(page, "/projects/?name=Takbyte+Ekholmen", "Takbyte Ekholmen")


def test_work_order_with_colour_and_creator(logged_in):
    page = logged_in
    open_form(page, "/workorders/", "New work order")
    labelled(page, "Title").fill("Byt takpannor")
    page.locator("label[title^='Teal']").click()
    pick(page, "customer", "Åberg Livs", "Åberg Livs AB")
    labelled(page, "Starts").fill("2026-12-02T07:30")
    labelled(page, "Created by").select_option(index=1)
    screenshot(page, "create-workorder")
    page.get_by_role("button", name="Create work order").click()
    expect(page).to_have_url(re.compile(r"/workorders/[0-9a-f]{24}/$"))
    created_message(page, "Work order")
    work_order = next(doc for doc in store.all("workOrders") if doc["title"] == "Byt takpannor")
    assert (work_order["color"], work_order["customerName"], work_order["startDate"]) == (
        "009688",
        "Åberg Livs AB",
        "2026-12-02T06:30:00.000Z",  # 07:30 in Stockholm
    )
    find_in_list(page, "/workorders/?title=Byt+takpannor", "Byt takpannor")


def test_user(logged_in):
    page = logged_in
    open_form(page, "/users/", "New user")
    labelled(page, "First name").fill("Elsa")
    labelled(page, "Last name").fill("Ekholm")
    labelled(page, "E-mail").fill("elsa@ekholmen.test")
    labelled(page, "Username").fill("elsa.ekholm")
    labelled(page, "Role").select_option(index=1)
    screenshot(page, "create-user")
    page.get_by_role("button", name="Create user").click()
    expect(page).to_have_url(re.compile(r"/users/[0-9a-f]{24}/$"))
    assert created_message(page, "User") == "Elsa Ekholm (elsa.ekholm)"
    find_in_list(page, "/users/?name=Ekholm", "elsa.ekholm")


def test_rot_invoice_with_three_rows_and_live_totals(logged_in):
    page = logged_in
    open_form(page, "/invoices/", "New invoice")
    pick(page, "customer", "Åberg Livs", "Åberg Livs AB")
    expect(labelled(page, "Due date")).not_to_have_value("")  # invoice date + the customer's terms
    labelled(page, "Invoice title").fill("Badrum Ekholmen")
    labelled(page, "ROT").check()
    labelled(page, "Type of property").select_option("2")
    labelled(page, "Housing society org. number").fill("769600-1234")
    labelled(page, "Apartment number").fill("1101")
    page.locator("#id_distribution-0-user_name").fill("Eva Ekholm")
    page.locator("#id_distribution-0-personal_number").fill("19700101-1233")
    page.locator("#id_distribution-0-distribution_percent").fill("60")
    page.locator("[data-formset=distribution] [data-formset-add]").click()
    page.locator("#id_distribution-1-user_name").fill("Erik Ekholm")
    page.locator("#id_distribution-1-personal_number").fill("19690202-2349")
    page.locator("#id_distribution-1-distribution_percent").fill("40")
    expect(page.locator("[data-share-total]")).to_have_text("100 %")

    rows = page.locator("[data-formset=rows]")
    typed = [
        ("time", "Arbete badrum", "10", "tim", "650", "", "25", True),
        ("expense", "Kakel", "12,5", "m2", "389,90", "10", "25", False),
        ("expense", "Fogmassa", "3", "st", "79", "", "25", False),
    ]
    for index, (kind, name, quantity, unit, price, discount, vat, house) in enumerate(typed):
        fill_row(page, index, kind, name, quantity, price, house, unit=unit, discount_percent=discount, tax_percent=vat)
    # A fourth row, added and removed again.
    rows.locator("[data-formset-add]").click()
    page.locator("#id_rows-3-name").fill("Fel rad")
    rows.locator("[data-formset-row]").nth(3).get_by_role("button", name="Remove this row").click()
    expect(rows.locator("[data-formset-row]")).to_have_count(3)
    # 6 500 + 4 386.38 + 237 = 11 123.38; VAT 2 780.85; 13 904.23 → 13 904.
    expect(rows.locator('[data-sum="totalAmount"]')).to_have_text("11,123.38")
    expect(rows.locator('[data-sum="totalTaxAmount"]')).to_have_text("2,780.85")
    expect(rows.locator('[data-sum="totalAmountInclTax"]')).to_have_text("13,904.00")
    expect(rows.locator("[data-row-total]").nth(1)).to_have_text("4,386.38")
    labelled(page, "Created by").select_option(index=1)
    screenshot(page, "create-invoice")

    page.get_by_role("button", name="Create invoice").click()
    expect(page).to_have_url(re.compile(r"/invoices/[0-9a-f]{24}/$"))
    number = created_message(page, "Invoice")
    # The sandbox computed the same totals the page showed while typing.
    expect(page.get_by_role("row", name=re.compile("^Total incl. VAT"))).to_contain_text("13,904.00")
    # And the customer's share after the ROT deduction the form showed.
    to_pay = page.get_by_role("row", name=re.compile("^Total to pay")).inner_text()
    invoice = next(doc for doc in store.all("invoices") if doc["invoiceNumber"] == number)
    assert to_pay.split()[-2] == f"{Decimal('13904.00') - Decimal(str(invoice['houseDeductionAmount'])):,.2f}"
    assert [row["name"] for row in invoice["invoiceItems"]] == ["Arbete badrum", "Kakel", "Fogmassa"]
    assert invoice["invoiceType"] == 1 and invoice["houseProperties"]["apartmentNumber"] == "1101"
    assert [d["distributionPercent"] for d in invoice["houseProperties"]["deductionDistribution"]] == [60, 40]
    assert invoice["houseDeductionAmount"] > 0
    find_in_list(page, f"/invoices/?invoice_number={number}", "Åberg Livs AB")


def test_create_log_lists_what_was_created(logged_in):
    page = logged_in
    open_form(page, "/customers/", "New customer")
    labelled(page, "Name").fill("Loggbok AB")
    page.get_by_role("button", name="Create customer").click()
    expect(page).to_have_url(re.compile(r"/customers/[0-9a-f]{24}/$"))
    page.locator(".account-menu summary").click()  # the log is in the account menu
    page.get_by_role("link", name="Create log").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Customer")
    expect(row).to_contain_text("Created")
    # Named as the local copy has it (a create writes its record into the copy at once).
    row.get_by_role("link", name=re.compile(r"^Loggbok AB \(\d+\)$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Loggbok AB")


def test_without_javascript_a_work_order_can_still_be_created(browser, live_server, superuser):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        login(page, superuser.username)
        page.goto("/workorders/new/")
        # Every field shows (nothing can hide them) and the customer is a plain select.
        expect(labelled(page, "Fixed price (SEK)")).to_be_visible()
        labelled(page, "Title").fill("Utan skript")
        customers = page.locator("select#id_customer option")
        expect(customers).to_have_count(101)  # "Choose…" and the first 100 by name
        first = customers.nth(1).inner_text()
        page.locator("select#id_customer").select_option(index=1)
        labelled(page, "Created by").select_option(index=1)
        page.get_by_role("button", name="Create work order").click()
        expect(page).to_have_url(re.compile(r"/workorders/[0-9a-f]{24}/$"))
        assert count("workOrders", title="Utan skript", customerName=first) == 1
    finally:
        context.close()


# --- the live totals under the invoice rows ---


def fill_row(
    page: Page, index: int, kind: str, name: str, quantity: str, price: str, house: bool = False, **more: str
) -> None:
    """Type invoice row `index` (added when the form has fewer rows); `more` fills other
    fields of the row by name (unit, discount_percent, tax_percent)."""
    rows = page.locator("[data-formset=rows]")
    if rows.locator("[data-formset-row]").count() <= index:
        rows.locator("[data-formset-add]").click()
    page.locator(f"#id_rows-{index}-item_type").select_option(kind)
    page.locator(f"#id_rows-{index}-name").fill(name)
    page.locator(f"#id_rows-{index}-number_of_items").fill(quantity)
    page.locator(f"#id_rows-{index}-unit_price").fill(price)
    for field, value in more.items():
        page.locator(f"#id_rows-{index}-{field}").fill(value)
    if house:
        page.locator(f"#id_rows-{index}-house_work_flag").check()


def footer_row(page: Page, label: str):
    """The totals row headed `label`, as shown (hidden text does not count)."""
    rows = page.locator("[data-formset=rows]")
    return rows.locator("tfoot tr").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def sums(page: Page):
    rows = page.locator("[data-formset=rows]")
    return {
        "rounding": rows.locator('[data-sum="totalAmountRounding"]'),
        "total": rows.locator('[data-sum="totalAmountInclTax"]'),
        "deduction": footer_row(page, "ROT/RUT deduction"),
        "to_pay": footer_row(page, "Total to pay"),
    }


def test_invoice_totals_follow_the_currency(logged_in):
    page = logged_in
    open_form(page, "/invoices/", "New invoice")
    fill_row(page, 0, "time", "Arbete", "2", "100,30")
    shown = sums(page)
    # 200.60 + 25 % VAT = 250.75: whole kronor in SEK.
    expect(shown["rounding"]).to_have_text("0.25")
    expect(shown["total"]).to_have_text("251.00")
    # Nothing but the currency changes: the totals follow at once.
    labelled(page, "Currency").select_option("EUR")
    expect(shown["total"]).to_have_text("250.75")
    expect(shown["rounding"]).to_have_text("0.00")
    labelled(page, "Currency").select_option("SEK")
    expect(shown["total"]).to_have_text("251.00")
    expect(shown["rounding"]).to_have_text("0.25")


def test_invoice_totals_in_swedish_have_the_same_minus_sign_as_the_pages(logged_in):
    """The form's sums are written in the browser (Intl, which gives Swedish a U+2212
    minus): they say a negative amount as the server's pages do, with a hyphen-minus."""
    page = logged_in
    page.goto("/invoices/new/")
    page.locator(".account-menu summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    fill_row(page, 0, "time", "Arbete", "2", "100,10")
    # 200.20 + 25 % VAT = 250.25: whole kronor in SEK, rounded down by 0.25.
    shown = page.locator("[data-formset=rows]").locator('[data-sum="totalAmountRounding"]')
    expect(shown).to_have_text("-0,25")
    assert "\u2212" not in page.locator("[data-formset=rows]").inner_text()


def test_invoice_totals_line_up_under_the_amount_column(logged_in):
    page = logged_in
    open_form(page, "/invoices/", "New invoice")
    fill_row(page, 0, "time", "Arbete", "2", "100")
    rows = page.locator("[data-formset=rows]")
    header = rows.get_by_role("columnheader", name="Amount excl. VAT")
    row_total = rows.locator("[data-row-total]").first

    def lined_up():
        column = header.bounding_box()
        sums = [rows.locator(f'[data-sum="{key}"]') for key in ("totalAmount", "totalAmountInclTax")]
        for cell in (row_total, *sums):
            box = cell.bounding_box()
            assert abs(box["x"] - column["x"]) < 1 and abs(box["width"] - column["width"]) < 1, (box, column)

    # A normal invoice: no ROT/RUT column.
    expect(rows.get_by_role("columnheader", name="ROT/RUT work")).to_be_hidden()
    expect(rows.locator('[data-sum="totalAmount"]')).to_have_text("200.00")
    lined_up()
    labelled(page, "ROT").check()
    expect(rows.get_by_role("columnheader", name="ROT/RUT work")).to_be_visible()
    lined_up()
    labelled(page, "Normal").check()
    expect(rows.get_by_role("columnheader", name="ROT/RUT work")).to_be_hidden()
    lined_up()


def test_rot_invoice_shows_the_deduction_and_what_the_customer_pays(logged_in):
    page = logged_in
    open_form(page, "/invoices/", "New invoice")
    pick(page, "customer", "Åberg Livs", "Åberg Livs AB")
    labelled(page, "Invoice title").fill("Altan Ekholmen")
    fill_row(page, 0, "time", "Arbete altan", "10", "650")
    fill_row(page, 1, "expense", "Virke", "1", "1200")
    shown = sums(page)
    # A normal invoice pays the total: no deduction.
    expect(shown["total"]).to_have_text("9,625.00")
    expect(shown["deduction"]).to_be_hidden()
    expect(shown["to_pay"].locator("td").first).to_have_text("9,625.00")

    labelled(page, "ROT").check()
    expect(shown["deduction"].locator("td").first).to_have_text("0.00")  # no row is ROT/RUT work yet
    page.locator("#id_rows-0-house_work_flag").check()
    # Work 6 500 + VAT = 8 125; 30 % = 2 437.50, rounded down to whole kronor.
    expect(shown["total"]).to_have_text("9,625.00")
    expect(footer_row(page, "Total incl. VAT").locator("td").first).to_have_text("9,625.00")
    expect(shown["deduction"]).to_be_visible()
    expect(shown["deduction"].locator("td").first).to_have_text("-2,437.00")
    expect(shown["to_pay"].locator("td").first).to_have_text("7,188.00")
    labelled(page, "RUT").check()  # 50 %: 4 062.50 → 4 062
    expect(shown["deduction"].locator("td").first).to_have_text("-4,062.00")
    expect(shown["to_pay"].locator("td").first).to_have_text("5,563.00")
    # Only the rows marked as ROT/RUT work count.
    page.locator("#id_rows-0-house_work_flag").uncheck()
    page.locator("#id_rows-1-house_work_flag").check()  # 1 500 → 750
    expect(shown["deduction"].locator("td").first).to_have_text("-750.00")
    expect(shown["to_pay"].locator("td").first).to_have_text("8,875.00")
    page.locator("#id_rows-0-house_work_flag").check()
    page.locator("#id_rows-1-house_work_flag").uncheck()
    labelled(page, "ROT").check()
    expect(shown["to_pay"].locator("td").first).to_have_text("7,188.00")

    labelled(page, "Type of property").select_option("1")
    labelled(page, "Property designation").fill("Ystad Ekholmen 1:4")
    labelled(page, "Created by").select_option(index=1)
    screenshot(page, "create-invoice-rot-deduction")
    page.get_by_role("button", name="Create invoice").click()
    expect(page).to_have_url(re.compile(r"/invoices/[0-9a-f]{24}/$"))
    number = created_message(page, "Invoice")
    # The sandbox deducted what the form showed.
    invoice = next(doc for doc in store.all("invoices") if doc["invoiceNumber"] == number)
    assert (invoice["totalAmountInclTax"], invoice["houseDeductionAmount"]) == (9625, 2437)
    expect(page.locator("tfoot tr", has_text="ROT/RUT deduction")).to_contain_text("2,437.00")


def test_rot_deduction_is_capped_per_person_sharing_it(logged_in):
    page = logged_in
    open_form(page, "/invoices/", "New invoice")
    labelled(page, "ROT").check()
    fill_row(page, 0, "time", "Nytt kök", "1", "200000", house=True)
    shown = sums(page)
    # 30 % of 250 000 is 75 000, but a person may deduct at most 50 000 a year.
    expect(shown["total"]).to_have_text("250,000.00")
    expect(shown["deduction"].locator("td").first).to_have_text("-50,000.00")
    expect(shown["to_pay"].locator("td").first).to_have_text("200,000.00")
    page.locator("#id_distribution-0-user_name").fill("Eva Ekholm")
    page.locator("#id_distribution-0-personal_number").fill("19700101-1233")
    page.locator("#id_distribution-0-distribution_percent").fill("50")
    page.locator("[data-formset=distribution] [data-formset-add]").click()
    page.locator("#id_distribution-1-user_name").fill("Erik Ekholm")
    # Two people: up to 100 000 together.
    expect(shown["deduction"].locator("td").first).to_have_text("-75,000.00")
    expect(shown["to_pay"].locator("td").first).to_have_text("175,000.00")
    page.locator("[data-formset=distribution] [data-formset-row]").nth(1).get_by_role(
        "button", name="Remove this person"
    ).click()
    expect(shown["deduction"].locator("td").first).to_have_text("-50,000.00")


# --- Enter in a text field submits the form, and never adds or removes a row ---


def enter_submits(page: Page, field, kind: str, path: str) -> None:
    """Enter in `field` submits the form: the record is created and its page shown."""
    field.press("Enter")
    expect(page).to_have_url(re.compile(rf"/{path}/[0-9a-f]{{24}}/$"))
    created_message(page, kind)


def test_enter_submits_the_customer_form_with_its_deduction_share(logged_in):
    page = logged_in
    open_form(page, "/customers/", "New customer")
    labelled(page, "Name").fill("Enter Bygg AB")
    labelled(page, "ROT customer (home improvement deduction)").check()
    labelled(page, "Type of property").select_option("1")
    labelled(page, "Property designation").fill("Ystad Enter 1:1")
    page.locator("#id_distribution-0-user_name").fill("Eva Enter")
    number = page.locator("#id_distribution-0-personal_number")
    number.fill("19700101-1233")
    enter_submits(page, number, "Customer", "customers")
    customer = next(doc for doc in store.all("customers") if doc["name"] == "Enter Bygg AB")
    shares = customer["billingSettings"]["deductionDistribution"]
    assert [share["userName"] for share in shares] == ["Eva Enter"]


def test_enter_submits_the_invoice_form_and_keeps_its_rows(logged_in):
    page = logged_in
    open_form(page, "/invoices/", "New invoice")
    pick(page, "customer", "Åberg Livs", "Åberg Livs AB")
    labelled(page, "ROT").check()
    labelled(page, "Type of property").select_option("1")
    labelled(page, "Property designation").fill("Ystad Enter 1:2")
    page.locator("#id_distribution-0-user_name").fill("Eva Enter")
    page.locator("#id_distribution-0-personal_number").fill("19700101-1233")
    fill_row(page, 0, "time", "Arbete", "2", "650", house=True)
    labelled(page, "Created by").select_option(index=1)
    marking = labelled(page, "Marking")
    marking.fill("Enter-märkning")
    enter_submits(page, marking, "Invoice", "invoices")
    invoice = next(doc for doc in store.all("invoices") if doc.get("marking") == "Enter-märkning")
    assert [row["name"] for row in invoice["invoiceItems"]] == ["Arbete"]
    assert [d["userName"] for d in invoice["houseProperties"]["deductionDistribution"]] == ["Eva Enter"]


def test_enter_submits_the_project_form(logged_in):
    page = logged_in
    open_form(page, "/projects/", "New project")
    name = labelled(page, "Name")
    name.fill("Enter-projektet")
    enter_submits(page, name, "Project", "projects")
    assert count("projects", name="Enter-projektet") == 1


def test_enter_submits_the_work_order_form(logged_in):
    page = logged_in
    open_form(page, "/workorders/", "New work order")
    pick(page, "customer", "Åberg Livs", "Åberg Livs AB")
    labelled(page, "Created by").select_option(index=1)
    title = labelled(page, "Title")
    title.fill("Enter-arbetsorder")
    enter_submits(page, title, "Work order", "workorders")
    assert count("workOrders", title="Enter-arbetsorder") == 1


def test_enter_submits_the_user_form(logged_in):
    page = logged_in
    open_form(page, "/users/", "New user")
    labelled(page, "First name").fill("Elin")
    labelled(page, "Last name").fill("Enter")
    labelled(page, "E-mail").fill("elin@enter.test")
    labelled(page, "Role").select_option(index=1)
    username = labelled(page, "Username")
    username.fill("elin.enter")
    enter_submits(page, username, "User", "users")
    assert count("users", userName="elin.enter") == 1


def test_without_javascript_enter_submits_and_keeps_the_rows(browser, live_server, superuser):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        login(page, superuser.username)
        page.goto("/customers/new/")
        # Without JavaScript the row buttons submit: Enter must still mean "Create customer".
        page.locator("#id_distribution-0-user_name").fill("Eva Utan")
        name = labelled(page, "Name")
        name.fill("Utan Skript AB")
        enter_submits(page, name, "Customer", "customers")
        assert count("customers", name="Utan Skript AB") == 1
    finally:
        context.close()


# --- after a failed submit: focus on a summary that links to each field in error ---


def in_viewport(page: Page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
                          return box.top >= 0 && box.bottom <= window.innerHeight; }""",
        selector,
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_failed_submit_focuses_a_summary_linking_to_the_field_far_below(browser, live_server, superuser, javascript):
    viewport = {"width": 1366, "height": 900}
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=javascript, locale="en-GB", viewport=viewport
    )
    page = context.new_page()
    try:
        login(page, superuser.username)
        page.goto("/workorders/new/")
        labelled(page, "Title").fill("Glömde skaparen")
        if javascript:
            pick(page, "customer", "Åberg Livs", "Åberg Livs AB")
        else:
            page.locator("select#id_customer").select_option(index=1)
        assert page.locator("#id_created_by_user").bounding_box()["y"] > viewport["height"]  # far below
        page.get_by_role("button", name="Create work order").click()
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("heading")).to_have_text("Please correct the problem listed below.")
        if javascript:
            screenshot(page, "create-error-summary")
        assert not in_viewport(page, "#id_created_by_user")
        link = summary.get_by_role("link", name="Created by: This field is required.")
        link.click()
        expect(page.locator("#id_created_by_user")).to_be_focused()
        assert in_viewport(page, "#id_created_by_user")
        # What was typed is all there; choosing the creator is enough now.
        expect(labelled(page, "Title")).to_have_value("Glömde skaparen")
        page.locator("#id_created_by_user").select_option(index=1)
        page.get_by_role("button", name="Create work order").click()
        expect(page).to_have_url(re.compile(r"/workorders/[0-9a-f]{24}/$"))
    finally:
        context.close()
def test_a_construction_invoice_is_reverse_charge_without_vat(logged_in):
    page = logged_in
    open_form(page, "/invoices/", "New invoice")
    pick(page, "customer", "Åberg Livs", "Åberg Livs AB")
    fill_row(page, 0, "time", "Gjutning", "8", "650", tax_percent="25")
    shown = sums(page)
    rows = page.locator("[data-formset=rows]")
    note = footer_row(page, "Reverse charge: no VAT on this invoice, the buyer accounts for it.")
    expect(shown["total"]).to_have_text("6,500.00")
    expect(note).to_be_hidden()

    labelled(page, "Construction (reverse VAT)").check()
    expect(rows.locator('[data-sum="totalTaxAmount"]')).to_have_text("0.00")
    expect(shown["total"]).to_have_text("5,200.00")
    expect(note).to_be_visible()
    expect(rows.get_by_role("columnheader", name="VAT %")).to_be_hidden()
    expect(page.locator("#id_rows-0-tax_percent")).to_be_hidden()
    labelled(page, "Normal").check()  # what was typed in the VAT column is still there
    expect(shown["total"]).to_have_text("6,500.00")
    labelled(page, "Construction (reverse VAT)").check()

    labelled(page, "Created by").select_option(index=1)
    page.get_by_role("button", name="Create invoice").click()
    expect(page).to_have_url(re.compile(r"/invoices/[0-9a-f]{24}/$"))
    number = created_message(page, "Invoice")
    invoice = next(doc for doc in store.all("invoices") if doc["invoiceNumber"] == number)
    assert (invoice["invoiceType"], invoice["totalTaxAmount"], invoice["totalAmountInclTax"]) == (3, 0, 5200)
    expect(page.locator(".detail-header")).to_contain_text("Reverse charge")
    expect(page.locator("tfoot tr", has_text="Total incl. VAT")).to_contain_text("5,200.00")
