"""The inventory pages and Django admin in the reader's language: a product is found by any of
its names (kk, ru, en) and shown, and listed, by the name in the page's language, else the
store's default name."""

import pytest
from django.urls import reverse

from inventory.services import stocktake_start

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_in_english(settings):
    """Not in English here: the store's own default (Kazakh), so ru and en read their columns."""
    settings.LANGUAGE_CODE = "kk"


@pytest.fixture
def goods(seller):
    return {
        "apple": ProductFactory(seller=seller, name="Алма", name_ru="Яблоко", name_en="Apple",
                                quantity=0),
        "wheat": ProductFactory(seller=seller, name="Бидай", name_ru="Пшеница", quantity=0),
        "grape": ProductFactory(seller=seller, name="Жүзім", name_ru="Виноград",
                                name_en="Grapes", quantity=0),
        "curd": ProductFactory(seller=seller, name="Ірімшік", quantity=0),  # no ru/en name
    }


def _get(client, name, language, **query):
    response = client.get(reverse(name), query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_product_options_find_a_russian_name_and_show_it(goods, seller_client):
    html = _get(seller_client, "inventory:product_search", "ru", product="Пшен")
    assert "Пшеница" in html and "Бидай" not in html
    html = _get(seller_client, "inventory:product_search", "en", product="grape")
    assert "Grapes" in html and "Жүзім" not in html


def test_product_options_are_in_the_readers_alphabetical_order(goods, seller_client):
    for product in goods.values():
        product.sku = f"AB-{product.pk}"
        product.save(update_fields=["sku"])
    html = _get(seller_client, "inventory:product_search", "ru", product="AB-")
    assert html.index("Виноград") < html.index("Пшеница") < html.index("Яблоко")


def test_low_stock_finds_and_lists_by_the_readers_name(goods, seller_client):
    html = _get(seller_client, "inventory:low_stock", "ru", q="Яблок")
    assert "Яблоко" in html and "Алма" not in html and "Пшеница" not in html
    html = _get(seller_client, "inventory:low_stock", "ru")
    assert html.index("Виноград") < html.index("Пшеница") < html.index("Яблоко")
    html = _get(seller_client, "inventory:low_stock", "en")  # the default name where none
    assert html.index("Apple") < html.index("Grapes") and "Ірімшік" in html


def test_low_stock_lists_kazakh_names_in_the_store_alphabet(goods, seller_client):
    from bibarys.tests.test_kazakh_order import _database_sorts_in_kazakh

    _database_sorts_in_kazakh()
    html = _get(seller_client, "inventory:low_stock", "kk")  # Ж before І (not by code point)
    assert html.index("Алма") < html.index("Бидай") < html.index("Жүзім") < html.index("Ірімшік")


def test_stocktake_lines_find_and_list_by_the_readers_name(goods, seller, seller_client):
    stocktake = stocktake_start(by=seller)
    url = reverse("inventory:stocktake_detail", args=[stocktake.pk])
    html = seller_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert html.index("Виноград") < html.index("Пшеница") < html.index("Яблоко")
    html = seller_client.get(url, {"q": "Пшени"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Пшеница" in html and "Яблоко" not in html


def test_admin_product_search_finds_russian_and_english_names(goods, client):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))
    url = reverse("admin:catalog_product_changelist")
    for q in ("Пшеница", "Grapes"):
        response = client.get(url, {"q": q})
        assert response.status_code == 200
        html = response.content.decode()
        found = "Бидай" if q == "Пшеница" else "Жүзім"
        assert found in html and "Алма" not in html, q


def test_stock_messages_name_the_product_in_the_readers_language(goods):
    from decimal import Decimal

    from django.core.exceptions import ValidationError
    from django.utils import translation

    from inventory.services.documents import check_quantity
    from inventory.services.ledger import Shortage

    shortage = Shortage(product=goods["apple"], requested=Decimal("3"), available=Decimal("1"))
    with translation.override("ru"):
        assert str(shortage).startswith("Яблоко:")
        with pytest.raises(ValidationError) as error:
            check_quantity(goods["wheat"], Decimal("0.5"))
        assert "Пшеница" in " ".join(error.value.messages)
    with translation.override("en"):
        assert str(Shortage(product=goods["curd"], requested=Decimal("3"),
                            available=Decimal("1"))).startswith("Ірімшік:")
    with translation.override("kk"):
        assert str(shortage).startswith("Алма:")


def test_the_count_sheet_lists_the_readers_names_in_their_order(goods, seller, seller_client):
    import io

    from pypdf import PdfReader

    stocktake = stocktake_start(by=seller)
    response = seller_client.get(reverse("inventory:stocktake_sheet", args=[stocktake.pk]),
                                 HTTP_ACCEPT_LANGUAGE="ru")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Алма" not in text and "Ірімшік" in text  # no Russian name: the default one
    assert text.index("Виноград") < text.index("Пшеница") < text.index("Яблоко")


def test_a_refused_bulk_price_change_names_the_product_in_the_readers_language(admin_user):
    from decimal import Decimal

    from django.core.exceptions import ValidationError
    from django.utils import translation

    from catalog import services
    from catalog.models import Product

    huge = ProductFactory(name="Алтын", name_ru="Золото", price=Decimal("9999999999.00"))
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        services.products_bulk_change_price(products=Product.objects.filter(pk=huge.pk),
                                            by=admin_user, percent=Decimal("1000"))
    assert "Золото" in " ".join(error.value.messages)
    assert Product.objects.get(pk=huge.pk).price == Decimal("9999999999.00")
