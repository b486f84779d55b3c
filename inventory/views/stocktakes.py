"""The stocktakes' pages: list, start, count (by hand, by scanner, on htmx), post, delete, the
count sheet as a PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import staff_required
from bibarys.money import format_quantity
from bibarys.view_helpers import safe_next
from catalog.models import Category

from .. import selectors, services
from ..forms import CountForm, ScanForm, StocktakeForm
from ..models import Stocktake, StocktakeLine
from .common import LINES_PER_PAGE, draft_delete, error_text, page_of


@staff_required
def stocktake_list(request):
    page = page_of(request, selectors.stocktakes_for(request.user))
    return render(request, "inventory/stocktake_list.html", {"page_obj": page})


@staff_required
def stocktake_create(request):
    form = StocktakeForm(request.POST or None)
    if not request.user.is_admin:
        form.fields["category"].queryset = Category.objects.filter(
            products__seller=request.user).distinct()
    if request.method == "POST" and form.is_valid():
        stocktake = services.stocktake_start(by=request.user, **form.cleaned_data)
        messages.success(request, _("The count has started: %(n)s products to count.")
                         % {"n": stocktake.lines.count()})
        return redirect("inventory:stocktake_detail", pk=stocktake.pk)
    return render(request, "inventory/stocktake_form.html", {"form": form})


def _stocktake(request, pk) -> Stocktake:
    return get_object_or_404(Stocktake.objects.for_seller(request.user), pk=pk)


def _stocktake_context(request, stocktake, **extra):
    show = request.GET.get("show", "")
    q = request.GET.get("q", "").strip()
    page = page_of(request, selectors.stocktake_lines(stocktake, show=show, q=q),
                 per_page=LINES_PER_PAGE)
    return {"doc": stocktake, "page_obj": page, "show": show, "q": q,
            "summary": selectors.stocktake_summary(stocktake),
            "scan_form": ScanForm(), **extra}


@staff_required
def stocktake_detail(request, pk):
    stocktake = _stocktake(request, pk)
    focus = request.GET.get("focus")
    extra = {}
    scanned = request.GET.get("scanned", "")
    if stocktake.is_draft and scanned.isdigit():
        # A weighed product just scanned without JavaScript: its weight field in the scan panel.
        line = stocktake.lines.select_related("product").filter(pk=int(scanned)).first()
        if line is not None:
            extra = {"line": line, "counted": False}
    return render(request, "inventory/stocktake_detail.html",
                  _stocktake_context(request, stocktake, focus=focus, **extra))


@staff_required
@require_POST
def stocktake_scan(request, pk):
    """What a USB scanner typed (the code and Enter). A piece product counts one more; a
    weighed product is found and its quantity field gets the focus."""
    stocktake = _stocktake(request, pk)
    form = ScanForm(request.POST)
    line, counted, error = None, False, ""
    if form.is_valid():
        try:
            line, counted = services.stocktake_scan(stocktake=stocktake, by=request.user,
                                                   code=form.cleaned_data["code"])
        except ValidationError as exc:
            error = error_text(exc)
        if line is None and not error:
            error = _("No product with code %(code)s in this count.") % {
                "code": form.cleaned_data["code"]}
    else:
        error = _("Scan or type a barcode or SKU.")
    if request.htmx:
        # The panel under the scan field, plus (out of band) the counted row and the totals.
        return render(request, "inventory/stocktake_detail.html#scan_result", {
            "doc": stocktake, "line": line, "counted": counted, "error": error,
            "scan_form": ScanForm(), "oob": True,
            "summary": selectors.stocktake_summary(stocktake) if counted else None})
    if error:
        messages.error(request, error)
        return redirect("inventory:stocktake_detail", pk=stocktake.pk)
    if counted:
        messages.success(request, _("%(name)s: %(n)s counted.") % {
            "name": line.product.display_name, "n": format_quantity(line.counted,
                                                                     line.product.unit)})
        return redirect("inventory:stocktake_detail", pk=stocktake.pk)
    url = reverse("inventory:stocktake_detail", args=[stocktake.pk])
    return redirect(f"{url}?scanned={line.pk}#scan-result")


@staff_required
@require_POST
def stocktake_count(request, pk, line_pk):
    stocktake = _stocktake(request, pk)
    line = get_object_or_404(StocktakeLine.objects.select_related("product"), pk=line_pk,
                             document=stocktake)
    form = CountForm(request.POST)
    from_scan = bool(request.POST.get("from_scan"))
    # The weight typed after a scan adds to what was counted so far (a second crate of apples
    # weighed after the first), as a scanned piece adds one; the row's own field sets the count.
    add = from_scan and bool(request.POST.get("add"))
    if from_scan and form.is_valid() and form.cleaned_data["counted"] is None:
        form.add_error("counted", _("Type the weight."))
    if form.is_valid():
        try:
            line = services.stocktake_count(stocktake=stocktake, by=request.user, line=line,
                                            counted=form.cleaned_data["counted"], add=add)
            form = None
        except ValidationError as error:
            form.add_error("counted", error)
    if from_scan:
        return _stocktake_scan_weight_answer(request, stocktake, line, form)
    if request.htmx:
        # 200 even for a bad number: htmx swaps the row with its error message next to it,
        # and the totals above the table follow (out of band, wrapped in a <template> so the
        # browser parses a <div> next to a <tr>).
        row = render_to_string("inventory/stocktake_detail.html#line_row",
                               {"doc": stocktake, "line": line, "form": form}, request=request)
        totals = ""
        if form is None:
            totals = render_to_string("inventory/stocktake_detail.html#summary", {
                "doc": stocktake, "summary": selectors.stocktake_summary(stocktake),
                "oob": True}, request=request)
            totals = f"<template>{totals}</template>"
        return HttpResponse(row + totals)
    if form is not None:
        messages.error(request, f"{line.product.display_name}: " + " ".join(form.errors.get(
            "counted", [])))
    next_url = safe_next(request, reverse("inventory:stocktake_detail", args=[stocktake.pk]))
    return redirect(f"{next_url}#line-{line.pk}")


def _stocktake_scan_weight_answer(request, stocktake, line, form):
    """The answer to a weight typed in the scan panel: the panel again (counted, or the weight
    field with its error), with the row and the totals refreshed out of band."""
    error = " ".join(form.errors.get("counted", [])) if form is not None else ""
    if request.htmx:
        return render(request, "inventory/stocktake_detail.html#scan_result", {
            "doc": stocktake, "line": line, "counted": not error, "scan_error": error,
            "oob": True, "summary": None if error else selectors.stocktake_summary(stocktake)})
    url = reverse("inventory:stocktake_detail", args=[stocktake.pk])
    if error:
        messages.error(request, f"{line.product.display_name}: {error}")
        return redirect(f"{url}?scanned={line.pk}#scan-result")
    messages.success(request, _("%(name)s: %(n)s counted.") % {
        "name": line.product.display_name,
        "n": format_quantity(line.counted, line.product.unit)})
    return redirect(f"{url}#scan-code")


@staff_required
@require_POST
def stocktake_post(request, pk):
    stocktake = _stocktake(request, pk)
    try:
        was_draft = stocktake.is_draft
        stocktake = services.stocktake_post(stocktake=stocktake, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("inventory:stocktake_detail", pk=stocktake.pk)
    if was_draft:
        # Uncounted lines keep their book quantity: the books match only what was counted.
        uncounted = stocktake.lines.filter(counted__isnull=True).count()
        if uncounted:
            messages.warning(request, ngettext(
                "%(doc)s is posted. %(n)s product was not counted: its stock on the books is "
                "unchanged.",
                "%(doc)s is posted. %(n)s products were not counted: their stock on the books "
                "is unchanged.", uncounted) % {"doc": stocktake, "n": uncounted})
        else:
            messages.success(request, _("%(doc)s is posted: the books now match the shelves.")
                             % {"doc": stocktake})
    return redirect("inventory:stocktake_detail", pk=stocktake.pk)


@staff_required
@require_POST
def stocktake_delete(request, pk):
    stocktake = _stocktake(request, pk)
    return draft_delete(
        request, stocktake, detail="inventory:stocktake_detail",
        listing="inventory:stocktake_list",
        delete=lambda **kw: services.stocktake_delete(stocktake=stocktake, **kw))


@staff_required
def stocktake_sheet(request, pk):
    """The count sheet as a PDF (A4) to count on paper."""
    from ..pdf import render_pdf

    stocktake = _stocktake(request, pk)
    lines = selectors.stocktake_lines(stocktake)
    pdf = render_pdf("inventory/stocktake_sheet.html", {
        "doc": stocktake, "lines": lines, "summary": selectors.stocktake_summary(stocktake),
        "printed_at": timezone.localtime(), "user": request.user,
    })
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="stocktake-{stocktake.pk}.pdf"'
    return response
