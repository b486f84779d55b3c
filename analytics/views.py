"""Dashboards and reports. Admins see the store, sellers their own products (OrderLine.seller,
Product.seller), shoppers nothing (403); one order's invoice is its shopper's or an admin's."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.permissions import staff_required

from orders.vat import vat_by_rate

from . import selectors
from .vat import store_vat_details, vat_threshold
from .dashboard import dashboard_context
from .forms import PeriodForm, period_from_query
from .pdf import render_pdf
from .periods import DEFAULT_PRESET, preset_period
from .reports import FORMATS, REPORT_INFO, REPORT_NAMES, build_report, report_filename
from .xlsx import report_workbook


def _partial_request(request) -> bool:
    # A history restore asks for the whole page (htmx keeps no history cache here).
    return bool(request.htmx) and not request.htmx.history_restore_request


@staff_required
def dashboard(request):
    """Figures, charts and tables for the chosen period (default: the last 30 days)."""
    period, group, form = period_from_query(request.GET)
    context = dashboard_context(request.user, period, group)
    context.update(form=form, group=group, picker=form.picker(period))
    if context["store_wide"]:
        context["vat_threshold"] = vat_threshold()
    template = "analytics/dashboard.html"
    if _partial_request(request):
        template += "#dashboard"
    return render(request, template, context)


@staff_required
def reports(request):
    """Every report with its PDF and XLSX buttons for the chosen period."""
    period, group, form = period_from_query(request.GET)
    return render(request, "analytics/reports.html", {
        "form": form, "period": period, "picker": form.picker(period),
        "reports": [{"name": name, **REPORT_INFO[name]} for name in REPORT_NAMES
                    if request.user.is_admin or not REPORT_INFO[name].get("admin_only")],
    })


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file_response(content: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
def report(request, name, fmt):
    """One report as PDF or XLSX: /analytics/reports/sales.pdf?from=YYYY-MM-DD&to=YYYY-MM-DD.
    Bad dates answer 400 with the reason; every download is written to the audit log."""
    if name not in REPORT_NAMES or fmt not in FORMATS:
        raise Http404
    if REPORT_INFO[name].get("admin_only") and not request.user.is_admin:
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "analytics/bad_period.html", {"form": form}, status=400)
    period = form.get_period() if form.is_bound else preset_period(DEFAULT_PRESET)
    data = build_report(name, request.user, period, for_pdf=fmt == "pdf")
    if fmt == "pdf":
        content = render_pdf(f"analytics/pdf/{name}.html", data)
    else:
        content = report_workbook(data)
    audit_record(actor=request.user, action="report.download", obj=request.user, request=request,
                 changes={"report": name, "format": fmt, "from": period.first.isoformat(),
                          "to": period.last.isoformat(),
                          "scope": "store" if data["store_wide"] else "own products"})
    return _file_response(content, fmt, report_filename(name, period, fmt))


@login_required
def order_invoice(request, pk):
    """One order's invoice as PDF: for the shopper who placed it or an admin; 404 for anyone
    else (a seller included), never a hint that the order exists."""
    order = selectors.order_for_invoice(pk, request.user)
    if order is None:
        raise Http404
    lines = list(order.lines.select_related("product").order_by("id"))
    content = render_pdf("analytics/pdf/invoice.html", {
        "order": order, "lines": lines, "title": _("Invoice"), "vat": vat_by_rate(lines),
        "store_vat": store_vat_details(),
        "generated_at": timezone.localtime(), "store_wide": True})
    audit_record(actor=request.user, action="report.download", obj=order, request=request,
                 changes={"report": "invoice", "format": "pdf"})
    return _file_response(content, "pdf", f"bibarys-invoice-{order.pk:06d}.pdf")
