"""The stock pages of a product and of the store: movement history, an admin's correction, low
stock, the product suggestions of a document line."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import admin_required, staff_required
from bibarys.money import format_quantity
from catalog.models import Product

from .. import selectors, services
from ..forms import CorrectionForm, MovementFilterForm
from .common import error_text, page_of


@staff_required
def product_movements(request, pk):
    """Who changed the stock of one product, how and why."""
    product = get_object_or_404(Product.objects.for_seller(request.user).select_related(
        "category"), pk=pk)
    form = MovementFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = page_of(request, selectors.product_movements(
        product, kind=filters.get("kind", ""), date_from=filters.get("date_from"),
        date_to=filters.get("date_to")), per_page=50)
    return render(request, "inventory/product_movements.html", {
        "product": product, "form": form, "page_obj": page,
        "correction_form": CorrectionForm() if request.user.is_admin else None})


@admin_required
@require_POST
def product_correct(request, pk):
    """An admin corrects a product's stock with a reason (a correction movement)."""
    product = get_object_or_404(Product, pk=pk)
    form = CorrectionForm(request.POST)
    url = reverse("inventory:product_movements", args=[product.pk])
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(
            f"{form.fields[name].label}: {' '.join(errors)}"
            for name, errors in form.errors.items())})
        return redirect(url)
    try:
        movement = services.stock_correct(product=product, by=request.user, request=request,
                                          **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": error_text(error)})
        return redirect(url)
    messages.success(request, _("The stock is corrected: %(qty)s on hand now.") % {
        "qty": format_quantity(movement.quantity_after, product.unit)})
    return redirect(url)


@staff_required
def low_stock(request):
    q = request.GET.get("q", "").strip()
    page = page_of(request, selectors.low_stock_queryset(request.user, q=q), per_page=50)
    return render(request, "inventory/low_stock.html", {"page_obj": page, "q": q})


@staff_required
def product_search(request):
    """Suggestions for the product field of a document line (a <datalist>)."""
    products = selectors.product_search(request.user, request.GET.get("product", ""))
    return render(request, "inventory/product_options.html", {"products": products})
