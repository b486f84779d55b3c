"""What every catalog service shares: the product fields the audit log records, the page-cache
bump, the seller's scope and unique slugs."""

from __future__ import annotations


from django.core.exceptions import PermissionDenied
from django.utils.text import slugify

from bibarys.cache import catalog_changed

from ..models import Product


PRODUCT_FIELDS = ("name", "name_ru", "name_en", "description", "description_ru",
                  "description_en", "category", "unit", "price", "cost_price",
                  "low_stock_threshold", "sku", "is_active", "vat_rate", "plu")


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
