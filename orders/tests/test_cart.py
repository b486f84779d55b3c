from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import CartLine

from .factories import product_in_stock

pytestmark = pytest.mark.django_db


def add(client, product, quantity="1", **extra):
    return client.post(reverse("orders:cart_add", args=[product.pk]),
                       {"quantity": quantity, "next": "/somewhere/"}, **extra)


def test_signed_in_add_is_stored_and_adds_up(shopper_client, shopper):
    product = product_in_stock("10")
    assert add(shopper_client, product, "2").status_code == 302
    assert add(shopper_client, product, "3").status_code == 302
    line = CartLine.objects.get(cart__user=shopper)
    assert line.quantity == Decimal("5")


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "1000000000", "abc", "", "NaN", "1e3000"])
def test_bad_quantity_is_refused_with_a_message_and_writes_nothing(shopper_client, bad):
    product = product_in_stock("10")
    response = add(shopper_client, product, bad)
    if bad == "":  # an empty field means one piece
        assert CartLine.objects.count() == 1
        return
    assert response.status_code == 302
    assert CartLine.objects.count() == 0
    page = shopper_client.get(response["Location"].replace("/somewhere/", reverse("orders:cart")))
    assert page.status_code == 200


def test_bad_quantity_message_text(shopper_client):
    product = product_in_stock("10", name="Нан")
    response = add(shopper_client, product, "1.5", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "whole number" in response.content.decode() or "бүтін" in response.content.decode()
    assert CartLine.objects.count() == 0


def test_more_than_on_hand_and_archived_are_refused(shopper_client, settings):
    settings.LANGUAGE_CODE = "en"
    product = product_in_stock("3", name="Milk")
    response = add(shopper_client, product, "4", HTTP_HX_REQUEST="true",
                   HTTP_ACCEPT_LANGUAGE="en")
    assert CartLine.objects.count() == 0
    product.is_active = False
    product.save(update_fields=["is_active"])
    add(shopper_client, product, "1")
    assert CartLine.objects.count() == 0
    assert response.status_code == 200


def test_kg_product_takes_grams(shopper_client, shopper):
    from catalog.models import Product

    product = product_in_stock("5")
    Product.objects.filter(pk=product.pk).update(unit="kg")
    product.refresh_from_db()
    add(shopper_client, product, "0,75")
    assert CartLine.objects.get().quantity == Decimal("0.750")
    add(shopper_client, product, "0.0005")
    assert CartLine.objects.get().quantity == Decimal("0.750")


def test_htmx_add_answers_the_form_and_an_out_of_band_badge(shopper_client):
    product = product_in_stock("10")
    response = add(shopper_client, product, "1", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert f'id="add-to-cart-{product.pk}"' in body
    assert 'id="cart-badge" hx-swap-oob="true">1<' in body


def test_anonymous_cart_lives_in_the_session_and_merges_at_login(shopper):
    client = Client()
    first, second = product_in_stock("10"), product_in_stock("10")
    add(client, first, "2")
    add(client, second, "1")
    assert CartLine.objects.count() == 0
    page = client.get(reverse("orders:cart"))
    assert first.name in page.content.decode()
    # The shopper already had one of `first` saved from an earlier visit.
    from orders.cart import saved_cart
    CartLine.objects.create(cart=saved_cart(shopper), product=first, quantity=Decimal("1"))
    page = client.post(reverse("login"), {"username": "shopper_a",
                                          "password": "correct-horse-battery-staple"},
                       HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    lines = {line.product_id: line.quantity for line in CartLine.objects.filter(cart__user=shopper)}
    assert lines == {first.pk: Decimal("3"), second.pk: Decimal("1")}
    assert "bibarys_cart" not in client.session
    # Quantities added up at login are not a surprise at checkout.
    assert "the quantities are added up" in page


def test_stepper_update_and_remove(shopper_client, shopper):
    product = product_in_stock("10")
    add(shopper_client, product, "2")
    url = reverse("orders:cart_update", args=[product.pk])
    shopper_client.post(url, {"step": "1", "quantity": "2"})
    assert CartLine.objects.get().quantity == Decimal("3")
    shopper_client.post(url, {"quantity": "7"})
    assert CartLine.objects.get().quantity == Decimal("7")
    response = shopper_client.post(url, {"quantity": "11"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert CartLine.objects.get().quantity == Decimal("7")
    assert 'id="cart-body"' in response.content.decode()
    shopper_client.post(reverse("orders:cart_remove", args=[product.pk]))
    assert not CartLine.objects.exists()


def test_cart_page_warns_about_archived_and_short_lines(shopper_client, shopper):
    from orders.cart import saved_cart

    short, gone = product_in_stock("2", name="Айран"), product_in_stock("5", name="Қымыз")
    cart = saved_cart(shopper)
    CartLine.objects.create(cart=cart, product=short, quantity=Decimal("3"))
    CartLine.objects.create(cart=cart, product=gone, quantity=Decimal("1"))
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    body = shopper_client.get(reverse("orders:cart")).content.decode()
    assert "Айран" in body and "has-warning" in body
    assert body.count("has-warning") == 2


def test_cart_totals_are_exact_decimals(shopper_client, shopper):
    from orders.cart import saved_cart
    from orders.cart import CartSummary, CartItem

    product = product_in_stock("10", price=Decimal("333.33"))
    CartLine.objects.create(cart=saved_cart(shopper), product=product, quantity=Decimal("3"))
    response = shopper_client.get(reverse("orders:cart"))
    summary = response.context["summary"]
    assert summary.total == Decimal("999.99")


def test_cart_page_queries_do_not_grow_with_lines(shopper_client, shopper,
                                                 django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.cart import saved_cart

    cart = saved_cart(shopper)
    CartLine.objects.create(cart=cart, product=product_in_stock("5"), quantity=1)
    with CaptureQueriesContext(connection) as few:
        shopper_client.get(reverse("orders:cart"))
    for _ in range(8):
        CartLine.objects.create(cart=cart, product=product_in_stock("5"), quantity=1)
    with CaptureQueriesContext(connection) as many:
        shopper_client.get(reverse("orders:cart"))
    assert len(many) == len(few)


def test_badge_costs_one_query_on_any_page(shopper_client, shopper):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    product = product_in_stock("5")
    add(shopper_client, product, "1")
    with CaptureQueriesContext(connection) as queries:
        body = shopper_client.get(reverse("accounts:profile")).content.decode()
    assert 'id="cart-badge">1<' in body
    assert sum("orders_cartline" in q["sql"] for q in queries.captured_queries) == 1


@pytest.mark.parametrize("typed", ["0", "-1", "-0,5", "0,000"])
def test_zero_or_negative_typed_in_the_cart_is_refused_as_on_the_product_page(
        shopper_client, shopper, typed):
    """The cart's quantity box used to remove the line on 0 and on a negative number; it now
    refuses both with the message the product page's add-to-cart gives, and keeps the line."""
    product = product_in_stock("10", name="Milk")
    add(shopper_client, product, "2")
    on_product_page = add(shopper_client, product, typed, HTTP_HX_REQUEST="true",
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
    url = reverse("orders:cart_update", args=[product.pk])
    in_cart = shopper_client.post(url, {"quantity": typed}, HTTP_HX_REQUEST="true",
                                  HTTP_ACCEPT_LANGUAGE="en")
    message = "Enter a quantity greater than zero."
    assert message in on_product_page
    assert in_cart.status_code == 200 and message in in_cart.content.decode()
    assert CartLine.objects.get(cart__user=shopper).quantity == Decimal("2")
    # Without htmx: the same message on the cart page, the line kept.
    plain = shopper_client.post(url, {"quantity": typed}, HTTP_ACCEPT_LANGUAGE="en")
    assert plain.status_code == 302
    page = shopper_client.get(reverse("orders:cart"), HTTP_ACCEPT_LANGUAGE="en")
    assert message in page.content.decode()
    assert CartLine.objects.get(cart__user=shopper).quantity == Decimal("2")


def test_typed_zero_in_an_anonymous_cart_is_refused_too(client):
    product = product_in_stock("10")
    add(client, product, "2")
    url = reverse("orders:cart_update", args=[product.pk])
    response = client.post(url, {"quantity": "0"}, HTTP_HX_REQUEST="true",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter a quantity greater than zero." in response.content.decode()
    assert response.context["summary"].items[0].quantity == Decimal("2")


def test_stepper_steps_one_at_a_time_and_below_one_step_removes_the_line(shopper_client,
                                                                          shopper):
    pieces, grams = product_in_stock("3"), product_in_stock("5", unit="kg")
    add(shopper_client, pieces, "1")
    add(shopper_client, grams, "0,25")
    more = reverse("orders:cart_update", args=[pieces.pk])
    for _ in range(2):
        shopper_client.post(more, {"step": "1"})
    assert CartLine.objects.get(product=pieces).quantity == Decimal("3")
    shopper_client.post(more, {"step": "1"})  # only 3 on hand: refused, nothing changes
    assert CartLine.objects.get(product=pieces).quantity == Decimal("3")
    shopper_client.post(reverse("orders:cart_update", args=[grams.pk]), {"step": "1"})
    assert CartLine.objects.get(product=grams).quantity == Decimal("0.35")
    for _ in range(3):
        shopper_client.post(more, {"step": "-1"})
    assert not CartLine.objects.filter(product=pieces).exists()
    assert CartLine.objects.filter(product=grams).exists()


def test_anonymous_stepper_steps_in_the_session(client):
    product = product_in_stock("5")
    add(client, product, "1")
    url = reverse("orders:cart_update", args=[product.pk])
    client.post(url, {"step": "1"})
    client.post(url, {"step": "1"})
    summary = client.get(reverse("orders:cart")).context["summary"]
    assert summary.items[0].quantity == Decimal("3")
    for _ in range(3):
        client.post(url, {"step": "-1"})
    assert client.get(reverse("orders:cart")).context["summary"].is_empty
