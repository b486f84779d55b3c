"""Every uploaded file is read safely: any bytes give a clear message or row errors, never a
500, and nothing is written; the export opens as the store's Excel expects and reads back."""

import io
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product, ProductBarcode
from inventory import importers
from inventory.models import StockMovement

from .factories import CategoryFactory, ProductFactory, stock_up

pytestmark = pytest.mark.django_db

UNREADABLE = "text encoding could not be recognised"
# (messages compared in lower case)


def _upload(client, data: bytes, name="list.csv", language="en"):
    return client.post(reverse("inventory:import"), {"file": SimpleUploadedFile(name, data)},
                       HTTP_ACCEPT_LANGUAGE=language)


def _xlsx(*rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RANDOM = random.Random(16).randbytes(4096)


@pytest.mark.parametrize("data, message", [
    (RANDOM, UNREADABLE),
    (bytes(range(256)) * 8, UNREADABLE),                     # every byte, 0x98 among them
    (b"\x89PNG\r\n\x1a\n" + RANDOM[:200], UNREADABLE),      # a picture renamed to .csv
    ("name\tsku\nНан\tB1\n".encode("utf-16-le"), UNREADABLE),  # UTF-16 without its mark
    (b"\xff\xfe" + "name,sku\nНан,B1\n".encode("utf-16-le")[:-1], UNREADABLE),  # cut short
    (b"\xef\xbb\xbfname,sku\n\xff\xfe\n", UNREADABLE),       # says UTF-8, is not
    (b"name,sku\nNan,B1\x00\x00\x00\n", UNREADABLE),
    (b"", "empty"),  # Django's own check of the upload
    (b"\xef\xbb\xbf\r\n\r\n", "the file is empty"),
    ("\ufeffname,sku,price\n".encode("utf-16"), "no products below them"),
    (b"name;sku;price\r\n;;\r\n", "no products below them"),
    ("name,sku\n\"".encode() + b"x" * 200_000 + b"\"\n", "cannot be read as csv"),
], ids=["random", "all-bytes", "png", "utf16-no-bom", "utf16-odd", "false-bom", "nul",
        "empty", "blank-lines", "headers-only-utf16", "headers-only", "huge-cell"])
def test_unreadable_csv_gets_a_clear_message_and_writes_nothing(seller_client, data, message):
    response = _upload(seller_client, data)
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert any(message in error.lower() for error in errors), errors
    assert not Product.objects.exists() and not StockMovement.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le", "utf-8-sig",
                                      "utf-32"])
def test_unicode_text_from_excel_imports_with_its_byte_order_mark(seller_client, seller,
                                                                   encoding):
    # Excel's "Unicode text": UTF-16 with a BOM, tab-separated, CRLF.
    text = ("Наименование\tАртикул\tКатегория\tЕдиница\tЦена\tКоличество\r\n"
            "Қымыз «Саумал», 0,5 л\tQMZ-1\tСүт\tшт\t1 100,50\t6\r\n")
    CategoryFactory(name="Сүт")
    data = text.encode(encoding)
    if encoding in ("utf-16-be", "utf-16-le"):
        data = {"utf-16-be": b"\xfe\xff", "utf-16-le": b"\xff\xfe"}[encoding] + data
    response = _upload(seller_client, data, "unicode.txt")
    assert response.status_code == 200, response.context["errors"]
    assert seller_client.post(reverse("inventory:import_confirm")).status_code == 302
    product = Product.objects.get(sku="QMZ-1")
    assert product.name == "Қымыз «Саумал», 0,5 л" and product.seller == seller
    assert product.price == Decimal("1100.50") and product.quantity == 6


def test_semicolons_with_decimal_commas_and_commas_in_names_are_read_as_semicolons():
    data = ("артикул;атауы;бағасы;саны\r\n"
            "A,1;Сүт, 2,5 %;1,50;2,000\r\n"
            "B,2;Нан, бидай;3,75;1,000\r\n").encode("utf-8")
    parsed = importers.parse_file(data, "x.csv")
    assert parsed.ok, parsed.errors
    assert [(r.sku, r.name, r.price) for r in parsed.rows] == [
        ("A,1", "Сүт, 2,5 %", Decimal("1.50")), ("B,2", "Нан, бидай", Decimal("3.75"))]


def test_xlsx_with_huge_numbers_and_formulas_gets_row_errors_not_a_500(seller_client):
    for name in ("Нан", "Сүт", "Жеміс"):
        CategoryFactory(name=name)
    data = _xlsx(
        ["name", "sku", "price", "cost", "quantity", "category"],
        ["Нан", "B1", 1e30, 100, 10 ** 20, "Нан"],
        ["Сүт", "M1", "=1/0", 5, "=SUM(1,2)", "Сүт"],  # formulas saved without values
        ["Ірімшік", "C1", 1e15, 5, 1, "Сүт"],
        ["Алма", "A1", 250, 120.5, 3, "Жеміс"],
    )
    response = _upload(seller_client, data, "prices.xlsx")
    assert response.status_code == 400
    errors = dict(response.context["errors"])
    assert set(errors) == {2, 3, 4}
    # Too large for the column: the limits' one message, naming the limit (bibarys.limits).
    assert "price “1E+30”" in errors[2] and "quantity “1E+20”" in errors[2]
    assert "9,999,999,999.99 or less" in errors[2]
    assert "C3 (price)" in errors[3] and "formula" in errors[3] and "E3" in errors[3]
    assert "price “1E+15”" in errors[4]
    assert not Product.objects.exists()


def test_xlsx_with_only_headers_says_so(seller_client):
    response = _upload(seller_client, _xlsx(["name", "sku", "price"]), "empty.xlsx")
    assert response.status_code == 400
    assert "no products below them" in response.context["form"].errors["file"][0]


def test_random_bytes_named_xlsx_get_a_clear_message(seller_client):
    for data in (RANDOM, b"PK\x03\x04" + RANDOM, b"PK\x03\x04"):
        response = _upload(seller_client, data, "list.xlsx")
        assert response.status_code == 400
        assert "Excel" in response.context["form"].errors["file"][0]


def _shelf(seller):
    category = CategoryFactory(name="Сүт; өнімдері")
    milk = ProductFactory(seller=seller, sku="MLK-1", name="Сүт 3,2 %", category=category,
                          price=Decimal("1250.50"), cost_price=Decimal("0"))
    ProductBarcode.objects.create(product=milk, code="4870001000011")
    apples = ProductFactory(seller=seller, sku="APL", name="Алма", unit="kg",
                            price=Decimal("890.00"))
    stock_up(milk, 5, unit_cost="999.99")
    stock_up(apples, "2.345", unit_cost="400.10")


@pytest.mark.parametrize("language, header, milk_line", [
    ("ru", "артикул;наименование;штрихкод;категория;единица измерения;цена продажи;"
           "себестоимость;остаток;наименование (рус.);наименование (англ.)",
     'MLK-1;Сүт 3,2 %;4870001000011;"Сүт; өнімдері";шт;1250,50;999,99;5;;'),
    ("kk", "артикул;атауы;штрихкод;санат;өлшем бірлігі;сату бағасы;өзіндік құны;қалдық;"
           "атауы (орысша);атауы (ағылшынша)",
     'MLK-1;Сүт 3,2 %;4870001000011;"Сүт; өнімдері";дана;1250,50;999,99;5;;'),
    ("en", "sku,name,barcode,category,unit,price,cost,quantity,name_ru,name_en",
     'MLK-1,"Сүт 3,2 %",4870001000011,Сүт; өнімдері,pcs,1250.50,999.99,5,,'),
])
def test_csv_export_is_written_as_the_page_languages_excel_opens_it(seller, seller_client,
                                                                   language, header,
                                                                   milk_line):
    _shelf(seller)
    response = seller_client.get(reverse("inventory:export") + "?format=csv",
                                 HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == header
    assert milk_line in lines
    assert any(line.startswith("APL") and "2,345" in line for line in lines) == (language != "en")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("exported_in, imported_in", [("ru", "en"), ("kk", "ru"), ("en", "kk")])
def test_an_export_in_any_language_imports_back_unchanged_in_any_other(
        seller, seller_client, fmt, exported_in, imported_in):
    _shelf(seller)
    before = list(Product.objects.order_by("pk").values())
    response = seller_client.get(reverse("inventory:export") + f"?format={fmt}",
                                 HTTP_ACCEPT_LANGUAGE=exported_in)
    data = b"".join(response.streaming_content) if response.streaming else response.content
    preview = _upload(seller_client, data, f"export.{fmt}", language=imported_in)
    assert preview.status_code == 200, preview.context and preview.context.get("errors")
    plan = preview.context["plan"]
    assert (len(plan.new_products), len(plan.changes), len(plan.adjustments)) == (0, 0, 0)
    seller_client.post(reverse("inventory:import_confirm"))
    assert list(Product.objects.order_by("pk").values()) == before


def test_export_command_writes_the_language_asked(tmp_path, admin_user, seller):
    from django.core.management import call_command

    _shelf(seller)
    target = tmp_path / "out.csv"
    call_command("export_products", str(target), "--language", "ru", stdout=io.StringIO())
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].startswith("артикул;наименование;")
    assert importers.parse_file(data, "out.csv").ok


def test_every_export_name_reads_back():
    for names in importers.COLUMN_NAMES.values():
        for name in names.values():
            assert importers.map_headers([name]) != {}
    for units in importers.EXPORT_UNITS.values():
        for unit, word in units.items():
            assert importers.parse_unit(word) == unit


def test_random_files_never_escape_as_anything_but_a_file_error():
    """Fuzz the reader: whatever the bytes, the result is rows or ImportFileError."""
    rng = random.Random(1616)
    seeds = [b"name;sku;price\r\n\xd0\x9d\xd0\xb0\xd0\xbd;B1;250\r\n", _xlsx(["name", "sku"],
                                                                             ["a", "b"])]
    for n in range(300):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            importers.parse_file(bytes(data), rng.choice(["x.csv", "x.xlsx", "x.txt"]))
        except importers.ImportFileError:
            pass  # any other exception fails the test
