"""The admin's bulk actions on many products at once: activate, recategorise, reprice, delete."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bibarys.limits import check_sum
from bibarys.locks import lock_by_pk
from bibarys.money import TIYN, money_round

from ..models import Category, Product
from ..signals import products_recategorised
from ._common import _changed
from .categories import _check_admin
from .products import _product_delete


def _bulk_scope(by, products):
    _check_admin(by)
    return list(products.order_by("pk"))


@transaction.atomic(durable=True)
def products_bulk_set_active(*, products, by, active: bool) -> int:
    items = [p for p in _bulk_scope(by, products) if p.is_active != active]
    Product.objects.filter(pk__in=[p.pk for p in items]).update(is_active=active)
    for product in items:
        audit_record(actor=by, action="product.activate" if active else "product.archive",
                     obj=product, changes={"is_active": [not active, active]})
    _changed()
    return len(items)


@transaction.atomic(durable=True)
def products_bulk_set_category(*, products, by, category: Category) -> int:
    items = [p for p in _bulk_scope(by, products) if p.category_id != category.pk]
    Product.objects.filter(pk__in=[p.pk for p in items]).update(category=category)
    if items:
        products_recategorised.send(sender=Product, product_ids=[p.pk for p in items])
    for product in items:
        audit_record(actor=by, action="product.update", obj=product,
                     changes={"category_id": [product.category_id, category.pk]})
    _changed()
    return len(items)


def price_by_percent(price: Decimal, percent: Decimal) -> Decimal:
    """The price changed by `percent` (+10 = 10 % dearer), rounded half-up to the tiyn, never
    below one tiyn."""
    return max(money_round(price * (Decimal(100) + percent) / Decimal(100)), TIYN)


@transaction.atomic(durable=True)
def products_bulk_change_price(*, products, by, percent: Decimal) -> int:
    if percent <= Decimal(-100) or percent > Decimal(1000):
        raise ValidationError(_("The change must be more than −100 % and at most 1000 %."))
    items = lock_by_pk(Product.objects.all(), [p.pk for p in _bulk_scope(by, products)])
    changed = []
    for product in items.values():
        new = price_by_percent(product.price, percent)
        # Repeated a few times, +1000 % outgrows the column: refused before anything is written.
        check_sum(new, Product, "price", what=_("The new price of %(name)s (%(sku)s)")
                  % {"name": product.display_name, "sku": product.sku})
        if new != product.price:
            audit_record(actor=by, action="product.price_change", obj=product,
                         changes={"price": [product.price, new], "percent": str(percent)})
            product.price = new
            changed.append(product)
    Product.objects.bulk_update(changed, ["price"], batch_size=500)
    _changed()
    return len(changed)


@transaction.atomic(durable=True)
def products_bulk_delete(*, products, by) -> tuple[int, int]:
    """Delete the never-sold, stock-free products of the selection; (deleted, kept)."""
    items = _bulk_scope(by, products)
    ids = [p.pk for p in items]
    # Order lines and stock movements point at their product (their apps are above catalog:
    # the reverse relations, no import).
    sold = set(Product.objects.filter(pk__in=ids, order_lines__isnull=False)
               .values_list("pk", flat=True))
    stocked = set(Product.objects.filter(pk__in=ids, movements__isnull=False)
                  .values_list("pk", flat=True))
    deleted = 0
    for product in items:
        if product.pk in sold or product.pk in stocked:
            continue
        try:
            _product_delete(product, by)
            deleted += 1
        except ValidationError:
            continue
    return deleted, len(items) - deleted
