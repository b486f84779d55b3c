"""The owner's pages of the till (admin only): every shift with its figures and variance,
filtered by till and period; and the PLU list for the store's label scales as CSV."""

from __future__ import annotations

import csv
from decimal import Decimal

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import admin_required
from catalog.models import Product

from .models import Shift, Till

SHIFTS_PER_PAGE = 50
ZERO = Value(Decimal("0.00"))


class ShiftFilterForm(forms.Form):
    till = forms.ModelChoiceField(label=_("Till"), queryset=Till.objects.all(), required=False,
                                  empty_label=_("All tills"))
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data


def shifts_for_owner(*, till=None, date_from=None, date_to=None):
    """Shifts, newest first, each with its sales and refunds summed in the same query (one
    join on the payments: the page's query count does not grow with the shifts)."""
    shifts = (Shift.objects.select_related("till", "cashier")
              .annotate(sales_total=Coalesce(Sum("payments__amount",
                                                 filter=Q(payments__order_return__isnull=True)),
                                             ZERO),
                        refunds_total=Coalesce(-Sum("payments__amount",
                                                    filter=Q(payments__order_return__isnull=False)),
                                               ZERO))
              .order_by("-opened_at", "-id"))
    if till is not None:
        shifts = shifts.filter(till=till)
    # The period is of the store's calendar days (TIME_ZONE), by the day a shift opened.
    if date_from:
        shifts = shifts.filter(opened_at__date__gte=date_from)
    if date_to:
        shifts = shifts.filter(opened_at__date__lte=date_to)
    return shifts


@admin_required
def shift_list(request):
    """Every shift with its float, sales, refunds, expected and counted cash and variance."""
    form = ShiftFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    shifts = shifts_for_owner(till=filters.get("till"), date_from=filters.get("date_from"),
                              date_to=filters.get("date_to"))
    page = Paginator(shifts, SHIFTS_PER_PAGE).get_page(request.GET.get("page"))
    summary = shifts.filter(closed_at__isnull=False).aggregate(
        variance=Coalesce(Sum("variance"), ZERO))
    return render(request, "till/owner_shifts.html", {
        "form": form, "page_obj": page,
        "variance_total": summary["variance"]})


# PLU list for label scales -------------------------------------------------------------------

PLU_COLUMNS = ["plu", "name", "price", "unit", "sku", "barcode"]


def plu_rows():
    """One row per product that has a PLU, by PLU: what a label scale's software imports."""
    products = (Product.objects.filter(plu__isnull=False, is_active=True)
                .prefetch_related("barcodes").order_by("plu"))
    for product in products:
        barcodes = [code.code for code in product.barcodes.all()]
        yield [product.plu, product.name, f"{product.price:.2f}", product.unit, product.sku,
               barcodes[0] if barcodes else ""]


@admin_required
def plu_csv(request):
    """The PLU list as CSV: `;`-separated, UTF-8 with a BOM (Excel in kk/ru opens it as it is),
    prices with a decimal point and units as codes (pcs, kg, l), as scale software reads them."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="plu-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(PLU_COLUMNS)
    writer.writerows(plu_rows())
    return response
