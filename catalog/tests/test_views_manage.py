"""The back office: product list, product form with photos, archive/delete, bulk actions and
categories."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Category, Product, ProductPhoto
from tests.security import payloads

from .factories import (CategoryFactory, ProductFactory, image_bytes, image_upload, photo_for,
                        purchase)

pytestmark = pytest.mark.django_db


def _form(category_obj, **kw):
    data = {"name": "Қаймақ 20% / Сметана 20%", "category": category_obj.pk, "unit": "pcs",
            "price": "690", "cost_price": "540", "low_stock_threshold": "5", "sku": "SMT-20",
            "barcodes": "4870000000012, 4870000000029", "description": "", "is_active": "on"}
    data.update(kw)
    return data


def test_manage_list_shows_a_seller_only_their_own_products(seller_client, seller, other_seller):
    ProductFactory(seller=seller, name="Mine")
    ProductFactory(seller=other_seller, name="Theirs")
    html = seller_client.get(reverse("catalog:manage_list")).content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_manage_list_for_admin_has_everything_and_the_bulk_form(admin_client, seller, other_seller):
    ProductFactory(seller=seller, name="Mine")
    ProductFactory(seller=other_seller, name="Theirs", is_active=False)
    html = admin_client.get(reverse("catalog:manage_list")).content.decode()
    assert "Mine" in html and "Theirs" in html and 'id="bulk-form"' in html


def test_admin_filters_the_list_by_seller(admin_client, seller, other_seller):
    ProductFactory(seller=seller, name="Mine")
    ProductFactory(seller=other_seller, name="Theirs")
    html = admin_client.get(reverse("catalog:manage_list") + f"?seller={seller.pk}").content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_manage_list_highlights_low_stock_and_filters(seller_client, seller):
    ProductFactory(seller=seller, name="Empty shelf")
    html = seller_client.get(reverse("catalog:manage_list") + "?stock=out").content.decode()
    assert "Empty shelf" in html and "row-danger" in html
    partial = seller_client.get(reverse("catalog:manage_list") + "?q=zzz",
                                HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Empty shelf" not in partial


def test_manage_list_query_count_does_not_grow(admin_client):
    category = CategoryFactory()
    for _ in range(5):
        photo_for(ProductFactory(category=category))
    with CaptureQueriesContext(connection) as small:
        admin_client.get(reverse("catalog:manage_list"))
    for _ in range(60):
        ProductFactory(category=CategoryFactory())
    with CaptureQueriesContext(connection) as large:
        admin_client.get(reverse("catalog:manage_list"))
    assert len(large) <= len(small) <= 14, (len(small), len(large))


def test_seller_creates_a_product_that_is_theirs(seller_client, seller):
    category = CategoryFactory()
    response = seller_client.post(reverse("catalog:product_create"), _form(category))
    product = Product.objects.get(sku="SMT-20")
    assert response.status_code == 302 and product.seller == seller
    assert sorted(product.barcodes.values_list("code", flat=True)) == ["4870000000012",
                                                                        "4870000000029"]


def test_prices_are_typed_the_way_the_store_writes_them(seller_client, seller):
    """4 700,50 with a comma and a space between thousands (a browser's number box took
    neither); the edit form shows the stored price back with the language's mark."""
    category = CategoryFactory()
    response = seller_client.post(reverse("catalog:product_create"), _form(
        category, price="4 700,50", cost_price="3\u00a0950,5", low_stock_threshold="12"))
    assert response.status_code == 302
    product = Product.objects.get(sku="SMT-20")
    assert (product.price, product.cost_price) == (Decimal("4700.50"), Decimal("3950.50"))
    page = seller_client.get(reverse("catalog:product_edit", args=[product.pk]),
                             HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'value="4700,50"' in page and 'inputmode="decimal"' in page


@pytest.mark.parametrize("field, value", [
    ("name", ""), ("price", "0"), ("price", "-5"), ("price", "abc"), ("cost_price", "-1"),
    ("unit", "box"), ("category", "999999"), ("barcodes", "4870000000013"),
    ("sku", ""), ("low_stock_threshold", "1.5"),
])
def test_product_form_refuses_bad_values_with_a_message_next_to_the_field(seller_client, field,
                                                                          value):
    category = CategoryFactory()
    response = seller_client.post(reverse("catalog:product_create"),
                                  _form(category, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Product.objects.exists()


def test_a_long_form_lists_its_errors_at_the_top_with_links(seller_client):
    response = seller_client.post(reverse("catalog:product_create"),
                                  _form(CategoryFactory(), name="", price="abc"),
                                  HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    summary = page[page.index("form-errors-summary"):]
    assert 'role="alert"' in page and "Check the fields marked below:" in summary
    assert 'href="#id_name"' in summary and 'href="#id_price"' in summary
    assert 'href="#id_sku"' not in summary


def test_product_form_refuses_a_taken_sku_and_barcode(seller_client):
    other = ProductFactory(sku="SMT-20")
    from catalog.models import ProductBarcode

    ProductBarcode.objects.create(product=other, code="4870000000012")
    response = seller_client.post(reverse("catalog:product_create"), _form(CategoryFactory()))
    assert response.status_code == 400
    assert {"sku", "barcodes"} <= set(response.context["form"].errors)


def test_create_with_photos_and_a_bad_photo_refuses_everything(seller_client):
    category = CategoryFactory()
    good = SimpleUploadedFile("a.jpg", image_bytes(fmt="JPEG"), content_type="image/jpeg")
    bad = SimpleUploadedFile("b.png", payloads.not_an_image(), content_type="image/png")
    response = seller_client.post(reverse("catalog:product_create"),
                                  {**_form(category), "photos": [good, bad]})
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    assert not Product.objects.exists() and not ProductPhoto.objects.exists()
    good.seek(0)
    response = seller_client.post(reverse("catalog:product_create"),
                                  {**_form(category), "photos": [good, image_upload("c.png")]})
    product = Product.objects.get()
    assert product.photos.count() == 2 and product.photos.get(is_main=True).position == 0


def test_seller_edits_own_product_and_the_price_change_is_audited(seller_client, seller):
    product = ProductFactory(seller=seller, price=Decimal("500.00"))
    url = reverse("catalog:product_edit", args=[product.pk])
    assert seller_client.get(url).status_code == 200
    response = seller_client.post(url, _form(product.category, sku=product.sku, price="525.50"))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.price == Decimal("525.50")
    page = seller_client.get(url).content.decode()
    assert "525,50\xa0₸" in page  # the audit entry on the edit page, as money in kk


def test_seller_gets_404_on_another_sellers_product(seller_client, other_seller):
    product = ProductFactory(seller=other_seller, price=Decimal("500.00"))
    for name in ("catalog:product_edit", "catalog:product_set_active", "catalog:product_delete",
                 "catalog:photo_upload"):
        url = reverse(name, args=[product.pk])
        assert seller_client.post(url, _form(product.category)).status_code == 404, name
    assert seller_client.get(reverse("catalog:product_edit", args=[product.pk])).status_code == 404
    product.refresh_from_db()
    assert product.price == Decimal("500.00") and product.is_active


def test_archive_and_delete_rules_on_the_pages(seller_client, seller, shopper):
    sold = ProductFactory(seller=seller)
    purchase(shopper, sold)
    response = seller_client.post(reverse("catalog:product_delete", args=[sold.pk]))
    assert response.status_code == 302 and Product.objects.filter(pk=sold.pk).exists()
    seller_client.post(reverse("catalog:product_set_active", args=[sold.pk]), {"active": "0"})
    assert not Product.objects.get(pk=sold.pk).is_active
    fresh = ProductFactory(seller=seller)
    seller_client.post(reverse("catalog:product_delete", args=[fresh.pk]))
    assert not Product.objects.filter(pk=fresh.pk).exists()


@pytest.mark.parametrize("name, make", [
    ("script.png", payloads.not_an_image),
    ("poly.gif", payloads.gif_js_polyglot),
    ("bomb.png", payloads.pixel_bomb_png),
])
def test_photo_upload_refuses_hostile_files(seller_client, seller, name, make):
    product = ProductFactory(seller=seller)
    response = seller_client.post(reverse("catalog:photo_upload", args=[product.pk]),
                                  {"image": SimpleUploadedFile(name, make())})
    assert response.status_code == 400 and response.context["photo_form"].errors
    assert not product.photos.exists()


def test_photo_upload_main_move_remove_and_the_sixth_is_refused(seller_client, seller):
    product = ProductFactory(seller=seller)
    url = reverse("catalog:photo_upload", args=[product.pk])
    for n in range(5):
        assert seller_client.post(url, {"image": image_upload(f"{n}.png")}).status_code == 302
    response = seller_client.post(url, {"image": image_upload("6.png")})
    assert response.status_code == 400 and product.photos.count() == 5
    first, second = product.photos.all()[:2]
    seller_client.post(reverse("catalog:photo_main", args=[product.pk, second.pk]))
    assert product.photos.get(is_main=True) == second
    seller_client.post(reverse("catalog:photo_move", args=[product.pk, second.pk]),
                       {"direction": "up"})
    assert product.photos.first() == second
    seller_client.post(reverse("catalog:photo_remove", args=[product.pk, first.pk]))
    assert product.photos.count() == 4


def test_bulk_action_asks_for_confirmation_then_applies(admin_client):
    a, b = ProductFactory(price=Decimal("100.00")), ProductFactory(price=Decimal("250.00"))
    data = {"action": "price", "percent": "10", "products": [a.pk, b.pk]}
    response = admin_client.post(reverse("catalog:manage_bulk"), data)
    assert response.status_code == 200
    assert 'name="confirm"' in response.content.decode()
    assert Product.objects.get(pk=a.pk).price == Decimal("100.00")
    response = admin_client.post(reverse("catalog:manage_bulk"), {**data, "confirm": "on"})
    assert response.status_code == 302
    assert Product.objects.get(pk=a.pk).price == Decimal("110.00")
    assert Product.objects.get(pk=b.pk).price == Decimal("275.00")


def test_bulk_actions_are_refused_to_sellers(seller_client, seller):
    product = ProductFactory(seller=seller)
    response = seller_client.post(reverse("catalog:manage_bulk"),
                                  {"action": "archive", "products": [product.pk], "confirm": "on"})
    assert response.status_code == 403 and Product.objects.get(pk=product.pk).is_active


def test_category_pages(admin_client):
    response = admin_client.post(reverse("catalog:category_list"), {"name": "Сусындар"})
    assert response.status_code == 302
    drinks = Category.objects.get(name="Сусындар")
    admin_client.post(reverse("catalog:category_edit", args=[drinks.pk]),
                      {"name": "Сусындар / Напитки", "position": "2"})
    drinks.refresh_from_db()
    assert drinks.name == "Сусындар / Напитки" and drinks.position == 2
    ProductFactory(category=drinks)
    admin_client.post(reverse("catalog:category_delete", args=[drinks.pk]))
    assert Category.objects.filter(pk=drinks.pk).exists()
    assert admin_client.post(reverse("catalog:category_list"), {"name": ""}).status_code == 400


def test_side_by_side_categories_may_not_share_a_name_in_any_case(admin_client):
    from accounts.models import AuditEntry

    dairy = CategoryFactory(name="Сүт өнімдері")
    CategoryFactory(name="Аудит А", parent=dairy)
    response = admin_client.post(reverse("catalog:category_list"),
                                 {"name": "аудит а", "parent": dairy.pk, "position": "0"})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    assert Category.objects.filter(parent=dairy).count() == 1
    # Under another parent the name is free; the audit entry keeps the admin's address.
    response = admin_client.post(reverse("catalog:category_list"),
                                 {"name": "аудит а", "position": "0"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="category.create").latest("pk")
    assert entry.ip == "10.1.2.3"


def test_a_parent_category_counts_the_products_of_its_sub_categories(admin_client):
    dairy = CategoryFactory(name="Dairy")
    cheese = CategoryFactory(name="Cheese", parent=dairy)
    brie = CategoryFactory(name="Soft cheese", parent=cheese)
    ProductFactory(category=dairy), ProductFactory(category=cheese)
    ProductFactory(category=brie), ProductFactory(category=brie)
    rows = {c.name: c for c in admin_client.get(reverse("catalog:category_list")).context[
        "categories"]}
    assert [rows[n].total_count for n in ("Dairy", "Cheese", "Soft cheese")] == [4, 3, 2]
    assert rows["Dairy"].product_count == 1  # its own: what deleting it would orphan
