"""The SVG charts: scalable, escaped, labelled with the language's money."""

import datetime
from decimal import Decimal

from django.utils import translation

from analytics import charts
from analytics.selectors import Point


def test_axis_tops_are_round_numbers():
    assert charts.nice_ceiling(45000) == 60000     # steps of 15 000
    assert charts.nice_ceiling(9302.45) == 10000   # steps of 2 500
    assert charts.nice_ceiling(0) == 4
    assert charts.axis_label(15000) == "15k"
    assert charts.axis_label(2_500_000) in ("2,5M", "2.5M")


def test_sales_chart_scales_and_escapes():
    points = [Point(datetime.date(2026, 11, d), Decimal("1000.50") * d, Decimal("600"), d)
              for d in range(1, 4)]
    with translation.override("ru"):
        svg = charts.sales_chart(points, granularity="day", title="<Продажи>",
                                 revenue_label="Выручка", profit_label="Прибыль")
    assert 'viewBox="0 0 360 220"' in svg and 'width="100%"' in svg
    assert "&lt;Продажи&gt;" in svg and "<Продажи>" not in svg
    assert "3\xa0001,50\xa0₸" in svg  # 3 × 1000.50 in the bar's tooltip
    assert svg.count("<rect") == 4  # the legend swatch + three bars


def test_hbar_chart_escapes_product_names():
    svg = charts.hbar_chart([('<img src="file:///etc/hostname">', Decimal("5"), "5 ₸")],
                            title="Top")
    assert "<img" not in svg and "&lt;img" in svg
    assert "No sales" in charts.hbar_chart([], title="Top", empty="No sales")
