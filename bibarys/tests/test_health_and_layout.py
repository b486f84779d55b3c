from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from bibarys.money import format_money, format_quantity

pytestmark = pytest.mark.django_db


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(client):
    with mock.patch("bibarys.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


@pytest.mark.parametrize(
    "lang, words",
    [
        ("kk", ["Кіру", "Каталог", "Себет"]),
        ("ru", ["Войти", "Каталог", "Корзина"]),
        ("en", ["Log in", "Catalog", "Cart"]),
    ],
)
def test_front_page_speaks_each_language(client, lang, words):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=lang)
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html


def test_kazakh_is_the_default_language(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="kk">' in html


def test_language_switch_is_a_post_that_sets_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ru"
    assert '<html lang="ru">' in client.get("/").content.decode()


def test_pages_carry_the_csrf_header_for_htmx_and_a_csp(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert "hx-headers='{\"x-csrftoken\":" in html
    assert "htmx-2.0.11.min.js" in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "unsafe-inline" not in csp


def test_staff_menu_follows_the_role(shopper_client, admin_client):
    assert "staff-nav" not in shopper_client.get("/").content.decode()


@pytest.mark.parametrize(
    "lang, expected",
    [("kk", "1\xa0234,50\xa0₸"), ("ru", "1\xa0234,50\xa0₸"), ("en", "₸1,234.50")],
)
def test_money_format_follows_the_language(lang, expected):
    assert format_money("1234.5", lang) == expected


def test_quantity_format_follows_the_unit():
    assert format_quantity("3.000", "pcs", "en", with_unit=False) == "3"
    assert format_quantity("1.250", "kg", "ru", with_unit=False) == "1,25"
    assert format_quantity("2.000", "l", "en", with_unit=False) == "2"
