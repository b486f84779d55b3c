import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import DocumentStatus, GoodsReceipt, StocktakeLine
from inventory.services import (
    receipt_create, receipt_line_set, stocktake_start, writeoff_create, writeoff_line_set,
)

from .factories import ProductFactory, stock_up
from .helpers import assert_ledger_holds

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


def _documents_of(user):
    product = ProductFactory(seller=user)
    stock_up(product, 5)
    receipt = receipt_create(by=user, supplier="ТОО Алматы Сүт", date=DAY)
    receipt_line_set(receipt=receipt, by=user, product=product, quantity=Decimal(1),
                     unit_cost=Decimal(1))
    writeoff = writeoff_create(by=user, date=DAY)
    writeoff_line_set(writeoff=writeoff, by=user, product=product, quantity=Decimal(1),
                      reason="spoiled")
    stocktake = stocktake_start(by=user)
    return product, receipt, writeoff, stocktake


@pytest.mark.parametrize("name", ["receipt_detail", "writeoff_detail", "stocktake_detail",
                                  "stocktake_sheet"])
def test_another_sellers_document_is_404(name, seller, other_seller, client):
    _product, receipt, writeoff, stocktake = _documents_of(seller)
    pk = {"receipt_detail": receipt, "writeoff_detail": writeoff}.get(name, stocktake).pk
    client.force_login(other_seller)
    assert client.get(reverse(f"inventory:{name}", args=[pk])).status_code == 404
    client.force_login(seller)
    assert client.get(reverse(f"inventory:{name}", args=[pk])).status_code == 200


@pytest.mark.parametrize("name", ["receipt_post", "receipt_line_add", "writeoff_post",
                                  "stocktake_post", "receipt_delete", "writeoff_delete"])
def test_another_seller_cannot_change_a_document(name, seller, other_seller, client):
    product, receipt, writeoff, stocktake = _documents_of(seller)
    doc = {"receipt": receipt, "writeoff": writeoff, "stocktake": stocktake}[name.split("_")[0]]
    client.force_login(other_seller)
    response = client.post(reverse(f"inventory:{name}", args=[doc.pk]),
                           {"product": product.sku, "quantity": "1", "unit_cost": "1"})
    assert response.status_code == 404
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DRAFT
    assert_ledger_holds(product)


def test_other_sellers_products_product_movements_404(seller, other_seller, client):
    product = ProductFactory(seller=seller)
    client.force_login(other_seller)
    assert client.get(reverse("inventory:product_movements", args=[product.pk])).status_code == 404


@pytest.mark.parametrize("name", ["receipt_list", "writeoff_list", "stocktake_list",
                                  "low_stock", "import", "export", "receipt_create"])
def test_shoppers_get_403_and_anonymous_the_login(name, shopper_client, client):
    url = reverse(f"inventory:{name}")
    assert shopper_client.get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_admin_sees_every_document(seller, admin_client):
    _product, receipt, writeoff, stocktake = _documents_of(seller)
    for name, doc in (("receipt_detail", receipt), ("writeoff_detail", writeoff),
                      ("stocktake_detail", stocktake)):
        assert admin_client.get(reverse(f"inventory:{name}", args=[doc.pk])).status_code == 200


def test_a_mixed_document_of_the_admin_is_hidden_from_sellers(seller, other_seller, admin_user,
                                                               seller_client):
    receipt = receipt_create(by=admin_user, supplier="ИП Ахметов", date=DAY)
    for owner in (seller, other_seller):
        receipt_line_set(receipt=receipt, by=admin_user, product=ProductFactory(seller=owner),
                         quantity=Decimal(1), unit_cost=Decimal(1))
    url = reverse("inventory:receipt_detail", args=[receipt.pk])
    assert seller_client.get(url).status_code == 404


def test_receipt_flow_through_the_pages(seller, seller_client):
    product = ProductFactory(seller=seller, sku="KEF-1")
    response = seller_client.post(reverse("inventory:receipt_create"), {
        "supplier": "ТОО Алматы Сүт", "supplier_number": "17", "date": "2026-03-02"})
    receipt = GoodsReceipt.objects.get()
    assert response.status_code == 302
    response = seller_client.post(reverse("inventory:receipt_line_add", args=[receipt.pk]),
                                  {"product": "kef-1", "quantity": "12", "unit_cost": "1 250,50"})
    assert response.status_code == 302
    line = receipt.lines.get()
    assert line.unit_cost == Decimal("1250.50")
    seller_client.post(reverse("inventory:receipt_post", args=[receipt.pk]))
    seller_client.post(reverse("inventory:receipt_post", args=[receipt.pk]))
    product.refresh_from_db()
    assert product.quantity == Decimal(12)
    page = seller_client.get(reverse("inventory:receipt_detail", args=[receipt.pk]))
    assert "KEF-1" in page.content.decode()
    # Posted: the line form is refused.
    response = seller_client.post(reverse("inventory:receipt_line_add", args=[receipt.pk]),
                                  {"product": "KEF-1", "quantity": "1", "unit_cost": "1"})
    assert response.status_code == 400
    assert receipt.lines.get().quantity == Decimal(12)
    assert_ledger_holds(product)


def test_seller_cannot_add_another_sellers_product_by_sku(seller, other_seller, seller_client):
    theirs = ProductFactory(seller=other_seller, sku="THEIRS")
    receipt = receipt_create(by=seller, supplier="ИП Ахметов", date=DAY)
    response = seller_client.post(reverse("inventory:receipt_line_add", args=[receipt.pk]),
                                  {"product": theirs.sku, "quantity": "1", "unit_cost": "1"})
    assert response.status_code == 400
    assert "No product with this SKU" in response.content.decode()
    assert not receipt.lines.exists()


def test_writeoff_page_shows_what_is_left(seller, seller_client):
    milk = ProductFactory(seller=seller, name="Сүт 3,2%")
    stock_up(milk, 2)
    writeoff = writeoff_create(by=seller, date=DAY)
    writeoff_line_set(writeoff=writeoff, by=seller, product=milk, quantity=Decimal(5),
                      reason="spoiled")
    response = seller_client.post(reverse("inventory:writeoff_post", args=[writeoff.pk]),
                                  follow=True)
    text = response.content.decode()
    assert "Сүт 3,2%" in text and "Nothing was written off" in text
    writeoff.refresh_from_db()
    assert writeoff.status == DocumentStatus.DRAFT
    assert_ledger_holds(milk)


def test_stocktake_scan_and_count_by_htmx(seller, seller_client):
    milk = ProductFactory(seller=seller, sku="MILK-7")
    apples = ProductFactory(seller=seller, sku="APPLE-KG", unit="kg")
    stock_up(milk, 4)
    stocktake = stocktake_start(by=seller)
    url = reverse("inventory:stocktake_scan", args=[stocktake.pk])
    for _ in range(3):
        response = seller_client.post(url, {"code": "MILK-7"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "MILK" not in response.content.decode()[:0]
    line = StocktakeLine.objects.get(document=stocktake, product=milk)
    assert line.counted == Decimal(3)
    # The counted row and the totals come along out of band: no reload needed.
    body = response.content.decode()
    assert f'<tr id="line-{line.pk}" hx-swap-oob="true">' in body
    assert 'id="stocktake-summary"' in body and "1 / 2" in body
    response = seller_client.post(url, {"code": "APPLE-KG"}, HTTP_HX_REQUEST="true")
    assert "data-focus" in response.content.decode()
    apple_line = StocktakeLine.objects.get(document=stocktake, product=apples)
    response = seller_client.post(
        reverse("inventory:stocktake_count", args=[stocktake.pk, apple_line.pk]),
        {"counted": "1,250"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith(f'<tr id="line-{apple_line.pk}"')
    assert '<template><div id="stocktake-summary"' in body and "2 / 2" in body
    apple_line.refresh_from_db()
    assert apple_line.counted == Decimal("1.250")
    # Without htmx: a plain form and a redirect.
    response = seller_client.post(url, {"code": "nope"})
    assert response.status_code == 302


def test_stocktake_count_rejects_a_fraction_of_a_piece(seller, seller_client):
    milk = ProductFactory(seller=seller)
    stocktake = stocktake_start(by=seller)
    line = stocktake.lines.get()
    response = seller_client.post(
        reverse("inventory:stocktake_count", args=[stocktake.pk, line.pk]), {"counted": "1,5"},
        HTTP_HX_REQUEST="true")
    assert "field-error" in response.content.decode()
    line.refresh_from_db()
    assert line.counted is None
    assert milk


def test_stocktake_sheet_is_a_pdf_with_kazakh_letters(seller, seller_client):
    import io

    from pypdf import PdfReader

    ProductFactory(seller=seller, name="Қымыз «Сарыарқа»")
    stocktake = stocktake_start(by=seller)
    response = seller_client.get(reverse("inventory:stocktake_sheet", args=[stocktake.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4
    assert "Қымыз" in reader.pages[0].extract_text()


def test_pdf_fetcher_refuses_anything_but_static_and_data():
    from inventory.pdf import BASE_URL, _fetcher_class

    fetcher = _fetcher_class()()
    for url in ("https://example.com/x.png", "file:///etc/passwd",
                BASE_URL + "static/../../etc/passwd", BASE_URL + "media/x.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hi")


def _make_receipts(user, n):
    for i in range(n):
        product = ProductFactory(seller=user)
        stock_up(product, 1)


def test_receipt_list_query_count_does_not_grow(seller, seller_client,
                                               django_assert_max_num_queries):
    _make_receipts(seller, 3)
    with django_assert_max_num_queries(12) as small:
        seller_client.get(reverse("inventory:receipt_list"))
    _make_receipts(seller, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert seller_client.get(reverse("inventory:receipt_list")).status_code == 200


@pytest.mark.parametrize("name", ["writeoff_list", "stocktake_list", "low_stock"])
def test_list_pages_query_count_does_not_grow(name, seller, seller_client,
                                             django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            product = ProductFactory(seller=seller)
            writeoff = writeoff_create(by=seller, date=DAY)
            writeoff_line_set(writeoff=writeoff, by=seller, product=product,
                              quantity=Decimal(1), reason="spoiled")
            stocktake_start(by=seller)
    make(2)
    url = reverse(f"inventory:{name}")
    with django_assert_max_num_queries(15) as small:
        seller_client.get(url)
    make(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert seller_client.get(url).status_code == 200


def test_stocktake_detail_and_movements_query_count(seller, seller_client,
                                                    django_assert_max_num_queries):
    products = [ProductFactory(seller=seller) for _ in range(3)]
    stocktake = stocktake_start(by=seller)
    url = reverse("inventory:stocktake_detail", args=[stocktake.pk])
    with django_assert_max_num_queries(15) as small:
        seller_client.get(url)
    for _ in range(40):
        ProductFactory(seller=seller)
    big = stocktake_start(by=seller)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert seller_client.get(reverse("inventory:stocktake_detail",
                                         args=[big.pk])).status_code == 200
    product = products[0]
    stock_up(product, 1)
    url = reverse("inventory:product_movements", args=[product.pk])
    with django_assert_max_num_queries(12) as small:
        seller_client.get(url)
    for _ in range(20):
        stock_up(product, 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert seller_client.get(url + "?kind=receipt").status_code == 200


def test_low_stock_selector_for_dashboards(seller, other_seller):
    from inventory.selectors import low_stock

    empty = ProductFactory(seller=seller)
    full = ProductFactory(seller=seller)
    stock_up(full, 50)
    ProductFactory(seller=other_seller)
    assert [p.pk for p in low_stock(seller, limit=10)] == [empty.pk]


def test_low_stock_panel_renders(seller):
    from django.template.loader import render_to_string

    from inventory.selectors import low_stock

    ProductFactory(seller=seller, name="Нан")
    html = render_to_string("inventory/low_stock_panel.html", {"products": low_stock(seller)})
    assert "Нан" in html


# Admin corrections ------------------------------------------------------------------------------


def test_admin_corrects_stock_with_a_reason(seller, admin_user, admin_client):
    from accounts.models import AuditEntry

    product = ProductFactory(seller=seller)
    stock_up(product, 10)
    url = reverse("inventory:product_correct", args=[product.pk])
    page = admin_client.get(reverse("inventory:product_movements", args=[product.pk]))
    assert url in page.content.decode()

    # No reason: nothing changes, the admin is told why.
    response = admin_client.post(url, {"quantity": "-2", "reason": " "}, follow=True)
    product.refresh_from_db()
    assert product.quantity == 10
    assert "Nothing was changed" in response.content.decode()

    # Below zero: refused, nothing written.
    admin_client.post(url, {"quantity": "-11", "reason": "typo"})
    product.refresh_from_db()
    assert product.quantity == 10

    admin_client.post(url, {"quantity": "-2", "reason": "Receipt typed 12 instead of 10"})
    product.refresh_from_db()
    assert product.quantity == 8
    movement = product.movements.order_by("-pk").first()
    assert movement.kind == "correction" and movement.created_by == admin_user
    assert movement.reason == "Receipt typed 12 instead of 10"
    entry = AuditEntry.objects.get(action="stock.correct")
    assert entry.actor == admin_user and entry.changes["quantity"] == ["10.000", "8.000"]
    assert_ledger_holds(product)


def test_seller_cannot_correct_stock_even_of_own_product(seller, seller_client):
    from django.core.exceptions import PermissionDenied

    from inventory.services import stock_correct

    product = ProductFactory(seller=seller)
    stock_up(product, 4)
    page = seller_client.get(reverse("inventory:product_movements", args=[product.pk]))
    assert "product_correct" not in page.content.decode()
    assert reverse("inventory:product_correct", args=[product.pk]) not in page.content.decode()
    response = seller_client.post(reverse("inventory:product_correct", args=[product.pk]),
                                  {"quantity": "5", "reason": "why not"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        stock_correct(product=product, quantity=Decimal(5), by=seller, reason="why not")
    product.refresh_from_db()
    assert product.quantity == 4
