"""The stock services: the ledger, one module per document, and the product import.

- ledger: the one writer of stock movements (stock_apply; stock_move for one product), the
  product locks, an admin's correction;
- documents: what the documents share (scope, quantities, a draft's lock and deletion);
- receipts, writeoffs, stocktakes: one module per stock document;
- import_plan, import_write: the product import's plan and its write (reading the file is
  inventory.importers').

Callers import the public names from here: `from inventory.services import stock_apply`.
A document's `*_post` is durable (the page's action); a caller composing a posting into its
own transaction (the import, the demo) calls `*_post_in_transaction`.
"""

from .documents import LineAdded
from .import_plan import (
    IMPORT_FIELDS, FieldChange, ImportOutdated, ImportResult, ProductChange, StockAdjustment,
    products_import_plan,
)
from .import_write import products_import
from .ledger import (
    BULK_CHUNK, BULK_FIELDS, REASON_REQUIRED, InsufficientStock, Shortage, StockChange,
    lock_products, lock_products_bulk, require_transaction, stock_apply, stock_correct,
    stock_move, update_column,
)
from .receipts import (
    average_unit_cost, moving_average_cost, receipt_create, receipt_delete, receipt_line_add,
    receipt_line_remove, receipt_line_set, receipt_post, receipt_post_in_transaction,
    receipt_reverse, receipt_update,
)
from .stocktakes import (
    stocktake_count, stocktake_delete, stocktake_find_line, stocktake_post,
    stocktake_post_in_transaction, stocktake_scan, stocktake_start,
)
from .writeoffs import (
    writeoff_create, writeoff_delete, writeoff_line_add, writeoff_line_remove,
    writeoff_line_set, writeoff_post, writeoff_post_in_transaction,
)

__all__ = [
    "BULK_CHUNK", "BULK_FIELDS", "IMPORT_FIELDS", "REASON_REQUIRED",
    "FieldChange", "ImportOutdated", "ImportResult", "InsufficientStock", "LineAdded",
    "ProductChange", "Shortage", "StockAdjustment", "StockChange",
    "average_unit_cost", "lock_products", "lock_products_bulk", "moving_average_cost",
    "products_import", "products_import_plan", "receipt_create", "receipt_delete",
    "receipt_line_add", "receipt_line_remove", "receipt_line_set", "receipt_post",
    "receipt_post_in_transaction", "receipt_reverse", "receipt_update", "require_transaction",
    "stock_apply", "stock_correct", "stock_move", "stocktake_count", "stocktake_delete",
    "stocktake_find_line", "stocktake_post", "stocktake_post_in_transaction", "stocktake_scan",
    "stocktake_start", "update_column", "writeoff_create", "writeoff_delete",
    "writeoff_line_add", "writeoff_line_remove", "writeoff_line_set", "writeoff_post",
    "writeoff_post_in_transaction",
]
