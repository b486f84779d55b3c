"""The stock ledger. Every change of a product's on-hand quantity is written here, as a movement
row in the same transaction as the change, with the product rows locked in primary-key order."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bibarys.locks import lock_by_pk
from bibarys.money import format_quantity
from bibarys.units import quantity_fits_unit
from catalog.models import Product

from .models import EITHER_WAY, INCOMING, OUTGOING, MovementKind, StockMovement


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


def stock_apply(*, changes: list[StockChange], kind: str, by=None, reference: str = "",
                reason: str = "") -> list[StockMovement]:
    """Apply several stock changes as one operation: all of them, or none.

    Locks the products (primary-key order), checks every line under the lock, raises one
    InsufficientStock naming every short product, then writes one movement per line.
    Lines for the same product are applied in order.
    """
    kind = MovementKind(kind)
    with transaction.atomic():
        products = lock_products(c.product_id for c in changes)
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

        movements = []
        for change in changes:
            quantity = Decimal(change.quantity)
            # Conditional UPDATE: the database refuses to go below zero even if a caller
            # forgot the lock (and the check constraint backs it).
            updated = Product.objects.filter(
                pk=change.product_id, quantity__gte=-quantity
            ).update(quantity=F("quantity") + quantity)
            if not updated:  # cannot happen under the lock; kept as a guard
                product = products[change.product_id]
                raise InsufficientStock(
                    [Shortage(product=product, requested=-quantity, available=product.quantity)]
                )
            product = products[change.product_id]
            product.quantity += quantity
            movements.append(
                StockMovement(
                    product_id=change.product_id, kind=kind, quantity=quantity,
                    quantity_after=product.quantity, reason=change.reason or reason,
                    reference=reference, created_by=by,
                )
            )
        return StockMovement.objects.bulk_create(movements)


def stock_move(*, product: Product, quantity: Decimal, kind: str, by=None, reference: str = "",
               reason: str = "") -> StockMovement:
    """Apply one stock change (see stock_apply)."""
    (movement,) = stock_apply(
        changes=[StockChange(product_id=product.pk, quantity=Decimal(quantity))],
        kind=kind, by=by, reference=reference, reason=reason,
    )
    product.quantity = movement.quantity_after
    return movement
