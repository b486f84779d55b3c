"""The stock invariants of DOMAIN.md, computed in the database (correlated aggregates, one query
per rule), so that checking 100 000 products takes seconds, not a loop over rows.

The rules that need what only a higher app knows (order lines, for sales) are registered by that
app with `register_stock_check`, as Django's system checks are: inventory never imports them."""

from collections.abc import Callable, Iterator

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce

from catalog.models import Product

from .models import MovementKind, StockMovement

QTY = DecimalField(max_digits=18, decimal_places=3)
ZERO = Value(Decimal("0"), output_field=QTY)
# Quantities have 3 decimal places. SQLite sums decimals as binary floats (73.308 comes back as
# 73.30800000000001), so two quantities differ when they differ by half a gram or more; on
# PostgreSQL (numeric) this is exact equality.
HALF_STEP = Value(Decimal("0.0005"), output_field=QTY)


def movement_sum(**filters):
    """The sum of a product's movements (filtered), for a Product queryset's annotate()."""
    rows = (StockMovement.objects.filter(product=OuterRef("pk"), **filters)
            .order_by().values("product").annotate(total=Sum("quantity")).values("total"))
    return Coalesce(Subquery(rows, output_field=QTY), ZERO)


StockCheck = Callable[[int], Iterator[str]]
_registered_checks: list[StockCheck] = []

# The reverse relations of StockMovement through which a document line owns a movement, per
# kind: inventory's own documents here, the higher apps' (order lines) registered by them.
_movement_owners: dict[str, list[str]] = {
    MovementKind.RECEIPT: ["receipt_line"],
    MovementKind.WRITE_OFF: ["writeoff_line"],
    MovementKind.COUNT: ["stocktake_line"],
}


def register_movement_owner(kind: str, relation: str) -> None:
    """`relation` (a reverse relation of StockMovement) owns movements of `kind`: a movement
    of that kind with none of its kind's owners is an orphan."""
    owners = _movement_owners.setdefault(kind, [])
    if relation not in owners:
        owners.append(relation)


def register_stock_check(check: StockCheck) -> StockCheck:
    """Add a rule to `check_stock`: a function of `limit` yielding one line per problem. Apps
    above inventory register theirs in `AppConfig.ready()`; registering twice is harmless."""
    if check not in _registered_checks:
        _registered_checks.append(check)
    return check


def stock_problems(limit: int = 1000):
    """Yield one human-readable line per broken invariant (at most `limit` per rule)."""
    # 1. On hand equals the sum of the product's movements, and is never below zero.
    for pk, sku, quantity, ledger in (
            Product.objects.annotate(ledger=movement_sum())
            .annotate(gap=Abs(F("quantity") - F("ledger"))).filter(gap__gte=HALF_STEP)
            .order_by("pk")
            .values_list("pk", "sku", "quantity", "ledger")[:limit]):
        yield f"product {pk} ({sku}): on hand {quantity} but its movements sum to {ledger}"
    for pk, sku, quantity in Product.objects.filter(quantity__lt=0).values_list(
            "pk", "sku", "quantity")[:limit]:
        yield f"product {pk} ({sku}): on hand is negative ({quantity})"

    # The running balance of the last movement is what is on hand.
    last_after = (StockMovement.objects.filter(product=OuterRef("pk")).order_by("-pk")
                  .values("quantity_after")[:1])
    for pk, sku, quantity, after in (
            Product.objects.annotate(last_after=Subquery(last_after, output_field=QTY))
            .filter(last_after__isnull=False)
            .annotate(gap=Abs(F("quantity") - F("last_after"))).filter(gap__gte=HALF_STEP)
            .order_by("pk")
            .values_list("pk", "sku", "quantity", "last_after")[:limit]):
        yield f"product {pk} ({sku}): on hand {quantity} but the last movement left {after}"

    # 2. Every movement belongs to a document line: one of the relations registered for its kind
    #    (sales and returns belong to order lines: the orders register those).
    yield from orphan_movements(limit)

    for check in _registered_checks:
        yield from check(limit)


def orphan_movements(limit: int):
    """One line per movement that no document line of its kind points at."""
    for kind, relations in _movement_owners.items():
        if not relations:
            continue
        orphan = Q()
        for relation in relations:
            orphan &= Q(**{f"{relation}__isnull": True})
        for pk, product_id, reference in (
                StockMovement.objects.filter(orphan, kind=kind).order_by("pk")
                .values_list("pk", "product_id", "reference")[:limit]):
            yield (f"movement {pk} ({kind}, product {product_id}, {reference or 'no document'})"
                   f" belongs to no document line")
