"""The product import as a store uses it: a price list exported, edited in Excel and imported
back; what the preview promises is what the confirm does."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from catalog.models import Category, Product, ProductBarcode
from inventory import importers, services
from inventory.models import GoodsReceipt, MovementKind, StockMovement
from inventory.services import import_write, products_import

from .factories import CategoryFactory, ProductFactory, stock_up
from .helpers import assert_ledger_holds

pytestmark = pytest.mark.django_db


def _xlsx(rows, *, cell_styles=()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for coordinate in cell_styles:  # a formatted cell without a value
        sheet[coordinate].font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_cached_value(data: bytes, coordinate: str, value: str) -> bytes:
    """The workbook as Excel saves it: the formula in `coordinate` with its calculated value
    (openpyxl writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rf'(<c r="{coordinate}"[^>]*>\s*<f>[^<]*</f>\s*)<v\s*/>'.encode(),
                    rb"\g<1><v>" + value.encode() + b"</v>", content)
            target.writestr(info, content)
    return buffer.getvalue()


def _upload(client, data: bytes, name="products.csv", **fields):
    return client.post(reverse("inventory:import"),
                       {"file": SimpleUploadedFile(name, data), **fields})


def _confirm(client):
    return client.post(reverse("inventory:import_confirm"))


def _write_off(product, quantity, by):
    writeoff = services.writeoff_create(by=by, date=datetime.date(2026, 2, 1))
    services.writeoff_line_set(writeoff=writeoff, by=by, product=product,
                               quantity=Decimal(quantity), reason="spoiled")
    services.writeoff_post(writeoff=writeoff, by=by)
    product.refresh_from_db()


# 1. Quantities of existing products ------------------------------------------------------------


def test_reimporting_an_exported_price_list_never_undoes_a_write_off(seller, seller_client):
    milk = ProductFactory(seller=seller, sku="BB-000001", name="Сүт", price=Decimal("500.00"))
    stock_up(milk, 105)
    response = seller_client.get(reverse("inventory:export") + "?format=xlsx")
    exported = b"".join(response.streaming_content)
    _write_off(milk, 2, seller)
    assert milk.quantity == 103

    # The price edited in Excel; the file still says 105 on hand.
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook.active
    assert sheet["H2"].value == 105
    sheet["F2"] = 520
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = _upload(seller_client, buffer.getvalue(), "products.xlsx")
    assert response.status_code == 200
    page = response.content.decode()
    assert "On hand now" not in page  # no stock adjustment is offered
    assert "differs from its on-hand stock and is ignored" in page
    assert _confirm(seller_client).status_code == 302
    milk.refresh_from_db()
    assert milk.price == Decimal("520.00")
    assert milk.quantity == 103
    assert not StockMovement.objects.filter(kind=MovementKind.COUNT).exists()
    assert_ledger_holds(milk)


def test_set_quantities_lists_every_adjustment_and_confirm_posts_them(seller, seller_client):
    milk = ProductFactory(seller=seller, sku="MILK-1", name="Сүт")
    rice = ProductFactory(seller=seller, sku="RICE-1", name="Күріш", unit="kg")
    stock_up(milk, 10)
    stock_up(rice, "4.5")
    data = "sku,name,quantity\nMILK-1,Сүт,8\nRICE-1,Күріш,4.5\n".encode()
    response = _upload(seller_client, data, set_quantities="on")
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(a.product.sku, a.on_hand, a.counted, a.difference) for a in plan.adjustments] == [
        ("MILK-1", Decimal(10), Decimal(8), Decimal(-2))]
    page = response.content.decode()
    assert "On hand now" in page and "RICE-1" not in page  # an equal count is no adjustment
    assert _confirm(seller_client).status_code == 302
    milk.refresh_from_db()
    assert milk.quantity == 8
    assert StockMovement.objects.get(kind=MovementKind.COUNT).quantity == -2
    assert_ledger_holds()


def test_confirm_refuses_when_stock_moved_since_the_preview(seller, seller_client):
    milk = ProductFactory(seller=seller, sku="MILK-1", name="Сүт", price=Decimal("500.00"))
    stock_up(milk, 10)
    data = "sku,name,price,quantity\nMILK-1,Сүт,520,8\n".encode()
    assert _upload(seller_client, data, set_quantities="on").status_code == 200
    _write_off(milk, 1, seller)  # a write-off between the preview and the confirm

    response = _confirm(seller_client)
    assert response.status_code == 409
    page = response.content.decode()
    assert "On-hand stock changed since the preview" in page and "Сүт" in page
    milk.refresh_from_db()
    assert (milk.quantity, milk.price) == (Decimal(9), Decimal("500.00"))  # nothing written
    assert not StockMovement.objects.filter(kind=MovementKind.COUNT).exists()
    # The new preview shows the stock as it is now, and confirming it applies that.
    assert response.context["plan"].adjustments[0].on_hand == 9
    assert _confirm(seller_client).status_code == 302
    milk.refresh_from_db()
    assert (milk.quantity, milk.price) == (Decimal(8), Decimal("520.00"))
    assert_ledger_holds(milk)


def test_new_products_opening_quantities_are_listed_and_received(admin_client):
    CategoryFactory(name="Нан")
    data = "sku,name,category,price,quantity\nBREAD-1,Нан,Нан,250,12\n".encode()
    response = _upload(admin_client, data)
    assert [row.quantity for row in response.context["plan"].new_products] == [12]
    assert "Opening quantity" in response.content.decode()
    _confirm(admin_client)
    assert Product.objects.get(sku="BREAD-1").quantity == 12
    assert GoodsReceipt.objects.get().status == "posted"


# 2. SKUs in any letter case --------------------------------------------------------------------


def test_sku_matches_an_existing_product_in_any_letter_case(seller):
    latin = ProductFactory(seller=seller, sku="BB-000001", price=Decimal("500.00"))
    cyrillic = ProductFactory(seller=seller, sku="СҮТ-Ә1", price=Decimal("300.00"))
    data = "sku,name,price\nbb-000001,Сүт,510\nсүт-ә1,Айран,310\n".encode()
    parsed = importers.parse_file(data, "x.csv")
    result = products_import(rows=parsed.rows, by=seller, seller=seller)
    assert (result.created, result.updated, result.errors) == (0, 2, [])
    assert Product.objects.count() == 2
    latin.refresh_from_db()
    cyrillic.refresh_from_db()
    assert (latin.sku, latin.price) == ("BB-000001", Decimal("510.00"))
    assert (cyrillic.sku, cyrillic.name) == ("СҮТ-Ә1", "Айран")


def test_the_same_sku_in_another_letter_case_twice_in_a_file_is_a_duplicate():
    parsed = importers.parse_file("sku,name,price\nСҮТ-Ә1,a,1\nсүт-ә1,b,2\n".encode(), "x.csv")
    assert parsed.errors == [(3, "SKU сүт-ә1 is also on line 2")]


# 3. Categories ---------------------------------------------------------------------------------


def test_a_sellers_import_never_creates_a_category(seller, seller_client):
    CategoryFactory(name="Фрукты")
    data = "sku,name,category,price\nAPL-1,Алма,ФРУКТЫ,500\nKIWI-1,Киви,Экзотика,900\n".encode()
    response = _upload(seller_client, data)
    assert response.status_code == 400
    assert response.context["errors"] == [
        (3, "there is no category “Экзотика”: ask an admin to create it")]
    assert not Category.objects.filter(name="Экзотика").exists()


def test_an_admins_import_lists_new_categories_and_creates_them_audited(admin_user,
                                                                         admin_client):
    fruit = CategoryFactory(name="Фрукты")
    data = ("sku,name,category,price\nAPL-1,Алма,ФРУКТЫ,500\nKIWI-1,Киви,Экзотика,900\n"
            "MANGO-1,Манго,экзотика,1500\n").encode()
    response = _upload(admin_client, data)
    assert response.context["plan"].new_categories == ["Экзотика"]
    assert "Categories to create" in response.content.decode()
    assert not Category.objects.filter(name="Экзотика").exists()  # the preview writes nothing
    _confirm(admin_client)
    exotic = Category.objects.get(name="Экзотика")
    assert Product.objects.get(sku="APL-1").category == fruit
    assert set(exotic.products.values_list("sku", flat=True)) == {"KIWI-1", "MANGO-1"}
    entry = AuditEntry.objects.get(action="category.create")
    assert entry.actor == admin_user
    assert Category.objects.count() == 2


# 4. Other sellers' products --------------------------------------------------------------------


def test_another_sellers_sku_or_barcode_is_only_taken(seller, seller_client, other_seller):
    theirs = ProductFactory(seller=other_seller, sku="THEIRS", name="Олардікі", unit="kg")
    ProductBarcode.objects.create(product=theirs, code="4870001000011")
    stock_up(theirs, "97.912")
    CategoryFactory(name="Сүт")
    data = ("sku,name,barcode,category,unit,price\n"
            "THEIRS,Менікі,,Сүт,pcs,100\n"
            "MINE-1,Менікі 2,4870001000011,Сүт,pcs,100\n"
            ",Менікі 3,4870001000011,Сүт,pcs,100\n").encode()
    response = _upload(seller_client, data)
    assert response.context["errors"] == [
        (2, "this SKU is taken"), (3, "this barcode is taken"),
        (4, "barcode 4870001000011 is also on line 3; this barcode is taken")]
    page = response.content.decode()
    assert "97" not in page and "Олардікі" not in page and "another seller" not in page
    theirs.refresh_from_db()
    assert theirs.name == "Олардікі"


# 5. Formulas -----------------------------------------------------------------------------------


def test_a_formula_without_a_saved_value_is_a_row_error():
    data = _xlsx([["sku", "name", "cost", "price", "margin"],
                  ["MILK-1", "Сүт", 300, "=C2*1.6", "=D2-C2"]])
    parsed = importers.parse_file(data, "f.xlsx")
    assert parsed.errors == [(2, "cell D2 (price) is a formula without a saved value: "
                                 "formulas are not read, paste the values instead")]


def test_a_formula_with_its_saved_value_reads_as_that_value():
    data = _with_cached_value(_xlsx([["sku", "name", "cost", "price"],
                                     ["MILK-1", "Сүт", 300, "=C2*1.6"]]), "D2", "480")
    parsed = importers.parse_file(data, "f.xlsx")
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].price == Decimal("480")


# 6. The preview shows the changes --------------------------------------------------------------


def test_the_preview_shows_what_changes_not_the_first_rows(seller, seller_client, monkeypatch):
    category = CategoryFactory(name="Сүт")
    ProductFactory(seller=seller, sku="SAME-1", name="Өзгермейтін", price=Decimal("100.00"))
    ProductFactory(seller=seller, sku="MILK-1", name="Сүт", price=Decimal("500.00"),
                   category=category)
    for n in range(3):
        ProductFactory(seller=seller, sku=f"PRICE-{n}", name=f"Тауар {n}",
                       price=Decimal("200.00"))
    monkeypatch.setattr("inventory.views.import_export.PREVIEW_LIMIT", 2)
    data = ("sku,name,category,price\nSAME-1,Өзгермейтін,,100\nMILK-1,Сүт жаңа,,520\n"
            "PRICE-0,Тауар 0,,210\nPRICE-1,Тауар 1,,210\nPRICE-2,Тауар 2,,210\n"
            "NEW-1,Жаңа,Сүт,900\n").encode()
    response = _upload(seller_client, data)
    plan = response.context["plan"]
    assert (plan.created, plan.updated, plan.unchanged) == (1, 4, 1)
    page = response.content.decode()
    assert "SAME-1" not in page  # unchanged rows are only counted
    assert "NEW-1" in page and "MILK-1" in page
    assert "Сүт → <strong>Сүт жаңа</strong>" in page
    assert "500,00 ₸ → <strong>520,00 ₸</strong>" in page or \
        "₸500.00 → <strong>₸520.00</strong>" in page
    assert "PRICE-2" not in page and "…and 2 more." in page


# 7. A double-clicked confirm -------------------------------------------------------------------


def test_confirm_sent_again_while_the_first_runs_answers_expired(admin_client, monkeypatch):
    CategoryFactory(name="Нан")
    data = "sku,name,category,price,quantity\nBREAD-1,Нан,Нан,250,3\n".encode()
    assert _upload(admin_client, data).status_code == 200
    # The second click arrives while the first confirm is writing (after its checks): the
    # moment that gave an IntegrityError (a 500) when both confirms read the same upload.
    real_slugs, clicks, second = import_write._unique_slugs, [], []

    def slugs_while_clicked_again(*args):
        if not clicks:
            clicks.append(1)
            second.append(_confirm(admin_client))
        return real_slugs(*args)

    monkeypatch.setattr(import_write, "_unique_slugs", slugs_while_clicked_again)
    first = _confirm(admin_client)
    assert (first.status_code, second[0].status_code) == (302, 302)
    assert Product.objects.count() == 1 and StockMovement.objects.count() == 1
    messages = [str(m) for m in second[0].wsgi_request._messages]
    assert any("expired" in m for m in messages)


# 8. Every problem at once ----------------------------------------------------------------------


def test_every_problem_of_a_row_is_reported_in_one_round(seller, other_seller):
    ProductFactory(seller=other_seller, sku="THEIRS")
    data = ("sku,name,category,unit,price,quantity\n"
            "NEW-1,Жаңа,Белгісіз,pcs,,abc\n"
            "THEIRS,Менікі,,bucket,100,\n").encode()
    parsed = importers.parse_file(data, "x.csv")
    plan = products_import(rows=parsed.rows, rejected=parsed.rejected, by=seller,
                           seller=seller, dry_run=True)
    errors = dict(importers.merge_errors(parsed.errors, plan.errors))
    assert "quantity “abc”" in errors[2] and "needs a price" in errors[2]
    assert "no category “Белгісіз”" in errors[2]
    assert "unknown unit “bucket”" in errors[3] and "this SKU is taken" in errors[3]


# 9. Empty rows ---------------------------------------------------------------------------------


def test_a_formatted_empty_cell_far_below_the_data_is_not_a_row():
    data = _xlsx([["sku", "name", "price"], ["A-1", "Алма", 500], [], ["A-2", "Алмұрт", 600]],
                 cell_styles=["C150000"])
    parsed = importers.parse_file(data, "x.xlsx")
    assert parsed.ok, parsed.errors
    assert [(row.line, row.sku) for row in parsed.rows] == [(2, "A-1"), (4, "A-2")]


def test_the_row_limit_still_counts_rows_with_values(monkeypatch):
    monkeypatch.setattr(importers.files, "MAX_ROWS", 3)  # where the reader counts
    rows = [["sku", "name", "price"]] + [[f"A-{n}", "Алма", 500] for n in range(4)]
    with pytest.raises(importers.ImportFileError, match="more than 3 rows"):
        importers.parse_file(_xlsx(rows), "x.xlsx")
    csv_data = "sku,name,price\n" + "".join(f"A-{n},Алма,500\n" for n in range(3)) + ",,\n" * 9
    assert len(importers.parse_file(csv_data.encode(), "x.csv").rows) == 3
