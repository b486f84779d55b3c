"""Every write of the catalog: products, categories, photos, reviews, the wishlist and the admin's
bulk actions. Views call these; each owns its transaction and raises ValidationError with a message
a person can read when the store's rules say no.

The on-hand quantity is never written here: it belongs to the inventory ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bibarys.cache import catalog_changed
from bibarys.limits import check_sum, limit_for
from bibarys.locks import lock_by_pk
from bibarys.money import TIYN, money_round
from bibarys.units import PIECES_ONLY, Unit, quantity_fits_unit

from .hooks import products_bought
from .images import photo_process
from .models import Category, Product, ProductBarcode, ProductPhoto, Review, WishlistItem
from .signals import products_recategorised
from .validators import validate_ean

PRODUCT_FIELDS = ("name", "name_ru", "name_en", "description", "description_ru",
                  "description_en", "category", "unit", "price", "cost_price",
                  "low_stock_threshold", "sku", "is_active")


def _changed():
    catalog_changed()


def _check_staff_scope(by, product: Product) -> None:
    """A seller acts on their own products only; anything else is a 404 for them."""
    if getattr(by, "is_admin", False):
        return
    if not getattr(by, "is_seller", False):
        raise PermissionDenied
    if product.seller_id != by.pk:
        from django.http import Http404

        raise Http404


# Slugs and barcodes ----------------------------------------------------------------------------


def _unique_slug(model, text: str, *, exclude_pk=None, fallback: str = "item",
                 max_length: int = 200) -> str:
    base = slugify(text, allow_unicode=True)[:max_length].strip("-") or fallback
    taken = set(model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk)
                .values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


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


@transaction.atomic
def product_create(*, by, name: str, category: Category, unit: str, price: Decimal,
                   sku: str, cost_price: Decimal = Decimal("0.00"), description: str = "",
                   low_stock_threshold: Decimal = Decimal("5"), barcodes: Iterable[str] = (),
                   is_active: bool = True, seller=None, photos: Iterable = (),
                   name_ru: str = "", name_en: str = "", description_ru: str = "",
                   description_en: str = "") -> Product:
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
        is_active=is_active)
    _set_barcodes(product, codes)
    for position, photo in enumerate(processed):
        _photo_attach(product, photo, position=position)
    audit_record(actor=by, action="product.create", obj=product,
                 changes={"price": [None, price], "cost_price": [None, cost_price]})
    _changed()
    return product


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
def product_delete(*, product: Product, by) -> None:
    """Delete a product that never sold and has no stock history; one with orders or movements
    is only archived (its history must survive)."""
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


# Categories ------------------------------------------------------------------------------------


def _check_admin(by) -> None:
    if not getattr(by, "is_admin", False):
        raise PermissionDenied


def _check_parent(category: Category | None, parent: Category | None) -> None:
    node = parent
    while node is not None:
        if category is not None and node.pk == category.pk:
            raise ValidationError({"parent": _("A category cannot be inside itself.")})
        node = node.parent


def _check_name(category: Category | None, name: str, parent: Category | None) -> None:
    """Two categories side by side may not share a name in any letter case ("Аудит А" and
    "аудит а"): a shopper could not tell them apart, and the product import matches by name.
    Compared in Python: SQLite lowers only ASCII letters."""
    siblings = Category.objects.filter(parent=parent).exclude(
        pk=getattr(category, "pk", None)).values_list("name", flat=True)
    if name.casefold() in {sibling.casefold() for sibling in siblings}:
        raise ValidationError({"name": _("There is already a category with this name here.")})


@transaction.atomic
def category_create(*, by, name: str, parent: Category | None = None,
                    position: int = 0, request=None) -> Category:
    _check_admin(by)
    _check_parent(None, parent)
    _check_name(None, name.strip(), parent)
    category = Category.objects.create(
        name=name.strip(), parent=parent, position=position,
        slug=_unique_slug(Category, name, fallback="category", max_length=120))
    audit_record(actor=by, action="category.create", obj=category, request=request)
    _changed()
    return category


@transaction.atomic
def category_update(*, category: Category, by, name: str, parent: Category | None = None,
                    position: int = 0, request=None) -> Category:
    _check_admin(by)
    _check_parent(category, parent)
    _check_name(category, name.strip(), parent)
    changes = {}
    for field, value in (("name", name.strip()), ("parent", parent), ("position", position)):
        if getattr(category, field) != value:
            changes[field] = [getattr(category, field), value]
            setattr(category, field, value)
    if changes:
        category.save()
        audit_record(actor=by, action="category.update", obj=category, changes=changes,
                     request=request)
        _changed()
    return category


@transaction.atomic
def category_delete(*, category: Category, by, request=None) -> None:
    """Only an empty category goes: one with products or sub-categories stays."""
    _check_admin(by)
    if category.products.exists():
        raise ValidationError(_("This category has products: move them first."), code="products")
    if category.children.exists():
        raise ValidationError(_("This category has sub-categories: move or delete them first."),
                              code="children")
    audit_record(actor=by, action="category.delete", obj=category, request=request)
    try:
        with transaction.atomic():
            category.delete()
    except ProtectedError:
        raise ValidationError(_("This category is still referenced and cannot be deleted."),
                              code="protected") from None
    _changed()


# Photos ----------------------------------------------------------------------------------------


def _delete_files(names) -> None:
    from django.core.files.storage import default_storage

    for pair in names:
        for name in pair:
            # The demo's drawn photos are shared by many products (catalog/demo.py).
            if name and not name.startswith("products/demo/"):
                try:
                    default_storage.delete(name)
                except OSError:  # already gone: nothing to clean
                    pass


def _lock_product(product: Product) -> Product:
    return lock_by_pk(Product.objects.all(), [product.pk])[product.pk]


def _photo_attach(product: Product, processed, *, position: int) -> ProductPhoto:
    photo = ProductPhoto(product=product, position=position, is_main=position == 0,
                         width=processed.width, height=processed.height)
    photo.image.save(processed.image.name, processed.image, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    files = [(photo.image.name, photo.thumbnail.name)]
    try:
        photo.save()
    except Exception:
        _delete_files(files)  # no row points at the files written a moment ago
        raise
    return photo


@transaction.atomic
def photo_add(*, product: Product, by, upload) -> ProductPhoto:
    """Check, re-encode and attach a photo (at most five; the first becomes the main one)."""
    _check_staff_scope(by, product)
    _lock_product(product)  # two uploads at once must not make a sixth photo
    count = product.photos.count()
    if count >= ProductPhoto.MAX_PER_PRODUCT:
        raise ValidationError(
            _("A product has at most %(max)s photos: remove one first.")
            % {"max": ProductPhoto.MAX_PER_PRODUCT}, code="too_many")
    photo = _photo_attach(product, photo_process(upload), position=count)
    audit_record(actor=by, action="product.photo_add", obj=product,
                 changes={"photos": [count, count + 1]})
    _changed()
    return photo


@transaction.atomic
def photo_remove(*, photo: ProductPhoto, by) -> None:
    product = photo.product
    _check_staff_scope(by, product)
    _lock_product(product)
    files = [(photo.image.name, photo.thumbnail.name)]
    was_main = photo.is_main
    photo.delete()
    rest = list(product.photos.order_by("position", "id"))
    for index, other in enumerate(rest):
        other.position = index
    ProductPhoto.objects.bulk_update(rest, ["position"])
    if was_main and rest:
        ProductPhoto.objects.filter(pk=rest[0].pk).update(is_main=True)
    audit_record(actor=by, action="product.photo_remove", obj=product,
                 changes={"photos": [len(rest) + 1, len(rest)]})
    transaction.on_commit(lambda: _delete_files(files))
    _changed()


@transaction.atomic
def photo_set_main(*, photo: ProductPhoto, by) -> ProductPhoto:
    product = photo.product
    _check_staff_scope(by, product)
    _lock_product(product)
    # The old main loses its mark first: one main photo per product is a database rule.
    ProductPhoto.objects.filter(product=product, is_main=True).exclude(pk=photo.pk).update(
        is_main=False)
    ProductPhoto.objects.filter(pk=photo.pk).update(is_main=True)
    photo.is_main = True
    _changed()
    return photo


@transaction.atomic
def photo_move(*, photo: ProductPhoto, by, step: int) -> None:
    """Move a photo one place earlier (step=-1) or later (step=+1)."""
    product = photo.product
    _check_staff_scope(by, product)
    _lock_product(product)
    photos = list(product.photos.order_by("position", "id"))
    index = next(i for i, p in enumerate(photos) if p.pk == photo.pk)
    target = index + step
    if 0 <= target < len(photos):
        photos[index], photos[target] = photos[target], photos[index]
        photo_reorder(product=product, by=by, order=[p.pk for p in photos])


@transaction.atomic
def photo_reorder(*, product: Product, by, order: list[int]) -> None:
    """Put the product's photos in the given order of primary keys (all of them, once each)."""
    _check_staff_scope(by, product)
    photos = {p.pk: p for p in product.photos.all()}
    if sorted(order) != sorted(photos):
        raise ValidationError(_("The new order must list each photo of the product once."))
    for position, pk in enumerate(order):
        photos[pk].position = position
    ProductPhoto.objects.bulk_update(list(photos.values()), ["position"])
    _changed()


# Reviews ---------------------------------------------------------------------------------------


def user_bought(user, product: Product) -> bool:
    """A shopper bought the product: one of their completed orders has it (an order still on
    its way, or cancelled, is not a purchase yet)."""
    return product.pk in products_bought(user, [product.pk])


@transaction.atomic
def review_save(*, product: Product, user, rating: int, text: str = "") -> Review:
    """Write or edit the shopper's one review of a product they bought."""
    if not user_bought(user, product):
        raise ValidationError(_("You can review this product once your order of it is "
                                "completed."), code="not_bought")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    review, created = Review.objects.select_for_update().get_or_create(
        user=user, product=product, defaults={"rating": rating, "text": text.strip()})
    if not created:
        review.rating, review.text = rating, text.strip()
        review.save(update_fields=["rating", "text", "updated_at"])
    _changed()
    return review


@transaction.atomic
def review_hide(*, review: Review, by, hidden: bool = True) -> Review:
    """The product's seller or an admin hides an abusive review (or shows it again)."""
    _check_staff_scope(by, review.product)
    review.is_hidden = hidden
    review.hidden_by = by if hidden else None
    review.save(update_fields=["is_hidden", "hidden_by", "updated_at"])
    audit_record(actor=by, action="review.hide" if hidden else "review.show", obj=review,
                 changes={"is_hidden": [not hidden, hidden]})
    _changed()
    return review


# Wishlist --------------------------------------------------------------------------------------


def wishlist_add(*, user, product: Product) -> WishlistItem:
    item, _created = WishlistItem.objects.get_or_create(user=user, product=product)
    return item


def wishlist_remove(*, user, product: Product) -> None:
    WishlistItem.objects.filter(user=user, product=product).delete()


def wishlist_toggle(*, user, product: Product) -> bool:
    """Add if absent, remove if present; True when the product is now in the wishlist."""
    deleted, _rows = WishlistItem.objects.filter(user=user, product=product).delete()
    if deleted:
        return False
    wishlist_add(user=user, product=product)
    return True


# Admin bulk actions ----------------------------------------------------------------------------


def _bulk_scope(by, products):
    _check_admin(by)
    return list(products.order_by("pk"))


@transaction.atomic
def products_bulk_set_active(*, products, by, active: bool) -> int:
    items = [p for p in _bulk_scope(by, products) if p.is_active != active]
    Product.objects.filter(pk__in=[p.pk for p in items]).update(is_active=active)
    for product in items:
        audit_record(actor=by, action="product.activate" if active else "product.archive",
                     obj=product, changes={"is_active": [not active, active]})
    _changed()
    return len(items)


@transaction.atomic
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


@transaction.atomic
def products_bulk_change_price(*, products, by, percent: Decimal) -> int:
    if percent <= Decimal(-100) or percent > Decimal(1000):
        raise ValidationError(_("The change must be more than −100 % and at most 1000 %."))
    items = lock_by_pk(Product.objects.all(), [p.pk for p in _bulk_scope(by, products)])
    changed = []
    for product in items.values():
        new = price_by_percent(product.price, percent)
        # Repeated a few times, +1000 % outgrows the column: refused before anything is written.
        check_sum(new, Product, "price", what=_("The new price of %(name)s (%(sku)s)")
                  % {"name": product.name, "sku": product.sku})
        if new != product.price:
            audit_record(actor=by, action="product.price_change", obj=product,
                         changes={"price": [product.price, new], "percent": str(percent)})
            product.price = new
            changed.append(product)
    Product.objects.bulk_update(changed, ["price"], batch_size=500)
    _changed()
    return len(changed)


@transaction.atomic
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
            product_delete(product=product, by=by)
            deleted += 1
        except ValidationError:
            continue
    return deleted, len(items) - deleted
