"""Stocktakes (түгендеу / инвентаризация): a count of the shelves against the books, made while the
shop keeps selling, posted as count adjustments."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from catalog.models import Product

from ..models import DocumentStatus, MovementKind, StockMovement, Stocktake, StocktakeLine
from .documents import (
    audit_changes, check_quantity, document_delete, lock_document, lock_draft, require_draft,
)
from .ledger import (
    BULK_CHUNK, StockChange, lock_products_bulk, require_transaction, stock_apply, update_column,
)


def stocktake_start(*, by, category=None, note: str = "") -> Stocktake:
    """Open a count of all the user's products (a seller: their own; an admin: everyone's),
    or of one category, with each product's on-hand quantity copied as "expected"."""
    with transaction.atomic():
        stocktake = Stocktake.objects.create(created_by=by, category=category, note=note.strip())
        products = Product.objects.for_seller(by)
        if category is not None:
            products = products.filter(category=category)
        last = StockMovement.objects.order_by("-pk").values_list("pk", flat=True).first()
        stocktake.snapshot_movement_id = last or 0
        stocktake.save(update_fields=["snapshot_movement_id"])
        rows = products.order_by("pk").values_list("pk", "quantity")
        StocktakeLine.objects.bulk_create(
            (StocktakeLine(document=stocktake, product_id=pk, expected=quantity)
             for pk, quantity in rows.iterator(chunk_size=BULK_CHUNK)),
            batch_size=BULK_CHUNK,
        )
        return stocktake


def stocktake_delete(*, stocktake: Stocktake, by, request=None) -> None:
    """Throw away a draft stocktake and its counts, audited (a posted one stays forever)."""
    document_delete(Stocktake, stocktake, by=by, action="stocktake.delete", request=request)


def stocktake_count(*, stocktake: Stocktake, by, line: StocktakeLine,
                    counted: Decimal | None, add: bool = False) -> StocktakeLine:
    """Record the counted quantity of one line (None clears it; add=True adds to what was
    counted so far). The product's book quantity at this moment is kept with it: see
    stocktake_post for why. The document row is locked first, so two phones counting the same
    shelf never lose each other's scans."""
    with transaction.atomic():
        stocktake = lock_draft(Stocktake, stocktake)
        line = StocktakeLine.objects.select_related("product").get(
            pk=line.pk, document=stocktake)
        if counted is None:
            line.counted = line.book_at_count = line.counted_at = None
        else:
            if add:
                counted = (line.counted or Decimal("0")) + Decimal(counted)
            line.counted = check_quantity(line.product, counted, allow_zero=True)
            line.book_at_count = Product.objects.filter(pk=line.product_id).values_list(
                "quantity", flat=True).get()
            line.counted_at = timezone.now()
        line.save(update_fields=["counted", "book_at_count", "counted_at"])
        return line


def stocktake_find_line(*, stocktake: Stocktake, code: str) -> StocktakeLine | None:
    """The line whose product carries this barcode or SKU (what a scanner types)."""
    code = (code or "").strip()
    if not code:
        return None
    lines = stocktake.lines.select_related("product")
    return (lines.filter(product__barcodes__code=code).first()
            or lines.filter(product__sku__iexact=code).first())


def stocktake_scan(*, stocktake: Stocktake, by, code: str) -> tuple[StocktakeLine | None, bool]:
    """A scanner read a code: a piece product's count goes up by one; a weighed product is
    only found (the person types its weight). Returns (line, counted_one)."""
    require_draft(stocktake)
    line = stocktake_find_line(stocktake=stocktake, code=code)
    if line is None:
        return None, False
    if line.product.unit != "pcs":
        return line, False
    line = stocktake_count(stocktake=stocktake, by=by, line=line, counted=Decimal("1"), add=True)
    return line, True


@transaction.atomic(durable=True)
def stocktake_post(*, stocktake: Stocktake, by, request=None) -> Stocktake:
    """Post a stocktake: write a count adjustment for every counted line whose count differs
    from the books. Uncounted lines are left alone. Posting twice posts once.

    The rule, since the shop keeps selling while people count:
    - `expected` is the book quantity at the snapshot; it is what the count sheet shows.
    - Sales, receipts and write-offs between the snapshot and the moment a line is counted
      already changed the shelf the person looked at, so the count must be compared with the
      books *at that moment*: expected + the movements since the snapshot = `book_at_count`,
      which stocktake_count stores with the count.
    - Movements after the count happened to goods already counted and are real; they stay.
    So the adjustment is counted − book_at_count (equal to counted − expected when nothing
    moved), added to whatever is on hand at posting. If later sales would take that below
    zero, the adjustment stops at zero: the shelf cannot hold less than nothing.
    The "Post" button's service: durable, never inside another transaction."""
    return stocktake_post_in_transaction(stocktake=stocktake, by=by, request=request)


def stocktake_post_in_transaction(*, stocktake: Stocktake, by, request=None) -> Stocktake:
    """stocktake_post inside the caller's transaction (the import, the demo), which it
    fails whole on an error; its locks last until the caller commits."""
    require_transaction("stocktake_post_in_transaction")
    stocktake = lock_document(Stocktake, stocktake)
    if not stocktake.is_draft:
        return stocktake
    lines = [line for line in stocktake.lines.filter(counted__isnull=False).order_by("pk")
             if line.counted != line.book]
    products = lock_products_bulk(line.product_id for line in lines)
    changes, adjusted = [], []
    for line in lines:
        delta = line.counted - line.book
        delta = max(delta, -products[line.product_id].quantity)
        if delta != 0:
            changes.append(StockChange(product_id=line.product_id, quantity=delta))
            adjusted.append(line)
    if changes:
        movements = stock_apply(changes=changes, kind=MovementKind.COUNT, by=by,
                                reference=stocktake.reference,
                                reason=str(stocktake)[:255], locked=products)
        for line, movement in zip(adjusted, movements):
            line.movement = movement
        update_column(adjusted, "movement")
    stocktake.status = DocumentStatus.POSTED
    stocktake.posted_by, stocktake.posted_at = by, timezone.now()
    stocktake.save(update_fields=["status", "posted_by", "posted_at"])
    audit_record(actor=by, action="stocktake.post", obj=stocktake, request=request,
                 changes=audit_changes(stocktake, stocktake.lines.count(),
                                        {"adjusted": len(adjusted)}))
    return stocktake


