"""Product data in the shopper's language (issue 16.6): a name and description per language
(kk the store's own and required, ru and en optional), shown in the reader's language with the
Kazakh one as fallback, found by any of its names, sorted by the shown name."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalog.models import Product
from catalog.selectors import ShopFilters, shop_products

from .factories import CategoryFactory, ProductFactory, photo_for

pytestmark = pytest.mark.django_db


def _client(language, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _cheese(**kwargs):
    return ProductFactory(name="Ірімшік", name_ru="Сыр творожный", name_en="Curd cheese",
                          description="Қазақша сипаттама", description_ru="Описание по-русски",
                          **kwargs)


def test_display_name_follows_the_language_and_falls_back_to_the_store_language():
    cheese = _cheese()
    only_kk = ProductFactory(name="Құрт")
    for language, name, description in (("kk", "Ірімшік", "Қазақша сипаттама"),
                                         ("ru", "Сыр творожный", "Описание по-русски"),
                                         ("en", "Curd cheese", "Қазақша сипаттама")):
        with translation.override(language):
            assert cheese.display_name == name == str(cheese)
            assert cheese.display_description == description
            assert only_kk.display_name == "Құрт"


@pytest.mark.parametrize("language,shown,hidden", [
    ("kk", "Ірімшік", "Curd cheese"),
    ("ru", "Сыр творожный", "Ірімшік"),
    ("en", "Curd cheese", "Сыр творожный"),
])
def test_product_page_and_catalog_speak_the_readers_language(language, shown, hidden):
    cheese = _cheese()
    page = _client(language).get(cheese.get_absolute_url()).content.decode()
    assert f'<h1 class="product-title">{shown}</h1>' in page
    catalog = _client(language).get(reverse("catalog:product_list")).content.decode()
    assert shown in catalog and hidden not in catalog


def test_a_product_without_a_translation_shows_its_kazakh_name_to_everyone():
    product = ProductFactory(name="Шұбат", description="Түйе сүті")
    for language in ("ru", "en"):
        page = _client(language).get(product.get_absolute_url()).content.decode()
        assert '<h1 class="product-title">Шұбат</h1>' in page and "Түйе сүті" in page


@pytest.mark.parametrize("query", ["творожный", "ТВОРОЖ", "curd", "Cheese", "ірімшік", "ИРИМШИК"])
def test_search_finds_a_product_by_any_of_its_names(query):
    cheese = _cheese()
    ProductFactory(name="Нан", name_ru="Хлеб", name_en="Bread")
    found = list(shop_products(ShopFilters(q=query)))
    assert found == [cheese]


def test_shop_page_search_in_another_language_than_the_shown_one():
    cheese = _cheese()
    page = _client("kk").get(reverse("catalog:product_list"), {"q": "curd"}).content.decode()
    assert "Ірімшік" in page and cheese.get_absolute_url() in page


def test_sorting_by_name_follows_the_shown_language():
    ProductFactory(name="Алма", name_ru="Яблоки", name_en="Apples")
    ProductFactory(name="Сәбіз", name_ru="Морковь", name_en="Carrots")
    ProductFactory(name="Жүзім", name_ru="Виноград")  # no English name: sorted as "Жүзім"
    order = {}
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            order[language] = [p.display_name for p in shop_products(ShopFilters(sort="name"))]
    assert order["ru"] == ["Виноград", "Морковь", "Яблоки"]
    # The Kazakh fallback sorts among the English names by the store's collation (on SQLite,
    # Cyrillic before Latin; PostgreSQL's ICU kk-KZ decides there).
    assert [name for name in order["en"] if name.isascii()] == ["Apples", "Carrots"]
    assert set(order["en"]) == {"Apples", "Carrots", "Жүзім"}
    assert set(order["kk"]) == {"Алма", "Сәбіз", "Жүзім"}


def test_catalog_page_queries_do_not_grow_with_products_in_any_language():
    category = CategoryFactory()
    for n in range(3):
        photo_for(ProductFactory(category=category, name=f"Тауар {n}", name_ru=f"Товар {n}"))
    client = _client("ru")
    cache.clear()  # the whole page drawn, not served from the page cache
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("catalog:product_list"))
    for n in range(30):
        ProductFactory(category=category, name=f"Тағы {n}", name_ru=f"Ещё {n}", name_en=f"More {n}")
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("catalog:product_list")).content.decode()
    assert "Ещё 0" in page and "Тағы 0" not in page
    assert len(large) <= len(small), (len(small), len(large))


def test_seller_enters_a_name_per_language_and_the_kazakh_one_is_required(seller_client):
    category = CategoryFactory()
    data = {"name": "", "name_ru": "Сметана 20%", "name_en": "Sour cream 20%",
            "description_ru": "Жирная", "category": category.pk, "unit": "pcs", "price": "690",
            "cost_price": "540", "low_stock_threshold": "5", "sku": "SMT-20", "is_active": "on"}
    refused = seller_client.post(reverse("catalog:product_create"), data)
    assert refused.status_code == 400 and not Product.objects.exists()
    assert 'id="id_name_error"' in refused.content.decode()
    form = seller_client.get(reverse("catalog:product_create")).content.decode()
    assert 'lang="ru"' in form and 'name="name_en"' in form and 'name="description_en"' in form
    seller_client.post(reverse("catalog:product_create"), {**data, "name": "Қаймақ 20%"})
    product = Product.objects.get(sku="SMT-20")
    assert (product.name, product.name_ru, product.name_en) == ("Қаймақ 20%", "Сметана 20%",
                                                                  "Sour cream 20%")
    assert product.description_ru == "Жирная"
    edit = reverse("catalog:product_edit", args=[product.pk])
    assert 'value="Sour cream 20%"' in seller_client.get(edit).content.decode()
    seller_client.post(edit, {**data, "name": "Қаймақ 20%", "name_en": ""})
    product.refresh_from_db()
    assert product.name_en == "" and product.name_ru == "Сметана 20%"


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("language,expected", [("kk", "Ірімшік"), ("ru", "Сыр творожный"),
                                               ("en", "Curd cheese")])
def test_invoice_and_order_page_name_the_product_in_the_readers_language(shopper, language,
                                                                          expected):
    from orders.tests.factories import fund, product_in_stock
    from orders.tests.test_services import fill_cart, place

    cheese = product_in_stock(name="Ірімшік", name_ru="Сыр творожный", name_en="Curd cheese",
                              price=Decimal("900.00"))
    fund(shopper)
    order = place(shopper, fill_cart(shopper, (cheese, "1")))
    assert order.lines.get().product_name == "Ірімшік"  # the line keeps the name as sold
    client = _client(language, shopper)
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert expected in page
    response = client.get(reverse("analytics:order_invoice", args=[order.pk]))
    assert response.status_code == 200
    assert expected in _pdf_text(response.content)


# The price-list import and export: a column per language -------------------------------------


def _import(text: str, seller):
    from inventory import importers
    from inventory.services import products_import

    parsed = importers.parse_file(text.encode("utf-8"), "prices.csv")
    assert not parsed.errors, parsed.errors
    return products_import(rows=parsed.rows, by=seller, seller=seller, filename="prices.csv")


def test_import_reads_a_name_column_per_language(seller):
    CategoryFactory(name="Сүт")
    _import("sku,name,name_ru,name_en,category,price\n"
            'M-1,"Сүт 2,5%","Молоко 2,5%",Milk 2.5%,Сүт,520\n'
            "M-2,Айран,,,Сүт,480\n", seller)
    milk, ayran = Product.objects.order_by("sku")
    assert (milk.name, milk.name_ru, milk.name_en) == ("Сүт 2,5%", "Молоко 2,5%", "Milk 2.5%")
    assert (ayran.name, ayran.name_ru, ayran.name_en) == ("Айран", "", "")
    # Headers as a Russian price list writes them; an empty cell keeps the product's own name.
    _import("Артикул;Наименование;Наименование (англ.);Цена\n"
            "M-1;Сүт 2,5%;Milk 2.5% fat;530\n"
            "M-2;Айран;Ayran;480\n", seller)
    milk.refresh_from_db()
    ayran.refresh_from_db()
    assert (milk.name_ru, milk.name_en, milk.price) == ("Молоко 2,5%", "Milk 2.5% fat",
                                                        Decimal("530.00"))
    assert ayran.name_en == "Ayran"


def test_a_file_with_one_name_column_imports_into_the_store_language_as_before(seller):
    CategoryFactory(name="Нан")
    _import("sku,name,category,price\nB-1,Бородин наны,Нан,350\n", seller)
    bread = Product.objects.get(sku="B-1")
    assert (bread.name, bread.name_ru, bread.name_en) == ("Бородин наны", "", "")
    Product.objects.filter(pk=bread.pk).update(name_ru="Хлеб Бородинский")
    _import("sku,name,price\nB-1,Бородин наны,360\n", seller)
    bread.refresh_from_db()
    assert (bread.name_ru, bread.price) == ("Хлеб Бородинский", Decimal("360.00"))


def test_export_has_a_column_per_language_and_reads_back(seller):
    from inventory import importers

    product = _cheese(seller=seller)
    product.first_barcode = ""
    rows = importers.export_rows([product])
    assert rows[0][:2] == ["sku", "name"] and rows[0][-2:] == ["name_ru", "name_en"]
    assert rows[1][1] == "Ірімшік" and rows[1][-2:] == ["Сыр творожный", "Curd cheese"]
    stream = io.StringIO()
    importers.write_csv(rows, stream)
    parsed = importers.parse_file(stream.getvalue().encode("utf-8"), "export.csv")
    assert [(r.name, r.name_ru, r.name_en) for r in parsed.rows] == [
        ("Ірімшік", "Сыр творожный", "Curd cheese")]
