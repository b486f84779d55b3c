"""Dashboards and reports. Admins see the store, sellers their own products (OrderLine.seller,
Product.seller), shoppers nothing (403); one order's invoice is its shopper's or an admin's."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.permissions import staff_required

from .dashboard import dashboard_context
from .forms import period_from_query


def _partial_request(request) -> bool:
    # A history restore asks for the whole page (htmx keeps no history cache here).
    return bool(request.htmx) and not request.htmx.history_restore_request


@staff_required
def dashboard(request):
    """Figures, charts and tables for the chosen period (default: the last 30 days)."""
    period, group, form = period_from_query(request.GET)
    context = dashboard_context(request.user, period, group)
    context.update(form=form, group=group, preset=_preset(form))
    template = "analytics/dashboard.html"
    if _partial_request(request):
        template += "#dashboard"
    return render(request, template, context)


def _preset(form) -> str:
    if form.is_bound and form.is_valid():
        return form.cleaned_data.get("period") or "30d"
    return "30d"


REPORTS = ["sales", "stock", "receipts", "writeoffs"]


@staff_required
def reports(request):
    """Every report with its PDF and XLSX buttons for the chosen period."""
    period, group, form = period_from_query(request.GET)
    from .reports import REPORT_INFO

    return render(request, "analytics/reports.html", {
        "form": form, "period": period, "preset": _preset(form),
        "reports": [{"name": name, **REPORT_INFO[name]} for name in REPORTS],
    })
