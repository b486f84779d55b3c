"""A product's photos (up to five): add, remove, choose the main one, reorder."""

from __future__ import annotations


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bibarys.locks import lock_by_pk

from ..images import photo_process
from ..models import Product, ProductPhoto
from ._common import _changed, _check_staff_scope


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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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
        _photo_reorder(product, by, [p.pk for p in photos])


@transaction.atomic(durable=True)
def photo_reorder(*, product: Product, by, order: list[int]) -> None:
    """Put the product's photos in the given order of primary keys (all of them, once each)."""
    _photo_reorder(product, by, order)


def _photo_reorder(product: Product, by, order: list[int]) -> None:
    """photo_reorder in the caller's transaction (photo_move, which holds the product's lock)."""
    _check_staff_scope(by, product)
    photos = {p.pk: p for p in product.photos.all()}
    if sorted(order) != sorted(photos):
        raise ValidationError(_("The new order must list each photo of the product once."))
    for position, pk in enumerate(order):
        photos[pk].position = position
    ProductPhoto.objects.bulk_update(list(photos.values()), ["position"])
    _changed()
