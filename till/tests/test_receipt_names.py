"""The till's receipts name the products in the reader's language: the product's Russian or
English name where it has one, else the name as sold; the Kazakh receipt the name as sold."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product

from .test_receipts import (_store, apples, client_for, give_back, milk, pdf_text,  # noqa: F401
                            sell, shift, till)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, milk_name, apple_name", [
    ("ru", "Молоко 3,2%", "Яблоки Апорт"), ("en", "Milk 3.2%", "Алма Апорт"),
    ("kk", "Сүт 3,2%", "Алма Апорт")])
def test_receipts_name_the_products_in_the_readers_language(
        shift, cashier, milk, apples, language, milk_name, apple_name):  # noqa: F811
    Product.objects.filter(pk=milk.pk).update(name_ru="Молоко 3,2%", name_en="Milk 3.2%")
    Product.objects.filter(pk=apples.pk).update(name_ru="Яблоки Апорт")
    order = sell(shift, cashier, [(milk, "2"), (apples, "0.5")], [("cash", "1349.50")],
                 "1349.50", tendered="2000")
    client = client_for(cashier)
    page = client.get(reverse("till:receipt", args=[order.pk]),
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert milk_name in page and apple_name in page
    text = pdf_text(client.get(reverse("till:receipt_pdf", args=[order.pk]),
                               HTTP_ACCEPT_LANGUAGE=language).content)
    assert milk_name in text and apple_name in text
    returned = give_back(shift, cashier, order, milk, "1")
    page = client.get(reverse("till:return_receipt", args=[returned.pk]),
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert milk_name in page
    assert Decimal(returned.total) == Decimal("450.00")
