"""The till's return pages name the products in the cashier's language (the name as sold where
the product has none in it)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product
from orders.models import OrderReturn

from .test_returns_views import _post, cashier_client, sale, shift  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_till_return_pages_read_the_cashiers_language(cashier_client, sale):  # noqa: F811
    order, milk, bread = sale
    Product.objects.filter(pk=milk.pk).update(name_ru="Молоко")
    Product.objects.filter(pk=bread.pk).update(name_ru="")
    page = cashier_client.get(reverse("till:return_order", args=[order.pk]),
                              HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Молоко" in page
    milk_line = order.lines.get(product=milk)
    _post(cashier_client, order, [(milk_line, "1", False)], "cash")
    returned = OrderReturn.objects.get()
    done = cashier_client.get(reverse("till:return_done", args=[returned.pk]),
                              HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Молоко" in done and milk_line.product_name not in done
    assert returned.total == Decimal("450.00")
