"""VAT on every sale line, computed once in order_place: sums computed by hand in the comments."""

import uuid
from decimal import Decimal

import pytest

from catalog.tests.factories import CategoryFactory
from catalog.vat import vat_in
from orders.models import Order, OrderLine
from orders.services import OrderItem, order_place
from orders.vat import vat_by_rate

from .factories import fund, product_in_stock
from .test_services import fill_cart, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def payer(settings):
    settings.VAT_PAYER = True
    settings.VAT_DEFAULT_RATE = "16"


@pytest.fixture
def mixed_basket(payer):
    """Four lines at three rates, the product's own rate over its category's over the store's."""
    zero = CategoryFactory(slug="exports", vat_rate="0")
    exempt = CategoryFactory(slug="fruit", vat_rate="exempt")
    return [
        (product_in_stock("10", name="Milk", price=Decimal("450.00")), "3"),  # store: 16 %
        (product_in_stock("10", name="Bread", price=Decimal("999.99"), category=zero), "1"),
        (product_in_stock("10", name="Apples", price=Decimal("799.00"), unit="kg",
                          category=exempt, vat_rate="16"), "1.234"),  # its own 16 %
        (product_in_stock("10", name="Flour", price=Decimal("500.00"), vat_rate="exempt"), "1"),
    ]


def test_vat_in_a_price_is_rounded_half_up_to_the_tiyn():
    assert vat_in(Decimal("1160.00"), "16") == Decimal("160.00")
    assert vat_in(Decimal("999.99"), "16") == Decimal("137.93")  # 137.9297
    assert vat_in(Decimal("0.10"), "16") == Decimal("0.01")  # 0.0138
    assert vat_in(Decimal("1.16"), "16") == Decimal("0.16")
    assert vat_in(Decimal("1000.00"), "0") == vat_in(Decimal("1000.00"), "exempt") == 0


def test_a_mixed_rate_online_order_keeps_each_lines_rate_and_vat(shopper, mixed_basket):
    fund(shopper, "10000")
    order = place(shopper, fill_cart(shopper, *mixed_basket))
    lines = {line.product_name: line for line in order.lines.all()}
    # Milk 3 × 450,00 = 1 350,00 → 1350 × 16 / 116 = 186,2069 → 186,21
    assert (lines["Milk"].vat_rate, lines["Milk"].vat_amount) == ("16", Decimal("186.21"))
    assert (lines["Bread"].vat_rate, lines["Bread"].vat_amount) == ("0", Decimal("0.00"))
    # Apples 1,234 kg × 799,00 = 985,966 → 985,97 → 985,97 × 16 / 116 = 135,9959 → 136,00
    assert lines["Apples"].line_total == Decimal("985.97")
    assert (lines["Apples"].vat_rate, lines["Apples"].vat_amount) == ("16", Decimal("136.00"))
    assert (lines["Flour"].vat_rate, lines["Flour"].vat_amount) == ("exempt", Decimal("0.00"))

    vat = vat_by_rate(order.lines.all())
    assert [(row.rate, row.gross, row.vat, row.net) for row in vat.rows] == [
        ("16", Decimal("2335.97"), Decimal("322.21"), Decimal("2013.76")),
        ("0", Decimal("999.99"), Decimal("0.00"), Decimal("999.99")),
        ("exempt", Decimal("500.00"), Decimal("0.00"), Decimal("500.00")),
    ]
    assert (vat.gross, vat.vat) == (order.total, Decimal("322.21")) == (Decimal("3835.96"),
                                                                         Decimal("322.21"))
    # Rounded on the lines, not on the receipt: 2 335,97 × 16 / 116 = 322,2028 would say 322,20.
    assert vat_in(Decimal("2335.97"), "16") == Decimal("322.20")
    # The same from the database in one aggregate query, and from a list without a query.
    assert vat_by_rate(OrderLine.objects.filter(order=order)).rows == vat.rows
    assert vat_by_rate(list(order.lines.all())).vat == Decimal("322.21")


def test_a_counter_sale_gets_the_same_vat(mixed_basket, cashier):
    order = order_place(user=None, items=[OrderItem(product_id=p.pk, quantity=Decimal(q))
                                          for p, q in mixed_basket],
                        payment=Order.Payment.CASH, channel=Order.Channel.COUNTER, by=cashier,
                        idempotency_key=uuid.uuid4())
    assert vat_by_rate(order.lines.all()).vat == Decimal("322.21")
    assert sorted(order.lines.values_list("vat_rate", flat=True)) == ["0", "16", "16", "exempt"]


def test_a_store_that_is_not_a_vat_payer_keeps_no_rate_and_no_vat(shopper, settings):
    settings.VAT_PAYER = False
    milk = product_in_stock("10", price=Decimal("450.00"), vat_rate="16")
    fund(shopper, "1000")
    order = place(shopper, fill_cart(shopper, (milk, "2")))
    line = order.lines.get()
    assert (line.vat_rate, line.vat_amount) == ("", Decimal("0.00"))
    vat = vat_by_rate(order.lines.all())
    assert not vat.has_vat and vat.gross == Decimal("900.00")


def test_the_line_keeps_its_vat_when_the_rate_changes_later(shopper, payer):
    milk = product_in_stock("10", price=Decimal("116.00"))
    fund(shopper, "1000")
    order = place(shopper, fill_cart(shopper, (milk, "1")))
    milk.vat_rate = "exempt"
    milk.save()
    line = order.lines.get()
    assert (line.vat_rate, line.vat_amount) == ("16", Decimal("16.00"))


def test_placing_an_order_reads_the_categories_rates_in_one_query(shopper, payer,
                                                                  django_assert_max_num_queries):
    fund(shopper, "100000")
    products = [product_in_stock("10", price=Decimal("100.00"),
                                 category=CategoryFactory(slug=f"c{n}", vat_rate="0"))
                for n in range(5)]
    cart = fill_cart(shopper, *[(p, "1") for p in products])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        place(shopper, cart)
    category_reads = [q for q in queries.captured_queries
                      if 'FROM "catalog_category"' in q["sql"]]
    assert len(category_reads) == 1
