"""The daily sales rollup stays equal to a recomputation from the order lines whatever orders are
placed, moved along and cancelled through the order services; cancelled orders never count; a
seller sees only their lines; the day is the Almaty calendar day of the order."""

import datetime
import random
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import selectors
from analytics.models import SalesDay, SalesDayProduct, SalesDaySeller
from analytics.periods import Period
from analytics.rollup import sales_rollup_rebuild
from inventory.tests.factories import CategoryFactory, ProductFactory, stock_up
from orders.models import Order
from orders.services import OrderItem, order_cancel, order_place, order_status_set

pytestmark = pytest.mark.django_db

D = datetime.date
ALMATY_OFFSET = datetime.timedelta(hours=5)


def snapshot() -> dict:
    return {
        "products": sorted(SalesDayProduct.objects.values_list(
            "day", "product_id", "seller_id", "quantity", "items", "revenue", "cost")),
        "sellers": sorted(SalesDaySeller.objects.values_list("day", "seller_id", "orders")),
        "days": sorted(SalesDay.objects.values_list("day", "orders", "items", "revenue",
                                                    "cost")),
    }


def assert_rollup_true():
    """The incrementally kept rollup equals the one rebuilt from scratch."""
    kept = snapshot()
    sales_rollup_rebuild()
    assert kept == snapshot()


def place(user, *items, payment=Order.Payment.CASH):
    return order_place(user=user, payment=payment, idempotency_key=uuid.uuid4(),
                       items=[OrderItem(product.pk, Decimal(q)) for product, q in items])


@pytest.fixture
def goods(seller, other_seller):
    milk = CategoryFactory(name="Сүт", slug="milk-r")
    products = {
        "ayran": ProductFactory(seller=seller, category=milk, unit="pcs",
                                price=Decimal("500.00"), cost_price=Decimal("320.00")),
        "meat": ProductFactory(seller=seller, unit="kg", price=Decimal("2990.00"),
                               cost_price=Decimal("2100.55")),
        "kurt": ProductFactory(seller=other_seller, category=milk, unit="pcs",
                               price=Decimal("1200.00"), cost_price=Decimal("900.00")),
    }
    for product in products.values():
        stock_up(product, "500", unit_cost=str(product.cost_price))
    return products


def today_period():
    today = timezone.localdate()
    return Period(today, today)


def test_placed_order_is_added_in_its_transaction(goods, shopper, admin_user, seller):
    order = place(shopper, (goods["ayran"], "3"), (goods["meat"], "1.255"), (goods["kurt"], "1"))
    day = SalesDay.objects.get()
    assert day.day == timezone.localdate(order.created_at)
    # 1500 + 3752.45 + 1200; cost 960 + 2636.19 (2636.19025 rounded) + 900
    assert (day.orders, day.revenue, day.cost) == (1, Decimal("6452.45"), Decimal("4496.19"))
    # 3 pieces + one weighed line + 1 piece
    assert day.items == Decimal("5")
    assert_rollup_true()
    totals = selectors.sales_totals(seller, today_period())
    assert (totals["revenue"], totals["orders"], totals["items"]) == (
        Decimal("5252.45"), 1, Decimal("4"))


def test_cancelled_order_never_counts(goods, shopper, admin_user):
    order = place(shopper, (goods["ayran"], "2"))
    kept = place(shopper, (goods["kurt"], "1"))
    order_cancel(order=order, by=shopper)
    assert_rollup_true()
    totals = selectors.sales_totals(admin_user, today_period())
    assert (totals["revenue"], totals["orders"]) == (Decimal("1200.00"), 1)
    assert not SalesDayProduct.objects.filter(product=goods["ayran"]).exists()
    order_cancel(order=kept, by=shopper)
    assert snapshot() == {"products": [], "sellers": [], "days": []}
    assert selectors.sales_totals(admin_user, today_period())["revenue"] == Decimal("0.00")


def test_status_moves_do_not_change_money(goods, shopper, admin_user):
    order = place(shopper, (goods["meat"], "2.5"))
    before = snapshot()
    for status in ("confirmed", "ready", "completed"):
        order_status_set(order=order, status=status, by=admin_user)
    assert snapshot() == before
    assert_rollup_true()


def test_seller_scope(goods, shopper, seller, other_seller):
    place(shopper, (goods["ayran"], "1"), (goods["kurt"], "2"))
    place(shopper, (goods["kurt"], "1"))
    mine = selectors.sales_totals(seller, today_period())
    theirs = selectors.sales_totals(other_seller, today_period())
    assert (mine["revenue"], mine["orders"]) == (Decimal("500.00"), 1)
    assert (theirs["revenue"], theirs["orders"]) == (Decimal("3600.00"), 2)
    assert [r["product_id"] for r in selectors.top_products(seller, today_period())] == [
        goods["ayran"].pk]
    by_seller = {r["seller_id"]: r["orders"] for r in
                 selectors.sales_by_seller(seller, today_period())}
    assert by_seller == {seller.pk: 1}


@pytest.mark.parametrize("utc_moment, almaty_day", [
    # 23:59:59 in Almaty on 5 November is 18:59:59 UTC.
    (datetime.datetime(2026, 11, 5, 18, 59, 59, tzinfo=datetime.UTC), D(2026, 11, 5)),
    # Midnight in Almaty is 19:00 UTC of the day before.
    (datetime.datetime(2026, 11, 5, 19, 0, 0, tzinfo=datetime.UTC), D(2026, 11, 6)),
])
def test_day_is_the_almaty_day(goods, shopper, admin_user, monkeypatch, utc_moment, almaty_day):
    monkeypatch.setattr(timezone, "now", lambda: utc_moment)
    place(shopper, (goods["ayran"], "1"))
    assert list(SalesDay.objects.values_list("day", flat=True)) == [almaty_day]
    assert_rollup_true()
    assert selectors.sales_totals(admin_user, Period(almaty_day, almaty_day))["orders"] == 1
    other = almaty_day + datetime.timedelta(days=-1 if almaty_day.day == 6 else 1)
    assert selectors.sales_totals(admin_user, Period(other, other))["orders"] == 0


def test_random_orders_and_cancels_match_a_rebuild(goods, shopper, other_shopper, admin_user,
                                                   monkeypatch):
    """Property: for a random history of orders over a few days, cancels (by the shopper and
    by the admin) and status moves, the kept rollup equals the rebuilt one, and the figures
    equal those recomputed from the orders that are not cancelled."""
    rng = random.Random(6)
    products = list(goods.values())
    start = datetime.datetime(2026, 11, 1, 17, 0, tzinfo=datetime.UTC)
    orders = []
    for step in range(30):
        moment = start + datetime.timedelta(hours=rng.randint(0, 96), minutes=rng.randint(0, 59))
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        chosen = rng.sample(products, rng.randint(1, len(products)))
        items = [(p, str(Decimal(rng.randint(1, 3000)) / 1000) if p.unit == "kg"
                  else str(rng.randint(1, 4))) for p in chosen]
        orders.append(place(rng.choice([shopper, other_shopper]), *items))
        roll = rng.random()
        if roll < 0.25:
            victim = rng.choice(orders)
            if victim.status != "cancelled":
                order_cancel(order=victim, by=admin_user)
                victim.refresh_from_db()
        elif roll < 0.4:
            victim = rng.choice(orders)
            if victim.status == "new":
                order_status_set(order=victim, status="confirmed", by=admin_user)
                victim.refresh_from_db()
    assert_rollup_true()
    live = Order.objects.exclude(status="cancelled")
    period = Period(D(2026, 11, 1), D(2026, 11, 7))
    totals = selectors.sales_totals(admin_user, period)
    assert totals["orders"] == live.count()
    assert totals["revenue"] == sum((o.total for o in live), Decimal("0.00"))
    assert totals["cost"] == sum((o.cost_total for o in live), Decimal("0.00"))
    series = selectors.sales_series(admin_user, period, "day")
    assert sum(p.orders for p in series) == live.count()
    for point in series:
        day_orders = [o for o in live if timezone.localdate(o.created_at) == point.start]
        assert point.orders == len(day_orders)
        assert point.revenue == sum((o.total for o in day_orders), Decimal("0.00"))


KEYS = ("product_id", "category_id", "name", "unit", "sku", "quantity", "revenue", "cost",
        "profit", "margin")


def _rows(rows):
    return [{k: row[k] for k in KEYS if k in row} for row in rows]


def _board_matches_selectors(viewer, period):
    board = {k: _rows(v) for k, v in selectors.product_board(viewer, period).items()}
    assert board["quantity"] == _rows(selectors.top_products(viewer, period, by="quantity"))
    assert board["revenue"] == _rows(selectors.top_products(viewer, period, by="revenue"))
    best = selectors.by_margin(viewer, period, best=True)
    assert board["best"] == _rows(best)
    assert board["worst"] == _rows(selectors.by_margin(
        viewer, period, best=False, exclude=[r["product_id"] for r in best]))
    assert board["category"] == _rows(selectors.revenue_by_category(viewer, period))


def test_product_board_is_the_separate_panels_in_one_query(goods, shopper, admin_user, seller,
                                                           django_assert_num_queries):
    extra = [ProductFactory(seller=seller, unit="pcs", price=Decimal(p), cost_price=Decimal(c))
             for p, c in (("100", "90"), ("100", "10"), ("250", "100"), ("100", "90"),
                          ("80", "70"), ("300", "1"))]
    for product in extra:
        stock_up(product, "100", unit_cost=str(product.cost_price))
    rng = random.Random(5)
    products = [*goods.values(), *extra]
    for _ in range(12):
        chosen = rng.sample(products, rng.randint(1, 4))
        place(shopper, *[(p, "1.5" if p.unit == "kg" else str(rng.randint(1, 3)))
                         for p in chosen])
    for viewer in (admin_user, seller):
        with django_assert_num_queries(1):
            selectors.product_board(viewer, today_period())
        _board_matches_selectors(viewer, today_period())


def test_sales_pdf_lists_the_best_products_and_sums_the_rest(shop, november, admin_user,
                                                              monkeypatch):
    from analytics import reports

    monkeypatch.setattr(reports, "PDF_PRODUCT_ROWS", 1)
    full = reports.build_report("sales", admin_user, november)
    printed = reports.build_report("sales", admin_user, november, for_pdf=True)
    assert full["products_rest"] is None and len(full["by_product"]) == 3
    assert printed["by_product"] == full["by_product"][:1]
    rest = printed["products_rest"]
    assert rest["count"] == 2
    assert rest["revenue"] == sum(r["revenue"] for r in full["by_product"][1:])
    assert rest["cost"] == sum(r["cost"] for r in full["by_product"][1:])
    assert rest["profit"] == rest["revenue"] - rest["cost"]
