"""Names in Kazakh alphabetical order on the embedded SQLite database too (bibarys/sqlite.py):
SQLite compared by code point, so "Ірімшік" (І is U+0406) came before "Авокадо", every capital
before every small letter, and Қ Ө Ұ Ү after Я."""

import random

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bibarys.sqlite import kazakh_key
from catalog.tests.factories import CategoryFactory, ProductFactory

# The store's order: А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І
# Ь Э Ю Я, small and capital letters together, then Latin.
KAZAKH_ORDER = [
    "Авокадо", "айран", "Әтір", "Бал", "Гречка", "Ғажайып торт", "Ет", "Йогурт", "Кефир",
    "Қымыз", "Нан", "Орамжапырақ", "Өрік", "Таңқурай", "Тары", "Тауық", "Уыз", "Ұн",
    "Үйрек еті", "Хурма", "Һиндібай", "Цукат", "Ыстық шоколад", "Ірімшік", "Эклер", "Ячмень",
    "Coca-Cola", "pepsi",
]


def _shuffled(names):
    names = list(names)
    random.Random(16).shuffle(names)
    return names


def _in_order_of(html: str, names) -> list[str]:
    return sorted(names, key=lambda name: html.index(f">{name}<") if f">{name}<" in html
                  else html.index(name))


def test_the_sort_key_gives_the_kazakh_alphabet():
    assert sorted(_shuffled(KAZAKH_ORDER), key=kazakh_key) == KAZAKH_ORDER
    assert sorted(["Бал", "бал"], key=kazakh_key) == ["бал", "Бал"]  # one letter, small first
    assert kazakh_key("Бал") != kazakh_key("бал")  # never equal unless the same text


def _database_sorts_in_kazakh() -> None:
    """SQLite gets the collation from bibarys/sqlite.py; PostgreSQL sorts by the database's own
    collation, ICU kk-KZ as docs/deploy.md makes it (CI clones the test database from such a
    template: DATABASE_TEST_TEMPLATE). Anything else cannot be tested here: a skip locally, a
    failure in CI."""
    if connection.vendor == "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'Ірімшік' > 'Нан' AND 'Қара' > 'Бал'")
        if not cursor.fetchone()[0]:
            from tests.support import missing_service

            missing_service("the PostgreSQL test database does not sort in Kazakh order: set "
                            "DATABASE_TEST_TEMPLATE to a database with the ICU kk-KZ collation")


@pytest.mark.django_db
def test_the_collation_is_on_the_connection():
    _database_sorts_in_kazakh()
    if connection.vendor != "sqlite":
        return  # the database's own collation: the tests below read its order
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'Ірімшік' < 'Авокадо' COLLATE \"kk\", 'Ірімшік' = 'ірімшік' COLLATE \"kk\"")
        assert cursor.fetchone() == (0, 0)


@pytest.mark.django_db
def test_the_catalog_and_the_product_list_sort_names_in_kazakh_order(client, admin_client,
                                                                     seller):
    _database_sorts_in_kazakh()
    category = CategoryFactory(name="Азық-түлік")
    for name in _shuffled(KAZAKH_ORDER[:24]):  # one page of the shop
        ProductFactory(name=name, category=category, seller=seller)
    shop = client.get(reverse("catalog:product_list"), {"sort": "name"})
    assert [p.name for p in shop.context["products"]] == KAZAKH_ORDER[:24]
    html = shop.content.decode()
    assert html.index("Авокадо") < html.index("Ірімшік")
    manage = admin_client.get(reverse("catalog:manage_list"))
    assert [p.name for p in manage.context["products"]] == KAZAKH_ORDER[:24]
    from accounts.models import User
    from analytics.selectors import stock_products

    owner = User.objects.get(username=manage.wsgi_request.user.username)
    # The stock report (PDF, Excel) lists the products by category and name.
    assert [p.name for p in stock_products(owner)] == KAZAKH_ORDER[:24]


@pytest.mark.django_db
def test_categories_and_users_sort_in_kazakh_order(admin_client):
    _database_sorts_in_kazakh()
    names = KAZAKH_ORDER[:20]
    for n, name in enumerate(_shuffled(names)):
        CategoryFactory(name=name, slug=f"kk-{n}")
    page = admin_client.get(reverse("catalog:category_list"))
    assert [c.name for c in page.context["categories"]] == names
    assert _in_order_of(page.content.decode(), names) == names
    shop = admin_client.get(reverse("catalog:product_list"))
    assert [c.name for c in shop.context["categories"]] == names  # the shop's category menu
    logins = ["Әлия", "асхат", "Бақыт", "Ұлжан", "Іңкәр", "Ғалым", "Қанат", "Өмір", "Үміт",
              "Һаким", "Ерлан", "zarina"]
    expected = ["асхат", "Әлия", "Бақыт", "Ғалым", "Ерлан", "Қанат", "Өмір", "Ұлжан", "Үміт",
                "Һаким", "Іңкәр", "zarina"]
    for login in _shuffled(logins):
        UserFactory(username=login)
    users = admin_client.get(reverse("accounts:user_list"))
    listed = [u.username for u in users.context["page_obj"].object_list if u.username in logins]
    assert listed == expected
