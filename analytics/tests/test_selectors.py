"""The figures against hand-computed values (Decimal, to the tiyn).

The shop (conftest.py), current period 1–10 November 2026:
  o1 completed 2 Nov:  A milk 3 × 500 (cost 320) = 1500 (960);  B milk 1 × 1200 (900)
  o2 new 5 Nov 23:30:  A meat 1.255 kg × 2990 = 3752.45; cost 1.255 × 2100.55 = 2636.19025 → 2636.19
  o3 cancelled:        never counts
  o4 confirmed 10 Nov 23:59: B milk 2 × 1200 = 2400 (1800)
  o5 11 Nov 03:00 Almaty (10 Nov UTC): next period
  o7 ready 1 Nov 02:00 Almaty (31 Oct UTC): A milk 1 × 450 (320)
  o6 completed 31 Oct 23:59: previous period, A milk 2 × 500 (640)
Store: revenue 1500 + 1200 + 3752.45 + 2400 + 450 = 9302.45; cost 960 + 900 + 2636.19 + 1800 +
320 = 6616.19; profit 2686.26; 4 orders; average 2325.61; items 3 + 1 + 1 + 2 + 1 = 8.
Seller A: 5702.45 revenue, 3916.19 cost, 3 orders. Seller B: 3600, 2700, 2 orders."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics import selectors
from analytics.periods import Period

from .conftest import D, extra_shoppers
from .factories import ProductFactory, local_time, make_order

pytestmark = pytest.mark.django_db


def test_store_totals_match_hand_computed_figures(shop, november, admin_user):
    figures = selectors.sales_figures(admin_user, november)
    cur, prev = figures["current"], figures["previous"]
    assert cur["revenue"] == Decimal("9302.45")
    assert cur["cost"] == Decimal("6616.19")
    assert cur["profit"] == Decimal("2686.26")
    assert cur["orders"] == 4
    assert cur["average_check"] == Decimal("2325.61")
    assert cur["items"] == Decimal("8")
    assert prev["revenue"] == Decimal("1000.00")
    assert prev["cost"] == Decimal("640.00")
    assert prev["orders"] == 1


def test_cancelled_orders_never_count(shop, november, admin_user):
    before = selectors.sales_totals(admin_user, november)
    make_order(user=shop["buyer"], status="cancelled", at=local_time(D(2026, 11, 3)),
               lines=[(shop["a_milk"], "100", "500", "320")])
    assert selectors.sales_totals(admin_user, november) == before


def test_seller_sees_only_their_own_lines(shop, november):
    a = selectors.sales_totals(shop["seller_a"], november)
    b = selectors.sales_totals(shop["seller_b"], november)
    assert (a["revenue"], a["cost"], a["orders"]) == (Decimal("5702.45"), Decimal("3916.19"), 3)
    assert (b["revenue"], b["cost"], b["orders"]) == (Decimal("3600.00"), Decimal("2700.00"), 2)
    assert a["profit"] == Decimal("1786.26")
    assert a["average_check"] == Decimal("1900.82")  # 5702.45 / 3 = 1900.8166…
    # Seller A's breakdowns never name seller B's product.
    names = {row["name"] for row in selectors.sales_by_product(shop["seller_a"], november)}
    assert names == {"Айран «Қымыз» 1 л", "Сиыр еті"}
    assert [r["seller_id"] for r in selectors.sales_by_seller(shop["seller_b"], november)] == [
        shop["seller_b"].pk]


def test_period_comparison_in_percent(shop, november, admin_user):
    figures = {f.key: f for f in selectors.dashboard_figures(admin_user, november)}
    revenue = figures["revenue"]
    assert (revenue.current, revenue.previous) == (Decimal("9302.45"), Decimal("1000.00"))
    assert revenue.change == Decimal("830.2")  # (9302.45 − 1000) / 1000 × 100 = 830.245
    assert figures["orders"].change == Decimal("300.0")
    assert figures["profit"].previous == Decimal("360.00")
    assert selectors.change_percent(Decimal("5"), Decimal("0")) is None
    assert selectors.change_percent(Decimal("50"), Decimal("200")) == Decimal("-75.0")


def test_previous_period_has_the_same_length(november):
    previous = november.previous()
    assert (previous.first, previous.last) == (D(2026, 10, 22), D(2026, 10, 31))
    assert previous.days == november.days == 10


def test_new_shoppers_counted_by_almaty_day(shop, november, admin_user):
    extra_shoppers(2, local_time(D(2026, 11, 4)))
    extra_shoppers(1, local_time(D(2026, 10, 25)))
    extra_shoppers(1, local_time(D(2026, 11, 11), 1, 0))  # next period
    assert selectors.new_shoppers(november) == (2, 1)
    figures = {f.key: f for f in selectors.dashboard_figures(admin_user, november)}
    assert (figures["new_shoppers"].current, figures["new_shoppers"].previous) == (2, 1)
    assert "new_shoppers" not in {f.key for f in
                                  selectors.dashboard_figures(shop["seller_a"], november)}


def test_daily_series_is_zero_filled_in_almaty_days(shop, november, admin_user):
    series = selectors.sales_series(admin_user, november, "day")
    assert [p.start for p in series] == [D(2026, 11, d) for d in range(1, 11)]
    by_day = {p.start.day: p.revenue for p in series}
    assert by_day == {1: Decimal("450.00"), 2: Decimal("2700.00"), 3: 0, 4: 0,
                      5: Decimal("3752.45"), 6: 0, 7: 0, 8: 0, 9: 0, 10: Decimal("2400.00")}
    assert sum(p.revenue for p in series) == Decimal("9302.45")
    assert series[4].profit == Decimal("1116.26")
    assert [p.orders for p in series if p.orders] == [1, 1, 1, 1]


def test_weekly_and_monthly_series(shop, admin_user):
    autumn = Period(D(2026, 10, 1), D(2026, 11, 30))
    weeks = selectors.sales_series(admin_user, autumn, "week")
    assert weeks[0].start == D(2026, 9, 28)  # the Monday of 1 October's week
    assert all(p.start.weekday() == 0 for p in weeks)
    by_week = {p.start: p.revenue for p in weeks if p.revenue}
    # 26 Oct – 1 Nov: o6 (1000) + o7 (450); 2–8 Nov: o1 + o2; 9–15 Nov: o4 + o5 (3500).
    assert by_week == {D(2026, 10, 26): Decimal("1450.00"), D(2026, 11, 2): Decimal("6452.45"),
                       D(2026, 11, 9): Decimal("5900.00")}
    months = selectors.sales_series(admin_user, autumn, "month")
    assert [(p.start, p.revenue) for p in months] == [
        (D(2026, 10, 1), Decimal("1000.00")), (D(2026, 11, 1), Decimal("12802.45"))]  # 9302.45 + o5 (3500)


def test_revenue_by_category(shop, november, admin_user):
    rows = selectors.revenue_by_category(admin_user, november)
    assert [(r["name"], r["revenue"]) for r in rows] == [
        ("Сүт өнімдері", Decimal("5550.00")), ("Ет", Decimal("3752.45"))]


def test_top_products_by_quantity_and_revenue(shop, november, admin_user):
    by_qty = selectors.top_products(admin_user, november, by="quantity")
    assert [(r["name"], r["quantity"]) for r in by_qty] == [
        ("Айран «Қымыз» 1 л", Decimal("4")), ("Сүзбе", Decimal("3")),
        ("Сиыр еті", Decimal("1.255"))]
    by_revenue = selectors.top_products(admin_user, november, by="revenue")
    assert [(r["name"], r["revenue"]) for r in by_revenue] == [
        ("Сиыр еті", Decimal("3752.45")), ("Сүзбе", Decimal("3600.00")),
        ("Айран «Қымыз» 1 л", Decimal("1950.00"))]


def test_top_five_stops_at_five(shop, november, admin_user):
    for n in range(7):
        product = ProductFactory(seller=shop["seller_a"], name=f"Extra {n}")
        make_order(at=local_time(D(2026, 11, 3)), lines=[(product, str(10 + n), "10", "5")])
    top = selectors.top_products(admin_user, november, by="quantity")
    assert [r["name"] for r in top] == ["Extra 6", "Extra 5", "Extra 4", "Extra 3", "Extra 2"]


def test_best_and_worst_by_margin(shop, november, admin_user):
    best = selectors.by_margin(admin_user, november, best=True)
    worst = selectors.by_margin(admin_user, november, best=False)
    # A milk 670/1950 = 34.4 %, A meat 1116.26/3752.45 = 29.7 %, B milk 900/3600 = 25 %.
    assert [(r["name"], r["margin"]) for r in best] == [
        ("Айран «Қымыз» 1 л", Decimal("34.4")), ("Сиыр еті", Decimal("29.7")),
        ("Сүзбе", Decimal("25.0"))]
    assert [r["name"] for r in worst] == ["Сүзбе", "Сиыр еті", "Айран «Қымыз» 1 л"]


def test_recent_orders_for_a_seller_sum_only_their_lines(shop, admin_user):
    mine = selectors.recent_orders(shop["seller_b"])
    assert {o.pk: o.amount for o in mine} == {
        shop["orders"]["o1"].pk: Decimal("1200.00"), shop["orders"]["o4"].pk: Decimal("2400.00")}
    everything = selectors.recent_orders(admin_user, limit=20)
    assert len(everything) == 7
    assert everything[0].pk == shop["orders"]["o5"].pk


def _dashboard_queries(viewer, period):
    with CaptureQueriesContext(connection) as queries:
        selectors.dashboard_figures(viewer, period)
        selectors.sales_series(viewer, period)
        selectors.revenue_by_category(viewer, period)
        selectors.top_products(viewer, period, by="quantity")
        selectors.top_products(viewer, period, by="revenue")
        selectors.by_margin(viewer, period, best=True)
        selectors.by_margin(viewer, period, best=False)
        selectors.recent_orders(viewer)
        selectors.recent_writeoffs(viewer)
    return len(queries)


@pytest.mark.parametrize("who", ["admin", "seller"])
def test_query_count_does_not_grow_with_data(shop, november, admin_user, who):
    viewer = admin_user if who == "admin" else shop["seller_a"]
    small = _dashboard_queries(viewer, november)
    for n in range(30):
        product = ProductFactory(seller=shop["seller_a"], name=f"More {n}")
        make_order(at=local_time(D(2026, 11, 1 + n % 10)),
                   lines=[(product, "2", "100", "60"), (shop["b_milk"], "1", "1200", "900")])
    assert _dashboard_queries(viewer, november) == small


def test_store_counts(shop):
    counts = selectors.store_counts()
    assert counts["orders"] == 7
    assert counts["products"] == 3


def test_period_bounds_are_almaty_midnights(november):
    assert november.start.isoformat() == "2026-11-01T00:00:00+05:00"
    assert november.end.isoformat() == "2026-11-11T00:00:00+05:00"
    assert november.start.astimezone(datetime.UTC).isoformat() == "2026-10-31T19:00:00+00:00"
