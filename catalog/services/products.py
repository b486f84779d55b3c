"""Products and their barcodes: create, update, archive, delete.

The on-hand quantity is never written here: it belongs to the inventory ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bibarys.limits import limit_for
from bibarys.units import PIECES_ONLY, Unit, quantity_fits_unit

from ..images import photo_process
from ..models import Category, Product, ProductBarcode, ProductPhoto
from ..validators import validate_ean
from ._common import PRODUCT_FIELDS, _changed, _check_staff_scope, _unique_slug
from .photos import _delete_files, _lock_product, _photo_attach


def barcodes_parse(text: str) -> list[str]:
    """Barcodes written one per line or separated by commas/spaces, without repeats."""
    codes = []
    for raw in text.replace(",", "\n").replace(";", "\n").split():
        code = raw.strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def barcodes_validate(codes: Iterable[str], *, product: Product | None = None) -> list[str]:
    codes = list(codes)
    errors = []
    for code in codes:
        try:
            validate_ean(code)
        except ValidationError as error:
            errors.extend(error.messages)
    taken = ProductBarcode.objects.filter(code__in=codes)
    if product is not None and product.pk:
        taken = taken.exclude(product=product)
    for code in taken.values_list("code", flat=True):
        errors.append(_("Barcode %(code)s already belongs to another product.") % {"code": code})
    if errors:
        raise ValidationError(errors, code="barcode")
    return codes


def _set_barcodes(product: Product, codes: list[str]) -> None:
    product.barcodes.exclude(code__in=codes).delete()
    existing = set(product.barcodes.values_list("code", flat=True))
    ProductBarcode.objects.bulk_create(
        [ProductBarcode(product=product, code=c) for c in codes if c not in existing])


# Products --------------------------------------------------------------------------------------


def _validate_product_values(*, price, cost_price, unit, low_stock_threshold) -> None:
    errors = {}
    for name, value in (("price", price), ("cost_price", cost_price),
                        ("low_stock_threshold", low_stock_threshold)):
        if value is not None:  # what its column holds (bibarys/limits.py), whoever calls
            problem = limit_for(Product._meta.get_field(name)).error(value)
            if problem is not None:
                errors[name] = problem
    if errors:
        raise ValidationError(errors)
    if price is None or price <= 0:
        errors["price"] = _("The price must be more than zero.")
    if cost_price is None or cost_price < 0:
        errors["cost_price"] = _("The cost price cannot be negative.")
    if unit not in Unit.values:
        errors["unit"] = _("Choose a unit.")
    elif low_stock_threshold is not None and low_stock_threshold < 0:
        errors["low_stock_threshold"] = _("The threshold must be zero or more.")
    elif low_stock_threshold is not None and not quantity_fits_unit(low_stock_threshold, unit):
        errors["low_stock_threshold"] = PIECES_ONLY
    if errors:
        raise ValidationError(errors)



def _check_plu_free(plu, *, product: Product | None = None) -> None:
    if plu is None:
        return
    taken = Product.objects.filter(plu=plu)
    if product is not None:
        taken = taken.exclude(pk=product.pk)
    if taken.exists():
        raise ValidationError({"plu": _("This PLU is already used by another product.")})

@transaction.atomic(durable=True)
def product_create(*, by, name: str, category: Category, unit: str, price: Decimal,
                   sku: str, cost_price: Decimal = Decimal("0.00"), description: str = "",
                   low_stock_threshold: Decimal = Decimal("5"), barcodes: Iterable[str] = (),
                   is_active: bool = True, seller=None, photos: Iterable = (),
                   name_ru: str = "", name_en: str = "", description_ru: str = "",
                   description_en: str = "", vat_rate: str = "",
                   plu: int | None = None) -> Product:
    """A new product with zero stock (stock arrives through a goods receipt). A seller owns what
    they create; an admin may name the seller. Photos given here are all checked before anything
    is saved: one bad photo refuses the whole product."""
    if not (getattr(by, "is_seller", False) or getattr(by, "is_admin", False)):
        raise PermissionDenied
    if not getattr(by, "is_admin", False) or seller is None:
        seller = by
    _validate_product_values(price=price, cost_price=cost_price, unit=unit,
                             low_stock_threshold=low_stock_threshold)
    sku = sku.strip()
    if Product.objects.filter(sku=sku).exists():
        raise ValidationError({"sku": _("This SKU is already used by another product.")})
    _check_plu_free(plu)
    codes = barcodes_validate(barcodes)
    photos = list(photos)
    if len(photos) > ProductPhoto.MAX_PER_PRODUCT:
        raise ValidationError({"photos": _("A product has at most %(max)s photos.")
                               % {"max": ProductPhoto.MAX_PER_PRODUCT}})
    processed = []
    for upload in photos:
        try:
            processed.append(photo_process(upload))
        except ValidationError as error:
            name = getattr(upload, "name", "")
            raise ValidationError({"photos": [f"{name}: {m}" for m in error.messages]}) from None
    product = Product.objects.create(
        name=name.strip(), slug=_unique_slug(Product, f"{name} {sku}", fallback="product"),
        name_ru=name_ru.strip(), name_en=name_en.strip(), description_ru=description_ru,
        description_en=description_en, description=description, category=category,
        seller=seller, unit=unit, price=price,
        cost_price=cost_price, low_stock_threshold=low_stock_threshold, sku=sku,
        is_active=is_active, vat_rate=vat_rate, plu=plu)
    _set_barcodes(product, codes)
    for position, photo in enumerate(processed):
        _photo_attach(product, photo, position=position)
    audit_record(actor=by, action="product.create", obj=product,
                 changes={"price": [None, price], "cost_price": [None, cost_price]})
    _changed()
    return product


@transaction.atomic(durable=True)
def product_update(*, product: Product, by, barcodes: Iterable[str] | None = None,
                   **fields) -> Product:
    """Change a product's card. Price changes leave an audit entry; the unit cannot change once
    the product has stock history (its movements are counted in the old unit)."""
    _check_staff_scope(by, product)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"product_update got unknown fields {sorted(unknown)}")
    product = _lock_product(product)
    before = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    after = {**before, **fields}
    _validate_product_values(price=after["price"], cost_price=after["cost_price"],
                             unit=after["unit"], low_stock_threshold=after["low_stock_threshold"])
    if after["unit"] != before["unit"] and product.movements.exists():
        raise ValidationError({"unit": _(
            "The unit cannot change: this product already has stock movements in %(unit)s.")
            % {"unit": product.get_unit_display()}})
    after["sku"] = after["sku"].strip()
    if after["sku"] != before["sku"] and Product.objects.filter(sku=after["sku"]).exclude(
            pk=product.pk).exists():
        raise ValidationError({"sku": _("This SKU is already used by another product.")})
    if after["plu"] != before["plu"]:
        _check_plu_free(after["plu"], product=product)
    changes = {}
    for name in PRODUCT_FIELDS:
        if after[name] != before[name]:
            changes[name] = [before[name], after[name]]
            setattr(product, name, after[name])
    if barcodes is not None:
        codes = barcodes_validate(barcodes, product=product)
        old_codes = sorted(product.barcodes.values_list("code", flat=True))
        if sorted(codes) != old_codes:
            changes["barcodes"] = [", ".join(old_codes), ", ".join(sorted(codes))]
            _set_barcodes(product, codes)
    if changes:
        product.save()
        action = ("product.price_change" if {"price", "cost_price"} & set(changes)
                  else "product.update")
        audit_record(actor=by, action=action, obj=product, changes=changes)
        _changed()
    return product


@transaction.atomic(durable=True)
def product_set_active(*, product: Product, by, active: bool) -> Product:
    """Archive (hide from the shop, keep the history) or bring back a product."""
    _check_staff_scope(by, product)
    if product.is_active != active:
        Product.objects.filter(pk=product.pk).update(is_active=active)
        product.is_active = active
        audit_record(actor=by, action="product.activate" if active else "product.archive",
                     obj=product, changes={"is_active": [not active, active]})
        _changed()
    return product


def product_archive(*, product: Product, by) -> Product:
    return product_set_active(product=product, by=by, active=False)


def product_activate(*, product: Product, by) -> Product:
    return product_set_active(product=product, by=by, active=True)


def product_was_sold(product: Product) -> bool:
    # Order lines point at their product (orders is above catalog: the reverse relation, no import).
    return product.order_lines.exists()


@transaction.atomic(durable=True)
def product_delete(*, product: Product, by) -> None:
    """Delete a product that never sold and has no stock history; one with orders or movements
    is only archived (its history must survive)."""
    _product_delete(product, by)


def _product_delete(product: Product, by) -> None:
    """product_delete in the caller's transaction (the admin's bulk delete), in a savepoint of
    its own: a product refused leaves nothing behind, not even its audit entry."""
    with transaction.atomic():
        _product_delete_now(product, by)


def _product_delete_now(product: Product, by) -> None:
    _check_staff_scope(by, product)
    if product_was_sold(product):
        raise ValidationError(_("This product appears in orders: it can be archived, not deleted."),
                              code="sold")
    if product.movements.exists():
        raise ValidationError(
            _("This product has stock history: archive it instead of deleting."), code="stocked")
    files = [(p.image.name, p.thumbnail.name) for p in product.photos.all()]
    audit_record(actor=by, action="product.delete", obj=product,
                 changes={"sku": [product.sku, None], "name": [product.name, None]})
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError:
        raise ValidationError(
            _("This product is referenced by stock documents: archive it instead."),
            code="protected") from None
    transaction.on_commit(lambda: _delete_files(files))
    _changed()
