"""The catalog's services: the store's rules about products, categories, photos, reviews,
the wishlist and the admin's bulk actions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.http import Http404

from accounts.audit import audit_for
from catalog import services
from catalog.models import Category, Product, ProductPhoto, Review, WishlistItem
from tests.security import payloads

from .factories import (CategoryFactory, ProductFactory, ReviewFactory, image_upload, photo_for,
                        purchase)

pytestmark = pytest.mark.django_db



def _ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _create(by, **kw):
    data = dict(name="Сүт 3,2% 1 л", category=CategoryFactory(), unit="pcs",
                price=Decimal("450.00"), sku="MILK-1", cost_price=Decimal("380"))
    data.update(kw)
    return services.product_create(by=by, **data)


# Products ---------------------------------------------------------------------------------------


def test_product_create_belongs_to_the_seller_starts_with_zero_stock_and_gets_a_slug(seller):
    product = _create(seller, barcodes=[_ean13("487000123456")])
    assert product.seller == seller and product.quantity == 0
    assert product.slug and product.barcodes.count() == 1
    assert audit_for(product).filter(action="product.create").exists()


def test_product_create_by_admin_may_name_the_seller(admin_user, seller):
    product = _create(admin_user, seller=seller)
    assert product.seller == seller


def test_product_create_refuses_a_shopper(shopper):
    with pytest.raises(PermissionDenied):
        _create(shopper)


@pytest.mark.parametrize("field, value", [("price", Decimal("0")), ("price", Decimal("-1")),
                                          ("cost_price", Decimal("-0.01"))])
def test_product_create_refuses_bad_prices(seller, field, value):
    with pytest.raises(ValidationError) as error:
        _create(seller, **{field: value})
    assert field in error.value.message_dict
    assert not Product.objects.exists()


def test_product_create_refuses_a_taken_sku_and_bad_or_taken_barcodes(seller):
    code = _ean13("487000999999")
    _create(seller, barcodes=[code])
    with pytest.raises(ValidationError):
        _create(seller, sku="MILK-2", barcodes=[code])
    with pytest.raises(ValidationError):
        _create(seller, sku="MILK-1")
    with pytest.raises(ValidationError):
        _create(seller, sku="MILK-3", barcodes=["4870001234561"])  # wrong check digit
    assert Product.objects.count() == 1


def test_barcodes_parse_accepts_commas_and_lines():
    assert services.barcodes_parse(" 123, 456\n789;123 ") == ["123", "456", "789"]


def test_piece_products_take_whole_quantities_and_kg_steps_of_a_gram():
    pcs = ProductFactory.build(unit="pcs")
    kg = ProductFactory.build(unit="kg")
    assert pcs.quantity_ok(Decimal("2")) and not pcs.quantity_ok(Decimal("1.5"))
    assert kg.quantity_ok(Decimal("1.255")) and not kg.quantity_ok(Decimal("0.0005"))
    assert not kg.quantity_ok(Decimal("0")) and not pcs.quantity_ok(Decimal("-1"))


def test_piece_product_refuses_a_fractional_low_stock_threshold(seller):
    with pytest.raises(ValidationError):
        _create(seller, low_stock_threshold=Decimal("2.5"))
    assert _create(seller, unit="kg", low_stock_threshold=Decimal("2.5")).unit == "kg"


def test_product_update_records_a_price_change_in_the_audit_log(seller):
    product = _create(seller)
    services.product_update(product=product, by=seller, price=Decimal("480.00"))
    product.refresh_from_db()
    assert product.price == Decimal("480.00")
    entry = audit_for(product).get(action="product.price_change")
    assert entry.changes["price"] == ["450.00", "480.00"]


def test_seller_cannot_update_another_sellers_product(seller, other_seller):
    product = _create(other_seller)
    with pytest.raises(Http404):
        services.product_update(product=product, by=seller, price=Decimal("1"))
    product.refresh_from_db()
    assert product.price == Decimal("450.00")


def test_unit_cannot_change_once_the_product_has_stock_movements(seller):
    from inventory.tests.factories import stock_up

    product = _create(seller, unit="kg")
    stock_up(product, "1.5")
    with pytest.raises(ValidationError):
        services.product_update(product=product, by=seller, unit="pcs")


def test_archive_and_activate(seller, other_seller):
    product = _create(seller)
    services.product_archive(product=product, by=seller)
    assert not Product.objects.get(pk=product.pk).is_active
    services.product_activate(product=product, by=seller)
    assert Product.objects.get(pk=product.pk).is_active
    with pytest.raises(Http404):
        services.product_archive(product=product, by=other_seller)


def test_a_never_sold_product_can_be_deleted(seller):
    product = _create(seller)
    services.product_delete(product=product, by=seller)
    assert not Product.objects.filter(pk=product.pk).exists()


def test_a_product_with_orders_is_never_deleted_only_archived(seller, shopper):
    product = _create(seller)
    purchase(shopper, product)
    with pytest.raises(ValidationError):
        services.product_delete(product=product, by=seller)
    assert Product.objects.filter(pk=product.pk).exists()
    services.product_archive(product=product, by=seller)
    assert not Product.objects.get(pk=product.pk).is_active


def test_a_product_with_stock_history_is_not_deleted(seller):
    from inventory.tests.factories import stock_up

    product = _create(seller)
    stock_up(product, "3")
    with pytest.raises(ValidationError):
        services.product_delete(product=product, by=seller)
    assert Product.objects.filter(pk=product.pk).exists()


# Categories -------------------------------------------------------------------------------------


def test_category_crud_is_for_admins(admin_user, seller):
    dairy = services.category_create(by=admin_user, name="Сүт өнімдері")
    milk = services.category_create(by=admin_user, name="Сүт", parent=dairy)
    assert milk.parent == dairy and dairy.slug
    services.category_update(category=milk, by=admin_user, name="Сүт және айран", parent=dairy)
    assert Category.objects.get(pk=milk.pk).name == "Сүт және айран"
    with pytest.raises(PermissionDenied):
        services.category_create(by=seller, name="X")
    with pytest.raises(ValidationError):
        services.category_update(category=dairy, by=admin_user, name="Loop", parent=milk)


def test_a_category_with_products_or_children_cannot_be_deleted(admin_user):
    parent = services.category_create(by=admin_user, name="Нан")
    child = services.category_create(by=admin_user, name="Тоқаш", parent=parent)
    ProductFactory(category=child)
    with pytest.raises(ValidationError):
        services.category_delete(category=child, by=admin_user)
    with pytest.raises(ValidationError):
        services.category_delete(category=parent, by=admin_user)
    empty = services.category_create(by=admin_user, name="Бос")
    services.category_delete(category=empty, by=admin_user)
    assert not Category.objects.filter(pk=empty.pk).exists()


# Photos -----------------------------------------------------------------------------------------


def test_photo_add_reencodes_with_a_server_chosen_name_and_a_thumbnail(seller):
    product = ProductFactory(seller=seller)
    photo = services.photo_add(product=product, by=seller,
                               upload=image_upload("../../etc/passwd.png", width=2000, height=1000))
    assert photo.is_main and photo.position == 0
    assert photo.image.name.startswith(f"products/{product.pk}/") and photo.image.name.endswith(".jpg")
    assert "passwd" not in photo.image.name
    assert photo.width == 1600 and photo.height == 800
    from PIL import Image

    with Image.open(photo.thumbnail.path) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 400


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_photo_add_accepts_jpeg_and_webp(seller, fmt):
    product = ProductFactory(seller=seller)
    services.photo_add(product=product, by=seller, upload=image_upload(f"p.{fmt.lower()}", fmt=fmt))
    assert product.photos.count() == 1


@pytest.mark.parametrize("name, make", [
    ("script.png", payloads.not_an_image),
    ("page.jpg", payloads.html_as_jpeg),
    ("anim.gif", payloads.gif_js_polyglot),
    ("bomb.png", payloads.pixel_bomb_png),
    ("huge.png", lambda: payloads.oversized_png(6)),
], ids=["not-an-image", "html-as-jpeg", "gif-js-polyglot", "pixel-bomb", "oversized"])
def test_photo_add_refuses_what_is_not_a_photo_we_accept(seller, name, make):
    data = make()
    product = ProductFactory(seller=seller)
    with pytest.raises(ValidationError):
        services.photo_add(product=product, by=seller,
                           upload=SimpleUploadedFile(name, data, content_type="image/png"))
    assert not product.photos.exists()


def test_a_polyglot_is_stored_as_our_own_jpeg_without_the_markup(seller):
    product = ProductFactory(seller=seller)
    photo = services.photo_add(product=product, by=seller, upload=SimpleUploadedFile(
        "poly.png", payloads.polyglot_png_html(), content_type="image/png"))
    stored = photo.image.read()
    assert stored.startswith(b"\xff\xd8") and b"<script" not in stored


def test_a_sixth_photo_is_refused(seller):
    product = ProductFactory(seller=seller)
    for _ in range(5):
        photo_for(product)
    with pytest.raises(ValidationError):
        photo_for(product)
    assert product.photos.count() == 5


def test_photo_main_reorder_and_remove(seller, other_seller):
    product = ProductFactory(seller=seller)
    first, second, third = (photo_for(product) for _ in range(3))
    services.photo_set_main(photo=third, by=seller)
    assert list(product.photos.filter(is_main=True)) == [third]
    services.photo_reorder(product=product, by=seller, order=[third.pk, first.pk, second.pk])
    assert list(product.photos.values_list("pk", flat=True)) == [third.pk, first.pk, second.pk]
    services.photo_move(photo=second, by=seller, step=-1)
    assert list(product.photos.values_list("pk", flat=True)) == [third.pk, second.pk, first.pk]
    with pytest.raises(ValidationError):
        services.photo_reorder(product=product, by=seller, order=[third.pk])
    services.photo_remove(photo=third, by=seller)
    assert product.photos.count() == 2
    assert product.photos.get(is_main=True).pk == second.pk
    with pytest.raises(Http404):
        services.photo_remove(photo=second, by=other_seller)


def test_only_one_main_photo_per_product_in_the_database(seller):
    product = ProductFactory(seller=seller)
    photo_for(product)
    with pytest.raises(IntegrityError):
        ProductPhoto.objects.create(product=product, image="x.jpg", thumbnail="y.jpg", is_main=True)


# Reviews ----------------------------------------------------------------------------------------


def test_a_shopper_who_did_not_buy_cannot_review(shopper):
    product = ProductFactory()
    with pytest.raises(ValidationError):
        services.review_save(product=product, user=shopper, rating=5, text="Керемет")
    assert not Review.objects.exists()


def test_a_cancelled_order_does_not_count_as_a_purchase(shopper):
    product = ProductFactory()
    purchase(shopper, product, status="cancelled")
    with pytest.raises(ValidationError):
        services.review_save(product=product, user=shopper, rating=4)


@pytest.mark.parametrize("status", ["new", "confirmed", "ready"])
def test_an_order_on_its_way_is_not_a_purchase_yet(shopper, status):
    product = ProductFactory()
    purchase(shopper, product, status=status)
    with pytest.raises(ValidationError):
        services.review_save(product=product, user=shopper, rating=4)
    assert not Review.objects.exists()


def test_a_buyer_reviews_once_and_may_edit(shopper):
    product = ProductFactory()
    purchase(shopper, product)
    services.review_save(product=product, user=shopper, rating=3, text="Жаман емес")
    review = services.review_save(product=product, user=shopper, rating=5, text="Тамаша")
    assert Review.objects.filter(product=product, user=shopper).count() == 1
    assert review.rating == 5 and review.text == "Тамаша"
    with pytest.raises(IntegrityError):
        Review.objects.create(product=product, user=shopper, rating=1)


@pytest.mark.parametrize("rating", [0, 6])
def test_review_rating_is_one_to_five(shopper, rating):
    product = ProductFactory()
    purchase(shopper, product)
    with pytest.raises(ValidationError):
        services.review_save(product=product, user=shopper, rating=rating)


def test_review_hide_is_for_the_products_seller_or_an_admin(seller, other_seller, admin_user):
    product = ProductFactory(seller=seller)
    review = ReviewFactory(product=product)
    services.review_hide(review=review, by=seller)
    assert Review.objects.get(pk=review.pk).is_hidden
    services.review_hide(review=review, by=admin_user, hidden=False)
    assert not Review.objects.get(pk=review.pk).is_hidden
    with pytest.raises(Http404):
        services.review_hide(review=review, by=other_seller)


# Wishlist ---------------------------------------------------------------------------------------


def test_wishlist_add_remove_toggle(shopper):
    product = ProductFactory()
    services.wishlist_add(user=shopper, product=product)
    services.wishlist_add(user=shopper, product=product)
    assert WishlistItem.objects.filter(user=shopper).count() == 1
    assert services.wishlist_toggle(user=shopper, product=product) is False
    assert services.wishlist_toggle(user=shopper, product=product) is True
    services.wishlist_remove(user=shopper, product=product)
    assert not WishlistItem.objects.exists()


# Bulk actions ----------------------------------------------------------------------------------


def test_bulk_price_change_rounds_to_the_tiyn_and_audits(admin_user):
    a = ProductFactory(price=Decimal("99.99"))
    b = ProductFactory(price=Decimal("1000.00"))
    changed = services.products_bulk_change_price(
        products=Product.objects.filter(pk__in=[a.pk, b.pk]), by=admin_user,
        percent=Decimal("7.5"))
    assert changed == 2
    assert Product.objects.get(pk=a.pk).price == Decimal("107.49")  # 107.489… half-up
    assert Product.objects.get(pk=b.pk).price == Decimal("1075.00")
    assert audit_for(a).filter(action="product.price_change").exists()


def test_price_by_percent_never_reaches_zero():
    assert services.price_by_percent(Decimal("0.01"), Decimal("-99")) == Decimal("0.01")
    assert services.price_by_percent(Decimal("200"), Decimal("-12.5")) == Decimal("175.00")


def test_bulk_actions_are_admin_only(seller):
    ProductFactory(seller=seller)
    with pytest.raises(PermissionDenied):
        services.products_bulk_set_active(products=Product.objects.all(), by=seller, active=False)


def test_bulk_archive_category_and_delete_the_never_sold(admin_user, shopper):
    sold, unsold = ProductFactory(), ProductFactory()
    purchase(shopper, sold)
    qs = Product.objects.filter(pk__in=[sold.pk, unsold.pk])
    assert services.products_bulk_set_active(products=qs, by=admin_user, active=False) == 2
    assert not Product.objects.filter(is_active=True).exists()
    bread = CategoryFactory(name="Нан")
    services.products_bulk_set_category(products=qs, by=admin_user, category=bread)
    assert set(Product.objects.values_list("category", flat=True)) == {bread.pk}
    assert services.products_bulk_delete(products=qs, by=admin_user) == (1, 1)
    assert list(Product.objects.values_list("pk", flat=True)) == [sold.pk]
