"""The shop's pages: catalog, product page, reviews, wishlist, home; and their query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Review, WishlistItem

from .factories import CategoryFactory, ProductFactory, ReviewFactory, photo_for, purchase

pytestmark = pytest.mark.django_db


def test_catalog_lists_active_products_only(client):
    ProductFactory(name="Айран / Айран 1 л")
    ProductFactory(name="Archived thing", is_active=False)
    response = client.get(reverse("catalog:product_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Айран / Айран 1 л" in html and "Archived thing" not in html


def test_catalog_filters_live_in_the_url_and_htmx_gets_the_results_only(client):
    dairy = CategoryFactory(name="Dairy", slug="dairy")
    ProductFactory(name="Milk", category=dairy, price=Decimal("400"))
    ProductFactory(name="Soap", price=Decimal("300"))
    url = reverse("catalog:product_list") + "?category=dairy&sort=price&price_max=500"
    page = client.get(url).content.decode()
    assert "Milk" in page and "Soap" not in page and "<html" in page
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Milk" in partial and "<html" not in partial and 'id="catalog-filter-form"' not in partial
    # The header's language switch is told the filtered address, so switching language keeps
    # the filters (it pointed at the address the page was first opened with).
    assert (f'<input type="hidden" name="next" id="lang-next" value="{url.replace("&", "&amp;")}"'
            f' hx-swap-oob="true">') in partial


def test_bad_filter_values_are_ignored_not_a_500(client):
    ProductFactory(name="Milk")
    response = client.get(reverse("catalog:product_list") + "?price_min=abc&sort=zzz&category=nope&page=x")
    assert response.status_code == 200 and "Milk" in response.content.decode()


@pytest.mark.parametrize("query, field, reason", [
    ("price_min=abc", "Price from", "Enter a number"),
    ("price_min=-5", "Price from", "Enter ₸0.00 or more."),
    ("price_max=1e30", "Price to", "9,999,999,999.99 or less"),
    ("price_min=500&price_max=100", "Price to", "“Price to” is less than “Price from”"),
    ("q=" + "мёд" * 40, "Search", "at most 100 characters long (this one has 120)"),
    ("category=nope", "Category", "There is no such category."),
    ("sort=zzz", "Sort", "Unknown sort order"),
])
def test_a_bad_filter_says_what_was_ignored_and_why(client, query, field, reason):
    """As the dashboard says its period was not applied: the catalog names the filter it
    ignored and the reason, next to the field and above the results (htmx gets it too)."""
    ProductFactory(name="Milk", price=Decimal("300"))
    url = reverse("catalog:product_list") + "?" + query
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **extra)
        html = response.content.decode()
        assert response.status_code == 200 and "Milk" in html  # shown without the filter
        notice = html[html.index('class="alert alert-warning filters-ignored"'):]
        notice = notice[:notice.index("</div>")]
        assert "were not applied" in notice
        assert f"<strong>{field}</strong>" in notice and reason in notice


def test_good_filters_say_nothing_was_ignored(client):
    ProductFactory(name="Milk", price=Decimal("300"))
    html = client.get(reverse("catalog:product_list") + "?price_min=100&price_max=100000&q=Mil",
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Milk" in html and "filters-ignored" not in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill(n, seller=None):
    category = CategoryFactory()
    products = [ProductFactory(category=category, **({"seller": seller} if seller else {}))
                for _ in range(n)]
    for product in products[:6]:
        photo_for(product)
        ReviewFactory(product=product, rating=4)
    return products


@pytest.mark.parametrize("signed_in", [False, True])
def test_catalog_query_count_does_not_grow_with_the_catalog(client, shopper, signed_in):
    if signed_in:
        client.force_login(shopper)
    url = reverse("catalog:product_list")
    _fill(10)
    small = _queries(client, url)
    _fill(190)
    large = _queries(client, url + "?sort=rating")
    assert large <= small <= 12, (small, large)


def test_catalog_count_is_remembered_until_the_catalog_changes(client, shopper):
    """The paginator's COUNT(*) is kept per catalog version: a second visit does not count
    again, and any saved product (here a factory, as the Django admin would) shows at once."""
    client.force_login(shopper)  # signed in: no page cache in the way
    url = reverse("catalog:product_list") + "?q=tea"
    for _ in range(25):
        ProductFactory(name="Green tea")
    with CaptureQueriesContext(connection) as first:
        assert "25" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    counts = lambda ctx: [q for q in ctx.captured_queries  # noqa: E731
                          if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "catalog_product"')]
    assert len(counts(first)) == 1 and counts(second) == []
    ProductFactory(name="Black tea")
    with CaptureQueriesContext(connection) as third:
        page = client.get(url).content.decode()
    assert len(counts(third)) == 1 and "26" in page


def test_product_page_opens_on_the_photo_the_seller_made_main(client):
    from catalog.services import photo_set_main

    product = ProductFactory()
    first, second, third = (photo_for(product) for _ in range(3))
    photo_set_main(photo=third, by=product.seller)
    page = client.get(product.get_absolute_url()).content.decode()
    shown = [page.index(photo.image.url) for photo in (first, second, third)]
    assert shown[2] < shown[0] < shown[1]


def test_product_page_query_count_does_not_grow_with_photos_and_reviews(client, shopper):
    client.force_login(shopper)
    few = ProductFactory()
    photo_for(few)
    ReviewFactory(product=few)
    ProductFactory(category=few.category)  # something in "more from this category"
    small = _queries(client, few.get_absolute_url())
    many = ProductFactory(category=few.category)
    for _ in range(5):
        photo_for(many)
    for _ in range(30):
        ReviewFactory(product=many)
    for _ in range(8):
        ProductFactory(category=few.category)
    large = _queries(client, many.get_absolute_url())
    assert large <= small <= 16, (small, large)


def test_home_query_count_is_fixed(client):
    _fill(10)
    small = _queries(client, reverse("home"))
    _fill(100)
    assert _queries(client, reverse("home")) <= small


def test_product_page_shows_price_per_unit_availability_and_reviews(shopper_client):
    from inventory.tests.factories import stock_up

    client = shopper_client  # signed in: the shopper page cache must follow stock too

    product = ProductFactory(name="Apples", unit="kg", price=Decimal("890.00"),
                             low_stock_threshold=Decimal("5"))
    ReviewFactory(product=product, rating=5, text="Very crisp")
    ReviewFactory(product=product, rating=1, text="Rude words", is_hidden=True)
    html = client.get(product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Out of stock" in html and "Very crisp" in html and "Rude words" not in html
    stock_up(product, "3")
    html = client.get(product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only 3\xa0kg left" in html and "per kg" in html
    stock_up(product, "30")
    html = client.get(product.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "In stock" in html


def test_an_archived_product_page_is_404_for_shoppers_but_open_to_its_seller(client, seller,
                                                                             other_seller):
    product = ProductFactory(seller=seller, is_active=False)
    assert client.get(product.get_absolute_url()).status_code == 404
    client.force_login(other_seller)
    assert client.get(product.get_absolute_url()).status_code == 404
    client.force_login(seller)
    assert client.get(product.get_absolute_url()).status_code == 200


def test_review_form_only_for_buyers_and_saves_once(shopper_client, shopper):
    product = ProductFactory()
    url = reverse("catalog:review_save", args=[product.slug])
    response = shopper_client.post(url, {"rating": "5", "text": "Great"})
    assert response.status_code == 400 and not Review.objects.exists()
    purchase(shopper, product)
    assert shopper_client.post(url, {"rating": "4", "text": "Good"}).status_code == 302
    assert shopper_client.post(url, {"rating": "5", "text": "Better"}).status_code == 302
    review = Review.objects.get()
    assert (review.rating, review.text) == (5, "Better")
    response = shopper_client.post(url, {"rating": "9"})
    assert response.status_code == 400 and Review.objects.get().rating == 5


def test_seller_hides_a_review_on_own_product_only(seller_client, seller, other_seller):
    mine = ReviewFactory(product=ProductFactory(seller=seller))
    theirs = ReviewFactory(product=ProductFactory(seller=other_seller))
    assert seller_client.post(reverse("catalog:review_hide", args=[mine.pk])).status_code == 302
    assert Review.objects.get(pk=mine.pk).is_hidden
    assert seller_client.post(reverse("catalog:review_hide", args=[theirs.pk])).status_code == 404
    assert not Review.objects.get(pk=theirs.pk).is_hidden


def test_wishlist_toggle_page_remove_and_move_to_cart(shopper_client, shopper):
    from inventory.tests.factories import stock_up

    product = ProductFactory(name="Нан / Хлеб")
    stock_up(product, "10")
    toggle = reverse("catalog:wishlist_toggle", args=[product.pk])
    response = shopper_client.post(toggle, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    assert WishlistItem.objects.filter(user=shopper, product=product).exists()
    page = shopper_client.get(reverse("catalog:wishlist")).content.decode()
    assert "Нан / Хлеб" in page
    shopper_client.post(reverse("orders:wishlist_to_cart", args=[product.pk]))
    assert not WishlistItem.objects.filter(user=shopper).exists()
    from orders.models import CartLine

    assert CartLine.objects.filter(cart__user=shopper, product=product).exists()
    shopper_client.post(toggle)
    shopper_client.post(reverse("catalog:wishlist_remove", args=[product.pk]))
    assert not WishlistItem.objects.exists()


def test_wishlist_cannot_add_an_archived_product(shopper_client):
    product = ProductFactory(is_active=False)
    response = shopper_client.post(reverse("catalog:wishlist_toggle", args=[product.pk]))
    assert response.status_code == 404 and not WishlistItem.objects.exists()


def test_wishlist_page_query_count_is_fixed(shopper_client, shopper):
    for product in _fill(3):
        WishlistItem.objects.create(user=shopper, product=product)
    small = _queries(shopper_client, reverse("catalog:wishlist"))
    for product in _fill(30):
        WishlistItem.objects.create(user=shopper, product=product)
    assert _queries(shopper_client, reverse("catalog:wishlist")) <= small


def test_home_search_goes_to_the_catalog(client):
    response = client.get(reverse("home") + "?q=сүт")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("catalog:product_list"))


def _card(html: str, product) -> str:
    start = html.index(f'id="add-to-cart-{product.pk}"')
    card_start = html.rindex('<article class="product-card">', 0, start)
    return html[card_start:html.index("</article>", start)]


def test_cached_product_cards_keep_each_shopper_their_own_hearts_and_token(
        client, shopper, other_shopper):
    """Cards come from a cache shared by every visitor: one shopper's wishlist heart never
    shows for another, every form carries the page's own CSRF token, and the second visit to
    the same page renders no card at all."""
    import re

    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    from .factories import WishlistItemFactory

    milk, bread = ProductFactory(name="Milk"), ProductFactory(name="Bread")
    WishlistItemFactory(user=shopper, product=milk)
    url = reverse("catalog:product_list")
    first, second = Client(), Client()
    first.force_login(shopper)
    second.force_login(other_shopper)
    pages = []
    for browser in (first, second, first, second):
        response = browser.get(url)
        html = response.content.decode()
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert len(tokens) == 1, "one masked token for the whole page, as Django renders it"
        # The page's token belongs to this browser's CSRF secret (the cookie).
        assert _unmask_cipher_token(tokens.pop()) == browser.cookies["csrftoken"].value
        pages.append((response, html))
    for (response, html), owner in zip(pages, (True, False, True, False)):
        assert ('aria-pressed="true"' in _card(html, milk)) is owner
        assert 'aria-pressed="false"' in _card(html, bread)
    cards = [t.name for t in pages[2][0].templates]
    assert "catalog/_product_card.html" not in cards  # all 2 cards came from the cache


def test_a_changed_product_shows_at_once_on_cached_cards(shopper_client):
    milk = ProductFactory(name="Milk", price=Decimal("400"))
    url = reverse("catalog:product_list")
    assert "Milk" in shopper_client.get(url).content.decode()
    milk.name, milk.price = "Fresh milk", Decimal("450")
    milk.save()  # the Django admin saves this way: the catalog version moves
    html = _card(shopper_client.get(url).content.decode(), milk)
    assert "Fresh milk" in html and "450" in html


@pytest.mark.parametrize("page", ["home", "catalog:product_list", "orders:cart", "login",
                                  "accounts:signup", "/no-such-page/"])
def test_header_search_goes_straight_to_the_catalog(client, page):
    """The header's search form names the catalog itself (it must never fall back to `/`,
    which answers a search with a redirect), and the catalog answers it with the results."""
    ProductFactory(name="Qurt")
    url = page if page.startswith("/") else reverse(page)
    html = client.get(url).content.decode()
    catalog = reverse("catalog:product_list")
    assert f'<form class="header-search" action="{catalog}" method="get"' in html
    found = client.get(catalog, {"q": "Qurt"})
    assert found.status_code == 200 and "Qurt" in found.content.decode()
