"""The page cache for signed-in shoppers (bibarys/cache/, ShopperPageCacheMiddleware) on the
real shop pages: the stored page holds nothing of the shopper who drew it, each shopper sees their
own name, cart badge, hearts and review box, and a change of the catalog shows at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ReviewFactory, WishlistItemFactory, purchase
from inventory.tests.factories import ProductFactory, stock_up
from orders.tests.factories import product_in_stock
from tests.unit.page_cache_urls import STATE

pytestmark = pytest.mark.django_db

CATALOG = "/catalog/"


def _heart_on(html: str, pk: int) -> bool:
    """Whether the heart of product `pk` says "in the wishlist"."""
    form = re.search(r'<form class="wish-form"[^>]*action="[^"]*/%d/[^"]*".*?</form>' % pk,
                     html, re.S)
    assert form, f"no heart for product {pk}"
    return 'aria-pressed="true"' in form.group(0)


def _badge(html: str) -> str:
    return re.search(r'<span class="cart-badge[^"]*" id="cart-badge">(\d+)</span>', html).group(1)


@pytest.fixture
def shop():
    return [product_in_stock("20", name=f"Cached apple {n}") for n in range(3)]


@pytest.fixture
def aliya():
    return UserFactory(role="shopper", username="aliya_k", first_name="Aliya")


@pytest.fixture
def bolat():
    return UserFactory(role="shopper", username="bolat_s", first_name="Bolat")


def _signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_each_shopper_sees_their_own_name_cart_and_hearts_on_the_same_stored_page(
        shop, aliya, bolat):
    assert reverse("catalog:product_list") == CATALOG
    WishlistItemFactory(user=aliya, product=shop[0])
    WishlistItemFactory(user=bolat, product=shop[1])
    a, b = _signed_in(aliya), _signed_in(bolat)
    for product in shop[:2]:
        assert a.post(reverse("orders:cart_add", args=[product.pk]),
                      {"quantity": "1"}).status_code == 302
    a.get(reverse("orders:cart"))  # shows (and so ends) the "in your cart" messages
    first = a.get(CATALOG, HTTP_ACCEPT_LANGUAGE="en")
    second = b.get(CATALOG, HTTP_ACCEPT_LANGUAGE="en")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    html_a, html_b = first.content.decode(), second.content.decode()
    assert "Aliya" in html_a and "Aliya" not in html_b and "aliya_k" not in html_b
    assert "Bolat" in html_b and "Bolat" not in html_a
    assert _badge(html_a) == "2" and _badge(html_b) == "0"
    assert 'class="cart-badge empty"' in html_b and 'class="cart-badge empty"' not in html_a
    assert [_heart_on(html_a, p.pk) for p in shop] == [True, False, False]
    assert [_heart_on(html_b, p.pk) for p in shop] == [False, True, False]
    assert "@@BIBARYS" not in html_a + html_b
    # Aliya again: a hit, still hers.
    again = a.get(CATALOG, HTTP_ACCEPT_LANGUAGE="en")
    assert again["X-Page-Cache"] == "hit" and again.content.decode() == html_a.replace(
        _token(html_a), _token(again.content.decode()))


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html).group(1)


def test_the_token_of_a_hit_is_the_shoppers_own(shop, aliya, bolat):
    _signed_in(aliya).get(CATALOG)
    b = _signed_in(bolat, enforce_csrf_checks=True)
    page = b.get(CATALOG)
    assert page["X-Page-Cache"] == "hit"
    toggle = reverse("catalog:wishlist_toggle", args=[shop[2].pk])
    assert b.post(toggle, {"csrfmiddlewaretoken": _token(page.content.decode())}).status_code == 302
    # The heart is on at once: the wishlist is the shopper's, not the stored page's.
    assert _heart_on(b.get(CATALOG).content.decode(), shop[2].pk)
    stranger = _signed_in(aliya, enforce_csrf_checks=True)
    stranger.get(reverse("home"))
    assert stranger.post(toggle, {"csrfmiddlewaretoken": _token(page.content.decode())}
                         ).status_code == 403


def test_a_stock_change_shows_at_once(aliya, bolat):
    product = ProductFactory(name="Late pears")
    url = reverse("catalog:product_detail", args=[product.slug])
    before = _signed_in(aliya).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert before["X-Page-Cache"] == "miss" and "Out of stock" in before.content.decode()
    stock_up(product, "50")
    page = _signed_in(bolat).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page["X-Page-Cache"] == "miss"
    assert "Out of stock" not in page.content.decode() and "In stock" in page.content.decode()


def test_the_review_box_is_the_shoppers_own(shop, aliya, bolat):
    product = shop[0]
    url = reverse("catalog:product_detail", args=[product.slug])
    purchase(bolat, product)
    carol = UserFactory(role="shopper", username="carol_r")
    ReviewFactory(product=product, user=carol, rating=2, text="Carol hidden words",
                  is_hidden=True)
    first = _signed_in(aliya).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert first["X-Page-Cache"] == "miss"
    assert "Shoppers can review a product once their order of it is completed." in first.content.decode()
    bought = _signed_in(bolat).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert bought["X-Page-Cache"] == "hit"
    html = bought.content.decode()
    assert "Rate this product" in html and 'name="rating"' in html
    assert "Only shoppers who bought" not in html and "Carol hidden words" not in html
    # Carol's own hidden review is hers alone: her page is drawn the ordinary way.
    own = _signed_in(carol).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "X-Page-Cache" not in own
    html = own.content.decode()
    assert "Carol hidden words" in html and "Edit your review" in html
    assert "Carol hidden words" not in _signed_in(aliya).get(url).content.decode()


def test_staff_and_a_pending_message_are_drawn_the_ordinary_way(shop, aliya, seller):
    _signed_in(aliya).get(CATALOG, HTTP_ACCEPT_LANGUAGE="en")
    assert "X-Page-Cache" not in _signed_in(seller).get(CATALOG)
    client = _signed_in(aliya)
    client.post(reverse("orders:cart_add", args=[shop[0].pk]), {"quantity": "1"},
                HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(CATALOG, HTTP_ACCEPT_LANGUAGE="en")
    assert "X-Page-Cache" not in page
    assert "Cached apple 0 is in your cart." in page.content.decode()
    again = client.get(CATALOG, HTTP_ACCEPT_LANGUAGE="en")  # the message was shown once
    assert again["X-Page-Cache"] == "hit" and "is in your cart" not in again.content.decode()


@pytest.mark.urls("tests.unit.page_cache_urls")
def test_a_page_that_shows_the_shopper_outside_a_slot_is_drawn_for_nobody(aliya, bolat):
    """The page for the cache is drawn for a stand-in shopper: a template that forgot a slot
    shows nobody's name, never the name of whoever drew it."""
    STATE.update(text="", rendered=0)
    from django.core.cache import cache
    from django.test import RequestFactory

    from bibarys.cache import _page_key

    aliya.email = "aliya@example.kz"
    aliya.save()
    a = _signed_in(aliya)
    a.session["note"] = "aliya-private-note"
    a.session.save()
    first = a.get("/whoami/", HTTP_ACCEPT_LANGUAGE="en")
    second = _signed_in(bolat).get("/whoami/", HTTP_ACCEPT_LANGUAGE="en")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    stored = repr(cache.get(_page_key("bibarys:shopper-page:", RequestFactory().get("/whoami/"),
                                      "en")))
    assert "Hello" in stored
    for page in (first.content.decode(), second.content.decode(), stored):
        assert not any(text in page for text in ("aliya_k", "aliya@example.kz",
                                                 "aliya-private-note", "bolat_s"))
    assert STATE["rendered"] == 1


@pytest.mark.urls("tests.unit.page_cache_urls")
def test_a_product_that_shares_the_shoppers_first_name_is_no_leak(aliya):
    STATE.update(text="Aliya cake, 1 kg", rendered=0)
    client = _signed_in(aliya)
    assert client.get("/page/")["X-Page-Cache"] == "miss"
    assert client.get("/page/")["X-Page-Cache"] == "hit"


def test_hit_queries_do_not_grow_with_the_page(shop, aliya, bolat, django_assert_max_num_queries):
    for n in range(30):
        product = product_in_stock("3", name=f"More {n}")
        if n % 2:
            WishlistItemFactory(user=bolat, product=product)
    _signed_in(aliya).get(CATALOG)
    b = _signed_in(bolat)
    # The user (the session comes from the cache), then one query for every slot: the cart
    # count and the hearts of the page's products.
    with django_assert_max_num_queries(2):
        assert b.get(CATALOG)["X-Page-Cache"] == "hit"
    product = shop[0]
    b.get(reverse("catalog:product_detail", args=[product.slug]))
    a = _signed_in(aliya)
    with django_assert_max_num_queries(2):  # the review box joins the same query
        assert a.get(reverse("catalog:product_detail", args=[product.slug])
                     )["X-Page-Cache"] == "hit"


def test_text_posing_as_a_slot_stays_text(aliya, bolat):
    forged = "Fresh @@BIBARYS_SLOT:wish:999999@@ @@BIBARYS_SLOT:user:@@ @@BIBARYS_SLOT:nope:1@@"
    product = product_in_stock("5", name="Forged pears", description=forged)
    url = reverse("catalog:product_detail", args=[product.slug])
    first = _signed_in(aliya).get(url, HTTP_ACCEPT_LANGUAGE="en")
    second = _signed_in(bolat).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second["X-Page-Cache"] == "hit"
    assert forged in second.content.decode() and "Aliya" not in second.content.decode()


@pytest.mark.parametrize("query", ["page=abc", "page=-1", f"page={10**30}", "price_min=abc",
                                   "price_min=5&price_max=1", "category=no-such", "sort=evil",
                                   "q=" + "молоко " * 700, "q=%00%ff", "q=@@BIBARYS_CSRF@@"])
def test_bad_filters_answer_a_page_to_every_shopper_never_an_error(shop, aliya, bolat, query):
    for user in (aliya, bolat):  # drawn for the cache, then filled from it
        page = _signed_in(user).get(f"{CATALOG}?{query}", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert "@@BIBARYS_SLOT" not in page.content.decode()
    missing = _signed_in(aliya).get(reverse("catalog:product_detail", args=["no-such-thing"]))
    assert missing.status_code == 404 and "Aliya" in missing.content.decode()
