"""How the printed reports read: the stock list is a landscape inventory whose product names
stay on one line, whose header repeats on every page and whose total comes once, at the end;
the write-off lines give the product name room too."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from .conftest import D
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

# 45 letters: wrapped over three or four lines by the old, narrow Product column.
LONG = "Ірімшік «Голландский» {n:03d} / Сыр «Голландский»"


def pages_text(content: bytes) -> list[str]:
    return [page.extract_text().replace("\xa0", " ")
            for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def long_stock(seller):
    milk = CategoryFactory(name="Ірімшік, сүзбе / Сыр, творог", slug="cheese")
    bread = CategoryFactory(name="Нан / Хлеб", slug="bread")
    return [ProductFactory(seller=seller, category=milk if n % 2 else bread, name=LONG.format(n=n),
                           unit="kg" if n % 3 else "pcs", quantity=Decimal("12"),
                           cost_price=Decimal("1234.50"), price=Decimal("1500.00"))
            for n in range(90)]


def test_stock_pdf_is_a_landscape_list_with_names_on_one_line(long_stock, admin_client):
    response = admin_client.get(reverse("analytics:report", kwargs={"name": "stock",
                                                                     "fmt": "pdf"}))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape A4
    pages = pages_text(response.content)
    text = "\n".join(pages)
    for product in long_stock:
        assert product.name in text, product.name  # not wrapped
    assert "14 814,00 ₸" in text  # 12 × 1 234,50 ₸, on one line
    # 90 products (and two category rows) fit in far fewer pages than the old 8.
    assert len(pages) <= 5
    with translation.override("kk"):
        header = str(translation.gettext("Product")).upper()
        total = str(translation.gettext("Total value at cost"))
    assert all(header in page for page in pages)           # header repeated on every page
    assert total in pages[-1] and total not in "".join(pages[:-1])  # the total once, at the end
    assert "1 333 260,00 ₸" in pages[-1]                    # 90 × 12 × 1 234,50 ₸
    # The rows are numbered through the whole list, not per category.
    assert "\n90 " in text or " 90 " in text


def test_stock_pdf_groups_products_by_category_with_their_value(long_stock, admin_user):
    from analytics.periods import Period
    from analytics.reports import build_report

    report = build_report("stock", admin_user, Period(D(2026, 11, 1), D(2026, 11, 1)),
                          for_pdf=True)
    groups = report["groups"]
    # Categories in the database's alphabetical order (Kazakh on SQLite, bibarys/sqlite.py;
    # the database's collation on PostgreSQL: ICU kk-KZ in production).
    from catalog.models import Category
    from bibarys.sqlite import Alphabetical

    names = list(Category.objects.filter(name__in=[g["name"] for g in groups])
                 .order_by(Alphabetical("name")).values_list("name", flat=True))
    assert [g["name"] for g in groups] == names
    assert set(names) == {"Нан / Хлеб", "Ірімшік, сүзбе / Сыр, творог"}
    assert [len(g["products"]) for g in groups] == [45, 45]
    assert sum(g["value"] for g in groups) == report["totals"]["value"]
    assert [p.row_number for g in groups for p in g["products"]] == list(range(1, 91))
    # The XLSX report streams its rows: it gets no grouped copy.
    assert build_report("stock", admin_user, Period(D(2026, 11, 1), D(2026, 11, 1)))[
        "groups"] is None


def test_writeoff_lines_keep_product_names_on_one_line(seller, admin_client):
    from inventory import services
    from inventory.models import WriteOffReason

    names = [f"Компот (жеміс) {n} л / Компот {n} л" for n in range(1, 4)]
    products = [ProductFactory(seller=seller, name=name, unit="pcs", quantity=Decimal("50"),
                               cost_price=Decimal("420.00")) for name in names]
    writeoff = services.writeoff_create(by=seller, date=D(2026, 11, 6))
    for product in products:
        services.writeoff_line_set(writeoff=writeoff, by=seller, product=product,
                                   quantity=Decimal("10"), reason=WriteOffReason.EXPIRED)
    services.writeoff_post(writeoff=writeoff, by=seller)
    response = admin_client.get(reverse("analytics:report", kwargs={"name": "writeoffs",
                                                                     "fmt": "pdf"})
                                + "?from=2026-11-01&to=2026-11-10")
    text = "\n".join(pages_text(response.content))
    for name in names:
        assert name in text, name
