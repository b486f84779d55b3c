"""Product names in the reader's language on the dashboards and in the reports: the product's
name in Russian or English where it has one, else the store's (Kazakh) name; the board's ties
are broken by the name the reader sees; the number of queries does not depend on the language."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from analytics import selectors
from analytics.models import BoardSnapshot
from analytics.periods import Period
from catalog.models import Product

from .conftest import D
from .factories import ProductFactory, local_time, make_order
from .test_board import _periods, _random_order, at, many_goods, now_is  # noqa: F401
from .test_reports import NOVEMBER, flat, pdf_text, url, xlsx
from .test_rollup import _board_matches_selectors

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("analytics:dashboard")

NAMES = {  # kk (as in conftest.shop) -> ru, en; "" = none in that language
    "a_milk": ("Айран «Кымыз» 1 л", "Ayran Kymyz 1 l"),
    "a_meat": ("Говядина", ""),
    "b_milk": ("Творог", "Cottage cheese"),
}


@pytest.fixture
def named(shop):
    for key, (ru, en) in NAMES.items():
        Product.objects.filter(pk=shop[key].pk).update(name_ru=ru, name_en=en)
    return shop


def _names(rows):
    return [row["name"] for row in rows]


def test_board_and_panels_read_the_readers_language(named, admin_user, november):
    with translation.override("ru"):
        board = selectors.product_board(admin_user, november)
        assert _names(board["revenue"]) == ["Говядина", "Творог", "Айран «Кымыз» 1 л"]
        assert _names(selectors.sales_by_product(admin_user, november)) == _names(
            board["revenue"])
        _board_matches_selectors(admin_user, november)
    with translation.override("en"):  # the beef has no English name: its Kazakh one
        board = selectors.product_board(admin_user, november)
        assert _names(board["revenue"]) == ["Сиыр еті", "Cottage cheese", "Ayran Kymyz 1 l"]
    with translation.override("kk"):
        board = selectors.product_board(admin_user, november)
        assert _names(board["revenue"]) == ["Сиыр еті", "Сүзбе", "Айран «Қымыз» 1 л"]


def test_board_ties_follow_the_name_the_reader_sees(seller, shopper, admin_user):
    """Sold alike, the products are listed by name: by the Russian one in Russian."""
    products = [ProductFactory(seller=seller, name=kk, name_ru=ru, unit="pcs",
                               price=Decimal("100.00"), cost_price=Decimal("50.00"))
                for kk, ru in (("Алма", "Яблоко"), ("Бидай", "Пшеница"), ("Жүзім", "Виноград"))]
    make_order(user=shopper, at=local_time(D(2026, 11, 3)),
               lines=[(p, "2", "100", "50") for p in products])
    period = Period(D(2026, 11, 1), D(2026, 11, 10))
    with translation.override("ru"):
        board = selectors.product_board(admin_user, period)
        assert _names(board["quantity"]) == ["Виноград", "Пшеница", "Яблоко"]
        _board_matches_selectors(admin_user, period)
    with translation.override("kk"):
        assert _names(selectors.product_board(admin_user, period)["quantity"]) == [
            "Алма", "Бидай", "Жүзім"]


def test_snapshot_board_in_russian_equals_the_rollup(many_goods, shopper, admin_user,  # noqa: F811
                                                     seller, monkeypatch):
    import random

    for n, product in enumerate(many_goods):  # Russian names in another order than the Kazakh
        Product.objects.filter(pk=product.pk).update(name_ru=f"Товар {15 - n:02d}")
    rng = random.Random(9)
    today = D(2026, 11, 20)
    for offset in range(8, -1, -1):
        now_is(monkeypatch, at(today - datetime.timedelta(days=offset)))
        _random_order(rng, shopper, many_goods)
        _random_order(rng, shopper, many_goods)
    now_is(monkeypatch, at(today, datetime.time(18, 0)))
    with translation.override("ru"):
        for period in _periods(today):
            for viewer in (admin_user, seller):
                _board_matches_selectors(viewer, period)
    assert BoardSnapshot.objects.exists()


def _count(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_board_queries_are_the_same_in_every_language(named, admin_user, seller, november):
    for viewer in (admin_user, seller):  # build the snapshots first
        selectors.product_board(viewer, november)
    counts = {}
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            counts[language] = [
                _count(lambda viewer=viewer: selectors.product_board(viewer, november))
                for viewer in (admin_user, seller)]
    assert counts["ru"] == counts["en"] == counts["kk"]


def test_dashboard_top_products_in_russian(named, admin_client):
    ru = admin_client.get(DASHBOARD + NOVEMBER, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Говядина" in ru and "Творог" in ru
    assert "Сиыр еті" not in ru and "Сүзбе" not in ru
    kk = admin_client.get(DASHBOARD + NOVEMBER, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Сиыр еті" in kk and "Говядина" not in kk


def test_dashboard_query_count_does_not_depend_on_the_language(named, admin_client):
    def page(language):
        return lambda: admin_client.get(DASHBOARD + NOVEMBER, HTTP_ACCEPT_LANGUAGE=language)

    page("kk")()  # warm: snapshots, caches
    assert _count(page("ru")) == _count(page("kk")) == _count(page("en"))


@pytest.mark.parametrize("language, beef, cheese", [("ru", "Говядина", "Творог"),
                                                    ("en", "Сиыр еті", "Cottage cheese")])
def test_sales_pdf_and_xlsx_name_products_in_the_readers_language(named, admin_client,
                                                                  language, beef, cheese):
    response = admin_client.get(url("sales", "pdf") + NOVEMBER, HTTP_ACCEPT_LANGUAGE=language)
    text = flat(pdf_text(response.content))
    assert beef in text and cheese in text and "Сүзбе" not in text
    response = admin_client.get(url("sales", "xlsx") + NOVEMBER, HTTP_ACCEPT_LANGUAGE=language)
    names = [r[0] for r in xlsx(response.content).worksheets[3].iter_rows(min_row=2,
                                                                           values_only=True)]
    assert beef in names and cheese in names and "Сүзбе" not in names


@pytest.mark.parametrize("language, cheese, milk", [
    ("ru", "Творог", "Айран «Кымыз» 1 л"), ("en", "Cottage cheese", "Ayran Kymyz 1 l")])
def test_stock_pdf_and_xlsx_in_the_readers_language_and_order(named, admin_client, language,
                                                              cheese, milk):
    response = admin_client.get(url("stock", "xlsx"), HTTP_ACCEPT_LANGUAGE=language)
    rows = list(xlsx(response.content).worksheets[1].iter_rows(min_row=2, values_only=True))
    milk_rows = [r[0] for r in rows if r[2] == "Сүт өнімдері"]
    assert milk_rows == sorted([cheese, milk])  # by the name the reader sees
    text = flat(pdf_text(admin_client.get(url("stock", "pdf"),
                                          HTTP_ACCEPT_LANGUAGE=language).content))
    assert cheese in text and milk in text and "Сүзбе" not in text


def test_receipts_and_writeoffs_reports_in_russian(named, admin_client):
    from inventory import services
    from inventory.models import WriteOffReason

    seller = named["seller_a"]
    receipt = services.receipt_create(by=seller, supplier="ТОО «Әлем»", date=D(2026, 11, 4))
    services.receipt_line_set(receipt=receipt, by=seller, product=named["a_meat"],
                              quantity=Decimal("10"), unit_cost=Decimal("2000.00"))
    services.receipt_post(receipt=receipt, by=seller)
    writeoff = services.writeoff_create(by=seller, date=D(2026, 11, 6))
    services.writeoff_line_set(writeoff=writeoff, by=seller, product=named["a_meat"],
                               quantity=Decimal("1"), reason=WriteOffReason.EXPIRED)
    services.writeoff_post(writeoff=writeoff, by=seller)
    for name in ("receipts", "writeoffs"):
        book = xlsx(admin_client.get(url(name, "xlsx") + NOVEMBER,
                                     HTTP_ACCEPT_LANGUAGE="ru").content)
        products = [r[2] for r in book.worksheets[-1].iter_rows(min_row=2, values_only=True)]
        assert products == ["Говядина"], name
        text = flat(pdf_text(admin_client.get(url(name, "pdf") + NOVEMBER,
                                              HTTP_ACCEPT_LANGUAGE="ru").content))
        assert "Говядина" in text and "Сиыр еті" not in text, name
