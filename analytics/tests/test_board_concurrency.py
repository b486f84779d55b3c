"""Board snapshots under real concurrency (PostgreSQL, real threads, one connection each):
builds of one snapshot at once leave one, and a build racing the cancel of an order of one
of its days never leaves a stale snapshot behind."""

import datetime
import random
import time

import pytest
from django.db.models import Sum

from analytics import board
from analytics.models import BoardSnapshot, BoardSnapshotProduct, SalesDayProduct
from orders.services import order_cancel
from orders.tests.test_concurrency import run_at_once

from .test_board import _random_order, at, many_goods, now_is  # noqa: F401  (fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = datetime.date
TODAY = D(2026, 11, 20)
WEEK = (TODAY - datetime.timedelta(days=6), TODAY - datetime.timedelta(days=1))


def snapshot_is_true(snapshot: BoardSnapshot) -> bool:
    kept = {row["product_id"]: (row["sold"], row["revenue"], row["cost"]) for row in
            BoardSnapshotProduct.objects.filter(snapshot=snapshot)
            .values("product_id", "sold", "revenue", "cost")}
    summed = {row["product_id"]: (row["s"], row["r"], row["c"]) for row in
              SalesDayProduct.objects.filter(day__gte=snapshot.first, day__lte=snapshot.last)
              .values("product_id").annotate(s=Sum("quantity"), r=Sum("revenue"),
                                             c=Sum("cost")).order_by()}
    return kept == summed


def test_ten_builds_of_one_snapshot_at_once_leave_one(many_goods, shopper,  # noqa: F811
                                                       monkeypatch):
    now_is(monkeypatch, at(TODAY - datetime.timedelta(days=3)))
    _random_order(random.Random(1), shopper, many_goods)
    now_is(monkeypatch, at(TODAY))
    ids = run_at_once([lambda: board.snapshot_for(0, *WEEK)] * 10)
    assert len(set(ids)) == 1 and not any(isinstance(i, BaseException) for i in ids)
    assert BoardSnapshot.objects.count() == 1
    assert snapshot_is_true(BoardSnapshot.objects.get())


def test_a_build_racing_an_old_cancel_never_leaves_a_stale_snapshot(
        many_goods, shopper, admin_user, monkeypatch):  # noqa: F811
    """The cancel of an order of a closed day holds its transaction open a moment after
    changing the rollup; a build starting meanwhile must wait for it (the advisory lock) and
    not commit a snapshot of the rollup as it was before the cancel."""
    from analytics import rollup

    slow = rollup.forget_if_closed

    def forget_then_linger(day):
        slow(day)
        time.sleep(0.4)  # the cancel's transaction is still open

    monkeypatch.setattr(rollup, "forget_if_closed", forget_then_linger)

    def build_a_moment_later():
        time.sleep(0.15)
        return board.snapshot_for(0, *WEEK)

    rng = random.Random(2)
    for round_ in range(3):
        now_is(monkeypatch, at(TODAY - datetime.timedelta(days=2 + round_)))
        order = _random_order(rng, shopper, many_goods)
        now_is(monkeypatch, at(TODAY))
        results = run_at_once([lambda order=order: order_cancel(order=order, by=admin_user),
                               build_a_moment_later])
        assert not any(isinstance(r, BaseException) for r in results), results
        for snapshot in BoardSnapshot.objects.all():
            assert snapshot_is_true(snapshot), f"stale snapshot in round {round_}"
