"""Goods receipts (тауар кірісі / приёмка): a supplier's delivery, drafted line by line, posted
into the ledger at the moving-average cost, reversed with a correcting document."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bibarys.money import money_round
from catalog.models import Product

from ..models import DocumentStatus, GoodsReceipt, MovementKind, ReceiptLine
from .documents import (
    LineAdded,
    audit_changes,
    check_quantity,
    check_scope,
    document_delete,
    lock_document,
    lock_draft,
)
from .ledger import (
    InsufficientStock,
    Shortage,
    StockChange,
    lock_products_bulk,
    require_transaction,
    stock_apply,
    update_column,
)


def moving_average_cost(*, old_quantity: Decimal, old_cost: Decimal, quantity: Decimal,
                        unit_cost: Decimal) -> Decimal:
    """The cost price after receiving `quantity` at `unit_cost`: the weighted average of what
    is on the shelf and what arrived, rounded half-up to the tiyn. With nothing on hand (or a
    book quantity that is somehow not positive) the new cost is simply the unit cost."""
    if old_quantity <= 0:
        return money_round(unit_cost)
    total = old_quantity * old_cost + quantity * unit_cost
    return money_round(total / (old_quantity + quantity))


def receipt_create(*, by, supplier: str, date, supplier_number: str = "",
                   note: str = "") -> GoodsReceipt:
    """Start a draft goods receipt."""
    return GoodsReceipt.objects.create(created_by=by, supplier=supplier.strip(), date=date,
                                       supplier_number=supplier_number.strip(), note=note.strip())


def receipt_update(*, receipt: GoodsReceipt, by, supplier: str, date, supplier_number: str = "",
                   note: str = "") -> GoodsReceipt:
    """Change the header of a draft receipt (a posted one is refused)."""
    with transaction.atomic():
        receipt = lock_draft(GoodsReceipt, receipt)
        receipt.supplier, receipt.date = supplier.strip(), date
        receipt.supplier_number, receipt.note = supplier_number.strip(), note.strip()
        receipt.save(update_fields=["supplier", "date", "supplier_number", "note"])
        return receipt


def receipt_line_set(*, receipt: GoodsReceipt, by, product: Product, quantity: Decimal,
                     unit_cost: Decimal) -> ReceiptLine:
    """Put a product on a draft receipt, or change its line if it is already there."""
    check_scope(by, product)
    quantity = check_quantity(product, quantity)
    if Decimal(unit_cost) < 0:
        raise ValidationError(_("The unit cost cannot be negative."), code="unit_cost")
    with transaction.atomic():
        receipt = lock_draft(GoodsReceipt, receipt)
        line, _created = ReceiptLine.objects.update_or_create(
            document=receipt, product=product,
            defaults={"quantity": quantity, "unit_cost": Decimal(unit_cost), "additions": 1,
                      "cost_averaged": False},
        )
        return line


def average_unit_cost(*, quantity: Decimal, unit_cost: Decimal, added_quantity: Decimal,
                      added_unit_cost: Decimal) -> Decimal:
    """The unit cost of one line holding two batches: their quantity-weighted average, so the
    line is worth what both batches are worth. A unit cost has two places: when the average
    has more (1 at 100 ₸ and 2 at 101 ₸ is 100.666… ₸) it is rounded half-up, and the line is
    then worth quantity × that cost (302.01 ₸), which is what the page shows and posting
    books."""
    if unit_cost == added_unit_cost:
        return Decimal(unit_cost)
    value = quantity * unit_cost + added_quantity * added_unit_cost
    return money_round(value / (quantity + added_quantity))


def receipt_line_add(*, receipt: GoodsReceipt, by, product: Product, quantity: Decimal,
                     unit_cost: Decimal) -> LineAdded:
    """Add a product to a draft receipt (what the "Add line" form and a scanner do).

    A product already on the receipt (scanned twice, or an invoice listing it in two batches)
    is not replaced: its line gets the quantity added and, if the unit costs differ, their
    quantity-weighted average (average_unit_cost). The document row is locked first, so two
    scans of one product add up."""
    check_scope(by, product)
    quantity = check_quantity(product, quantity)
    unit_cost = Decimal(unit_cost)
    if unit_cost < 0:
        raise ValidationError(_("The unit cost cannot be negative."), code="unit_cost")
    with transaction.atomic():
        receipt = lock_draft(GoodsReceipt, receipt)
        line = ReceiptLine.objects.filter(document=receipt, product=product).first()
        if line is None:
            line = ReceiptLine.objects.create(document=receipt, product=product,
                                              quantity=quantity, unit_cost=unit_cost)
            return LineAdded(line=line)
        averaged = unit_cost != line.unit_cost
        line.unit_cost = average_unit_cost(quantity=line.quantity, unit_cost=line.unit_cost,
                                           added_quantity=quantity, added_unit_cost=unit_cost)
        line.quantity += quantity
        line.additions = min(line.additions + 1, 32767)
        line.cost_averaged = line.cost_averaged or averaged
        line.save(update_fields=["quantity", "unit_cost", "additions", "cost_averaged"])
        return LineAdded(line=line, merged=True, averaged=averaged)


def receipt_line_remove(*, receipt: GoodsReceipt, by, line_id: int) -> None:
    with transaction.atomic():
        receipt = lock_draft(GoodsReceipt, receipt)
        receipt.lines.filter(pk=line_id).delete()


def receipt_delete(*, receipt: GoodsReceipt, by, request=None) -> None:
    """Throw away a draft receipt, audited (a posted one stays forever)."""
    document_delete(GoodsReceipt, receipt, by=by, action="receipt.delete", request=request)


@transaction.atomic(durable=True)
def receipt_post(*, receipt: GoodsReceipt, by, request=None) -> GoodsReceipt:
    """Post a draft receipt: add its stock through the ledger and move each product's cost
    price to the moving average. Posting an already posted receipt does nothing.
    The "Post" button's service: durable, never inside another transaction (a caller that
    composes a posting, as the import does, calls receipt_post_in_transaction)."""
    return receipt_post_in_transaction(receipt=receipt, by=by, request=request)


def receipt_post_in_transaction(*, receipt: GoodsReceipt, by, request=None) -> GoodsReceipt:
    """receipt_post inside the caller's transaction, which it fails whole on an error: it
    locks the document and the products there, and the locks last until the caller commits."""
    require_transaction("receipt_post_in_transaction")
    receipt = lock_document(GoodsReceipt, receipt)
    if not receipt.is_draft:
        return receipt
    lines = list(receipt.lines.order_by("pk"))
    if not lines:
        raise ValidationError(_("Add at least one line before posting."), code="empty")
    products = lock_products_bulk(line.product_id for line in lines)
    cost_changes = {}
    for line in lines:  # one line per product (unique constraint)
        product = products[line.product_id]
        new_cost = moving_average_cost(old_quantity=product.quantity,
                                       old_cost=product.cost_price,
                                       quantity=line.quantity, unit_cost=line.unit_cost)
        if new_cost != product.cost_price:
            cost_changes[product.pk] = [product.cost_price, new_cost]
            product.cost_price = new_cost
    if cost_changes:
        update_column([products[pk] for pk in cost_changes], "cost_price")
    movements = stock_apply(
        changes=[StockChange(product_id=line.product_id, quantity=line.quantity)
                 for line in lines],
        kind=MovementKind.RECEIPT, by=by, reference=receipt.reference,
        reason=receipt.supplier[:255], locked=products,
    )
    for line, movement in zip(lines, movements):
        line.movement = movement
    update_column(lines, "movement")
    receipt.status = DocumentStatus.POSTED
    receipt.posted_by, receipt.posted_at = by, timezone.now()
    receipt.save(update_fields=["status", "posted_by", "posted_at"])
    audit_record(
        actor=by, action="receipt.post", obj=receipt, request=request,
        changes=audit_changes(receipt, len(lines), {
            "cost_price": {products[pk].name: pair
                           for pk, pair in list(cost_changes.items())[:100]},
        }),
    )
    return receipt


@transaction.atomic(durable=True)
def receipt_reverse(*, receipt: GoodsReceipt, by, reason: str, request=None) -> GoodsReceipt:
    """Undo a posted receipt with a correcting document: one correction movement per line
    taking its quantity back, with the reason. Refused (nothing written) if some of the goods
    have already left the shelf, i.e. on hand is below what the reversal would take back.
    The cost price is moved back out of the average (never below zero). The "Reverse"
    button's service: durable."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is required."), code="reason_required")
    receipt = lock_document(GoodsReceipt, receipt)
    if receipt.status == DocumentStatus.REVERSED:
        return receipt
    if receipt.status != DocumentStatus.POSTED:
        raise ValidationError(_("Only a posted receipt can be reversed."), code="not_posted")
    lines = list(receipt.lines.order_by("pk"))
    products = lock_products_bulk(line.product_id for line in lines)
    shortages = [
        Shortage(product=products[line.product_id], requested=line.quantity,
                 available=products[line.product_id].quantity)
        for line in lines if products[line.product_id].quantity < line.quantity
    ]
    if shortages:
        raise InsufficientStock(shortages)
    _cost_back_out_of_average(lines, products)
    text = _("Reversal of %(doc)s: %(reason)s") % {"doc": receipt, "reason": reason}
    movements = stock_apply(
        changes=[StockChange(product_id=line.product_id, quantity=-line.quantity)
                 for line in lines],
        kind=MovementKind.CORRECTION, by=by, reference=receipt.reference,
        reason=text[:255], locked=products,
    )
    for line, movement in zip(lines, movements):
        line.reversal_movement = movement
    update_column(lines, "reversal_movement")
    receipt.status = DocumentStatus.REVERSED
    receipt.reversed_by, receipt.reversed_at = by, timezone.now()
    receipt.reversal_reason = reason[:255]
    receipt.save(update_fields=["status", "reversed_by", "reversed_at", "reversal_reason"])
    audit_record(actor=by, action="receipt.reverse", obj=receipt, request=request,
                 changes={"status": [DocumentStatus.POSTED.value, receipt.status],
                          "reason": reason, "lines": len(lines)})
    return receipt


def _cost_back_out_of_average(lines, products: dict[int, Product]) -> None:
    """Each product's cost price as if the reversed lines had never arrived (locked rows)."""
    for line in lines:
        product = products[line.product_id]
        remaining = product.quantity - line.quantity
        if remaining > 0:
            value = product.quantity * product.cost_price - line.quantity * line.unit_cost
            product.cost_price = money_round(max(Decimal("0"), value / remaining))
    update_column(products.values(), "cost_price")
