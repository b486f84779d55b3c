"""The stock, receipts and write-offs reports, and an order's invoice."""

from __future__ import annotations


from django.db.models import Count, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Round

from bibarys.sqlite import Alphabetical
from catalog.models import Product
from catalog.selectors import shown_name
from inventory.models import DocumentStatus, ReceiptLine, WriteOffLine
from orders.models import Order

from ..periods import Period
from ._base import MONEY, QUANTITY, _money, is_store_wide


# ---------------------------------------------------------------------------------------------
# Reports: stock, receipts, write-offs.

VALUE_AT_COST = Round(ExpressionWrapper(F("quantity") * F("cost_price"), output_field=QUANTITY),
                      2, output_field=MONEY)


def stock_products(viewer):
    """Products in the viewer's scope with their stock valued at cost, by category and name
    (the name in the reader's language)."""
    return (Product.objects.for_seller(viewer).select_related("category")
            .annotate(value=VALUE_AT_COST)
            .order_by(Alphabetical("category__name"), Alphabetical(shown_name()), "pk"))


def stock_totals(viewer) -> dict:
    row = Product.objects.for_seller(viewer).aggregate(
        products=Count("pk"), value=Sum(VALUE_AT_COST, output_field=MONEY),
        low=Count("pk", filter=Q(quantity__lte=F("low_stock_threshold"))))
    return {"products": row["products"], "value": _money(row["value"]), "low": row["low"]}


RECEIPT_LINE_TOTAL = Round(
    ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=QUANTITY), 2,
    output_field=MONEY)


def receipt_lines(viewer, period: Period):
    """Lines of goods receipts posted (and not reversed) with a document date in the period,
    the viewer's products only."""
    lines = ReceiptLine.objects.filter(document__status=DocumentStatus.POSTED,
                                       document__date__gte=period.first,
                                       document__date__lte=period.last)
    if not is_store_wide(viewer):
        lines = lines.filter(product__seller=viewer)
    return lines


def receipts_in(viewer, period: Period) -> list[dict]:
    """One row per receipt: date, supplier, lines, total at cost. One query."""
    rows = (receipt_lines(viewer, period)
            .values("document_id", date=F("document__date"), supplier=F("document__supplier"),
                    supplier_number=F("document__supplier_number"))
            .annotate(lines=Count("pk"), total=Sum(RECEIPT_LINE_TOTAL, output_field=MONEY))
            .order_by("date", "document_id"))
    out = []
    for row in rows:
        row = dict(row)
        row["total"] = _money(row["total"])
        row["number"] = f"№{row['document_id']:05d}"
        out.append(row)
    return out


def receipt_line_rows(viewer, period: Period):
    return (receipt_lines(viewer, period).select_related("document", "product")
            .annotate(line_sum=RECEIPT_LINE_TOTAL).order_by("document__date", "document_id", "id"))


def receipts_total(viewer, period: Period) -> dict:
    row = receipt_lines(viewer, period).aggregate(
        total=Sum(RECEIPT_LINE_TOTAL, output_field=MONEY), lines=Count("pk"),
        receipts=Count("document", distinct=True))
    return {"total": _money(row["total"]), "lines": row["lines"], "receipts": row["receipts"]}


# A write-off line's value: quantity × the cost price kept when it was posted.
WRITEOFF_VALUE = Round(
    ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=QUANTITY), 2,
    output_field=MONEY)


def writeoff_lines(viewer, period: Period):
    lines = WriteOffLine.objects.filter(document__status=DocumentStatus.POSTED,
                                        document__date__gte=period.first,
                                        document__date__lte=period.last)
    if not is_store_wide(viewer):
        lines = lines.filter(product__seller=viewer)
    return lines


def writeoffs_by_reason(viewer, period: Period) -> list[dict]:
    """Lines and value at cost per write-off reason. One query."""
    from inventory.models import WriteOffReason

    labels = dict(WriteOffReason.choices)
    rows = (writeoff_lines(viewer, period).values("reason")
            .annotate(lines=Count("pk"), value=Sum(WRITEOFF_VALUE, output_field=MONEY))
            .order_by("-value", "reason"))
    return [{"reason": row["reason"], "label": labels.get(row["reason"], row["reason"]),
             "lines": row["lines"], "value": _money(row["value"])} for row in rows]


def writeoff_line_rows(viewer, period: Period):
    return (writeoff_lines(viewer, period).select_related("document", "product")
            .annotate(value=WRITEOFF_VALUE).order_by("document__date", "document_id", "id"))


def order_for_invoice(order_pk: int, viewer):
    """The order, if the viewer owns it or is an admin; None otherwise (the view answers 404)."""
    orders = Order.objects.select_related("user")
    if not is_store_wide(viewer):
        orders = orders.filter(user=viewer)
    return orders.filter(pk=order_pk).first()
