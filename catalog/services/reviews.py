"""Reviews (one per shopper per product, by those who bought it) and the wishlist."""

from __future__ import annotations


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record

from ..hooks import products_bought
from ..models import Product, Review, WishlistItem
from ._common import _changed, _check_staff_scope


def user_bought(user, product: Product) -> bool:
    """A shopper bought the product: one of their completed orders has it (an order still on
    its way, or cancelled, is not a purchase yet)."""
    return product.pk in products_bought(user, [product.pk])


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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
