"""The stock ledger. Every change of a product's on-hand quantity is written here, as a movement
row in the same transaction as the change, with the product rows locked in primary-key order."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.audit import audit_record

from bibarys.cache import catalog_changed, stock_changed
from bibarys.limits import check_sum
from bibarys.locks import lock_by_pk
from bibarys.money import format_quantity
from bibarys.units import Unit, quantity_fits_unit
from catalog.models import Category, Product, ProductBarcode
from catalog.services import category_create
from catalog.signals import products_recategorised

from .models import (
    EITHER_WAY, INCOMING, OTHER_NEEDS_COMMENT, OUTGOING, DocumentStatus, GoodsReceipt,
    MovementKind, ReceiptLine, StockMovement, Stocktake, StocktakeLine, WriteOff, WriteOffLine,
    WriteOffReason,
)


@dataclass(frozen=True)
class StockChange:
    """One line of a stock operation: move `quantity` (signed) of the product."""

    product_id: int
    quantity: Decimal
    reason: str = ""


@dataclass(frozen=True)
class Shortage:
    product: Product
    requested: Decimal
    available: Decimal

    def __str__(self):
        return _("%(name)s: %(left)s left") % {
            "name": self.product.name,
            "left": format_quantity(self.available, self.product.unit),
        }


class InsufficientStock(ValidationError):
    """Some lines ask for more than is on hand. Lists every shortage at once."""

    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        super().__init__([str(s) for s in shortages], code="insufficient_stock")


REASON_REQUIRED = {MovementKind.WRITE_OFF, MovementKind.CORRECTION}


def lock_products(product_ids) -> dict[int, Product]:
    """Lock products in primary-key order. Must run inside a transaction."""
    return lock_by_pk(Product.objects.all(), product_ids)


def _check_sign(kind: str, quantity: Decimal) -> None:
    if quantity == 0:
        raise ValidationError(_("A stock movement cannot be zero."), code="zero_quantity")
    if kind in INCOMING and quantity < 0 or kind in OUTGOING and quantity > 0:
        raise ValidationError(_("This kind of movement cannot go that way."), code="wrong_sign")
    if kind not in INCOMING | OUTGOING | EITHER_WAY:
        raise ValidationError(_("Unknown kind of stock movement."), code="unknown_kind")


def _check_stock_fits(projected: dict, products: dict) -> None:
    """A stock after the change that its column cannot hold is refused (bibarys/limits.py)."""
    for pk, after in projected.items():
        check_sum(after, Product, "quantity", what=_("The stock of %(name)s")
                  % {"name": products[pk].name})


def stock_apply(*, changes: list[StockChange], kind: str, by=None, reference: str = "",
                reason: str = "", locked: dict[int, Product] | None = None,
                ) -> list[StockMovement]:
    """Apply several stock changes as one operation: all of them, or none.

    Locks the products (primary-key order), checks every line under the lock, raises one
    InsufficientStock naming every short product, then writes one movement per line.
    Lines for the same product are applied in order.

    `locked`: the products, already locked by the caller in its transaction (lock_products; the
    checkout locks them with its cart lines). Then nothing is locked again and no savepoint is
    taken: an error here fails the caller's whole transaction, as it should.
    """
    kind = MovementKind(kind)
    if locked is not None and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_apply(locked=...) needs the caller's transaction")
    with transaction.atomic(savepoint=locked is None):
        if locked is None:
            products = lock_products(c.product_id for c in changes)
        else:
            products = {c.product_id: locked[c.product_id] for c in changes
                        if c.product_id in locked}
        projected = {pk: p.quantity for pk, p in products.items()}
        shortages = []
        for change in changes:
            product = products.get(change.product_id)
            if product is None:
                raise ValidationError(_("The product no longer exists."), code="missing_product")
            quantity = Decimal(change.quantity)
            _check_sign(kind, quantity)
            if kind in REASON_REQUIRED and not (change.reason or reason).strip():
                raise ValidationError(_("A reason is required."), code="reason_required")
            if not quantity_fits_unit(abs(quantity), product.unit):
                raise ValidationError(
                    _("%(name)s is sold by the piece: use whole numbers.")
                    % {"name": product.name},
                    code="unit_step",
                )
            projected[product.pk] += quantity
        _check_stock_fits(projected, products)
        for pk, after in projected.items():
            if after < 0:
                product = products[pk]
                wanted = sum(
                    -Decimal(c.quantity) for c in changes if c.product_id == pk
                )
                shortages.append(
                    Shortage(product=product, requested=wanted, available=product.quantity)
                )
        if shortages:
            raise InsufficientStock(sorted(shortages, key=lambda s: s.product.pk))

        deltas: dict[int, Decimal] = {}
        for change in changes:
            deltas[change.product_id] = deltas.get(change.product_id, Decimal("0")) + Decimal(
                change.quantity)
        _add_to_stock(deltas, products)
        movements = []
        for change in changes:
            quantity = Decimal(change.quantity)
            product = products[change.product_id]
            product.quantity += quantity
            movements.append(
                StockMovement(
                    product_id=change.product_id, kind=kind, quantity=quantity,
                    quantity_after=product.quantity, reason=change.reason or reason,
                    reference=reference, created_by=by,
                )
            )
        # The shop's cached pages show stock (bibarys.cache: within a second or two).
        stock_changed()
        return StockMovement.objects.bulk_create(movements)


def _add_to_stock(deltas: dict[int, Decimal], products: dict[int, Product]) -> None:
    """On-hand quantity += delta for each product, in one UPDATE per chunk (an order of thirty
    lines is one statement, not thirty; a stocktake of 10,000 ten). The caller holds the
    products' locks and has checked every line. The UPDATE is conditional all the same: the
    database refuses to go below zero even if a caller forgot the lock (and the check
    constraint backs it), and then nothing of the caller's transaction stays."""
    quote = connection.ops.quote_name
    table, column = quote(Product._meta.db_table), quote("quantity")
    field = Product._meta.get_field("quantity")
    items = sorted(deltas.items())
    moved = 0
    with connection.cursor() as cursor:
        for start in range(0, len(items), BULK_CHUNK):
            chunk = items[start:start + BULK_CHUNK]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            # VALUES names its columns column1, column2 in PostgreSQL and SQLite alike.
            cursor.execute(
                f"UPDATE {table} SET {column} = {table}.{column} + delta.column2 "
                f"FROM (VALUES {values}) AS delta WHERE {table}.{quote('id')} = delta.column1 "
                f"AND {table}.{column} + delta.column2 >= 0",
                [param for pk, delta in chunk
                 for param in (pk, field.get_db_prep_save(delta, connection))])
            moved += cursor.rowcount
    if moved != len(items):
        raise InsufficientStock([
            Shortage(product=products[pk], requested=-delta, available=products[pk].quantity)
            for pk, delta in items if delta < 0])


def stock_move(*, product: Product, quantity: Decimal, kind: str, by=None, reference: str = "",
               reason: str = "") -> StockMovement:
    """Apply one stock change (see stock_apply)."""
    (movement,) = stock_apply(
        changes=[StockChange(product_id=product.pk, quantity=Decimal(quantity))],
        kind=kind, by=by, reference=reference, reason=reason,
    )
    product.quantity = movement.quantity_after
    return movement


def stock_correct(*, product: Product, quantity: Decimal, by, reason: str,
                  request=None) -> StockMovement:
    """An admin fixes a mistake in the books (DOMAIN.md: correction, reason required): one
    correction movement of `quantity` (signed), refused below zero, with an audit entry.
    Sellers fix their own documents instead (reverse a receipt, count the shelf)."""
    if not getattr(by, "is_admin", False):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is required."), code="reason_required")
    with transaction.atomic():
        movement = stock_move(product=product, quantity=Decimal(quantity),
                              kind=MovementKind.CORRECTION, by=by, reason=reason[:255],
                              reference=f"correction:{product.pk}")
        audit_record(actor=by, action="stock.correct", obj=product, request=request,
                     changes={"quantity": [str(movement.quantity_after - movement.quantity),
                                           str(movement.quantity_after)],
                              "reason": reason})
        return movement


# How many products one locking query or UPDATE batch handles: keeps SQLite under its limit of
# bound parameters and PostgreSQL statements a sensible size.
BULK_CHUNK = 1000
BULK_FIELDS = ("pk", "name", "unit", "quantity", "cost_price", "seller_id")


def update_column(objects, field_name: str) -> None:
    """Write one column of many rows, each its own value: `UPDATE … SET col = %s WHERE pk = %s`
    sent with executemany. Django's bulk_update builds a CASE of one WHEN per row, which costs
    milliseconds of Python per row; a big receipt or the 100 000-product demo spends minutes
    there. Callers hold the rows' locks (or own the document), as for bulk_update."""
    objects = list(objects)
    if not objects:
        return
    model = type(objects[0])
    field = model._meta.get_field(field_name)
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(model._meta.db_table)} SET {quote(field.column)} = %s "
           f"WHERE {quote(model._meta.pk.column)} = %s")
    params = [(field.get_db_prep_save(getattr(obj, field.attname), connection), obj.pk)
              for obj in objects]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BULK_CHUNK):
            cursor.executemany(sql, params[start:start + BULK_CHUNK])


def lock_products_bulk(product_ids) -> dict[int, Product]:
    """Lock many products in primary-key order, chunk by chunk (one global order, so two bulk
    operations never deadlock each other or a checkout). Must run inside a transaction."""
    pks = sorted(set(product_ids))
    locked: dict[int, Product] = {}
    queryset = Product.objects.only(*BULK_FIELDS)
    for start in range(0, len(pks), BULK_CHUNK):
        locked.update(lock_by_pk(queryset, pks[start:start + BULK_CHUNK]))
    return locked


def stock_apply_bulk(*, changes: list[StockChange], kind: str, by=None, reference: str = "",
                     reason: str = "", locked: dict[int, Product] | None = None,
                     ) -> list[StockMovement]:
    """stock_apply for documents with thousands of lines (opening balances, imports, big
    receipts and stocktakes): the same rules and the same all-or-nothing result, written with
    bulk statements instead of one UPDATE per line.

    Locks every product first (primary-key order), checks every line under the lock and
    raises one InsufficientStock before anything is written; then sets each product's new
    on-hand quantity (computed under the lock, so no other writer can interleave) and writes
    the movements with their running `quantity_after`. `locked` lets a caller that already
    holds the locks (receipt_post updates cost prices under them) pass its products in.
    Returns the movements in the order of `changes`.
    """
    kind = MovementKind(kind)
    with transaction.atomic():
        products = locked if locked is not None else lock_products_bulk(
            c.product_id for c in changes)
        projected = {}
        for change in changes:
            product = products.get(change.product_id)
            if product is None:
                raise ValidationError(_("The product no longer exists."), code="missing_product")
            quantity = Decimal(change.quantity)
            _check_sign(kind, quantity)
            if kind in REASON_REQUIRED and not (change.reason or reason).strip():
                raise ValidationError(_("A reason is required."), code="reason_required")
            if not quantity_fits_unit(abs(quantity), product.unit):
                raise ValidationError(
                    _("%(name)s is sold by the piece: use whole numbers.")
                    % {"name": product.name},
                    code="unit_step",
                )
            projected[product.pk] = projected.get(product.pk, product.quantity) + quantity
        _check_stock_fits(projected, products)
        shortages = [
            Shortage(product=products[pk],
                     requested=products[pk].quantity - after,
                     available=products[pk].quantity)
            for pk, after in projected.items() if after < 0
        ]
        if shortages:
            raise InsufficientStock(sorted(shortages, key=lambda s: s.product.pk))

        movements = []
        running = {}
        for change in changes:
            quantity = Decimal(change.quantity)
            after = running.get(change.product_id, products[change.product_id].quantity) + quantity
            running[change.product_id] = after
            movements.append(
                StockMovement(
                    product_id=change.product_id, kind=kind, quantity=quantity,
                    quantity_after=after, reason=change.reason or reason,
                    reference=reference, created_by=by,
                )
            )
        deltas = {pk: after - products[pk].quantity for pk, after in running.items()}
        _add_to_stock(deltas, products)
        for pk, after in running.items():
            products[pk].quantity = after
        stock_changed()
        return StockMovement.objects.bulk_create(movements, batch_size=BULK_CHUNK)


def stock_receive_bulk(*, changes: list[StockChange], by=None, reference: str = "",
                       reason: str = "", locked: dict[int, Product] | None = None,
                       ) -> list[StockMovement]:
    """Receive many products at once (a big goods receipt, opening balances)."""
    return stock_apply_bulk(changes=changes, kind=MovementKind.RECEIPT, by=by,
                            reference=reference, reason=reason, locked=locked)


# ---------------------------------------------------------------------------------------------
# Stock documents. Each posting locks its document row first (so a double-clicked or replayed
# "Post" posts once), then the products, in the same transaction as the movements and the
# audit entry.

COST_QUANTUM = Decimal("0.01")


def _check_scope(by, product: Product) -> None:
    """A seller puts only their own products on a document; an admin anyone's."""
    if not getattr(by, "is_admin", False) and product.seller_id != by.pk:
        raise ValidationError(_("You can only add your own products."), code="not_your_product")


def _check_quantity(product: Product, quantity: Decimal, *, allow_zero: bool = False) -> Decimal:
    quantity = Decimal(quantity)
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise ValidationError(_("Enter a quantity greater than zero."), code="quantity")
    if not quantity_fits_unit(quantity, product.unit):
        step = _("whole numbers") if product.unit == "pcs" else _("steps of 0.001")
        raise ValidationError(
            _("%(name)s is counted in %(step)s.") % {"name": product.name, "step": step},
            code="unit_step",
        )
    return quantity


def _require_draft(document) -> None:
    if not document.is_draft:
        raise ValidationError(
            _("%(doc)s is already posted and cannot be changed.") % {"doc": document},
            code="posted",
        )


def _document_delete(model, document, *, by, action: str, request=None) -> None:
    """Throw away a draft document, with an audit entry written before the row goes (it names
    the document and what it held). A posted document stays forever: refused, nothing
    deleted. The caller has checked that `by` may post it (the views' seller scoping)."""
    with transaction.atomic():
        document = _lock_document(model, document)
        if not document.is_draft:
            raise ValidationError(
                _("%(doc)s is posted and cannot be deleted.") % {"doc": document},
                code="posted",
            )
        changes = {"lines": document.lines.count()}
        if document.note:
            changes["note"] = document.note
        audit_record(actor=by, action=action, obj=document, request=request, changes=changes)
        document.delete()


def _lock_document(model, document):
    return model.objects.select_for_update().get(pk=document.pk)


def _lock_draft(model, document):
    """The document, locked, refused unless it is still a draft."""
    document = _lock_document(model, document)
    _require_draft(document)
    return document


def moving_average_cost(*, old_quantity: Decimal, old_cost: Decimal, quantity: Decimal,
                        unit_cost: Decimal) -> Decimal:
    """The cost price after receiving `quantity` at `unit_cost`: the weighted average of what
    is on the shelf and what arrived, rounded half-up to the tiyn. With nothing on hand (or a
    book quantity that is somehow not positive) the new cost is simply the unit cost."""
    if old_quantity <= 0:
        return Decimal(unit_cost).quantize(COST_QUANTUM, rounding=ROUND_HALF_UP)
    total = old_quantity * old_cost + quantity * unit_cost
    return (total / (old_quantity + quantity)).quantize(COST_QUANTUM, rounding=ROUND_HALF_UP)


def _audit_changes(document, lines_count: int, extra: dict | None = None) -> dict:
    changes = {"status": [DocumentStatus.DRAFT.value, document.status], "lines": lines_count}
    changes.update(extra or {})
    return changes


# Goods receipts ------------------------------------------------------------------------------


def receipt_create(*, by, supplier: str, date, supplier_number: str = "",
                   note: str = "") -> GoodsReceipt:
    """Start a draft goods receipt."""
    return GoodsReceipt.objects.create(created_by=by, supplier=supplier.strip(), date=date,
                                       supplier_number=supplier_number.strip(), note=note.strip())


def receipt_update(*, receipt: GoodsReceipt, by, supplier: str, date, supplier_number: str = "",
                   note: str = "") -> GoodsReceipt:
    """Change the header of a draft receipt (a posted one is refused)."""
    with transaction.atomic():
        receipt = _lock_draft(GoodsReceipt, receipt)
        receipt.supplier, receipt.date = supplier.strip(), date
        receipt.supplier_number, receipt.note = supplier_number.strip(), note.strip()
        receipt.save(update_fields=["supplier", "date", "supplier_number", "note"])
        return receipt


def receipt_line_set(*, receipt: GoodsReceipt, by, product: Product, quantity: Decimal,
                     unit_cost: Decimal) -> ReceiptLine:
    """Put a product on a draft receipt, or change its line if it is already there."""
    _check_scope(by, product)
    quantity = _check_quantity(product, quantity)
    if Decimal(unit_cost) < 0:
        raise ValidationError(_("The unit cost cannot be negative."), code="unit_cost")
    with transaction.atomic():
        receipt = _lock_draft(GoodsReceipt, receipt)
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
    return (value / (quantity + added_quantity)).quantize(COST_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAdded:
    """What adding a product to a draft document did."""

    line: ReceiptLine | WriteOffLine
    merged: bool = False  # the product (with that reason) was already there: quantity added
    averaged: bool = False  # a receipt line's unit cost became the average of two batches


def receipt_line_add(*, receipt: GoodsReceipt, by, product: Product, quantity: Decimal,
                     unit_cost: Decimal) -> LineAdded:
    """Add a product to a draft receipt (what the "Add line" form and a scanner do).

    A product already on the receipt (scanned twice, or an invoice listing it in two batches)
    is not replaced: its line gets the quantity added and, if the unit costs differ, their
    quantity-weighted average (average_unit_cost). The document row is locked first, so two
    scans of one product add up."""
    _check_scope(by, product)
    quantity = _check_quantity(product, quantity)
    unit_cost = Decimal(unit_cost)
    if unit_cost < 0:
        raise ValidationError(_("The unit cost cannot be negative."), code="unit_cost")
    with transaction.atomic():
        receipt = _lock_draft(GoodsReceipt, receipt)
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
        receipt = _lock_draft(GoodsReceipt, receipt)
        receipt.lines.filter(pk=line_id).delete()


def receipt_delete(*, receipt: GoodsReceipt, by, request=None) -> None:
    """Throw away a draft receipt, audited (a posted one stays forever)."""
    _document_delete(GoodsReceipt, receipt, by=by, action="receipt.delete", request=request)


def receipt_post(*, receipt: GoodsReceipt, by, request=None) -> GoodsReceipt:
    """Post a draft receipt: add its stock through the ledger and move each product's cost
    price to the moving average. Posting an already posted receipt does nothing."""
    with transaction.atomic():
        receipt = _lock_document(GoodsReceipt, receipt)
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
        movements = stock_receive_bulk(
            changes=[StockChange(product_id=line.product_id, quantity=line.quantity)
                     for line in lines],
            by=by, reference=receipt.reference, reason=receipt.supplier[:255], locked=products,
        )
        for line, movement in zip(lines, movements):
            line.movement = movement
        update_column(lines, "movement")
        receipt.status = DocumentStatus.POSTED
        receipt.posted_by, receipt.posted_at = by, timezone.now()
        receipt.save(update_fields=["status", "posted_by", "posted_at"])
        audit_record(
            actor=by, action="receipt.post", obj=receipt, request=request,
            changes=_audit_changes(receipt, len(lines), {
                "cost_price": {products[pk].name: pair
                               for pk, pair in list(cost_changes.items())[:100]},
            }),
        )
        return receipt


def receipt_reverse(*, receipt: GoodsReceipt, by, reason: str, request=None) -> GoodsReceipt:
    """Undo a posted receipt with a correcting document: one correction movement per line
    taking its quantity back, with the reason. Refused (nothing written) if some of the goods
    have already left the shelf, i.e. on hand is below what the reversal would take back.
    The cost price is moved back out of the average (never below zero)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is required."), code="reason_required")
    with transaction.atomic():
        receipt = _lock_document(GoodsReceipt, receipt)
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
        for line in lines:
            product = products[line.product_id]
            remaining = product.quantity - line.quantity
            if remaining > 0:
                value = product.quantity * product.cost_price - line.quantity * line.unit_cost
                product.cost_price = max(Decimal("0"), value / remaining).quantize(
                    COST_QUANTUM, rounding=ROUND_HALF_UP)
        update_column(products.values(), "cost_price")
        text = _("Reversal of %(doc)s: %(reason)s") % {"doc": receipt, "reason": reason}
        movements = stock_apply_bulk(
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


# Write-offs ----------------------------------------------------------------------------------


def writeoff_create(*, by, date, note: str = "") -> WriteOff:
    return WriteOff.objects.create(created_by=by, date=date, note=note.strip())


def _writeoff_line_input(by, product: Product, quantity, reason: str,
                         comment: str) -> tuple[Decimal, str]:
    """A write-off line's checks before any lock: the user's product, a quantity in its unit,
    a reason (and a comment for "other")."""
    _check_scope(by, product)
    quantity = _check_quantity(product, quantity)
    comment = comment.strip()
    _check_writeoff_reason(reason, comment)
    return quantity, comment


def _check_writeoff_reason(reason: str, comment: str) -> None:
    if reason not in WriteOffReason.values:
        raise ValidationError({"reason": _("Choose a reason.")}, code="reason_required")
    if reason == WriteOffReason.OTHER and not comment:
        raise ValidationError({"comment": str(OTHER_NEEDS_COMMENT)}, code="comment_required")


def writeoff_line_set(*, writeoff: WriteOff, by, product: Product, quantity: Decimal,
                      reason: str, comment: str = "") -> WriteOffLine:
    """Put a product on a draft write-off with a reason, or set the quantity of its line with
    that reason."""
    quantity, comment = _writeoff_line_input(by, product, quantity, reason, comment)
    with transaction.atomic():
        writeoff = _lock_draft(WriteOff, writeoff)
        line, _created = WriteOffLine.objects.update_or_create(
            document=writeoff, product=product, reason=reason,
            defaults={"quantity": quantity, "comment": comment},
        )
        return line


def writeoff_line_add(*, writeoff: WriteOff, by, product: Product, quantity: Decimal,
                      reason: str, comment: str = "") -> LineAdded:
    """Add a product to a draft write-off (what the "Add line" form and a scanner do).

    A line is a product with one reason: the write-off report sums losses by reason, so 3
    spoiled and 2 damaged yoghurts stay two lines. Adding a product with a reason it already
    has on this write-off adds the quantity to that line (and its comment, if new). Posting
    writes one movement per line."""
    quantity, comment = _writeoff_line_input(by, product, quantity, reason, comment)
    with transaction.atomic():
        writeoff = _lock_draft(WriteOff, writeoff)
        line = WriteOffLine.objects.filter(document=writeoff, product=product,
                                           reason=reason).first()
        if line is None:
            line = WriteOffLine.objects.create(document=writeoff, product=product,
                                               quantity=quantity, reason=reason,
                                               comment=comment)
            return LineAdded(line=line)
        line.quantity += quantity
        if comment and comment not in line.comment:
            joined = f"{line.comment}; {comment}" if line.comment else comment
            limit = WriteOffLine._meta.get_field("comment").max_length
            line.comment = joined if len(joined) <= limit else joined[:limit - 1] + "…"
        line.save(update_fields=["quantity", "comment"])
        return LineAdded(line=line, merged=True)


def writeoff_line_remove(*, writeoff: WriteOff, by, line_id: int) -> None:
    with transaction.atomic():
        writeoff = _lock_draft(WriteOff, writeoff)
        writeoff.lines.filter(pk=line_id).delete()


def writeoff_delete(*, writeoff: WriteOff, by, request=None) -> None:
    """Throw away a draft write-off, audited (a posted one stays forever)."""
    _document_delete(WriteOff, writeoff, by=by, action="writeoff.delete", request=request)


def writeoff_post(*, writeoff: WriteOff, by, request=None) -> WriteOff:
    """Post a draft write-off: take its goods off the books. Refused, with every short product
    named and nothing written, if a line asks for more than is on hand. Posting twice posts
    once."""
    with transaction.atomic():
        writeoff = _lock_document(WriteOff, writeoff)
        if not writeoff.is_draft:
            return writeoff
        lines = list(writeoff.lines.order_by("pk"))
        if not lines:
            raise ValidationError(_("Add at least one line before posting."), code="empty")
        movements = stock_apply_bulk(
            changes=[
                StockChange(product_id=line.product_id, quantity=-line.quantity,
                            reason=f"{line.get_reason_display()}: {line.comment}".rstrip(": ")[:255])
                for line in lines
            ],
            kind=MovementKind.WRITE_OFF, by=by, reference=writeoff.reference,
        )
        # The cost of the loss is the moving-average cost now, read under the products' locks
        # (stock_apply_bulk holds them), kept on the line before it is tied to its movement.
        costs = dict(Product.objects.filter(pk__in={line.product_id for line in lines})
                     .values_list("pk", "cost_price"))
        for line, movement in zip(lines, movements):
            line.unit_cost = costs[line.product_id]
            line.movement = movement
        update_column(lines, "unit_cost")
        update_column(lines, "movement")
        writeoff.status = DocumentStatus.POSTED
        writeoff.posted_by, writeoff.posted_at = by, timezone.now()
        writeoff.save(update_fields=["status", "posted_by", "posted_at"])
        audit_record(actor=by, action="writeoff.post", obj=writeoff, request=request,
                     changes=_audit_changes(writeoff, len(lines)))
        return writeoff


# Stocktakes ----------------------------------------------------------------------------------


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
    _document_delete(Stocktake, stocktake, by=by, action="stocktake.delete", request=request)


def stocktake_count(*, stocktake: Stocktake, by, line: StocktakeLine,
                    counted: Decimal | None, add: bool = False) -> StocktakeLine:
    """Record the counted quantity of one line (None clears it; add=True adds to what was
    counted so far). The product's book quantity at this moment is kept with it: see
    stocktake_post for why. The document row is locked first, so two phones counting the same
    shelf never lose each other's scans."""
    with transaction.atomic():
        stocktake = _lock_draft(Stocktake, stocktake)
        line = StocktakeLine.objects.select_related("product").get(
            pk=line.pk, document=stocktake)
        if counted is None:
            line.counted = line.book_at_count = line.counted_at = None
        else:
            if add:
                counted = (line.counted or Decimal("0")) + Decimal(counted)
            line.counted = _check_quantity(line.product, counted, allow_zero=True)
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
    _require_draft(stocktake)
    line = stocktake_find_line(stocktake=stocktake, code=code)
    if line is None:
        return None, False
    if line.product.unit != "pcs":
        return line, False
    line = stocktake_count(stocktake=stocktake, by=by, line=line, counted=Decimal("1"), add=True)
    return line, True


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
    """
    with transaction.atomic():
        stocktake = _lock_document(Stocktake, stocktake)
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
            movements = stock_apply_bulk(changes=changes, kind=MovementKind.COUNT, by=by,
                                         reference=stocktake.reference,
                                         reason=str(stocktake)[:255], locked=products)
            for line, movement in zip(adjusted, movements):
                line.movement = movement
            update_column(adjusted, "movement")
        stocktake.status = DocumentStatus.POSTED
        stocktake.posted_by, stocktake.posted_at = by, timezone.now()
        stocktake.save(update_fields=["status", "posted_by", "posted_at"])
        audit_record(actor=by, action="stocktake.post", obj=stocktake, request=request,
                     changes=_audit_changes(stocktake, stocktake.lines.count(),
                                            {"adjusted": len(adjusted)}))
        return stocktake


# Import of products ---------------------------------------------------------------------------


@dataclass
class FieldChange:
    """One column of an existing product that the import changes: the preview shows old → new."""

    field: str
    old: object
    new: object

    @property
    def label(self) -> str:
        from django.utils.translation import pgettext

        return {"name": pgettext("product", "Name"), "name_ru": _("Name in Russian"),
                "name_en": _("Name in English"), "category": _("Category"),
                "unit": _("Unit"), "price": _("Price"), "cost_price": _("Cost"),
                "barcode": _("Barcode")}[self.field]

    def _shown(self, value) -> str:
        from bibarys.money import format_money
        from bibarys.units import UNIT_SHORT

        if self.field in ("price", "cost_price"):
            return format_money(value)
        if self.field == "unit":
            return str(UNIT_SHORT.get(value, value))
        return str(value)

    @property
    def shown_old(self) -> str:
        return self._shown(self.old)

    @property
    def shown_new(self) -> str:
        return self._shown(self.new)


@dataclass
class ProductChange:
    line: int
    product: Product
    fields: list[FieldChange]


@dataclass
class StockAdjustment:
    """An existing product's on-hand quantity set to the file's (the user asked for it)."""

    line: int
    product: Product
    on_hand: Decimal
    counted: Decimal

    @property
    def difference(self) -> Decimal:
        return self.counted - self.on_hand


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    received_lines: int = 0
    adjusted_lines: int = 0
    errors: list = field(default_factory=list)  # [(line, message)]
    receipt: GoodsReceipt | None = None
    stocktake: Stocktake | None = None
    dry_run: bool = False
    # The plan, as the preview lists it and the confirm must find it again.
    new_products: list = field(default_factory=list)  # [ImportRow]
    changes: list[ProductChange] = field(default_factory=list)
    adjustments: list[StockAdjustment] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    # Existing products whose quantity in the file differs from on hand, left alone because
    # the user did not ask to set stock.
    quantities_ignored: int = 0
    # On hand of every existing product whose quantity the file sets, as the plan saw it.
    stock_seen: dict = field(default_factory=dict)  # {product pk: Decimal}

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def digest(self) -> str:
        """A fingerprint of everything the import would write: the confirm compares it with
        the preview's, so it applies exactly what the user saw, or nothing."""
        import hashlib
        import json

        plan = {
            "new": [row.line for row in self.new_products],
            "changes": [[c.line, c.product.pk, [[f.field, str(f.old), str(f.new)]
                                                 for f in c.fields]] for c in self.changes],
            "adjustments": [[a.line, a.product.pk, str(a.on_hand), str(a.counted)]
                            for a in self.adjustments],
            "stock": sorted([pk, str(q)] for pk, q in self.stock_seen.items()),
            "categories": self.new_categories,
            "unchanged": self.unchanged,
        }
        return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()


class ImportOutdated(ValidationError):
    """What the preview showed is no longer what the import would do (a sale or a write-off
    moved stock the file sets, someone edited a product): nothing is written."""

    def __init__(self, message: str, stock_changed=()):
        self.stock_changed = list(stock_changed)  # [(product, on hand at preview, now)]
        super().__init__(message, code="import_outdated")


def _chunks(items, size=BULK_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _unique_slugs(wanted: list[str], model) -> list[str]:
    """Make each slug unique against the table and against each other."""
    taken = set()
    for chunk in _chunks(set(wanted)):
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    result = []
    for slug in wanted:
        candidate, n = slug, 2
        while candidate in taken:
            candidate = f"{slug[:200]}-{n}"
            n += 1
        taken.add(candidate)
        result.append(candidate)
    return result


def _category_key(name: str) -> str:
    # Compared in Python: SQLite lowers only ASCII letters (as catalog's category names do).
    return " ".join(name.split()).casefold()


IMPORT_FIELDS = ("pk", "sku", "name", "name_ru", "name_en", "unit", "price", "cost_price",
                 "quantity", "seller_id", "category_id", "category__name")


def _products_import_plan(*, rows, rejected=(), by, seller, set_quantities: bool,
                          ) -> tuple[ImportResult, dict[str, Category]]:
    """What importing `rows` would do, read from the database as it is now. Writes nothing.
    `rejected`: rows the file check refused; they are checked here too (their errors only), so
    the user sees every problem of the file at once."""
    from inventory.importers import sku_key

    result = ImportResult()
    by_admin = getattr(by, "is_admin", False)
    everything = sorted([(row, True) for row in rows] + [(row, False) for row in rejected],
                        key=lambda item: item[0].line)

    def usable(row, column):
        return bool(getattr(row, column)) and column not in row.invalid

    # Every SKU of the store by its key: SKUs match in any letter case, which no database
    # lookup does for Cyrillic on SQLite. Two columns of each product, read once.
    keys = {sku_key(row.sku) for row, _ok in everything if usable(row, "sku")}
    keys |= {sku_key(row.barcode) for row, _ok in everything if usable(row, "barcode")}
    sku_index: dict[str, list[int]] = {}
    if keys:
        for pk, sku in Product.objects.values_list("pk", "sku").iterator(chunk_size=5000):
            key = sku_key(sku)
            if key in keys:
                sku_index.setdefault(key, []).append(pk)
    barcode_owner = {}
    for chunk in _chunks({row.barcode for row, _ok in everything if usable(row, "barcode")}):
        barcode_owner.update(ProductBarcode.objects.filter(code__in=chunk).values_list(
            "code", "product_id"))
    wanted = {pk for pks in sku_index.values() for pk in pks} | set(barcode_owner.values())
    products: dict[int, Product] = {}
    for chunk in _chunks(sorted(wanted)):
        for product in Product.objects.filter(pk__in=chunk).select_related("category").only(
                *IMPORT_FIELDS):
            products[product.pk] = product
    categories: dict[str, Category] = {}
    for category in Category.objects.order_by("pk").only("pk", "name"):
        categories.setdefault(_category_key(category.name), category)

    def mine(product):
        return by_admin or product.seller_id == by.pk

    def category_for(row, problems):
        """The category a row names, or None when an admin's import will create it."""
        category = categories.get(_category_key(row.category))
        if category is None:
            if not by_admin:  # categories are the admin's (DOMAIN.md)
                problems.append(_("there is no category “%(name)s”: ask an admin to create it")
                                % {"name": row.category})
            elif _category_key(row.category) not in new_categories:
                new_categories[_category_key(row.category)] = " ".join(row.category.split())
        return category

    new_categories: dict[str, str] = {}
    matched_on: dict[int, int] = {}  # product pk → the line that matched it
    for row, accepted in everything:
        problems = []
        product, via = None, ""
        if usable(row, "sku"):
            candidates = sku_index.get(sku_key(row.sku), [])
            exact = [pk for pk in candidates if products[pk].sku == row.sku]
            if exact or len(candidates) == 1:
                product, via = products[(exact or candidates)[0]], "sku"
            elif candidates:
                if any(mine(products[pk]) for pk in candidates):
                    problems.append(_("SKU %(sku)s matches several products that differ only "
                                      "in letter case: write it exactly") % {"sku": row.sku})
                else:
                    problems.append(_("this SKU is taken"))
                result.errors.append((row.line, "; ".join(problems)))
                continue
        barcode = row.barcode if usable(row, "barcode") else ""
        if product is None and barcode in barcode_owner:
            product, via = products[barcode_owner[barcode]], "barcode"
        if product is not None and not mine(product):
            # Anything not yours gives no hint that it exists: no name, no stock, no owner.
            problems.append(_("this SKU is taken") if via == "sku"
                            else _("this barcode is taken"))
            result.errors.append((row.line, "; ".join(problems)))
            continue
        if barcode in barcode_owner and product is not None \
                and barcode_owner[barcode] != product.pk:
            if mine(products[barcode_owner[barcode]]):
                problems.append(_("barcode %(code)s belongs to another product")
                                % {"code": barcode})
            else:
                problems.append(_("this barcode is taken"))

        if product is None:
            if not row.category:
                if "category" not in row.invalid:
                    problems.append(_("a new product needs a category"))
            else:
                category_for(row, problems)
            if row.price is None and "price" not in row.invalid:
                problems.append(_("a new product needs a price"))
            if not row.sku and barcode and sku_key(barcode) in sku_index:
                problems.append(_("SKU %(sku)s is taken") % {"sku": barcode})
            if problems:
                result.errors.append((row.line, "; ".join(problems)))
            elif accepted:
                result.new_products.append(row)
            continue

        if product.pk in matched_on:
            problems.append(_("the same product as on line %(line)s")
                            % {"line": matched_on[product.pk]})
        matched_on.setdefault(product.pk, row.line)
        fields = []
        if row.name and row.name != product.name:
            fields.append(FieldChange("name", product.name, row.name))
        for column in ("name_ru", "name_en"):  # an empty cell keeps the product's own
            if getattr(row, column) and getattr(row, column) != getattr(product, column):
                fields.append(FieldChange(column, getattr(product, column),
                                          getattr(row, column)))
        if row.category and _category_key(row.category) != _category_key(product.category.name):
            category = category_for(row, problems)
            fields.append(FieldChange("category", product.category.name,
                                      category.name if category else row.category))
        if row.unit and row.unit != product.unit:
            if not quantity_fits_unit(product.quantity, row.unit):
                problems.append(_("the unit cannot become pieces while %(qty)s is on hand")
                                % {"qty": format_quantity(product.quantity, product.unit)})
            fields.append(FieldChange("unit", product.unit, row.unit))
        if row.price is not None and row.price != product.price:
            fields.append(FieldChange("price", product.price, row.price))
        if row.cost is not None and row.cost != product.cost_price:
            fields.append(FieldChange("cost_price", product.cost_price, row.cost))
        if barcode and barcode not in barcode_owner:
            fields.append(FieldChange("barcode", "", barcode))
        adjustment = None
        if row.quantity is not None and "quantity" not in row.invalid:
            if set_quantities:
                result.stock_seen[product.pk] = product.quantity
                if row.quantity != product.quantity:
                    if not quantity_fits_unit(row.quantity, row.unit or product.unit):
                        problems.append(_("a piece product takes whole quantities"))
                    adjustment = StockAdjustment(line=row.line, product=product,
                                                 on_hand=product.quantity, counted=row.quantity)
            elif row.quantity != product.quantity and accepted:
                result.quantities_ignored += 1
        if problems:
            result.errors.append((row.line, "; ".join(problems)))
            continue
        if not accepted:
            continue
        if fields:
            result.changes.append(ProductChange(line=row.line, product=product, fields=fields))
        if adjustment:
            result.adjustments.append(adjustment)
        if not fields and not adjustment:
            result.unchanged += 1
    result.errors.sort(key=lambda error: error[0])
    result.new_categories = list(new_categories.values())
    result.created = len(result.new_products)
    result.updated = len(result.changes)
    result.received_lines = sum(1 for row in result.new_products if row.quantity)
    result.adjusted_lines = len(result.adjustments)
    return result, categories


def _outdated(result: ImportResult, expected_stock: dict | None) -> ImportOutdated:
    moved = {int(pk): (Decimal(before), result.stock_seen[int(pk)])
             for pk, before in (expected_stock or {}).items()
             if int(pk) in result.stock_seen and result.stock_seen[int(pk)] != Decimal(before)}
    names = Product.objects.only("name", "unit").in_bulk(sorted(moved)[:10])
    changed = [(names[pk], *moved[pk]) for pk in sorted(moved)[:10] if pk in names]
    if not changed:
        return ImportOutdated(_("The products changed since the preview."))
    shown = ", ".join(
        f"{product.name} ({format_quantity(before, product.unit)} → "
        f"{format_quantity(now, product.unit)})" for product, before, now in changed[:10])
    if len(moved) > len(changed):
        shown += ", …"
    return ImportOutdated(_("On-hand stock changed since the preview: %(products)s.")
                          % {"products": shown}, stock_changed=changed)


def products_import(*, rows, by, seller, filename: str = "", dry_run: bool = False,
                    set_quantities: bool = False, expected_digest: str | None = None,
                    expected_stock: dict | None = None, rejected=(),
                    request=None) -> ImportResult:
    """Create or update products from checked import rows (inventory.importers.parse_table).

    Existing products are matched by SKU (in any letter case), then by barcode, and updated.
    A seller matches only their own products and uses only existing categories; an admin's
    import creates the categories it names, through catalog's service (audited).

    Quantities: a new product's quantity arrives as an opening goods receipt (posted). An
    existing product's stock is left alone (re-importing an exported price list must not undo
    the sales and write-offs made since the export) unless `set_quantities`: then the file's
    quantity is a count and the difference is posted as a stocktake named after the file.

    `expected_digest` / `expected_stock`: the preview's ImportResult.digest and stock_seen. The
    plan is made again under the products' locks and must be the same, otherwise
    ImportOutdated (saying whose stock moved) and nothing is written. One bad row imports
    nothing: every problem comes back with its line number. `rejected` (dry run only): rows
    the file check refused, checked here too so every problem is reported in one round.
    """
    if dry_run:
        result, _categories = _products_import_plan(
            rows=rows, rejected=rejected, by=by, seller=seller, set_quantities=set_quantities)
        result.dry_run = True
        return result
    if rejected:
        raise ValueError("rows with problems are never imported")

    try:
        with transaction.atomic():
            first, _categories = _products_import_plan(rows=rows, by=by, seller=seller,
                                                       set_quantities=set_quantities)
            # Lock what will change (primary-key order, as every stock writer does), then plan
            # again from the locked rows: no sale slips between the check and the write.
            lock_products_bulk([c.product.pk for c in first.changes] + list(first.stock_seen))
            result, categories = _products_import_plan(rows=rows, by=by, seller=seller,
                                                       set_quantities=set_quantities)
            if result.errors:
                return result
            if expected_digest is not None and result.digest != expected_digest:
                raise _outdated(result, expected_stock)
            _products_import_write(result=result, categories=categories, by=by, seller=seller,
                                   filename=filename, set_quantities=set_quantities,
                                   request=request)
    except IntegrityError:
        # A product with one of the file's SKUs or barcodes appeared since the plan.
        raise ImportOutdated(_("The products changed since the preview.")) from None
    return result


def _products_import_write(*, result: ImportResult, categories, by, seller, filename: str,
                           set_quantities: bool, request) -> None:
    """Write a plan made under the products' locks (products_import)."""
    # Categories the file names that do not exist yet (an admin's import only), one by one
    # through catalog's service so that each is audited like one made on the categories page.
    for name in result.new_categories:
        categories[_category_key(name)] = category_create(by=by, name=name, request=request)

    # New products, with quantity zero: their stock arrives through the ledger below.
    new_rows = result.new_products
    slugs = _unique_slugs([
        (f"{slugify(row.name, allow_unicode=True)[:150]}-"
         f"{slugify(row.sku or row.barcode, allow_unicode=True)[:60]}").strip("-")
        for row in new_rows], Product)
    created = Product.objects.bulk_create([
        Product(name=row.name, name_ru=row.name_ru, name_en=row.name_en, slug=slug,
                sku=row.sku or row.barcode,
                category=categories[_category_key(row.category)], seller=seller,
                unit=row.unit or Unit.PIECE, price=row.price,
                cost_price=row.cost or Decimal("0"))
        for row, slug in zip(new_rows, slugs)
    ], batch_size=BULK_CHUNK)
    if created and created[0].pk is None:
        lookup = dict(Product.objects.filter(sku__in=[p.sku for p in created]).values_list(
            "sku", "pk"))
        for product in created:
            product.pk = product.id = lookup[product.sku]
    new_barcodes = [(change.product.pk, f.new) for change in result.changes
                    for f in change.fields if f.field == "barcode"]
    new_barcodes += [(product.pk, row.barcode) for product, row in zip(created, new_rows)
                     if row.barcode]
    ProductBarcode.objects.bulk_create(
        [ProductBarcode(product_id=pk, code=code) for pk, code in new_barcodes],
        batch_size=BULK_CHUNK)

    # Changed fields of existing products. One executemany per changed column, each with only
    # the products whose column changed (bulk_update's CASE per row is what made 50 000-row
    # price updates slow).
    columns: dict[str, list[Product]] = {}
    price_changes = {}
    for change in result.changes:
        product = change.product
        for item in change.fields:
            if item.field == "barcode":
                continue
            value = item.new
            if item.field == "category":
                value = categories[_category_key(value)]
            elif item.field == "price":
                price_changes[product.sku] = [str(item.old), str(item.new)]
            setattr(product, item.field, value)
            columns.setdefault(item.field, []).append(product)
    for name in sorted(columns):
        update_column(columns[name], name)
    if "category" in columns:
        products_recategorised.send(sender=Product,
                                    product_ids=[p.pk for p in columns["category"]])

    # Opening stock of the new products: one posted goods receipt.
    opening = [(product, row) for product, row in zip(created, new_rows) if row.quantity]
    if opening:
        receipt = GoodsReceipt.objects.create(
            created_by=by, supplier=_("Opening balance (import)"),
            supplier_number=filename[:64], date=timezone.localdate(),
            note=_("Imported from %(file)s") % {"file": filename[:200]})
        ReceiptLine.objects.bulk_create([
            ReceiptLine(document=receipt, product_id=product.pk, quantity=row.quantity,
                        unit_cost=row.cost or Decimal("0"))
            for product, row in opening], batch_size=BULK_CHUNK)
        result.receipt = receipt_post(receipt=receipt, by=by, request=request)

    # On-hand stock set to the file's quantities (asked for on the upload form): the
    # differences, counted under the lock, as a posted stocktake.
    if result.adjustments:
        stocktake = Stocktake.objects.create(
            created_by=by, note=_("Imported from %(file)s") % {"file": filename[:200]})
        now = timezone.now()
        StocktakeLine.objects.bulk_create([
            StocktakeLine(document=stocktake, product_id=a.product.pk, expected=a.on_hand,
                          counted=a.counted, book_at_count=a.on_hand, counted_at=now)
            for a in result.adjustments], batch_size=BULK_CHUNK)
        result.stocktake = stocktake_post(stocktake=stocktake, by=by, request=request)

    audit_record(actor=by, action="products.import", obj=seller, request=request, changes={
        "file": filename, "created": result.created, "updated": result.updated,
        "received_lines": result.received_lines, "adjusted_lines": result.adjusted_lines,
        "set_quantities": set_quantities, "categories": result.new_categories[:100],
        "price": dict(list(price_changes.items())[:100]),
    })
    catalog_changed()
