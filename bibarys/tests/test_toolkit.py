"""The one money-and-quantity toolkit (bibarys.money, bibarys.fields, bibarys.units) and the
shared view helpers: every app rounds, parses and words a unit fault the same way."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from bibarys.money import TIYN, line_total, money_round
from bibarys.units import PIECES_ONLY, Unit, unit_step_message
from bibarys.view_helpers import error_text, safe_next


@pytest.mark.parametrize("price, quantity, expected", [
    ("999.99", "0.333", "333.00"),   # 332.99667 → up
    ("100.00", "0.125", "12.50"),
    ("0.05", "0.1", "0.01"),         # 0.005 → half up, never half even
    ("0.25", "0.1", "0.03"),         # 0.025 → 0.03 (half even would give 0.02)
    ("1234.50", "3", "3703.50"),
])
def test_line_total_rounds_half_up_to_the_tiyn(price, quantity, expected):
    assert line_total(Decimal(price), Decimal(quantity)) == Decimal(expected)


def test_money_round_keeps_an_amount_too_long_for_a_decimal_for_the_bounds_check():
    huge = Decimal("9" * 40)
    assert money_round(huge) == huge
    assert money_round("2.675") == Decimal("2.68") and TIYN == Decimal("0.01")


def test_every_line_total_of_the_store_is_the_toolkits():
    """The cart, the checkout, the returns, the demo and the rollup round one way."""
    from analytics import rollup
    from orders import cart, demo, returns, services

    for module in (cart, demo, returns, services, rollup):
        assert getattr(module, "line_total") is line_total, module.__name__
    assert rollup.line_cost(Decimal("0.1"), Decimal("0.25")) == Decimal("0.03")


def test_one_message_for_a_piece_product_in_every_place(db):
    from catalog.forms import ProductForm
    from catalog.services import _validate_product_values
    from catalog.tests.factories import ProductFactory
    from orders.cart import parse_quantity

    with translation.override("en"):
        product = ProductFactory(unit=Unit.PIECE, name="Нан")
        with pytest.raises(ValidationError) as cart_error:
            parse_quantity("1,5", product)
        assert cart_error.value.messages == [unit_step_message(product.display_name, "pcs")]
        assert "whole number" in cart_error.value.messages[0]
        assert "3 decimal places" in unit_step_message("Алма", Unit.KG)
        # A product's own threshold: the same fault, the same words in the form and the service.
        with pytest.raises(ValidationError) as threshold_error:
            _validate_product_values(price=Decimal("10"), cost_price=Decimal("5"), unit="pcs",
                                     low_stock_threshold=Decimal("2.5"))
        assert threshold_error.value.message_dict["low_stock_threshold"] == [str(PIECES_ONLY)]
        form = ProductForm(data={"unit": "pcs", "low_stock_threshold": "2,5"}, user=product.seller)
        form.is_valid()
        assert form.errors["low_stock_threshold"] == [str(PIECES_ONLY)]


def test_cart_reads_a_number_the_way_every_form_does(db):
    from orders.cart import parse_quantity
    from catalog.tests.factories import ProductFactory

    product = ProductFactory(unit=Unit.KG)
    assert parse_quantity("1\xa0000,5", product) == Decimal("1000.500")
    assert parse_quantity("1.234,5", product) == Decimal("1234.500")
    for bad in ("", "abc", "NaN", "1e999999"):
        with pytest.raises(ValidationError):
            parse_quantity(bad, product)


@pytest.mark.parametrize("target, expected", [
    ("/cart/", "/cart/"),
    ("/catalog/?q=сүт", "/catalog/?q=сүт"),
    ("//evil.example/", "/fallback/"),
    ("https://evil.example/", "/fallback/"),
    ("https:evil.example", "/fallback/"),
    ("/\\evil.example", "/fallback/"),
    ("javascript:alert(1)", "/fallback/"),
    ("", "/fallback/"),
])
def test_safe_next_stays_on_this_site(target, expected):
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request, "/fallback/") == expected
    assert safe_next(RequestFactory().get("/x/"), "/fallback/", target=target) == expected


def test_error_text_joins_every_message():
    assert error_text(ValidationError(["One.", "Two."])) == "One. Two."
    assert str(PIECES_ONLY)
