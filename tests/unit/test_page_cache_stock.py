"""The page cache in a store that sells (bibarys/cache/): stock is versioned apart from the
content. A cached page remembers what it said of each product's stock; after a sale it is served
as long as that still holds (one query), so a sale that changes what a page says shows at once
and one that does not costs the page nothing. A list that stock decides ("in stock only") shows a
sale within PAGE_CACHE_STOCK_SECONDS. A change of a name or a price shows at once."""

import time
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bibarys.cache import catalog_version, forget_version
from orders.models import Order
from orders.services import OrderItem, order_place
from orders.tests.factories import fund, product_in_stock

pytestmark = pytest.mark.django_db

WINDOW = 0.5  # seconds; the store's default is 2


@pytest.fixture(autouse=True)
def _window(settings):
    settings.PAGE_CACHE_STOCK_SECONDS = WINDOW
    forget_version()


def _sell(capture, shopper, product, quantity):
    fund(shopper, "100000")
    with capture(execute=True):
        order_place(user=shopper, payment=Order.Payment.WALLET, idempotency_key=uuid.uuid4(),
                    items=[OrderItem(product.pk, Decimal(quantity))])


def _get(url):
    return Client().get(url, HTTP_ACCEPT_LANGUAGE="en")


def test_a_sale_that_changes_what_a_page_says_shows_at_once(
        django_capture_on_commit_callbacks, shopper):
    product = product_in_stock("10", name="Sold pears", low_stock_threshold=Decimal("0"))
    url = product.get_absolute_url()
    assert "In stock" in _get(url).content.decode()
    content = catalog_version()
    _sell(django_capture_on_commit_callbacks, shopper, product, "10")
    assert catalog_version() == content  # a sale is no content change
    after = _get(url)
    assert after["X-Page-Cache"] == "miss"
    assert "Out of stock" in after.content.decode() and "In stock" not in after.content.decode()
    # Drawn again after the sale: it holds until what it says changes, however long that is.
    time.sleep(WINDOW + 0.1)
    assert _get(url)["X-Page-Cache"] == "hit"


def test_a_sale_that_leaves_what_a_page_says_keeps_it_cached(
        django_capture_on_commit_callbacks, shopper):
    product = product_in_stock("10", name="Plenty pears", low_stock_threshold=Decimal("2"))
    url = product.get_absolute_url()
    listing = reverse("catalog:product_list")
    _get(url), _get(listing)
    _sell(django_capture_on_commit_callbacks, shopper, product, "3")  # 7 left: still in stock
    time.sleep(WINDOW + 0.1)  # past the window too: the check, not the time, decides
    assert _get(url)["X-Page-Cache"] == "hit" and _get(listing)["X-Page-Cache"] == "hit"
    _sell(django_capture_on_commit_callbacks, shopper, product, "5")  # 2 left: "only 2 left"
    page = _get(url)
    assert page["X-Page-Cache"] == "miss" and "Only 2" in page.content.decode()
    assert _get(listing)["X-Page-Cache"] == "miss"


def test_a_price_change_shows_at_once_whatever_the_window(settings, seller):
    from catalog import services

    settings.PAGE_CACHE_STOCK_SECONDS = 600
    product = product_in_stock("10", seller=seller, name="Priced pears", price=Decimal("500.00"))
    url = product.get_absolute_url()
    _get(url)
    assert _get(url)["X-Page-Cache"] == "hit"
    services.product_update(product=product, by=seller, price=Decimal("777.00"))
    after = _get(url)
    assert after["X-Page-Cache"] == "miss" and "777" in after.content.decode()


def test_a_sale_draws_again_only_the_card_of_what_was_sold(
        django_capture_on_commit_callbacks, shopper):
    sold = product_in_stock("10", name="Card sold", low_stock_threshold=Decimal("0"))
    kept = product_in_stock("10", name="Card kept", low_stock_threshold=Decimal("0"))
    url = reverse("catalog:product_list")

    def cards(response):
        return [t.name for t in response.templates].count("catalog/_product_card.html")

    assert cards(_get(url)) == 2
    _sell(django_capture_on_commit_callbacks, shopper, sold, "10")
    time.sleep(WINDOW + 0.1)
    page = _get(url)
    assert page["X-Page-Cache"] == "miss"
    assert cards(page) == 1  # the kept product's card came from the fragment cache
    html = page.content.decode()
    assert html.count("Out of stock") >= 1 and "Card kept" in html


def test_the_in_stock_count_follows_a_sale_within_the_window(
        django_capture_on_commit_callbacks, shopper):
    product = product_in_stock("3", name="Last melons", low_stock_threshold=Decimal("0"))
    product_in_stock("3", name="Other melons")
    url = reverse("catalog:product_list") + "?in_stock=on&q=melons"
    assert "Last melons" in _get(url).content.decode()
    _sell(django_capture_on_commit_callbacks, shopper, product, "3")
    time.sleep(WINDOW + 0.1)
    after = _get(url).content.decode()
    assert "Last melons" not in after and "Other melons" in after
