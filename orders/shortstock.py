"""Short stock at the till (docs/till.md): the books say 0 but the product is in the customer's
hand. With settings.TILL_SHORT_STOCK=allow a counter sale goes through; the ledger never goes
below zero. The line's sale movement takes what the books held and a StockShortfall keeps the
rest, owed to the books:

- a goods receipt of the product, when it is posted, books what is owed (oldest first) as sale
  movements from what it brought (covers with a movement), in the receipt's own transaction;
- a stocktake of the product, when it is posted, closes what is still owed without a movement:
  the count measured the shelf after those goods had left, so its adjustment already says so.

check_stock stays exact: on hand + sold − returned − owed-and-never-booked = received ±
adjustments, where owed-and-never-booked is a shortfall's quantity less what receipts booked
(orders/checks.py); and each short line's sale movement + its shortfall = the line's quantity.

Lock order: the products (the ledger's, primary-key order), then the shortfall rows."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from inventory.models import MovementKind
from inventory.services import StockChange, lock_products, stock_apply

from .models import StockShortfall, StockShortfallCover

ZERO = Decimal("0")


def shortfalls_record(*, order, lines, short: dict, by) -> list[StockShortfall]:
    """In the sale's transaction: one exception per line sold beyond the books."""
    rows = StockShortfall.objects.bulk_create([
        StockShortfall(line=line, product_id=line.product_id, quantity=short[line.product_id])
        for line in lines if line.product_id in short])
    audit_record(actor=by, action="order.short_stock", obj=order,
                 changes={"short": {str(pk): str(quantity) for pk, quantity in short.items()}})
    return rows


def _open_for(product_ids) -> list[StockShortfall]:
    return list(StockShortfall.objects.select_for_update()
                .filter(product_id__in=product_ids, covered_at__isnull=True)
                .order_by("product_id", "created_at", "id"))


def shortfalls_cover_by_receipt(*, product_ids, reference: str, by) -> int:
    """Book what is owed of these products from what is now on hand (a receipt just posted),
    oldest first, as sale movements. Runs in the caller's transaction; returns the covers."""
    products = lock_products(sorted(set(product_ids)))
    open_rows = _open_for(list(products))
    if not open_rows:
        return 0
    available = {pk: product.quantity for pk, product in products.items()}
    plan = []
    for row in open_rows:
        take = min(row.open_quantity, available.get(row.product_id, ZERO))
        if take > 0:
            available[row.product_id] -= take
            plan.append((row, take))
    if not plan:
        return 0
    movements = stock_apply(
        changes=[StockChange(product_id=row.product_id, quantity=-take) for row, take in plan],
        kind=MovementKind.SALE, by=by, reference=reference,
        reason=_("Sold beyond stock, booked from the goods receipt"))
    now = timezone.now()
    covers = []
    for (row, take), movement in zip(plan, movements):
        covers.append(StockShortfallCover(shortfall=row, source=StockShortfallCover.Source.RECEIPT,
                                          reference=reference[:64], quantity=take,
                                          movement=movement))
        row.covered += take
        row.covered_at = now if row.covered == row.quantity else None
    StockShortfallCover.objects.bulk_create(covers)
    StockShortfall.objects.bulk_update([row for row, _take in plan], ["covered", "covered_at"])
    return len(covers)


def shortfalls_close_by_count(*, product_ids, reference: str) -> int:
    """A stocktake of these products was posted: what is still owed is closed, no movement."""
    open_rows = _open_for(sorted(set(product_ids)))
    now = timezone.now()
    StockShortfallCover.objects.bulk_create([
        StockShortfallCover(shortfall=row, source=StockShortfallCover.Source.COUNT,
                            reference=reference[:64], quantity=row.open_quantity)
        for row in open_rows])
    for row in open_rows:
        row.covered, row.covered_at = row.quantity, now
    StockShortfall.objects.bulk_update(open_rows, ["covered", "covered_at"])
    return len(open_rows)


def open_shortfalls(limit: int = 20) -> QuerySet:
    """The open exceptions for the owner's dashboard, oldest first (one query)."""
    return (StockShortfall.objects.filter(covered_at__isnull=True)
            .select_related("product", "line__order").order_by("created_at", "id")[:limit])
