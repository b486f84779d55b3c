"""The shop's own forms fuzzed with hypothesis, like sign-up and profile in test_fuzz_forms.py:
the seller's product form, the cart quantity (add and update), the checkout delivery step, the
review form and the wallet top-up. Whatever is typed: never a 500 (the test client re-raises
what a view lets out), invalid input writes nothing, and stored markup is shown as text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import example, given, strategies as st

from tests.security.test_fuzz_forms import FUZZ, MARKUP, escaped_markup_only, numbers, phones, texts

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

STOCK = Decimal("10")


def _loose_limits(settings):
    for name in ("CHECKOUT", "REVIEW", "TOPUP", "LOGIN", "SIGNUP"):
        setattr(settings, f"RATELIMIT_{name}", "1000000/m")


@pytest.fixture
def loose_limits(settings):
    _loose_limits(settings)


@pytest.fixture
def stocked_product(seller):
    from orders.tests.factories import product_in_stock

    return product_in_stock(str(STOCK), seller=seller, name="Сүт 3,2% 1 л")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------------------------------------
# The seller's product form


@pytest.fixture
def category(db):
    from catalog.tests.factories import CategoryFactory

    return CategoryFactory(name="Сүт өнімдері", slug="dairy")


@FUZZ
@given(name=texts, description=texts, price=numbers, cost_price=numbers, threshold=numbers,
       sku=texts, barcodes=texts, unit=st.sampled_from(["pcs", "kg", "l", "box", "", "<b>"]))
@example(name="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>",
         price="450.00", cost_price="300", threshold="5", sku="FUZZ-OK-1", barcodes="",
         unit="pcs")
@example(name="<b>bold</b> ірімшік", description="<b>bold</b>", price="1e309", cost_price="-1",
         threshold="NaN", sku="a b", barcodes="4006381333931", unit="kg")
def test_product_form_fuzz(seller, category, name, description, price, cost_price, threshold,
                           sku, barcodes, unit):
    from catalog.models import Product, ProductBarcode

    client = _client(seller)
    before = (Product.objects.count(), ProductBarcode.objects.count())
    response = client.post(reverse("catalog:product_create"), {
        "name": name, "description": description, "category": category.pk, "unit": unit,
        "price": price, "cost_price": cost_price, "low_stock_threshold": threshold,
        "sku": sku, "barcodes": barcodes, "is_active": "on",
    })
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert (Product.objects.count(), ProductBarcode.objects.count()) == before, \
            "an invalid product form wrote a product"
        escaped_markup_only(response.content.decode(), name + description)
        return
    product = Product.objects.latest("pk")
    assert product.seller_id == seller.pk
    assert product.price > 0 and product.cost_price >= 0 and product.quantity == 0
    assert product.price.is_finite() and product.low_stock_threshold >= 0
    for url in (reverse("catalog:product_edit", kwargs={"pk": product.pk}),
                reverse("catalog:manage_list"), product.get_absolute_url(),
                reverse("catalog:product_list") + "?q=" + (product.name[:10] or "x")):
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        escaped_markup_only(page.content.decode(), name + description)


# ---------------------------------------------------------------------------------------------
# Cart quantities


def _expected_quantity(raw: str) -> Decimal | None:
    """What a correct cart keeps for a piece product with STOCK on hand, or None (refused)."""
    text = raw.strip().replace(",", ".").replace("\xa0", "")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0 or value > STOCK or value != value.to_integral_value():
        return None
    return value


def _line_quantity(user, product) -> Decimal | None:
    from orders.models import CartLine

    line = CartLine.objects.filter(cart__user=user, product=product).first()
    return line.quantity if line else None


@FUZZ
@given(quantity=numbers, htmx=st.booleans())
@example(quantity="3", htmx=False)
@example(quantity="<script>alert(1)</script>", htmx=True)
@example(quantity="11", htmx=False)
@example(quantity="2.5", htmx=True)
def test_cart_add_quantity_fuzz(shopper, stocked_product, quantity, htmx):
    from orders.models import CartLine

    client = _client(shopper)
    CartLine.objects.filter(cart__user=shopper).delete()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(reverse("orders:cart_add", kwargs={"product_pk": stocked_product.pk}),
                           {"quantity": quantity}, **headers)
    assert response.status_code in (200, 302), response.status_code
    expected = _expected_quantity(quantity or "1")
    assert _line_quantity(shopper, stocked_product) == expected, (quantity, expected)
    escaped_markup_only(response.content.decode(), quantity)
    page = client.get(reverse("orders:cart"))
    assert page.status_code == 200
    escaped_markup_only(page.content.decode(), quantity)


@FUZZ
@given(quantity=numbers)
@example(quantity="<b>bold</b>")
@example(quantity="-1")
@example(quantity="4")
def test_cart_update_quantity_fuzz(shopper, stocked_product, quantity):
    from orders.models import Cart, CartLine

    cart, _ = Cart.objects.get_or_create(user=shopper)
    CartLine.objects.filter(cart=cart).delete()
    CartLine.objects.create(cart=cart, product=stocked_product, quantity=Decimal("2"))
    client = _client(shopper)
    response = client.post(
        reverse("orders:cart_update", kwargs={"product_pk": stocked_product.pk}),
        {"quantity": quantity}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.status_code
    after = _line_quantity(shopper, stocked_product)
    expected = _expected_quantity(quantity)
    # Zero or less is refused like any bad quantity (the product page's message); the ✕ button
    # removes a line.
    if expected is None:
        assert after == Decimal("2"), (quantity, after)  # refused: the line is as it was
    else:
        assert after == expected, (quantity, after)
    escaped_markup_only(response.content.decode(), quantity)


# ---------------------------------------------------------------------------------------------
# Checkout, step 1: delivery


@FUZZ
@given(delivery=st.sampled_from(["pickup", "delivery", "courier", "", "drone", "<b>bold</b>"]),
       address=texts, phone=phones, note=texts, htmx=st.booleans())
@example(delivery="delivery", address="<script>alert(1)</script>", phone="+7 701 234 56 78",
         note='"><img src=x onerror=alert(1)>', htmx=True)
@example(delivery="pickup", address="", phone="<b>bold</b>", note="", htmx=False)
def test_checkout_delivery_fuzz(loose_limits, shopper, stocked_product, delivery, address, phone,
                                note, htmx):
    """Plain or sent by htmx (whose good answer is the review step itself)."""
    from orders.models import Cart, CartLine, Order

    cart, _ = Cart.objects.get_or_create(user=shopper)
    Cart.objects.filter(pk=cart.pk).update(delivery="", address="", phone="", note="")
    CartLine.objects.get_or_create(cart=cart, product=stocked_product,
                                   defaults={"quantity": Decimal("1")})
    client = _client(shopper)
    orders_before = Order.objects.count()
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(reverse("orders:checkout_delivery"), {
        "delivery": delivery, "address": address, "phone": phone, "note": note},
        headers=headers)
    assert response.status_code in (200, 302), response.status_code
    assert Order.objects.count() == orders_before, "the delivery step placed an order"
    cart.refresh_from_db()
    if cart.checkout_details is None:  # refused: the form again, with its errors
        assert response.status_code == 200 and response.context["form"].errors
        escaped_markup_only(response.content.decode(), address + phone + note)
        return
    assert cart.checkout_details["delivery"] in ("pickup", "delivery")
    assert response.status_code == (200 if htmx else 302)
    review = response if htmx else client.get(reverse("orders:checkout_review"))
    assert review.status_code == 200
    escaped_markup_only(review.content.decode(), address + note)


# ---------------------------------------------------------------------------------------------
# Reviews


@FUZZ
@given(rating=st.one_of(numbers, st.sampled_from(["1", "5", "3"])), text=texts)
@example(rating="5", text="<script>alert(1)</script>")
@example(rating="4", text="<b>bold</b> тәтті")
@example(rating="6", text="ok")
def test_review_form_fuzz(loose_limits, shopper, stocked_product, rating, text):
    from catalog.models import Review
    from catalog.tests.factories import purchase

    from orders.models import OrderLine

    if not OrderLine.objects.filter(order__user=shopper, product=stocked_product).exists():
        purchase(shopper, stocked_product)
    Review.objects.filter(user=shopper).delete()
    client = _client(shopper)
    response = client.post(reverse("catalog:review_save", kwargs={"slug": stocked_product.slug}),
                           {"rating": rating, "text": text})
    assert response.status_code in (302, 400), response.status_code
    review = Review.objects.filter(user=shopper, product=stocked_product).first()
    if response.status_code == 400:
        assert review is None, "an invalid review was written"
        escaped_markup_only(response.content.decode(), text)
        return
    assert review is not None and 1 <= review.rating <= 5
    assert str(review.rating) == rating.strip() or Decimal(rating) == review.rating
    page = client.get(stocked_product.get_absolute_url())
    assert page.status_code == 200
    escaped_markup_only(page.content.decode(), text)
    anonymous = Client().get(stocked_product.get_absolute_url())
    escaped_markup_only(anonymous.content.decode(), text)


# ---------------------------------------------------------------------------------------------
# Wallet top-up


@FUZZ
@given(amount=numbers, next_url=st.one_of(st.just(""), st.sampled_from(
    ["https://evil.example/", "//evil.example", "/orders/checkout/review/", "javascript:alert(1)"]),
    texts))
@example(amount="5000", next_url="")
@example(amount="99.99", next_url="")
@example(amount="1000000.01", next_url="")
@example(amount="100.005", next_url="https://evil.example/")
def test_topup_amount_fuzz(loose_limits, shopper, amount, next_url):
    from accounts.models import WalletEntry
    from accounts.services import wallet_for

    client = _client(shopper)
    balance = wallet_for(shopper).balance
    entries = WalletEntry.objects.filter(wallet__user=shopper).count()
    response = client.post(reverse("accounts:wallet_topup"), {"amount": amount, "next": next_url})
    assert response.status_code in (200, 302), response.status_code
    after = wallet_for(shopper).balance
    if response.status_code == 200:
        assert after == balance, "an invalid top-up changed the balance"
        assert WalletEntry.objects.filter(wallet__user=shopper).count() == entries
        escaped_markup_only(response.content.decode(), amount + next_url)
        return
    added = after - balance
    assert Decimal("100") <= added <= Decimal("1000000"), added
    assert added == Decimal(amount.strip().replace(",", ".")).quantize(Decimal("0.01"))
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//"), location


def test_markup_samples_cover_the_checks():
    """The fuzzers' MARKUP samples include each pattern escaped_markup_only looks for."""
    joined = "".join(MARKUP)
    for dangerous in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>bold</b>"):
        assert dangerous in joined
