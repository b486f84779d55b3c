"""Every figure of the dashboards and reports, computed by the database.

What counts as a sale: an order in any status but `cancelled` (new, confirmed, ready and
completed). The shopper has paid or committed to pay and the stock has left the shelf; a
cancelled order has returned both, so it never counts.

Revenue is the sum of the order lines' totals (price × quantity copied at the moment of sale);
cost of goods is the sum of the lines' cost price × quantity, each rounded to the tiyn half up
(the copied cost, so later price changes do not rewrite history); profit = revenue − cost.
A seller sees only their own lines (OrderLine.seller, copied at sale); an admin sees the store.

Sales figures (totals, series, categories, products, margins, sellers) read the daily sales
rollup (analytics.models, kept in the order's transaction; see rollup.py) for whole Almaty days
instead of every order line, so their cost grows with days × products sold, not with lines.
Only the order count per category of the sales report (a distinct count no daily sum can give)
and the recent orders (a LIMIT query) read orders and lines.

Each function runs a fixed number of queries whatever the amount of data: aggregates and
GROUP BY in SQL, Python only fills empty buckets of a chart and divides two totals.

One module per kind of figure; callers import from `analytics.selectors`."""

from ._base import (is_store_wide, sale_lines, change_percent, margin_percent, average, ZERO,
                    SALE_STATUSES, MONEY, QUANTITY, LINE_COST, ITEMS)
from .figures import (Figure, sales_totals, sales_figures, new_shoppers, store_counts,
                      dashboard_figures)
from .series import Point, sales_series
from .breakdowns import (revenue_by_category, top_products, sales_by_product, products_sold,
                         by_margin, sales_by_seller, product_board)
from .recent import recent_orders, recent_writeoffs
from .stock_reports import (stock_products, stock_totals, receipt_lines, receipts_in,
                            receipt_line_rows, receipts_total, writeoff_lines, writeoffs_by_reason,
                            writeoff_line_rows, order_for_invoice, VALUE_AT_COST,
                            RECEIPT_LINE_TOTAL, WRITEOFF_VALUE)

__all__ = [
    "is_store_wide", "sale_lines", "change_percent", "margin_percent", "average", "ZERO",
    "SALE_STATUSES", "MONEY", "QUANTITY", "LINE_COST", "ITEMS", "Figure", "sales_totals",
    "sales_figures", "new_shoppers", "store_counts", "dashboard_figures", "Point",
    "sales_series", "revenue_by_category", "top_products", "sales_by_product", "products_sold",
    "by_margin", "sales_by_seller", "product_board", "recent_orders", "recent_writeoffs",
    "stock_products", "stock_totals", "receipt_lines", "receipts_in", "receipt_line_rows",
    "receipts_total", "writeoff_lines", "writeoffs_by_reason", "writeoff_line_rows",
    "order_for_invoice", "VALUE_AT_COST", "RECEIPT_LINE_TOTAL", "WRITEOFF_VALUE",
]
