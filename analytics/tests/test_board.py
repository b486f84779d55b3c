"""The dashboard's product board read from a snapshot of the closed days plus the live days
(analytics/board.py) is exactly the board summed from the rollup, through orders, cancels of
old and new orders and day changes; snapshots are reused, forgotten when their days change and
pruned."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import board, selectors
from analytics.models import BoardSnapshot, BoardSnapshotProduct
from analytics.periods import Period
from analytics.rollup import sales_rollup_rebuild
from inventory.tests.factories import CategoryFactory, ProductFactory, stock_up
from orders.services import order_cancel

from .test_rollup import _board_matches_selectors, place

pytestmark = pytest.mark.django_db

D = datetime.date
NOON = datetime.time(12, 0)


def at(day: datetime.date, time: datetime.time = NOON) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def now_is(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def many_goods(seller, other_seller):
    """Sixteen products of two sellers in three categories; several share a margin and a price
    so ties are broken by name and id, as the dashboard does."""
    categories = [CategoryFactory(name=f"Бөлім {n}", slug=f"board-{n}") for n in range(3)]
    rng = random.Random(11)
    products = []
    for n in range(16):
        price = Decimal(rng.choice(["100.00", "250.00", "990.00", "1500.00"]))
        share = Decimal(rng.choice(["0.5", "0.7", "0.9", "1.1"]))  # 1.1: sold below cost
        product = ProductFactory(
            seller=seller if n % 3 else other_seller, category=categories[n % 3],
            name=f"Тауар {n % 5}", unit="kg" if n % 4 == 0 else "pcs", price=price,
            cost_price=(price * share).quantize(Decimal("0.01")))
        stock_up(product, "5000", unit_cost=str(product.cost_price))
        products.append(product)
    return products


def _random_order(rng, shopper, products):
    chosen = rng.sample(products, rng.randint(1, 4))
    return place(shopper, *[(p, str(Decimal(rng.randint(250, 3000)) / 1000) if p.unit == "kg"
                             else str(rng.randint(1, 5))) for p in chosen])


def _periods(today):
    return [Period(today - datetime.timedelta(days=n - 1), today) for n in (1, 2, 3, 7, 12)] + [
        Period(today - datetime.timedelta(days=9), today - datetime.timedelta(days=3))]


def test_board_from_snapshots_equals_the_rollup_through_a_fortnight(
        many_goods, shopper, admin_user, seller, other_seller, monkeypatch):
    """Property: over two weeks of random orders and cancels (of today's orders and of orders
    days old), the board of every period, for the store and for each seller, equals the
    separate panels summed from the rollup, whether a snapshot was just built, reused or
    forgotten."""
    rng = random.Random(7)
    first_day = D(2026, 11, 2)
    orders = []
    for offset in range(14):
        day = first_day + datetime.timedelta(days=offset)
        for hour in sorted(rng.sample(range(9, 22), 3)):
            now_is(monkeypatch, at(day, datetime.time(hour, rng.randint(0, 59))))
            orders.append(_random_order(rng, shopper, many_goods))
        if offset >= 3 and rng.random() < 0.6:  # cancel an order of some days ago
            victim = rng.choice([o for o in orders if o.status == "new"])
            order_cancel(order=victim, by=admin_user)
            victim.refresh_from_db()
        if offset % 3 == 2:
            for period in _periods(day):
                for viewer in (admin_user, seller, other_seller):
                    _board_matches_selectors(viewer, period)
    assert BoardSnapshot.objects.exists()


def test_snapshot_is_built_once_then_read_in_two_queries(
        many_goods, shopper, admin_user, monkeypatch, django_assert_num_queries):
    rng = random.Random(3)
    today = D(2026, 11, 20)
    for offset in range(10, -1, -1):
        now_is(monkeypatch, at(today - datetime.timedelta(days=offset)))
        _random_order(rng, shopper, many_goods)
    now_is(monkeypatch, at(today, datetime.time(18, 0)))
    period = Period(today - datetime.timedelta(days=9), today)
    selectors.product_board(admin_user, period)
    snapshot = BoardSnapshot.objects.get()
    assert (snapshot.scope, snapshot.first, snapshot.last) == (
        0, period.first, today - datetime.timedelta(days=1))
    assert BoardSnapshotProduct.objects.filter(snapshot=snapshot).exists()
    with django_assert_num_queries(2):  # find the snapshot, read the board
        selectors.product_board(admin_user, period)
    _random_order(rng, shopper, many_goods)  # today's sale: read live, the snapshot stays
    assert BoardSnapshot.objects.filter(pk=snapshot.pk).exists()
    _board_matches_selectors(admin_user, period)


def test_changing_a_closed_day_forgets_the_snapshots_holding_it(
        many_goods, shopper, admin_user, seller, monkeypatch):
    rng = random.Random(4)
    today = D(2026, 11, 20)
    now_is(monkeypatch, at(today - datetime.timedelta(days=6)))
    old = _random_order(rng, shopper, many_goods)
    now_is(monkeypatch, at(today))
    fresh = _random_order(rng, shopper, many_goods)
    week = Period(today - datetime.timedelta(days=6), today)
    earlier = Period(today - datetime.timedelta(days=20), today - datetime.timedelta(days=10))
    for viewer in (admin_user, seller):
        selectors.product_board(viewer, week)
        selectors.product_board(viewer, earlier)
    assert BoardSnapshot.objects.count() == 4
    order_cancel(order=fresh, by=admin_user)  # today: no snapshot holds it
    assert BoardSnapshot.objects.count() == 4
    order_cancel(order=old, by=admin_user)  # six days ago: the two week snapshots go
    assert set(BoardSnapshot.objects.values_list("first", "last")) == {
        (earlier.first, earlier.last)}
    assert not BoardSnapshotProduct.objects.exclude(
        snapshot__in=BoardSnapshot.objects.all()).exists()
    for viewer in (admin_user, seller):
        _board_matches_selectors(viewer, week)


def test_yesterday_stays_live_for_the_first_minutes_of_a_day(monkeypatch):
    """An order placed at 23:59 may commit after midnight: a snapshot built at 00:05 must not
    close yesterday yet; one built at 00:20 may."""
    today = D(2026, 11, 20)
    week = (today - datetime.timedelta(days=6), today)
    now_is(monkeypatch, at(today, datetime.time(0, 5)))
    assert board.split(*week) == (today - datetime.timedelta(days=2),
                                  today - datetime.timedelta(days=1))
    now_is(monkeypatch, at(today, datetime.time(0, 20)))
    assert board.split(*week) == (today - datetime.timedelta(days=1), today)


def test_rebuilding_the_rollup_forgets_snapshots_and_old_ones_are_pruned(
        many_goods, shopper, admin_user, monkeypatch):
    rng = random.Random(5)
    today = D(2026, 11, 20)
    now_is(monkeypatch, at(today - datetime.timedelta(days=30)))
    _random_order(rng, shopper, many_goods)
    now_is(monkeypatch, at(today))
    for days in range(3, 3 + board.KEEP + 4):
        selectors.product_board(admin_user, Period(today - datetime.timedelta(days=days), today))
    assert BoardSnapshot.objects.count() == board.KEEP
    kept = set(BoardSnapshotProduct.objects.values_list("snapshot_id", flat=True))
    assert kept <= set(BoardSnapshot.objects.values_list("pk", flat=True))
    tomorrow = today + datetime.timedelta(days=1)
    now_is(monkeypatch, at(tomorrow))  # the rolling periods moved: yesterday's builds go
    selectors.product_board(admin_user, Period(tomorrow - datetime.timedelta(days=6), tomorrow))
    assert list(BoardSnapshot.objects.values_list("first", "last")) == [
        (tomorrow - datetime.timedelta(days=6), today)]
    sales_rollup_rebuild()
    assert not BoardSnapshot.objects.exists() and not BoardSnapshotProduct.objects.exists()


def test_a_period_of_live_days_only_needs_no_snapshot(many_goods, shopper, admin_user,
                                                       monkeypatch):
    today = D(2026, 11, 20)
    now_is(monkeypatch, at(today))
    _random_order(random.Random(1), shopper, many_goods)
    _board_matches_selectors(admin_user, Period(today, today))
    assert not BoardSnapshot.objects.exists()


def test_moving_products_to_another_category_forgets_snapshots(
        many_goods, shopper, admin_user, monkeypatch):
    """The snapshot keeps revenue by category as it was built: a product saved with another
    category, or moved by the back office's bulk action, drops every snapshot, and the board's
    category panel follows the products' current categories."""
    from catalog.models import Product
    from catalog.services import products_bulk_set_category

    rng = random.Random(9)
    today = D(2026, 11, 20)
    for offset in (5, 3, 0):
        now_is(monkeypatch, at(today - datetime.timedelta(days=offset)))
        for _ in range(4):
            _random_order(rng, shopper, many_goods)
    week = Period(today - datetime.timedelta(days=6), today)
    selectors.product_board(admin_user, week)
    assert BoardSnapshot.objects.exists()
    moved = many_goods[0]
    moved.refresh_from_db()
    moved.name = "Тауар renamed"  # a save without a new category keeps the snapshots
    moved.save()
    assert BoardSnapshot.objects.exists()
    moved.category = many_goods[1].category
    moved.save()
    assert not BoardSnapshot.objects.exists()
    _board_matches_selectors(admin_user, week)
    assert BoardSnapshot.objects.exists()
    products_bulk_set_category(
        products=Product.objects.filter(pk__in=[p.pk for p in many_goods[2:6]]), by=admin_user,
        category=many_goods[6].category)
    assert not BoardSnapshot.objects.exists()
    _board_matches_selectors(admin_user, week)


def test_warm_dashboard_builds_the_presets_for_the_store_and_each_seller(
        many_goods, shopper, admin_user, seller, other_seller, monkeypatch,
        django_assert_max_num_queries):
    from django.core.management import call_command

    today = D(2026, 11, 20)
    now_is(monkeypatch, at(today - datetime.timedelta(days=3)))
    _random_order(random.Random(2), shopper, many_goods)
    now_is(monkeypatch, at(today))
    call_command("warm_dashboard", stdout=open("/dev/null", "w"))
    # 7 days, 30 days and this month (today has no closed days) × the store and two sellers
    assert BoardSnapshot.objects.count() == 9
    assert set(BoardSnapshot.objects.values_list("scope", flat=True)) == {
        0, seller.pk, other_seller.pk}
    with django_assert_max_num_queries(2):  # the dashboard finds them ready
        selectors.product_board(seller, Period(today - datetime.timedelta(days=29), today))


def test_time_dashboard_can_time_the_end_of_a_day(many_goods, shopper, admin_user, seller,
                                                  monkeypatch):
    """`time_dashboard --end-of-yesterday` times the dashboard with the clock at 23:59 of the
    day before: that day is then the live one, and the closed days before it get a snapshot."""
    import io

    from django.core.management import call_command

    today = D(2026, 11, 20)
    now_is(monkeypatch, at(today - datetime.timedelta(days=3)))
    _random_order(random.Random(8), shopper, many_goods)
    now_is(monkeypatch, at(today))
    out = io.StringIO()
    call_command("time_dashboard", runs=1, pdf_runs=0, end_of_yesterday=True,
                 admin=admin_user.username, seller=seller.username, stdout=out)
    text = out.getvalue()
    assert "clock set to 2026-11-19T23:59:00+05:00" in text
    assert text.count("dashboard (30 days)") == 2
    yesterday = today - datetime.timedelta(days=1)
    assert set(BoardSnapshot.objects.values_list("last", flat=True)) == {
        yesterday - datetime.timedelta(days=1)}
