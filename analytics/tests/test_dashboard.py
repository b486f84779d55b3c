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


REVERSED = "?from=2026-11-26&to=2026-10-01"


@pytest.mark.parametrize("page", ["analytics:dashboard", "analytics:reports"])
def test_reversed_range_is_refused_next_to_the_dates_and_the_default_is_labelled(
        admin_client, page):
    from django.utils import translation

    response = admin_client.get(reverse(page) + REVERSED, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    html = response.content.decode()
    period = response.context["period"]
    assert period.days == 30  # the default period is what the page shows
    with translation.override("ru"):
        error = translation.gettext("The last day cannot be before the first day.")
    assert error.startswith("Последний")
    # The error sits under the "to" field, which keeps what was typed (not the default dates,
    # which would make the message look wrong), and the picker stays on "custom range".
    to_field = html[html.index('id="an-to"'):html.index('id="an-to"') + 400]
    assert 'value="2026-10-01"' in to_field and error in to_field
    assert 'name="from" value="2026-11-26"' in html
    assert '<option value="custom" selected>' in html
    # The page says the figures are for the default period, with its dates.
    assert 'class="alert alert-warning an-fallback" role="alert"' in html
    alert = html[html.index('an-fallback" role="alert"'):]
    alert = alert[:alert.index("</p>")]
    assert period.first.strftime("%d.%m.%Y") in alert and period.last.strftime("%d.%m.%Y") in alert
    assert "an-fallback-tag" in html


def test_a_valid_period_shows_no_fallback_notice(admin_client):
    html = admin_client.get(URL + NOVEMBER).content.decode()
    assert "an-fallback" not in html
    assert 'name="from" value="2026-11-01"' in html and 'name="to" value="2026-11-10"' in html
    assert '<option value="custom" selected>' in html
    html = admin_client.get(URL + "?period=7d").content.decode()
    assert '<option value="7d" selected>' in html and "an-fallback" not in html


def test_seller_items_figure_does_not_pass_for_a_sum_of_units(shop, seller_client):
    from analytics.dashboard import FIGURE_HINTS, FIGURE_LABELS

    # Seller A in November: 3 + 1 pieces of ayran and 1.255 kg of beef. The database holds
    # 5.255 "units"; the figure counts 5 items (the weighed line once) and says so.
    response = seller_client.get(URL + NOVEMBER, HTTP_ACCEPT_LANGUAGE="en")
    card = next(c for c in response.context["cards"] if c["key"] == "items")
    assert card["value"] == "5"
    assert str(card["label"]) == str(FIGURE_LABELS["items"]) == "Items sold"
    assert str(card["hint"]) in response.content.decode()
    assert "kg" in str(FIGURE_HINTS["items"])
    assert "Units sold" not in response.content.decode()
