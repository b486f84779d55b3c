"""The stocktake count sheet (PDF) carries the variance at cost of each counted line and the
total, and they are the figures the stocktake page shows."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.services import stocktake_count, stocktake_start

from .factories import ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _pdf_text(response) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _count(stocktake, seller, product, counted):
    line = stocktake.lines.get(product=product)
    return stocktake_count(stocktake=stocktake, by=seller, line=line, counted=D(counted))


def test_count_sheet_prints_the_variance_at_cost_the_page_shows(seller, seller_client):
    # Half a tiyn on each of two lines: each line is rounded to the tiyn (+0.01 ₸), and the total
    # is what the lines add up to (+0.02 ₸), on the page and on paper alike.
    apples = ProductFactory(seller=seller, name="Алма", unit="kg", cost_price=D("1.00"),
                            quantity=D("1.000"))
    pears = ProductFactory(seller=seller, name="Алмұрт", unit="kg", cost_price=D("1.00"),
                           quantity=D("1.000"))
    kefir = ProductFactory(seller=seller, name="Айран", cost_price=D("250.50"), quantity=D(10))
    ProductFactory(seller=seller, name="Бал", cost_price=D("900.00"), quantity=D(2))  # uncounted
    stocktake = stocktake_start(by=seller)
    _count(stocktake, seller, apples, "1.005")
    _count(stocktake, seller, pears, "1.005")
    _count(stocktake, seller, kefir, "7")

    page = seller_client.get(reverse("inventory:stocktake_detail", args=[stocktake.pk]))
    html = page.content.decode()
    shown = re.search(r'Variance at cost</div><div class="stat-value[^"]*">([^<]+)<', html)[1]
    assert shown == "-₸751.48"  # 0.01 + 0.01 − 751.50

    text = _pdf_text(seller_client.get(reverse("inventory:stocktake_sheet",
                                               args=[stocktake.pk])))
    assert "Variance at cost" in text
    assert text.count("+₸0.01") == 2
    assert "-₸751.50" in text
    assert text.rstrip().count(shown) == 1
    # The total line of the sheet is the page's figure, after the last product.
    assert text.index(shown) > text.index("Бал")


def test_stocktake_page_shows_each_lines_variance_at_cost(seller, seller_client):
    kefir = ProductFactory(seller=seller, name="Айран", cost_price=D("250.50"), quantity=D(10))
    stocktake = stocktake_start(by=seller)
    line = _count(stocktake, seller, kefir, "12")
    assert line.variance_value == D("501.00")
    html = seller_client.get(reverse("inventory:stocktake_detail", args=[stocktake.pk])
                             ).content.decode()
    assert 'class="count-value muted small" title="Variance at cost">+₸501.00<' in html


def test_a_bad_count_says_why_under_the_field_it_belongs_to(seller, seller_client):
    kefir = ProductFactory(seller=seller, name="Айран")
    stocktake = stocktake_start(by=seller)
    line = stocktake.lines.get()
    response = seller_client.post(
        reverse("inventory:stocktake_count", args=[stocktake.pk, line.pk]), {"counted": "1,5"},
        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'aria-describedby="count-{line.pk}-error"' in html
    assert f'<div class="field-error" id="count-{line.pk}-error" role="alert">Айран is sold by the piece' \
        in html
    assert kefir


@pytest.mark.parametrize("typed", ["1e30", "9" * 40, "-1e30"])
def test_a_count_too_large_to_hold_is_an_error_not_a_crash(typed, seller, seller_client):
    ProductFactory(seller=seller)
    stocktake = stocktake_start(by=seller)
    line = stocktake.lines.get()
    response = seller_client.post(
        reverse("inventory:stocktake_count", args=[stocktake.pk, line.pk]), {"counted": typed},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    line.refresh_from_db()
    assert line.counted is None
