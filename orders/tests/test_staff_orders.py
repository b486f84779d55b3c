"""Online orders handled by staff who are not the admin (DOMAIN.md, Permissions): a cashier or a
seller moves an order along; cancelling a paid order stays the admin's unless the store's setting
says otherwise; a completed online order is partly returned by staff, the money back the way it
was paid (the wallet, or cash for a cash order), spoiled goods written off."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.audit import audit_for
from accounts.services import wallet_for
from inventory.checks import stock_problems
from inventory.models import MovementKind, StockMovement
from orders.models import Order, OrderReturn, OrderStatus

from .factories import fund, product_in_stock
from .test_services import fill_cart, place

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cashier_client(client, cashier):
    client.force_login(cashier)
    return client


def _wallet_order(shopper, *items, status=OrderStatus.NEW):
    fund(shopper, "100000")
    order = place(shopper, fill_cart(shopper, *items), payment="wallet")
    return _move(order, status)


def _move(order, status):
    from accounts.tests.factories import UserFactory
    from orders.services import order_status_set

    admin = UserFactory(role="admin")
    path = [OrderStatus.CONFIRMED, OrderStatus.READY, OrderStatus.COMPLETED]
    for step in path[:path.index(status) + 1] if status in path else []:
        order_status_set(order=order, status=step, by=admin)
    order.refresh_from_db()
    return order


def test_a_cashier_moves_an_online_order_along(cashier_client, cashier, shopper):
    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    assert cashier_client.get(reverse("orders:manage_list")).status_code == 200
    for status in ("confirmed", "ready", "completed"):
        response = cashier_client.post(reverse("orders:manage_status", args=[order.pk]),
                                       {"status": status})
        assert response.status_code == 302
        order.refresh_from_db()
        assert order.status == status
    assert order.is_paid  # cash taken at pickup
    assert audit_for(order).filter(action="order.status", actor=cashier).count() == 3


def test_a_cashier_sees_the_order_and_its_next_step(cashier_client, shopper):
    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    page = cashier_client.get(reverse("orders:order_detail", args=[order.pk]))
    assert page.status_code == 200
    assert reverse("orders:manage_status", args=[order.pk]) in page.content.decode()


def test_a_cashier_cannot_cancel_a_paid_order_by_default(cashier_client, shopper):
    milk = product_in_stock("5")
    order = _wallet_order(shopper, (milk, "2"), status=OrderStatus.CONFIRMED)
    balance = wallet_for(shopper).balance
    page = cashier_client.get(reverse("orders:order_detail", args=[order.pk]))
    assert reverse("orders:order_cancel", args=[order.pk]) not in page.content.decode()
    for url, data in ((reverse("orders:order_cancel", args=[order.pk]), {"confirmed": "1"}),
                      (reverse("orders:manage_status", args=[order.pk]), {"status": "cancelled"})):
        assert cashier_client.post(url, data).status_code == 403
    order.refresh_from_db()
    milk.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and milk.quantity == D("3")
    assert wallet_for(shopper).balance == balance


def test_the_setting_lets_a_cashier_cancel_a_paid_order(cashier_client, shopper, settings):
    settings.ORDERS_CASHIER_CAN_CANCEL_PAID = True
    milk = product_in_stock("5")
    order = _wallet_order(shopper, (milk, "2"), status=OrderStatus.CONFIRMED)
    balance = wallet_for(shopper).balance
    response = cashier_client.post(reverse("orders:order_cancel", args=[order.pk]),
                                   {"confirmed": "1"})
    assert response.status_code == 302
    order.refresh_from_db()
    milk.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and milk.quantity == D("5")
    assert wallet_for(shopper).balance == balance + order.total


def test_a_cashier_may_cancel_an_unpaid_cash_order(cashier_client, shopper):
    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    response = cashier_client.post(reverse("orders:order_cancel", args=[order.pk]),
                                   {"confirmed": "1"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_a_shopper_still_cannot_touch_another_order(client, other_shopper, shopper):
    milk = product_in_stock("5")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    client.force_login(other_shopper)
    assert client.get(reverse("orders:order_detail", args=[order.pk])).status_code == 404
    assert client.get(reverse("orders:order_return", args=[order.pk])).status_code == 403


# Returns of a completed online order ----------------------------------------------------------


def _return_post(client, order, lines, refund, **extra):
    data = {"refund": refund, "idempotency_key": str(uuid.uuid4()), "reason": "", **extra}
    for line, quantity, spoiled in lines:
        data[f"qty_{line.pk}"] = quantity
        if spoiled:
            data[f"spoiled_{line.pk}"] = "on"
    return client.post(reverse("orders:order_return", args=[order.pk]), data)


def test_staff_return_part_of_a_wallet_order_to_the_wallet(cashier_client, cashier, shopper):
    milk = product_in_stock("10", price=D("450.00"))
    bread = product_in_stock("10", price=D("200.00"))
    order = _wallet_order(shopper, (milk, "3"), (bread, "2"), status=OrderStatus.COMPLETED)
    milk_line = order.lines.get(product=milk)
    bread_line = order.lines.get(product=bread)
    balance = wallet_for(shopper).balance
    page = cashier_client.get(reverse("orders:order_return", args=[order.pk]))
    assert page.status_code == 200 and "qty_%d" % milk_line.pk in page.content.decode()

    response = _return_post(cashier_client, order, [(milk_line, "2", False),
                                                     (bread_line, "1", True)], "wallet")
    assert response.status_code == 302
    returned = OrderReturn.objects.get()
    assert returned.total == D("1100.00") and returned.refund == "wallet"
    assert wallet_for(shopper).balance == balance + D("1100.00")
    milk.refresh_from_db()
    bread.refresh_from_db()
    assert milk.quantity == D("9")   # 10 − 3 sold + 2 back
    assert bread.quantity == D("8")  # the spoiled loaf came back and went out as a write-off
    assert StockMovement.objects.filter(product=bread, kind=MovementKind.WRITE_OFF).count() == 1
    assert audit_for(order).filter(action="order.return", actor=cashier).exists()
    assert list(stock_problems()) == []
    detail = cashier_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert returned.number in detail


def test_staff_return_never_more_than_is_left(cashier_client, shopper):
    milk = product_in_stock("10", price=D("450.00"))
    order = _wallet_order(shopper, (milk, "3"), status=OrderStatus.COMPLETED)
    line = order.lines.get()
    _return_post(cashier_client, order, [(line, "2", False)], "wallet")
    balance = wallet_for(shopper).balance
    page = _return_post(cashier_client, order, [(line, "2", False)], "wallet")
    assert page.status_code == 200
    assert "1" in page.context["form"].non_field_errors()[0]
    assert OrderReturn.objects.count() == 1 and wallet_for(shopper).balance == balance
    # Not a number, or a refund the order was not paid by: said next to the field, nothing done.
    page = _return_post(cashier_client, order, [(line, "abc", False)], "wallet")
    assert page.context["form"].errors[f"qty_{line.pk}"]
    page = _return_post(cashier_client, order, [(line, "1", False)], "cash")
    assert page.context["form"].errors["refund"]
    assert OrderReturn.objects.count() == 1


def test_a_cash_order_goes_back_in_cash(cashier_client, shopper):
    milk = product_in_stock("10", price=D("450.00"))
    order = _move(place(shopper, fill_cart(shopper, (milk, "2")), payment="cash"),
                  OrderStatus.COMPLETED)
    response = _return_post(cashier_client, order, [(order.lines.get(), "1", False)], "cash")
    assert response.status_code == 302
    assert OrderReturn.objects.get().refund == "cash"


def test_an_order_not_completed_is_not_returned(cashier_client, shopper):
    milk = product_in_stock("10")
    order = _wallet_order(shopper, (milk, "2"), status=OrderStatus.READY)
    response = cashier_client.get(reverse("orders:order_return", args=[order.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order_detail", args=[order.pk])
    assert Order.objects.get().status == OrderStatus.READY
