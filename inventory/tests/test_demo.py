import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from bibarys.management.commands.seed_demo import DemoContext
from catalog.models import Product
from inventory import demo
from inventory.models import DocumentStatus, GoodsReceipt, Stocktake, StockMovement, WriteOff

from .factories import CategoryFactory, ProductFactory
from .helpers import assert_ledger_holds

pytestmark = pytest.mark.django_db


def _catalog(seller, other_seller, n=40):
    """What catalog.demo leaves: products with zero stock, in a few categories and units."""
    categories = [CategoryFactory() for _ in range(4)]
    for i in range(n):
        ProductFactory(seller=seller if i % 3 else other_seller, category=categories[i % 4],
                       unit=["pcs", "pcs", "kg", "l"][i % 4], price=Decimal(300 + i * 17))


def _seed():
    out = io.StringIO()
    demo.seed(DemoContext(rng=random.Random(2026), stdout=out))
    return out.getvalue()


def _check_stock_code():
    try:
        call_command("check_stock", stdout=io.StringIO(), stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code
    return 0


def test_demo_stock_comes_from_the_ledger_and_runs_once(seller, other_seller):
    _catalog(seller, other_seller)
    output = _seed()
    assert "goods receipts" in output
    # Every product was received from a supplier, through posted receipts.
    assert not Product.objects.exclude(movements__kind="receipt").exists()
    assert GoodsReceipt.objects.filter(status=DocumentStatus.POSTED).count() >= 2
    assert not GoodsReceipt.objects.exclude(status=DocumentStatus.POSTED).exists()
    assert WriteOff.objects.filter(status=DocumentStatus.POSTED).exists()
    stocktake = Stocktake.objects.get()
    assert stocktake.is_posted and stocktake.lines.filter(counted__isnull=False).exists()
    # Realistic shelves: a few empty, some low, most stocked.
    assert Product.objects.filter(quantity=0).exists()
    assert Product.objects.low_stock().filter(quantity__gt=0).exists()
    assert Product.objects.filter(quantity__gt=5).count() > 20
    # History lies in the past, within about two months.
    oldest = StockMovement.objects.order_by("created_at").first().created_at
    assert (GoodsReceipt.objects.order_by("date").first().date.toordinal()
            >= oldest.date().toordinal() - 1)
    assert_ledger_holds()
    assert _check_stock_code() == 0

    movements = StockMovement.objects.count()
    assert "skipped" in _seed()
    assert StockMovement.objects.count() == movements


def test_demo_bulk_path_for_big_catalogs(seller, other_seller, monkeypatch):
    monkeypatch.setattr(demo, "BULK_FROM", 10)
    monkeypatch.setattr(demo, "BULK_BATCH", 7)
    _catalog(seller, other_seller, n=30)
    _seed()
    assert not Product.objects.exclude(movements__kind="receipt").exists()
    assert_ledger_holds()
    assert _check_stock_code() == 0
