"""The shop's search, filters and sorting, and the back-office list."""

from decimal import Decimal

import pytest

from catalog import selectors
from catalog.selectors import ManageFilters, ShopFilters

from .factories import CategoryFactory, ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _names(queryset):
    return [p.name for p in queryset]


def test_search_by_name_sku_and_barcode():
    from catalog.models import ProductBarcode

    milk = ProductFactory(name="Сүт 3,2% / Молоко", sku="MILK-032")
    bread = ProductFactory(name="Нан / Хлеб", sku="BRD-1")
    ProductBarcode.objects.create(product=bread, code="4870000000014")
    assert _names(selectors.shop_products(ShopFilters(q="молоко"))) == [milk.name]
    assert _names(selectors.shop_products(ShopFilters(q="milk-032"))) == [milk.name]
    assert _names(selectors.shop_products(ShopFilters(q="4870000000014"))) == [bread.name]


def test_search_finds_kazakh_typed_on_a_russian_keyboard():
    """"кымыз" for "Қымыз", a Latin i for "і", "мед" for "Мёд": how people type here."""
    kumys = ProductFactory(name="Қымыз 0,5 л / Кумыс")
    cheese = ProductFactory(name="Ірімшік «Қазақша»")
    honey = ProductFactory(name="Бал / Мёд")
    ProductFactory(name="Айран")

    def found(q):
        return _names(selectors.shop_products(ShopFilters(q=q)))

    assert found("кымыз") == found("ҚЫМЫЗ") == [kumys.name]
    assert found("ірімшiк") == found("иримшик") == [cheese.name]
    assert found("мед") == [honey.name]
    assert found("казакша") == [cheese.name]


def test_shoppers_see_only_active_products():
    ProductFactory(name="A")
    ProductFactory(name="B", is_active=False)
    assert _names(selectors.shop_products(ShopFilters())) == ["A"]


def test_category_filter_includes_children_and_price_and_stock_filters():
    dairy = CategoryFactory(name="Dairy")
    cheese = CategoryFactory(name="Cheese", parent=dairy)
    other = CategoryFactory(name="Other")
    a = ProductFactory(name="Milk", category=dairy, price=Decimal("400"))
    b = ProductFactory(name="Brynza", category=cheese, price=Decimal("2500"))
    ProductFactory(name="Soap", category=other, price=Decimal("300"))
    assert _names(selectors.shop_products(ShopFilters(category=dairy))) == ["Brynza", "Milk"]
    assert _names(selectors.shop_products(ShopFilters(category=cheese))) == ["Brynza"]
    assert _names(selectors.shop_products(ShopFilters(price_min=Decimal("350"),
                                                      price_max=Decimal("1000")))) == ["Milk"]
    from inventory.tests.factories import stock_up

    stock_up(b, "2")
    assert _names(selectors.shop_products(ShopFilters(in_stock=True))) == ["Brynza"]
    assert a.pk


def test_sorts_and_ratings_computed_by_the_database():
    cheap = ProductFactory(name="B cheap", price=Decimal("100"))
    dear = ProductFactory(name="A dear", price=Decimal("900"))
    ReviewFactory(product=cheap, rating=2)
    ReviewFactory(product=dear, rating=5)
    ReviewFactory(product=dear, rating=4)
    ReviewFactory(product=dear, rating=1, is_hidden=True)  # hidden: not counted
    rows = list(selectors.shop_products(ShopFilters(sort="rating")))
    assert [p.name for p in rows] == ["A dear", "B cheap"]
    assert rows[0].rating_count == 2 and float(rows[0].rating_avg) == 4.5
    assert _names(selectors.shop_products(ShopFilters(sort="price"))) == ["B cheap", "A dear"]
    assert _names(selectors.shop_products(ShopFilters(sort="-price"))) == ["A dear", "B cheap"]
    assert _names(selectors.shop_products(ShopFilters(sort="newest"))) == ["A dear", "B cheap"]
    assert _names(selectors.shop_products(ShopFilters(sort="nonsense"))) == ["A dear", "B cheap"]


def test_a_barcode_search_does_not_duplicate_or_multiply_ratings():
    from catalog.models import ProductBarcode

    product = ProductFactory(name="Kefir")
    ProductBarcode.objects.create(product=product, code="4870000000014")
    ProductBarcode.objects.create(product=product, code="4870000000021")
    ReviewFactory(product=product, rating=4)
    rows = list(selectors.shop_products(ShopFilters(q="Kefir")))
    assert len(rows) == 1 and rows[0].rating_count == 1


def test_archived_product_page_is_for_its_seller_and_admins_only(seller, other_seller, admin_user,
                                                                 shopper):
    product = ProductFactory(seller=seller, is_active=False)
    assert selectors.product_for_page(slug=product.slug, user=seller) == product
    assert selectors.product_for_page(slug=product.slug, user=admin_user) == product
    assert selectors.product_for_page(slug=product.slug, user=other_seller) is None
    assert selectors.product_for_page(slug=product.slug, user=shopper) is None


def test_manage_products_scopes_a_seller_to_their_own(seller, other_seller, admin_user):
    mine = ProductFactory(seller=seller, name="Mine")
    ProductFactory(seller=other_seller, name="Theirs")
    assert _names(selectors.manage_products(seller, ManageFilters())) == [mine.name]
    assert len(selectors.manage_products(admin_user, ManageFilters())) == 2
    assert _names(selectors.manage_products(seller, ManageFilters(stock="low"))) == ["Mine"]
    assert _names(selectors.manage_products(seller, ManageFilters(status="archived"))) == []


def test_catalog_version_bumps_when_a_product_changes(seller, django_capture_on_commit_callbacks):
    from catalog import services

    product = ProductFactory(seller=seller)
    before = selectors.catalog_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.product_archive(product=product, by=seller)
        during = selectors.catalog_version()
    # Moved at once (later reads in the transaction see it) and again at commit.
    assert during > before and callbacks
    assert selectors.catalog_version() > during
