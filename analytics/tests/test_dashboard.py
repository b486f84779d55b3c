"""The dashboard page: who sees what, the period picker, htmx partial, query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import D
from .factories import ProductFactory, local_time, make_order

pytestmark = pytest.mark.django_db

URL = reverse("analytics:dashboard")
NOVEMBER = "?period=custom&from=2026-11-01&to=2026-11-10"


def test_shopper_is_refused(shopper_client):
    assert shopper_client.get(URL).status_code == 403


def test_admin_sees_store_figures(shop, admin_client):
    response = admin_client.get(URL + NOVEMBER)
    assert response.status_code == 200
    html = response.content.decode()
    assert "9\xa0302,45\xa0₸" in html          # revenue (kk is the default language)
    assert "2\xa0686,26\xa0₸" in html          # profit
    assert "Сүзбе" in html and "Сиыр еті" in html
    assert '<svg class="chart' in html


def test_seller_sees_only_own_products(shop, seller_client):
    html = seller_client.get(URL + NOVEMBER).content.decode()
    assert "5\xa0702,45\xa0₸" in html
    assert "9\xa0302,45" not in html
    assert "Сүзбе" not in html  # seller B's product


def test_other_seller_sees_their_own(shop, other_seller):
    from django.test import Client

    client = Client()
    client.force_login(other_seller)
    html = client.get(URL + NOVEMBER).content.decode()
    assert "3\xa0600,00\xa0₸" in html
    assert "Айран" not in html and "Сиыр еті" not in html


def test_htmx_gets_the_dashboard_fragment(shop, admin_client):
    response = admin_client.get(URL + NOVEMBER, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard"')
    assert "<html" not in html
    restore = admin_client.get(URL, headers={"HX-Request": "true",
                                             "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


@pytest.mark.parametrize("query", ["?period=custom&from=2026-13-01&to=2026-11-10",
                                   "?from=2026-11-10&to=2026-11-01", "?from=nonsense",
                                   "?period=custom", "?from=9999-12-31&to=9999-12-31",
                                   "?period=weird&group=hour"])
def test_bad_periods_show_a_message_not_a_500(admin_client, query):
    response = admin_client.get(URL + query)
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_presets_and_default(admin_client):
    assert admin_client.get(URL).context["period"].days == 30
    assert admin_client.get(URL + "?period=7d").context["period"].days == 7
    assert admin_client.get(URL + "?period=today").context["period"].days == 1


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["admin", "seller"])
def test_dashboard_query_count_is_fixed(shop, admin_client, seller_client, who):
    client = admin_client if who == "admin" else seller_client
    small = _count(client, URL + NOVEMBER)
    for n in range(25):
        product = ProductFactory(seller=shop["seller_a"], name=f"Bulk {n}", quantity=0)
        make_order(at=local_time(D(2026, 11, 1 + n % 10)),
                   lines=[(product, "3", "100", "60"), (shop["b_milk"], "1", "1200", "900")])
    assert _count(client, URL + NOVEMBER) == small
