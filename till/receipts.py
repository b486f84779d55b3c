"""Receipts of counter sales and returns, and a shift's X and Z reports: pages that print on 58 mm
and 80 mm thermal paper from the browser (print CSS, static/css/receipt*.css), and PDFs.

A cashier sees the receipts and reports of their own shifts; an admin every shift's; anything
else answers 404. A receipt carries its number as a Code128 barcode: the till's scanner (a plain
1D scanner types digits and Enter) reads it back at a return; `receipt_order_id` turns what it
typed, or what a cashier typed by hand ("№000123", "000123", "123"), into the order's id."""

from __future__ import annotations

import base64
import io
import re
from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import till_required
from bibarys.pdf import render_pdf
from orders.models import OrderReturn

from . import hooks
from .models import Shift, TillPayment, TillSale
from .selectors import shift_totals

PAPER_WIDTHS = ("80", "58")
RECEIPT_CODE_DIGITS = 6


# The receipt number and its barcode ----------------------------------------------------------


def receipt_code(order_id: int) -> str:
    """What the barcode holds: the order's id, zero-padded as its number shows it (№000123)."""
    return str(order_id).zfill(RECEIPT_CODE_DIGITS)


def receipt_order_id(text: str) -> int | None:
    """The order id a scanned or typed receipt number names, or None if it names none."""
    digits = re.fullmatch(r"\s*(?:№|N|#)?\s*(\d{1,12})\s*", text or "")
    return int(digits.group(1)) if digits and int(digits.group(1)) > 0 else None


def barcode_data_url(code: str) -> str:
    """A Code128 barcode of `code` as an SVG data: URL (an <img>, so the page's CSP, which
    forbids inline styles, does not apply to the SVG's own; WeasyPrint reads data: URLs too).
    Bars of 0.25 mm are two dots of a 203 dpi thermal head."""
    from barcode import Code128
    from barcode.writer import SVGWriter

    out = io.BytesIO()
    Code128(code, writer=SVGWriter()).write(out, options={
        "module_width": 0.25, "module_height": 9, "quiet_zone": 2.5, "write_text": False})
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


# What a receipt and a report show ------------------------------------------------------------


def _store() -> dict:
    return {"name": settings.STORE_NAME, "bin": settings.STORE_BIN,
            "address": settings.STORE_ADDRESS}


def _shifts_for(user):
    """The shifts whose papers `user` may read: an admin all, anyone else their own."""
    shifts = Shift.objects.all()
    return shifts if user.is_admin else shifts.filter(cashier=user)


def sale_receipt(sale: TillSale) -> dict:
    """A counter sale's receipt: four queries (the sale with its order, shift, till and
    cashier; the lines with their products; the payments; the returns already made)."""
    order = sale.order
    lines = list(order.lines.select_related("product"))
    payments = list(TillPayment.objects.filter(order=order, order_return__isnull=True)
                    .order_by("id"))
    return {
        "kind": "sale", "store": _store(), "number": order.number,
        "code": receipt_code(order.pk), "barcode": barcode_data_url(receipt_code(order.pk)),
        "shift": sale.shift, "till": sale.shift.till, "cashier": sale.shift.cashier,
        "when": order.created_at,
        "lines": [{"name": line.display_name, "quantity": line.quantity, "unit": line.unit,
                   "price": line.price, "sum": line.line_total} for line in lines],
        "total": order.total,
        "payment": order.get_payment_display(),
        "payments": [{"label": p.get_method_display(), "amount": p.amount} for p in payments],
        "tendered": sale.tendered if sale.tendered else None,
        "change": sale.change,
        "returns": list(order.returns.order_by("id").values_list("id", flat=True)),
        # The fiscal app's block (till.hooks): sign, number and QR, or "waiting"; None when
        # the store's own register prints the fiscal receipt.
        "fiscal": hooks.fiscal_block("sale", order),
    }


def return_receipt(order_return: OrderReturn, refund: TillPayment) -> dict:
    """A return's receipt: what came back, at the price it was sold, and the money paid back."""
    order = order_return.order
    lines = list(order_return.lines.select_related("line__product").order_by("id"))
    return {
        "kind": "return", "store": _store(), "number": order_return.number,
        "sale_number": order.number,
        "code": receipt_code(order.pk), "barcode": barcode_data_url(receipt_code(order.pk)),
        "shift": refund.shift, "till": refund.shift.till, "cashier": refund.shift.cashier,
        "when": order_return.created_at,
        "lines": [{"name": row.line.display_name, "quantity": row.quantity,
                   "unit": row.line.unit, "price": row.line.price, "sum": row.amount,
                   "spoiled": row.spoiled} for row in lines],
        "total": order_return.total,
        "payment": order_return.get_refund_display(),
        "payments": [{"label": refund.get_method_display(), "amount": -refund.amount}],
        "tendered": None, "change": Decimal("0.00"),
        "reason": order_return.reason,
        "fiscal": hooks.fiscal_block("return", order_return),
    }


def shift_report(shift: Shift) -> dict:
    """The X report (an open shift, at any time) or the Z report (a closed one): money by
    payment method, the drawer's expected cash, and at close what was counted and the variance."""
    totals = shift_totals(shift)
    closed = shift.closed_at is not None
    denominations = sorted(((Decimal(face), count) for face, count in
                            (shift.denominations or {}).items()), reverse=True)
    return {
        "kind": "z" if closed else "x", "store": _store(), "shift": shift, "till": shift.till,
        "cashier": shift.cashier, "when": shift.closed_at if closed else timezone.now(),
        "totals": totals, "methods": totals.by_method(),
        "cash_sales": totals.sales.get("cash", Decimal("0.00")),
        "cash_refunds": totals.refunds.get("cash", Decimal("0.00")),
        # At close the figures the close recorded; before it, what the drawer should hold now.
        "expected_cash": shift.expected_cash if closed else totals.expected_cash,
        "counted_cash": shift.counted_cash, "variance": shift.variance,
        "denominations": [{"face": face, "count": count, "sum": face * count}
                          for face, count in denominations],
        "movements": list(shift.cash_movements.select_related("by")),
    }


# Views ---------------------------------------------------------------------------------------


def _paper(request) -> str:
    paper = request.GET.get("paper", "")
    return paper if paper in PAPER_WIDTHS else PAPER_WIDTHS[0]


def _respond(request, context: dict, *, template: str, slip: str, pdf_url: str, as_pdf: bool,
             filename: str, lines: int) -> HttpResponse:
    paper = _paper(request)
    context = {**context, "paper": paper, "paper_widths": PAPER_WIDTHS, "slip": slip,
               "pdf_url": pdf_url}
    if not as_pdf:
        return render(request, template, context)
    # A roll has no page length: the page is as long as the slip is estimated to be (a header,
    # a footer and a row a line); a longer slip goes on to a second page, losing nothing.
    context["page_height"] = 110 + 9 * lines
    response = HttpResponse(render_pdf("till/pdf/slip.html", context),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}-{paper}mm.pdf"'
    return response


@till_required
def receipt_view(request, order_id: int, as_pdf: bool = False):
    """A counter sale's receipt (page or PDF)."""
    sale = get_object_or_404(
        TillSale.objects.select_related("order", "shift__till", "shift__cashier")
        .filter(shift__in=_shifts_for(request.user)), order_id=order_id)
    context = sale_receipt(sale)
    return _respond(request, context, template="till/receipt.html",
                    slip="till/receipt_slip.html",
                    pdf_url=reverse("till:receipt_pdf", args=[order_id]), as_pdf=as_pdf,
                    filename=f"receipt-{receipt_code(order_id)}",
                    lines=len(context["lines"]) + len(context["payments"]))


@till_required
def return_receipt_view(request, return_id: int, as_pdf: bool = False):
    """A return's receipt (page or PDF): the return made in one of the user's shifts."""
    refund = (TillPayment.objects.select_related("order_return__order", "shift__till",
                                                 "shift__cashier")
              .filter(order_return_id=return_id, shift__in=_shifts_for(request.user)).first())
    if refund is None:
        raise Http404
    context = return_receipt(refund.order_return, refund)
    return _respond(request, context, template="till/receipt.html",
                    slip="till/receipt_slip.html",
                    pdf_url=reverse("till:return_receipt_pdf", args=[return_id]), as_pdf=as_pdf,
                    filename=f"return-{return_id:06d}", lines=len(context["lines"]) + 1)


@till_required
def shift_report_view(request, shift_id: int, as_pdf: bool = False):
    """The X report of an open shift, or the Z report of a closed one (page or PDF)."""
    shift = get_object_or_404(_shifts_for(request.user).select_related("till", "cashier"),
                              pk=shift_id)
    context = shift_report(shift)
    context["title"] = _("Z report") if context["kind"] == "z" else _("X report")
    return _respond(request, context, template="till/report.html", slip="till/report_slip.html",
                    pdf_url=reverse("till:shift_report_pdf", args=[shift_id]), as_pdf=as_pdf,
                    filename=f"{context['kind']}-report-{shift.pk:05d}",
                    lines=12 + len(context["movements"]) + len(context["denominations"]))
