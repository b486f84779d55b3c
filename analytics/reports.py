"""The reports: their content built once from the selectors, then written as PDF (pdf.py +
templates/analytics/pdf/) or XLSX (xlsx.py). Both formats print the same numbers."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy


from orders.vat import vat_by_rate

from . import channels, charts, selectors, vat
from .periods import Period

REPORT_INFO = {
    "sales": {"title": gettext_lazy("Sales"),
              "help": gettext_lazy("Totals, by day, by product, by category and by seller, "
                                   "with the chart.")},
    "stock": {"title": gettext_lazy("Stock"),
              "help": gettext_lazy("Products with on-hand quantity, cost and value at cost; "
                                   "low stock marked. As of now, whatever the period.")},
    "receipts": {"title": gettext_lazy("Goods receipts"),
                 "help": gettext_lazy("Goods receipts posted in the period, with their lines.")},
    "writeoffs": {"title": gettext_lazy("Write-offs"),
                  "help": gettext_lazy("Write-offs in the period by reason, valued at cost.")},
    "vat": {"title": gettext_lazy("VAT"),
            "help": gettext_lazy("VAT by rate for the period: sales, returns and what is due, "
                                 "by day. Admins only."), "admin_only": True},
}
REPORT_NAMES = list(REPORT_INFO)
FORMATS = ("pdf", "xlsx")


def _base(name: str, viewer, period: Period) -> dict:
    return {
        "name": name,
        "title": REPORT_INFO[name]["title"],
        "period": period,
        "viewer": viewer,
        "store_wide": selectors.is_store_wide(viewer),
        "generated_at": timezone.localtime(),
    }


# The PDF lists the best-selling products by revenue and sums the rest in one row: a printed
# table of every product sold (tens of thousands in a big store) takes WeasyPrint minutes. The
# XLSX report holds every product.
PDF_PRODUCT_ROWS = 50


def sales_report(viewer, period: Period, *, for_pdf: bool = False) -> dict:
    totals = selectors.sales_totals(viewer, period)
    by_product = selectors.sales_by_product(viewer, period,
                                            limit=PDF_PRODUCT_ROWS + 1 if for_pdf else None)
    products_rest = None
    if for_pdf and len(by_product) > PDF_PRODUCT_ROWS:
        by_product = by_product[:PDF_PRODUCT_ROWS]
        revenue = totals["revenue"] - sum(r["revenue"] for r in by_product)
        cost = totals["cost"] - sum(r["cost"] for r in by_product)
        products_rest = {"count": selectors.products_sold(viewer, period) - len(by_product),
                         "revenue": revenue, "cost": cost, "profit": revenue - cost}
    granularity = period.granularity
    series = selectors.sales_series(viewer, period, granularity)
    return {
        **_base("sales", viewer, period),
        "totals": totals,
        "by_day": selectors.sales_series(viewer, period, "day", zero_fill=False),
        "by_product": by_product,
        "products_rest": products_rest,
        "by_category": selectors.revenue_by_category(viewer, period, with_orders=True),
        "by_seller": selectors.sales_by_seller(viewer, period),
        "vat": vat_by_rate(selectors.sale_lines(viewer, period)),
        **channels.channel_context(viewer, period),
        "chart": charts.sales_chart(series, granularity=granularity, width=720, height=230,
                                    title=_("Revenue and profit"), revenue_label=_("Revenue"),
                                    profit_label=_("Profit")),
    }


def stock_groups(products) -> list[dict]:
    """The stock list cut into its categories (products come sorted by category name), each
    with its value at cost, so the printed list reads like a shelf-by-shelf inventory."""
    groups: list[dict] = []
    for row_number, product in enumerate(products, start=1):
        product.row_number = row_number
        name = product.category.name if product.category_id else ""
        if not groups or groups[-1]["name"] != name:
            groups.append({"name": name, "products": [], "value": Decimal("0.00")})
        groups[-1]["products"].append(product)
        groups[-1]["value"] += product.value or Decimal("0.00")
    return groups


def stock_report(viewer, period: Period, *, for_pdf: bool = False) -> dict:
    products = selectors.stock_products(viewer)
    return {
        **_base("stock", viewer, period),
        # The XLSX writer streams the queryset; only the printed list needs it in memory.
        "products": products,
        "groups": stock_groups(products) if for_pdf else None,
        "totals": selectors.stock_totals(viewer),
    }


def receipts_report(viewer, period: Period) -> dict:
    return {
        **_base("receipts", viewer, period),
        "receipts": selectors.receipts_in(viewer, period),
        "lines": selectors.receipt_line_rows(viewer, period),
        "totals": selectors.receipts_total(viewer, period),
    }


def writeoffs_report(viewer, period: Period) -> dict:
    by_reason = selectors.writeoffs_by_reason(viewer, period)
    return {
        **_base("writeoffs", viewer, period),
        "by_reason": by_reason,
        "lines": selectors.writeoff_line_rows(viewer, period),
        "totals": {"lines": sum(r["lines"] for r in by_reason),
                   "value": sum((r["value"] for r in by_reason), Decimal("0.00"))},
    }


BUILDERS = {"sales": sales_report, "stock": stock_report, "receipts": receipts_report,
            "writeoffs": writeoffs_report, "vat": vat.vat_report}


def build_report(name: str, viewer, period: Period, *, for_pdf: bool = False) -> dict:
    if name in ("sales", "stock"):
        return BUILDERS[name](viewer, period, for_pdf=for_pdf)
    return BUILDERS[name](viewer, period)


def report_filename(name: str, period: Period, fmt: str) -> str:
    if name == "stock":
        return f"bibarys-stock-{timezone.localdate().isoformat()}.{fmt}"
    return f"bibarys-{name}-{period.first.isoformat()}_{period.last.isoformat()}.{fmt}"

