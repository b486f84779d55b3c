import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AuditEntry
from catalog.models import Category, Product, ProductBarcode
from inventory import importers
from inventory.models import GoodsReceipt, StockMovement
from inventory.services import products_import

from .factories import CategoryFactory, ProductFactory, stock_up
from .helpers import assert_ledger_holds

pytestmark = pytest.mark.django_db


def _import(data: bytes, filename, by, seller=None, dry_run=False, set_quantities=False):
    parsed = importers.parse_file(data, filename)
    assert parsed.ok, parsed.errors
    return products_import(rows=parsed.rows, by=by, seller=seller or by, filename=filename,
                           dry_run=dry_run, set_quantities=set_quantities)


WIN1251 = (
    "Наименование;Артикул;Штрихкод;Категория;Единица;Цена;Себестоимость;Количество\r\n"
    "Молоко 3,2% 1 л;MLK-32;4870001000011;Молочные продукты;шт;1\u00a0250,50;980,00;24\r\n"
    "Яблоки Апорт;APL-01;;Фрукты;кг;1 890;1 200,5;12,750\r\n"
).encode("cp1251")


def test_import_windows_1251_semicolons_and_decimal_commas(admin_user):
    result = _import(WIN1251, "1c-export.csv", admin_user)
    assert (result.created, result.received_lines) == (2, 2)
    milk = Product.objects.get(sku="MLK-32")
    apples = Product.objects.get(sku="APL-01")
    assert milk.name == "Молоко 3,2% 1 л" and milk.price == Decimal("1250.50")
    assert milk.cost_price == Decimal("980.00") and milk.quantity == Decimal(24)
    assert apples.unit == "kg" and apples.quantity == Decimal("12.750")
    assert apples.price == Decimal("1890") and apples.cost_price == Decimal("1200.50")
    assert Category.objects.filter(name="Фрукты").exists()
    assert ProductBarcode.objects.get(code="4870001000011").product == milk
    # Opening stock arrived as a posted goods receipt, each movement on its line.
    receipt = GoodsReceipt.objects.get()
    assert receipt.status == "posted" and receipt.lines.filter(movement__isnull=False).count() == 2
    assert AuditEntry.objects.filter(action="products.import").exists()
    assert_ledger_holds()


def test_import_kazakh_headers_utf8_bom_tabs(seller):
    CategoryFactory(name="Сүт өнімдері")
    data = ("\ufeffатауы\tартикул\tсанат\tөлшем бірлігі\tбағасы\tсаны\n"
            "Қымыз 0,5 л\tQMZ-1\tСүт өнімдері\tдана\t1 100\t6\n").encode("utf-8")
    result = _import(data, "kz.txt", seller)
    product = Product.objects.get(sku="QMZ-1")
    assert result.created == 1 and product.seller == seller and product.quantity == 6
    assert product.unit == "pcs"


def test_a_file_with_one_bad_row_imports_nothing(admin_user):
    data = ("name,sku,category,unit,price,quantity\n"
            "Нан,BREAD-1,Нан,pcs,250,10\n"
            "Сүт,MILK-1,Сүт,шт,abc,5\n"
            "Ірімшік,CHEESE-1,Сүт,bucket,900,1.5\n").encode()
    parsed = importers.parse_file(data, "bad.csv")
    lines = [line for line, _message in parsed.errors]
    assert lines == [3, 4]
    assert "abc" in parsed.errors[0][1] and "bucket" in parsed.errors[1][1]
    assert not Product.objects.exists()


def test_import_page_preview_then_confirm(admin_client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("products.csv", WIN1251, content_type="text/csv")
    response = admin_client.post(reverse("inventory:import"), {"file": upload})
    assert response.status_code == 200
    assert "MLK-32" in response.content.decode()
    assert not Product.objects.exists()  # preview writes nothing
    response = admin_client.post(reverse("inventory:import_confirm"))
    assert response.status_code == 302
    assert Product.objects.count() == 2
    # The stored upload is used once.
    admin_client.post(reverse("inventory:import_confirm"))
    assert StockMovement.objects.count() == 2


def test_import_page_shows_row_errors_and_writes_nothing(seller_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "name,sku,category,price\nНан,B1,Нан,-5\n".encode()
    response = seller_client.post(reverse("inventory:import"),
                                  {"file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code == 400
    assert "cannot be negative" in response.content.decode()
    assert not Product.objects.exists()


def test_existing_product_quantity_is_a_count_when_asked(seller):
    milk = ProductFactory(seller=seller, sku="MILK-1", price=Decimal("500.00"))
    stock_up(milk, 10)
    data = "sku,name,price,quantity\nMILK-1,Сүт,520,8\n".encode()
    result = _import(data, "count.csv", seller, set_quantities=True)
    milk.refresh_from_db()
    assert (result.updated, result.adjusted_lines) == (1, 1)
    assert milk.quantity == 8 and milk.price == Decimal("520.00") and milk.name == "Сүт"
    movement = StockMovement.objects.filter(product=milk, kind="count").get()
    assert movement.quantity == -2 and movement.stocktake_line is not None
    assert_ledger_holds(milk)


def test_existing_product_matched_by_barcode(seller):
    milk = ProductFactory(seller=seller, sku="MILK-1")
    ProductBarcode.objects.create(product=milk, code="4870001000011")
    data = "name,barcode,price\nСүт жаңа,4870001000011,600\n".encode()
    result = _import(data, "b.csv", seller)
    milk.refresh_from_db()
    assert result.updated == 1 and milk.name == "Сүт жаңа" and Product.objects.count() == 1


def test_seller_cannot_import_over_another_sellers_product(seller, other_seller):
    ProductFactory(seller=other_seller, sku="THEIRS")
    parsed = importers.parse_file("sku,name,price\nTHEIRS,Менікі,1\n".encode(), "x.csv")
    result = products_import(rows=parsed.rows, by=seller, seller=seller, filename="x.csv")
    assert result.errors == [(2, "this SKU is taken")]
    assert Product.objects.get(sku="THEIRS").name != "Менікі"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_imports_back_unchanged(fmt, seller, seller_client):
    category = CategoryFactory(name="=Тәттілер")
    products = [
        ProductFactory(seller=seller, sku="-SKU1", name="=HYPERLINK(\"x\")", category=category,
                       price=Decimal("1250.50"), cost_price=Decimal("0")),
        ProductFactory(seller=seller, sku="APL", name="Алма", unit="kg",
                       price=Decimal("890.00")),
    ]
    ProductBarcode.objects.create(product=products[0], code="4870001000011")
    stock_up(products[0], 5, unit_cost="999.99")
    stock_up(products[1], "2.345", unit_cost="400.10")
    movements = StockMovement.objects.count()
    response = seller_client.get(reverse("inventory:export") + f"?format={fmt}")
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        assert "'=HYPERLINK" in text and "'-SKU1" in text and "'=Тәттілер" in text
    before = list(Product.objects.order_by("pk").values())
    result = _import(data, f"export.{fmt}", seller)
    assert (result.created, result.updated, result.adjusted_lines) == (0, 0, 0)
    assert result.unchanged == 2
    assert list(Product.objects.order_by("pk").values()) == before
    assert StockMovement.objects.count() == movements


def test_export_keeps_negative_numbers_numeric():
    assert importers.neutralise(Decimal("-5")) == Decimal("-5")
    assert importers.neutralise("-5") == "'-5"
    assert importers.neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert importers.neutralise("\tx") == "'\tx"


def test_xlsx_zip_bomb_is_refused():
    from tests.security.payloads import zip_bomb_xlsx

    with pytest.raises(importers.ImportFileError):
        importers.read_table(zip_bomb_xlsx(200), "bomb.xlsx")


def test_xlsx_billion_laughs_is_refused():
    from tests.security.payloads import billion_laughs_xlsx

    with pytest.raises(importers.ImportFileError):
        importers.read_table(billion_laughs_xlsx(), "laughs.xlsx")


def test_openpyxl_uses_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_oversized_file_is_refused():
    with pytest.raises(importers.ImportFileError):
        importers.read_table(b"x" * (importers.MAX_UPLOAD_BYTES + 1), "big.csv")


def test_import_and_export_commands(tmp_path, admin_user, seller):
    source = tmp_path / "in.csv"
    source.write_bytes(WIN1251)
    call_command("import_products", str(source), "--dry-run", stdout=io.StringIO())
    assert not Product.objects.exists()
    call_command("import_products", str(source), "--seller", seller.username,
                 stdout=io.StringIO())
    assert Product.objects.filter(seller=seller).count() == 2
    target = tmp_path / "out.xlsx"
    call_command("export_products", str(target), stdout=io.StringIO())
    parsed = importers.parse_file(target.read_bytes(), "out.xlsx")
    assert sorted(row.sku for row in parsed.rows) == ["APL-01", "MLK-32"]


def test_import_command_exits_with_the_bad_rows(tmp_path, admin_user):
    from django.core.management.base import CommandError

    source = tmp_path / "bad.csv"
    source.write_text("name,sku,price\nНан,B1,xyz\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_products", str(source), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Product.objects.exists()


def test_import_updates_only_the_changed_columns_of_each_product(seller):
    CategoryFactory(name="Жарма")
    milk = ProductFactory(seller=seller, sku="MILK-1", name="Сүт", price=Decimal("500.00"),
                          cost_price=Decimal("300.00"))
    rice = ProductFactory(seller=seller, sku="RICE-1", name="Күріш", price=Decimal("900.00"),
                          unit="pcs")
    data = ("sku;name;category;unit;price;cost\n"
            "MILK-1;Сүт;;;520,50;\n"
            "RICE-1;Күріш Лаззат;Жарма;кг;900;650\n").encode()
    result = _import(data, "update.csv", seller)
    milk.refresh_from_db()
    rice.refresh_from_db()
    assert result.updated == 2
    assert (milk.name, milk.price, milk.cost_price) == ("Сүт", Decimal("520.50"),
                                                       Decimal("300.00"))
    assert (rice.name, rice.price, rice.cost_price, rice.unit) == (
        "Күріш Лаззат", Decimal("900.00"), Decimal("650.00"), "kg")
    assert rice.category == Category.objects.get(name="Жарма")
    assert milk.category.name != "Жарма"
