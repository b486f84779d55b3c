"""The stock ledger. Every change of a product's on-hand quantity is written here, as a movement
row in the same transaction as the change, with the product rows locked in primary-key order.

One writer, `stock_apply`, for a checkout's three lines and a stocktake's ten thousand alike;
`stock_move` is its single-product case."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bibarys.cache import stock_changed
from bibarys.limits import check_sum
from bibarys.locks import lock_by_pk
from bibarys.money import format_quantity
from bibarys.units import quantity_fits_unit, unit_step_message
from catalog.models import Product

from ..models import EITHER_WAY, INCOMING, OUTGOING, MovementKind, StockMovement

# How many products one locking query or UPDATE batch handles: keeps SQLite under its limit of
# bound parameters and PostgreSQL statements a sensible size.
BULK_CHUNK = 1000
# The columns the ledger and the documents read of a product they lock in bulk.
BULK_FIELDS = ("pk", "name", "unit", "quantity", "cost_price", "seller_id")

REASON_REQUIRED = {MovementKind.WRITE_OFF, MovementKind.CORRECTION}


@dataclass(frozen=True)
class StockChange:
    """One line of a stock operation: move `quantity` (signed) of the product."""

    product_id: int
    quantity: Decimal
    reason: str = ""


@dataclass(frozen=True)
class Shortage:
    """A product that a stock operation would take below zero. `requested` is what the
    operation takes out of it in all (the sum of its lines, as a positive number)."""

    product: Product
    requested: Decimal
    available: Decimal

    def __str__(self):
        return _("%(name)s: %(left)s left") % {
            "name": self.product.display_name,
            "left": format_quantity(self.available, self.product.unit),
        }


class InsufficientStock(ValidationError):
    """Some lines ask for more than is on hand. Lists every shortage at once."""

    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        super().__init__([str(s) for s in shortages], code="insufficient_stock")


def require_transaction(what: str) -> None:
    """A composed service (one that expects its caller's transaction and locks) refuses to run
    on its own: outside a transaction its locks would be released at once."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{what} needs the caller's transaction")


def lock_products(product_ids) -> dict[int, Product]:
    """Lock products in primary-key order (whole rows: a checkout copies their names, prices
    and sellers onto the order). Must run inside a transaction."""
    return lock_by_pk(Product.objects.all(), product_ids)


def lock_products_bulk(product_ids) -> dict[int, Product]:
    """Lock many products in primary-key order, chunk by chunk (one global order, so two bulk
    operations never deadlock each other or a checkout), reading only BULK_FIELDS. Must run
    inside a transaction."""
    pks = sorted(set(product_ids))
    locked: dict[int, Product] = {}
    queryset = Product.objects.only(*BULK_FIELDS)
    for start in range(0, len(pks), BULK_CHUNK):
        locked.update(lock_by_pk(queryset, pks[start:start + BULK_CHUNK]))
    return locked


def stock_apply(*, changes: list[StockChange], kind: str, by=None, reference: str = "",
                reason: str = "", locked: dict[int, Product] | None = None,
                ) -> list[StockMovement]:
    """Apply several stock changes as one operation: all of them, or none.

    Locks the products (primary-key order), checks every line under the lock, raises one
    InsufficientStock naming every short product, then writes the new on-hand quantities in
    one UPDATE per chunk and one movement per line (bulk statements: the same path serves a
    checkout and a stocktake of 10,000 lines). Lines for the same product are applied in
    order, each movement with its running `quantity_after`. Returns the movements in the
    order of `changes`; the products' `quantity` is updated in place.

    `locked`: the products, already locked by the caller in its transaction (lock_products or
    lock_products_bulk; the checkout locks them with its cart lines, receipt_post updates cost
    prices under them). Then nothing is locked again and no savepoint is taken: an error here
    fails the caller's whole transaction, as it should.
    """
    kind = MovementKind(kind)
    if locked is not None:
        require_transaction("stock_apply(locked=...)")
    with transaction.atomic(savepoint=locked is None):
        products = locked if locked is not None else lock_products_bulk(
            c.product_id for c in changes)
        projected = _check_changes(changes, kind, reason, products)
        movements = []
        after: dict[int, Decimal] = {}
        for change in changes:
            quantity = Decimal(change.quantity)
            after[change.product_id] = after.get(
                change.product_id, products[change.product_id].quantity) + quantity
            movements.append(StockMovement(
                product_id=change.product_id, kind=kind, quantity=quantity,
                quantity_after=after[change.product_id], reason=change.reason or reason,
                reference=reference, created_by=by))
        _add_to_stock({pk: q - products[pk].quantity for pk, q in projected.items()}, products)
        for pk, quantity in projected.items():
            products[pk].quantity = quantity
        # The shop's cached pages of these products check the stock they show (bibarys.cache).
        stock_changed(projected.keys())
        return StockMovement.objects.bulk_create(movements, batch_size=BULK_CHUNK)


def _check_changes(changes, kind, reason: str, products: dict[int, Product]) -> dict:
    """Every rule of every line, under the lock, before anything is written: {product pk: on
    hand after all the lines}. Raises the first wrong line, or one InsufficientStock listing
    every product the lines would take below zero."""
    projected: dict[int, Decimal] = {}
    for change in changes:
        product = products.get(change.product_id)
        if product is None:
            raise ValidationError(_("The product no longer exists."), code="missing_product")
        quantity = Decimal(change.quantity)
        _check_sign(kind, quantity)
        if kind in REASON_REQUIRED and not (change.reason or reason).strip():
            raise ValidationError(_("A reason is required."), code="reason_required")
        if not quantity_fits_unit(abs(quantity), product.unit):
            raise ValidationError(unit_step_message(product.display_name, product.unit),
                                  code="unit_step")
        projected[product.pk] = projected.get(product.pk, product.quantity) + quantity
    _check_stock_fits(projected, products)
    shortages = [_shortage(products[pk], after - products[pk].quantity)
                 for pk, after in projected.items() if after < 0]
    if shortages:
        raise InsufficientStock(sorted(shortages, key=lambda s: s.product.pk))
    return projected


def _shortage(product: Product, delta: Decimal) -> Shortage:
    """The one way a shortage is told: what the lines take out in all, and what is on hand."""
    return Shortage(product=product, requested=-delta, available=product.quantity)


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
        raise InsufficientStock([_shortage(products[pk], delta)
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


@transaction.atomic(durable=True)
def stock_correct(*, product: Product, quantity: Decimal, by, reason: str,
                  request=None) -> StockMovement:
    """An admin fixes a mistake in the books (DOMAIN.md: correction, reason required): one
    correction movement of `quantity` (signed), refused below zero, with an audit entry.
    Sellers fix their own documents instead (reverse a receipt, count the shelf).
    A page's action on its own: durable, never inside another transaction."""
    if not getattr(by, "is_admin", False):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is required."), code="reason_required")
    movement = stock_move(product=product, quantity=Decimal(quantity),
                          kind=MovementKind.CORRECTION, by=by, reason=reason[:255],
                          reference=f"correction:{product.pk}")
    audit_record(actor=by, action="stock.correct", obj=product, request=request,
                 changes={"quantity": [str(movement.quantity_after - movement.quantity),
                                       str(movement.quantity_after)],
                          "reason": reason})
    return movement


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
