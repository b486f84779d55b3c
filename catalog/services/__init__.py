"""Every write of the catalog: products, categories, photos, reviews, the wishlist and the admin's
bulk actions, one module each. Views call these; each owns its transaction and raises
ValidationError with a message a person can read when the store's rules say no.

The on-hand quantity is never written here: it belongs to the inventory ledger.
Callers import from `catalog.services`; the modules are how it is read, not how it is used."""

from ._common import PRODUCT_FIELDS
from .products import (barcodes_parse, barcodes_validate, _validate_product_values, product_create,
                       product_update, product_set_active, product_archive, product_activate,
                       product_was_sold, product_delete)
from .categories import category_create, category_update, category_delete
from .photos import photo_add, photo_remove, photo_set_main, photo_move, photo_reorder
from .reviews import (user_bought, review_save, review_hide, wishlist_add, wishlist_remove,
                      wishlist_toggle)
from .bulk import (products_bulk_set_active, products_bulk_set_category, price_by_percent,
                   products_bulk_change_price, products_bulk_delete)

__all__ = [
    "PRODUCT_FIELDS", "barcodes_parse", "barcodes_validate", "_validate_product_values",
    "product_create", "product_update", "product_set_active", "product_archive",
    "product_activate", "product_was_sold", "product_delete", "category_create",
    "category_update", "category_delete", "photo_add", "photo_remove", "photo_set_main",
    "photo_move", "photo_reorder", "user_bought", "review_save", "review_hide", "wishlist_add",
    "wishlist_remove", "wishlist_toggle", "products_bulk_set_active",
    "products_bulk_set_category", "price_by_percent", "products_bulk_change_price",
    "products_bulk_delete",
]
