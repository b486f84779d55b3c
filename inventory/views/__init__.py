"""The stock back-office pages: goods receipts, write-offs, stocktakes, movement history, low
stock, import and export. Sellers act on their own products, admins on all; another seller's
document answers 404, a shopper 403.

One module per subject: receipts, writeoffs, stocktakes (the documents), stock (a product's
movements, low stock), import_export; common holds what they share. urls.py reaches every view
through this package's names."""

from .import_export import export_products, import_confirm, import_products
from .receipts import (
    receipt_create, receipt_delete, receipt_detail, receipt_edit, receipt_line_add,
    receipt_line_remove, receipt_list, receipt_post, receipt_reverse,
)
from .stock import low_stock, product_correct, product_movements, product_search
from .stocktakes import (
    stocktake_count, stocktake_create, stocktake_delete, stocktake_detail, stocktake_list,
    stocktake_post, stocktake_scan, stocktake_sheet,
)
from .writeoffs import (
    writeoff_create, writeoff_delete, writeoff_detail, writeoff_line_add, writeoff_line_remove,
    writeoff_list, writeoff_post,
)

__all__ = [
    "export_products", "import_confirm", "import_products", "receipt_create", "receipt_delete",
    "receipt_detail", "receipt_edit", "receipt_line_add", "receipt_line_remove", "receipt_list",
    "receipt_post", "receipt_reverse", "low_stock", "product_correct", "product_movements",
    "product_search", "stocktake_count", "stocktake_create", "stocktake_delete",
    "stocktake_detail", "stocktake_list", "stocktake_post", "stocktake_scan", "stocktake_sheet",
    "writeoff_create", "writeoff_delete", "writeoff_detail", "writeoff_line_add",
    "writeoff_line_remove", "writeoff_list", "writeoff_post",
]
