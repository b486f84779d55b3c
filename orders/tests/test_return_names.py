"""A return names what came back in the reader's language: the order page's returns, the staff
return form and the till's "return taken" page show the product's Russian or English name where
it has one, else the name as sold (the line keeps it)."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from orders.models import OrderReturn, OrderStatus

from .factories import product_in_stock
from .test_staff_orders import _return_post, _wallet_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, cashier):
    client.force_login(cashier)
    return client


def _text(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_returns_name_the_product_in_the_readers_language(staff_client, shopper):
    milk = product_in_stock("10", price=Decimal("450.00"))
    bread = product_in_stock("10", price=Decimal("200.00"))
    Product.objects.filter(pk=milk.pk).update(name="Сүт 1 л", name_ru="Молоко 1 л",
                                              name_en="Milk 1 l")
    Product.objects.filter(pk=bread.pk).update(name="Нан", name_ru="Хлеб", name_en="")
    order = _wallet_order(shopper, (milk, "3"), (bread, "2"), status=OrderStatus.COMPLETED)
    return_url = reverse("orders:order_return", args=[order.pk])
    form = _text(staff_client, return_url, "ru")
    assert "Молоко 1 л" in form and "Хлеб" in form and "Сүт 1 л" not in form
    lines = {line.product_id: line for line in order.lines.all()}
    _return_post(staff_client, order, [(lines[milk.pk], "1", False), (lines[bread.pk], "1", False)],
                 "wallet")
    returned = OrderReturn.objects.get()
    detail_url = reverse("orders:order_detail", args=[order.pk])
    ru = _text(staff_client, detail_url, "ru")
    returns = ru[ru.index(returned.number):]
    assert "Молоко 1 л ×" in returns and "Хлеб ×" in returns
    en = _text(staff_client, detail_url, "en")
    returns = en[en.index(returned.number):]
    assert "Milk 1 l ×" in returns and "Нан ×" in returns  # no English name: as sold
    kk = _text(staff_client, detail_url, "kk")
    assert "Сүт 1 л ×" in kk[kk.index(returned.number):]
    with CaptureQueriesContext(connection) as one:
        _text(staff_client, detail_url, "ru")
    _return_post(staff_client, order, [(lines[milk.pk], "1", False)], "wallet")
    with CaptureQueriesContext(connection) as two:
        _text(staff_client, detail_url, "ru")
    assert len(two) == len(one)  # the products come with the lines, not one query each


def test_a_refused_return_names_the_line_in_the_readers_language(staff_client, shopper):
    milk = product_in_stock("10", price=Decimal("450.00"))
    Product.objects.filter(pk=milk.pk).update(name="Сүт 1 л", name_ru="Молоко 1 л")
    order = _wallet_order(shopper, (milk, "3"), status=OrderStatus.COMPLETED)
    line = order.lines.get()
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"  # the POST's page in Russian
    response = _return_post(staff_client, order, [(line, "5", False)], "wallet")
    page = response.content.decode()
    assert response.status_code == 200 and not OrderReturn.objects.exists()
    assert "Молоко 1 л:" in page and "Сүт 1 л:" not in page
