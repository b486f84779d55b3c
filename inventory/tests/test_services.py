import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from inventory.models import DocumentStatus, MovementKind, StockMovement
from inventory.services import (
    InsufficientStock, StockChange, moving_average_cost, receipt_create, receipt_line_set,
    receipt_post, receipt_reverse, receipt_update, stock_apply, stock_move,
    stocktake_count, stocktake_post, stocktake_scan, stocktake_start, writeoff_create,
    writeoff_line_set, writeoff_post,
)

from .factories import CategoryFactory, ProductFactory, stock_up
from .helpers import assert_ledger_holds

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


def D(value):
    return Decimal(str(value))


# Ledger ---------------------------------------------------------------------------------------


def test_stock_apply_reports_every_shortage_at_once_and_writes_nothing(seller):
    milk = ProductFactory(seller=seller)
    bread = ProductFactory(seller=seller)
    stock_up(milk, 3)
    stock_up(bread, 1)
    before = StockMovement.objects.count()
    with pytest.raises(InsufficientStock) as error:
        stock_apply(changes=[StockChange(milk.pk, D(-5)), StockChange(bread.pk, D(-2))],
                    kind="sale", reference="order:1")
    assert {s.product.pk for s in error.value.shortages} == {milk.pk, bread.pk}
    assert StockMovement.objects.count() == before
    assert_ledger_holds(milk, bread)


def test_stock_move_refuses_fraction_of_a_piece(seller):
    milk = ProductFactory(seller=seller)
    with pytest.raises(ValidationError):
        stock_move(product=milk, quantity=D("1.5"), kind="correction", reason="test")
    assert_ledger_holds(milk)


def test_stock_apply_keeps_running_quantity_after(seller):
    milk = ProductFactory(seller=seller)
    stock_up(milk, 10)
    movements = stock_apply(
        changes=[StockChange(milk.pk, D(-2)), StockChange(milk.pk, D(-3))],
        kind="write_off", reason="spoiled")
    assert [m.quantity_after for m in movements] == [D(8), D(5)]
    assert_ledger_holds(milk)


def test_stock_apply_refuses_below_zero(seller):
    milk = ProductFactory(seller=seller)
    stock_up(milk, 1)
    with pytest.raises(InsufficientStock):
        stock_apply(changes=[StockChange(milk.pk, D(-2))], kind="write_off", reason="x")
    assert_ledger_holds(milk)


# Goods receipts ------------------------------------------------------------------------------


def test_moving_average_cost_rounds_to_the_tiyn():
    assert moving_average_cost(old_quantity=D(3), old_cost=D("100.00"), quantity=D(7),
                               unit_cost=D("110.01")) == D("107.01")
    assert moving_average_cost(old_quantity=D(0), old_cost=D("55.00"), quantity=D(2),
                               unit_cost=D("80.555")) == D("80.56")


def test_receipt_post_adds_stock_and_moves_cost_to_average(seller):
    kefir = ProductFactory(seller=seller)
    stock_up(kefir, 10, unit_cost="300.00")
    assert kefir.cost_price == D("300.00")
    receipt = receipt_create(by=seller, supplier="ТОО Алматы Сүт", date=DAY,
                             supplier_number="А-17")
    line = receipt_line_set(receipt=receipt, by=seller, product=kefir, quantity=D(5),
                            unit_cost=D("330.00"))
    receipt_post(receipt=receipt, by=seller)
    kefir.refresh_from_db()
    line.refresh_from_db()
    assert kefir.quantity == D(15)
    assert kefir.cost_price == D("310.00")
    assert line.movement.kind == MovementKind.RECEIPT
    assert line.movement.quantity == D(5)
    assert line.movement.reference == f"receipt:{receipt.pk}"
    assert AuditEntry.objects.filter(action="receipt.post", object_id=str(receipt.pk)).exists()
    assert_ledger_holds(kefir)


def test_receipt_posting_twice_posts_once(seller):
    kefir = ProductFactory(seller=seller)
    receipt = receipt_create(by=seller, supplier="ИП Ахметов", date=DAY)
    receipt_line_set(receipt=receipt, by=seller, product=kefir, quantity=D(4), unit_cost=D(10))
    receipt_post(receipt=receipt, by=seller)
    receipt_post(receipt=receipt, by=seller)
    kefir.refresh_from_db()
    assert kefir.quantity == D(4)
    assert StockMovement.objects.filter(product=kefir).count() == 1
    assert AuditEntry.objects.filter(action="receipt.post").count() == 1
    assert_ledger_holds(kefir)


def test_posted_receipt_cannot_be_edited(seller):
    kefir = ProductFactory(seller=seller)
    receipt = stock_up(kefir, 2)
    with pytest.raises(ValidationError):
        receipt_line_set(receipt=receipt, by=seller, product=kefir, quantity=D(9),
                         unit_cost=D(1))
    with pytest.raises(ValidationError):
        receipt_update(receipt=receipt, by=seller, supplier="Другой", date=DAY)
    assert receipt.lines.get().quantity == D(2)
    assert_ledger_holds(kefir)


def test_empty_receipt_cannot_be_posted(seller):
    receipt = receipt_create(by=seller, supplier="ИП Ахметов", date=DAY)
    with pytest.raises(ValidationError):
        receipt_post(receipt=receipt, by=seller)
    receipt.refresh_from_db()
    assert receipt.status == DocumentStatus.DRAFT


def test_seller_cannot_put_another_sellers_product_on_a_receipt(seller, other_seller):
    theirs = ProductFactory(seller=other_seller)
    receipt = receipt_create(by=seller, supplier="ИП Ахметов", date=DAY)
    with pytest.raises(ValidationError):
        receipt_line_set(receipt=receipt, by=seller, product=theirs, quantity=D(1),
                         unit_cost=D(1))
    assert not receipt.lines.exists()


def test_receipt_reverse_writes_corrections_with_reason(seller):
    kefir = ProductFactory(seller=seller)
    stock_up(kefir, 10, unit_cost="100.00")
    receipt = stock_up(kefir, 10, unit_cost="200.00")
    assert kefir.cost_price == D("150.00")
    receipt_reverse(receipt=receipt, by=seller, reason="Wrong supplier invoice")
    kefir.refresh_from_db()
    receipt.refresh_from_db()
    line = receipt.lines.get()
    assert receipt.status == DocumentStatus.REVERSED
    assert kefir.quantity == D(10)
    assert kefir.cost_price == D("100.00")
    assert line.reversal_movement.kind == MovementKind.CORRECTION
    assert "Wrong supplier invoice" in line.reversal_movement.reason
    assert_ledger_holds(kefir)


def test_receipt_reverse_refused_when_goods_already_left(seller):
    kefir = ProductFactory(seller=seller, name="Кефир 1%")
    receipt = stock_up(kefir, 5)
    stock_move(product=kefir, quantity=D(-3), kind="write_off", reason="spoiled")
    with pytest.raises(InsufficientStock) as error:
        receipt_reverse(receipt=receipt, by=seller, reason="mistake")
    assert "Кефир 1%" in str(error.value.messages)
    receipt.refresh_from_db()
    kefir.refresh_from_db()
    assert receipt.status == DocumentStatus.POSTED
    assert kefir.quantity == D(2)
    assert_ledger_holds(kefir)


# Write-offs ----------------------------------------------------------------------------------


def test_writeoff_refuses_more_than_on_hand(seller):
    milk = ProductFactory(seller=seller, name="Сүт 2,5%")
    stock_up(milk, 3)
    writeoff = writeoff_create(by=seller, date=DAY)
    writeoff_line_set(writeoff=writeoff, by=seller, product=milk, quantity=D(5), reason="spoiled")
    with pytest.raises(InsufficientStock) as error:
        writeoff_post(writeoff=writeoff, by=seller)
    message = " ".join(error.value.messages)
    assert "Сүт 2,5%" in message and "3" in message
    writeoff.refresh_from_db()
    milk.refresh_from_db()
    assert writeoff.status == DocumentStatus.DRAFT
    assert milk.quantity == D(3)
    assert not StockMovement.objects.filter(kind="write_off").exists()
    assert_ledger_holds(milk)


def test_writeoff_post_takes_stock_once(seller):
    milk = ProductFactory(seller=seller)
    stock_up(milk, 10)
    writeoff = writeoff_create(by=seller, date=DAY)
    line = writeoff_line_set(writeoff=writeoff, by=seller, product=milk, quantity=D(4),
                             reason="expired", comment="до 01.03")
    writeoff_post(writeoff=writeoff, by=seller)
    writeoff_post(writeoff=writeoff, by=seller)
    milk.refresh_from_db()
    line.refresh_from_db()
    assert milk.quantity == D(6)
    assert line.movement.quantity == D(-4)
    assert line.movement.reason
    assert AuditEntry.objects.filter(action="writeoff.post").count() == 1
    assert_ledger_holds(milk)


def test_writeoff_keeps_the_cost_of_the_day_it_was_posted(seller):
    """The loss is worth the moving-average cost when it happened: a later receipt at another
    cost changes the product's cost price, not the write-off's value (the list and reports)."""
    from analytics.periods import Period
    from analytics.selectors import writeoffs_by_reason
    from inventory.selectors import writeoffs_for

    milk = ProductFactory(seller=seller)
    stock_up(milk, 10, unit_cost="300.00")
    writeoff = writeoff_create(by=seller, date=DAY)
    line = writeoff_line_set(writeoff=writeoff, by=seller, product=milk, quantity=D(2),
                             reason="spoiled")
    line.refresh_from_db()
    assert line.unit_cost is None  # a draft has no cost yet
    writeoff_post(writeoff=writeoff, by=seller)
    stock_up(milk, 8, unit_cost="480.00")  # moving average: (8 × 300 + 8 × 480) / 16 = 390
    milk.refresh_from_db()
    line.refresh_from_db()
    assert milk.cost_price == D("390.00") and line.unit_cost == D("300.00")
    assert writeoffs_for(seller).get(pk=writeoff.pk).total == D("600.00")
    rows = writeoffs_by_reason(seller, Period(DAY, DAY))
    assert [(r["reason"], r["value"]) for r in rows] == [("spoiled", D("600.00"))]


def test_writeoff_of_weighed_product_takes_grams(seller):
    apples = ProductFactory(seller=seller, unit="kg")
    stock_up(apples, "2.500")
    writeoff = writeoff_create(by=seller, date=DAY)
    writeoff_line_set(writeoff=writeoff, by=seller, product=apples, quantity=D("0.125"),
                      reason="damaged")
    writeoff_post(writeoff=writeoff, by=seller)
    apples.refresh_from_db()
    assert apples.quantity == D("2.375")
    assert_ledger_holds(apples)


# Stocktakes ----------------------------------------------------------------------------------


def test_stocktake_start_snapshots_only_the_sellers_products(seller, other_seller):
    mine = ProductFactory(seller=seller)
    ProductFactory(seller=other_seller)
    stock_up(mine, 7)
    stocktake = stocktake_start(by=seller)
    assert [(line.product_id, line.expected) for line in stocktake.lines.all()] == [
        (mine.pk, D(7))]


def test_stocktake_of_one_category(admin_user, seller):
    dairy = CategoryFactory(name="Сүт өнімдері")
    milk = ProductFactory(seller=seller, category=dairy)
    ProductFactory(seller=seller)
    stocktake = stocktake_start(by=admin_user, category=dairy)
    assert list(stocktake.lines.values_list("product_id", flat=True)) == [milk.pk]


def test_stocktake_post_writes_count_adjustments(seller):
    milk = ProductFactory(seller=seller)
    bread = ProductFactory(seller=seller)
    eggs = ProductFactory(seller=seller)
    for product in (milk, bread, eggs):
        stock_up(product, 10)
    stocktake = stocktake_start(by=seller)
    lines = {line.product_id: line for line in stocktake.lines.all()}
    stocktake_count(stocktake=stocktake, by=seller, line=lines[milk.pk], counted=D(8))
    stocktake_count(stocktake=stocktake, by=seller, line=lines[bread.pk], counted=D(12))
    stocktake_count(stocktake=stocktake, by=seller, line=lines[eggs.pk], counted=D(10))
    stocktake_post(stocktake=stocktake, by=seller)
    stocktake_post(stocktake=stocktake, by=seller)
    for product, expected in ((milk, 8), (bread, 12), (eggs, 10)):
        product.refresh_from_db()
        assert product.quantity == D(expected)
    assert StockMovement.objects.filter(kind="count").count() == 2
    assert lines[milk.pk].__class__.objects.get(pk=lines[milk.pk].pk).movement.quantity == D(-2)
    assert AuditEntry.objects.filter(action="stocktake.post").count() == 1
    assert_ledger_holds(milk, bread, eggs)


def test_stocktake_counts_sales_between_snapshot_and_count(seller):
    """Sold before the count: the shelf already shows it, so no shortage is invented. Sold
    after the count: real, and kept."""
    milk = ProductFactory(seller=seller)
    stock_up(milk, 10)
    stocktake = stocktake_start(by=seller)
    line = stocktake.lines.get()
    stock_move(product=milk, quantity=D(-3), kind="correction", reason="sold at the till")
    stocktake_count(stocktake=stocktake, by=seller, line=line, counted=D(6))  # 1 missing
    stock_move(product=milk, quantity=D(-2), kind="correction", reason="sold after count")
    stocktake_post(stocktake=stocktake, by=seller)
    milk.refresh_from_db()
    assert milk.quantity == D(4)  # 10 - 3 - 1 (missing) - 2
    assert_ledger_holds(milk)


def test_stocktake_scan_counts_pieces_and_finds_weighed(seller):
    from catalog.models import ProductBarcode

    milk = ProductFactory(seller=seller, sku="MILK-1")
    ProductBarcode.objects.create(product=milk, code="4870001000011")
    apples = ProductFactory(seller=seller, unit="kg", sku="APL-1")
    stocktake = stocktake_start(by=seller)
    stocktake_scan(stocktake=stocktake, by=seller, code="4870001000011")
    line, counted = stocktake_scan(stocktake=stocktake, by=seller, code="milk-1")
    assert counted and line.counted == D(2)
    line, counted = stocktake_scan(stocktake=stocktake, by=seller, code="APL-1")
    assert line.product == apples and not counted and line.counted is None
    assert stocktake_scan(stocktake=stocktake, by=seller, code="nothing")[0] is None
