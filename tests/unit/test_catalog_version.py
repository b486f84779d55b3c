"""The anonymous page cache (bibarys/cache/) is only correct if every change an anonymous
shopper could see moves the catalog version, and if the shop's pages are the ones it caches.
Each case does one real thing through the store's services and expects the version to move once
its transaction commits; the page-level test proves the page then shows it."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from bibarys.cache import MARK, catalog_version, stock_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(seller):
    from orders.tests.factories import product_in_stock

    return product_in_stock("10", seller=seller, name="Қымыз 0,5 л", price=Decimal("900.00"))


def _moves(capture, action) -> None:
    with capture(execute=True):
        before = catalog_version()
        action()
    assert catalog_version() > before, f"{action.__name__} did not bump the catalog version"


def test_shop_views_are_marked_for_the_page_cache():
    from django.urls import resolve, reverse

    from catalog import views as site_views
    from catalog import views

    assert getattr(views.product_list, MARK, False)
    assert getattr(views.product_detail, MARK, False)
    assert getattr(site_views.home, MARK, False)
    assert getattr(resolve(reverse("catalog:product_list")).func, MARK, False)


def test_product_changes_bump_the_version(django_capture_on_commit_callbacks, seller, product):
    from catalog import services

    def price_change():
        services.product_update(product=product, by=seller, price=Decimal("950.00"))

    def archive():
        services.product_set_active(product=product, by=seller, active=False)

    def rename():
        services.product_update(product=product, by=seller, name="Қымыз 1 л")

    def admin_bulk_price():
        from accounts.tests.factories import UserFactory
        from catalog.models import Product

        admin = UserFactory(role="admin", username="version_admin")
        services.products_bulk_change_price(products=Product.objects.filter(pk=product.pk), by=admin, percent=Decimal("10"))

    for action in (price_change, archive, rename, admin_bulk_price):
        _moves(django_capture_on_commit_callbacks, action)


def test_stock_movements_bump_the_stock_version_only(django_capture_on_commit_callbacks, seller, shopper,
                                          product):
    from inventory.services import writeoff_create, writeoff_line_set, writeoff_post
    from inventory.tests.factories import stock_up
    from orders.models import Order
    from orders.services import OrderItem, order_place
    from orders.tests.factories import fund

    fund(shopper, "10000")
    placed = {}

    def receipt():
        stock_up(product, "5")

    def sale():
        placed["order"] = order_place(user=shopper, payment=Order.Payment.WALLET,
                                      idempotency_key=uuid.uuid4(),
                                      items=[OrderItem(product.pk, Decimal("1"))])

    def cancel():
        from orders.services import order_cancel

        order_cancel(order=placed["order"], by=shopper)

    def writeoff():
        document = writeoff_create(by=seller, date=datetime.date.today())
        writeoff_line_set(writeoff=document, by=seller, product=product, quantity=Decimal("1"),
                          reason="spoiled")
        writeoff_post(writeoff=document, by=seller)

    for action in (receipt, sale, cancel, writeoff):
        with django_capture_on_commit_callbacks(execute=True):
            content, stock = catalog_version(), stock_version()
            action()
        # Stock has a version of its own: a sale leaves the names, prices and reviews' pages be.
        assert stock_version() > stock, f"{action.__name__} did not bump the stock version"
        assert catalog_version() == content, f"{action.__name__} bumped the content version"


def test_reviews_bump_the_version(django_capture_on_commit_callbacks, seller, shopper, product):
    from catalog import services
    from catalog.tests.factories import purchase

    purchase(shopper, product)
    saved = {}

    def review():
        saved["review"] = services.review_save(product=product, user=shopper, rating=4,
                                               text="Дәмді")

    def hide():
        services.review_hide(review=saved["review"], by=seller, hidden=True)

    for action in (review, hide):
        _moves(django_capture_on_commit_callbacks, action)


def test_an_anonymous_product_page_shows_a_sale_at_once(django_capture_on_commit_callbacks,
                                                        shopper, product):
    """Through the whole middleware stack: the cached page is replaced once stock moves."""
    from orders.models import Order
    from orders.services import OrderItem, order_place
    from orders.tests.factories import fund

    url = product.get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    fund(shopper, "20000")
    with django_capture_on_commit_callbacks(execute=True):
        order_place(user=shopper, payment=Order.Payment.WALLET, idempotency_key=uuid.uuid4(),
                    items=[OrderItem(product.pk, Decimal("10"))])
    after = Client().get(url)
    assert after["X-Page-Cache"] == "miss"
