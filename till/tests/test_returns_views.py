"""The till's return page: find the receipt by number, take back lines up to what is left, the
money out of the cashier's shift by the way the sale was paid; bad input is said on the page and
changes nothing."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.checks import stock_problems
from orders.models import OrderReturn
from orders.services import OrderItem
from orders.tests.factories import product_in_stock
from till.models import Till, TillPayment
from till.selectors import shift_totals
from till.services import PaymentPart, shift_open, till_sell

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shift(cashier):
    return shift_open(till=Till.objects.create(name="Касса 1"), by=cashier, opening_float="5000")


@pytest.fixture
def cashier_client(client, cashier):
    client.force_login(cashier)
    return client


@pytest.fixture
def sale(shift, cashier, seller):
    milk = product_in_stock("10", seller=seller, price=D("450.00"))
    bread = product_in_stock("10", seller=seller, price=D("200.00"))
    order = till_sell(shift=shift, by=cashier,
                      items=[OrderItem(milk.pk, D("3")), OrderItem(bread.pk, D("2"))],
                      payments=[PaymentPart("card", D("400.00")), PaymentPart("cash", D("0"))],
                      expected_total=D("1750.00"), idempotency_key=uuid.uuid4(), tendered="2000")
    return order, milk, bread


def _post(client, order, lines, refund):
    data = {"refund": refund, "idempotency_key": str(uuid.uuid4()), "reason": ""}
    for line, quantity, spoiled in lines:
        data[f"qty_{line.pk}"] = quantity
        if spoiled:
            data[f"spoiled_{line.pk}"] = "on"
    return client.post(reverse("till:return_order", args=[order.pk]), data)


@pytest.mark.parametrize("typed", ["{n}", "№{n:06d}", "{n:06d}", " N{n} "])
def test_the_receipt_is_found_by_its_number_scanned_or_typed(cashier_client, sale, typed):
    order = sale[0]
    response = cashier_client.get(reverse("till:return_find"), {"number": typed.format(n=order.pk)})
    assert response["Location"] == reverse("till:return_order", args=[order.pk])


def test_an_unknown_receipt_is_said_next_to_the_field(cashier_client, sale):
    page = cashier_client.get(reverse("till:return_find"), {"number": "999999"})
    assert page.status_code == 200 and page.context["form"].errors["number"]
    page = cashier_client.get(reverse("till:return_find"), {"number": "abc"})
    assert page.context["form"].errors["number"]


def test_a_return_at_the_till_pays_cash_out_of_the_shift(cashier_client, shift, sale):
    order, milk, bread = sale
    milk_line, bread_line = order.lines.get(product=milk), order.lines.get(product=bread)
    before = shift_totals(shift).expected_cash
    page = cashier_client.get(reverse("till:return_order", args=[order.pk]))
    assert page.status_code == 200
    assert [value for value, _ in page.context["form"].fields["refund"].choices] == ["card",
                                                                                    "cash"]
    response = _post(cashier_client, order, [(milk_line, "1", False), (bread_line, "1", True)],
                     "cash")
    returned = OrderReturn.objects.get()
    assert response["Location"] == reverse("till:return_done", args=[returned.pk])
    assert returned.total == D("650.00")
    totals = shift_totals(shift)
    assert totals.expected_cash == before - D("650.00") and totals.returns_count == 1
    milk.refresh_from_db()
    bread.refresh_from_db()
    assert milk.quantity == D("8") and bread.quantity == D("8")
    assert list(stock_problems()) == []
    done = cashier_client.get(response["Location"]).content.decode()
    assert returned.number in done


def test_more_than_is_left_changes_nothing(cashier_client, shift, sale):
    order, milk, _ = sale
    line = order.lines.get(product=milk)
    _post(cashier_client, order, [(line, "2", False)], "cash")
    page = _post(cashier_client, order, [(line, "2", False)], "cash")
    assert page.status_code == 200 and page.context["form"].non_field_errors()
    assert OrderReturn.objects.count() == 1
    # More by card than the card paid: refused next to the refund choice.
    page = _post(cashier_client, order, [(line, "1", False)], "card")
    assert page.status_code == 200 and page.context["form"].errors["refund"]
    assert OrderReturn.objects.count() == 1
    assert TillPayment.objects.filter(order_return__isnull=False).count() == 1


def test_no_open_shift_no_money_out(client, seller, sale):
    order = sale[0]
    client.force_login(seller)
    page = _post(client, order, [(order.lines.first(), "1", False)], "cash")
    assert page.status_code == 200 and page.context["form"].non_field_errors()
    assert not OrderReturn.objects.exists()


def test_a_shopper_cannot_open_the_till_returns(shopper_client, sale):
    assert shopper_client.get(reverse("till:return_find")).status_code == 403
    assert shopper_client.get(reverse("till:return_order", args=[sale[0].pk])).status_code == 403
