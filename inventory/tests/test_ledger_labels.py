"""The movement history reads in the reader's language, whatever language the poster used."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from inventory import services
from inventory.models import WriteOffReason
from inventory.tests.factories import ProductFactory, stock_up

pytestmark = pytest.mark.django_db


def test_movement_history_names_documents_and_reasons_in_the_readers_language(seller,
                                                                              seller_client):
    product = ProductFactory(seller=seller)
    stock_up(product, "10", by=seller)
    with translation.override("en"):  # the seller posts with an English page open
        writeoff = services.writeoff_create(by=seller, date=datetime.date(2026, 11, 20))
        services.writeoff_line_set(writeoff=writeoff, by=seller, product=product,
                                   quantity=Decimal("2"), reason=WriteOffReason.SPOILED,
                                   comment="мятая упаковка")
        services.writeoff_post(writeoff=writeoff, by=seller)

    url = reverse("inventory:product_movements", kwargs={"pk": product.pk})
    page = seller_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    with translation.override("ru"):
        spoiled = str(WriteOffReason.SPOILED.label)
    assert f"Списание №{writeoff.pk:05d}" in page
    assert f"{spoiled}: мятая упаковка" in page
    assert "Spoiled" not in page and f"writeoff:{writeoff.pk}" not in page
