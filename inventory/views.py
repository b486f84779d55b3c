"""Back-office pages of the stock: goods receipts, write-offs, stocktakes, movement history,
low stock, import and export. Sellers act on their own products, admins on all; another seller's
document answers 404, a shopper 403."""

import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.audit import audit_record
from accounts.permissions import admin_required, staff_required
from bibarys.money import format_money
from catalog.models import Category, Product

from . import importers, previews, selectors, services
from .forms import (
    CorrectionForm, CountForm, ImportForm, MovementFilterForm, ReceiptForm, ReceiptLineForm,
    ReverseForm, ScanForm, StocktakeForm, WriteOffForm, WriteOffLineForm,
)
from .models import (
    DocumentStatus, GoodsReceipt, Stocktake, StocktakeLine, WriteOff, value_at_cost,
)

PER_PAGE = 25
LINES_PER_PAGE = 50


def _page(request, queryset, per_page=PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# Which field of a line form a service's refusal is about: the message goes next to it.
LINE_ERROR_FIELDS = {"quantity": "quantity", "unit_step": "quantity", "unit_cost": "unit_cost",
                     "not_your_product": "product"}


def _line_error(form, error: ValidationError) -> None:
    """Put a service's refusal of a document line next to the field it is about (a fraction
    of a piece next to the quantity), or above the form when it is about the document."""
    if hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for item in error.error_list:
        field = LINE_ERROR_FIELDS.get(item.code)
        form.add_error(field if field in form.fields else None, item)


LINE_NOTICE_KEY = "inventory_line_notice"


def _line_notice_keep(request, document, text: str) -> None:
    """Keep a note about the line just added for the next page of this document. It is shown
    next to the line form, where the page opens after "Add line" (#lines), not with the
    messages at the top of the page, which are then scrolled out of sight."""
    request.session[LINE_NOTICE_KEY] = {"doc": document.reference, "text": text}


def _line_notice_pop(request, document) -> str:
    notice = request.session.get(LINE_NOTICE_KEY)
    if not isinstance(notice, dict) or notice.get("doc") != document.reference:
        return ""
    del request.session[LINE_NOTICE_KEY]
    return str(notice.get("text", ""))


# Goods receipts --------------------------------------------------------------------------------


@staff_required
def receipt_list(request):
    """Goods receipts (тауар кірісі) the user may see, newest first."""
    status = request.GET.get("status", "")
    if status not in DocumentStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()
    page = _page(request, selectors.receipts_for(request.user, status=status, q=q))
    return render(request, "inventory/receipt_list.html", {
        "page_obj": page, "status": status, "q": q, "statuses": DocumentStatus.choices})


@staff_required
def receipt_create(request):
    form = ReceiptForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        receipt = services.receipt_create(by=request.user, **form.cleaned_data)
        return redirect("inventory:receipt_detail", pk=receipt.pk)
    return render(request, "inventory/receipt_form.html", {"form": form})


def _receipt(request, pk) -> GoodsReceipt:
    return get_object_or_404(GoodsReceipt.objects.for_seller(request.user), pk=pk)


def _receipt_context(receipt, line_form, **extra):
    lines = list(selectors.document_lines(receipt))
    return {
        "doc": receipt, "lines": lines,
        "total": sum((line.total for line in lines), start=Decimal("0.00")),
        "header_form": ReceiptForm(initial={
            "supplier": receipt.supplier, "supplier_number": receipt.supplier_number,
            "date": receipt.date, "note": receipt.note}),
        "line_form": line_form, "reverse_form": ReverseForm(), **extra,
    }


@staff_required
def receipt_detail(request, pk):
    receipt = _receipt(request, pk)
    return render(request, "inventory/receipt_detail.html", _receipt_context(
        receipt, ReceiptLineForm(user=request.user),
        line_notice=_line_notice_pop(request, receipt)))


@staff_required
@require_POST
def receipt_edit(request, pk):
    receipt = _receipt(request, pk)
    form = ReceiptForm(request.POST)
    if form.is_valid():
        try:
            services.receipt_update(receipt=receipt, by=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
        except ValidationError as error:
            messages.error(request, _errors(error))
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {' '.join(e)}"
                                         for f, e in form.errors.items()))
    return redirect("inventory:receipt_detail", pk=receipt.pk)


@staff_required
@require_POST
def receipt_line_add(request, pk):
    receipt = _receipt(request, pk)
    form = ReceiptLineForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            added = services.receipt_line_add(receipt=receipt, by=request.user,
                                              **form.cleaned_data)
        except ValidationError as error:
            _line_error(form, error)
        else:
            if added.merged:
                _line_notice_keep(request, receipt, _receipt_merge_notice(added))
            return redirect(reverse("inventory:receipt_detail", args=[receipt.pk]) + "#lines")
    return render(request, "inventory/receipt_detail.html", _receipt_context(receipt, form),
                  status=400)


def _receipt_merge_notice(added) -> str:
    line = added.line
    values = {"name": line.product.name,
              "quantity": services.format_quantity(line.quantity, line.product.unit)}
    if not added.averaged:
        return _("%(name)s was already on this receipt: the line now holds %(quantity)s.") % values
    return _("%(name)s was already on this receipt: the line now holds %(quantity)s at the "
             "average unit cost of %(cost)s, %(sum)s in all.") % {
        **values, "cost": format_money(line.unit_cost), "sum": format_money(line.total)}


@staff_required
@require_POST
def receipt_line_remove(request, pk, line_pk):
    receipt = _receipt(request, pk)
    try:
        services.receipt_line_remove(receipt=receipt, by=request.user, line_id=line_pk)
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect(reverse("inventory:receipt_detail", args=[receipt.pk]) + "#lines")


@staff_required
@require_POST
def receipt_post(request, pk):
    receipt = _receipt(request, pk)
    try:
        was_draft = receipt.is_draft
        receipt = services.receipt_post(receipt=receipt, by=request.user, request=request)
        if was_draft:
            messages.success(request, _("%(doc)s is posted: the stock is on the shelf.")
                             % {"doc": receipt})
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("inventory:receipt_detail", pk=receipt.pk)


@staff_required
@require_POST
def receipt_reverse(request, pk):
    receipt = _receipt(request, pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the reversal."))
        return redirect("inventory:receipt_detail", pk=receipt.pk)
    try:
        services.receipt_reverse(receipt=receipt, by=request.user, request=request,
                                 reason=form.cleaned_data["reason"])
        messages.success(request, _("The receipt is reversed."))
    except ValidationError as error:
        messages.error(request, _("The receipt cannot be reversed: part of it has already "
                                  "left the shelf. %(details)s") % {"details": _errors(error)})
    return redirect("inventory:receipt_detail", pk=receipt.pk)


def _draft_delete(request, document, *, delete, detail: str, listing: str):
    """Delete a draft document: the button's "are you sure?" is a browser dialog that sends
    confirmed=1; without JavaScript this asks on a page (as cancelling an order does). A posted
    document is refused and stays."""
    if not document.is_draft:
        messages.error(request, _("%(doc)s is posted and cannot be deleted.") % {"doc": document})
        return redirect(detail, pk=document.pk)
    if not request.POST.get("confirmed"):
        return render(request, "inventory/document_delete_confirm.html", {
            "doc": document, "lines": document.lines.count(),
            "action": request.path, "back": reverse(detail, args=[document.pk])})
    try:
        delete(by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect(detail, pk=document.pk)
    messages.success(request, _("%(doc)s is deleted.") % {"doc": document})
    return redirect(listing)


@staff_required
@require_POST
def receipt_delete(request, pk):
    receipt = _receipt(request, pk)
    return _draft_delete(
        request, receipt, detail="inventory:receipt_detail", listing="inventory:receipt_list",
        delete=lambda **kw: services.receipt_delete(receipt=receipt, **kw))


# Write-offs ------------------------------------------------------------------------------------


@staff_required
def writeoff_list(request):
    status = request.GET.get("status", "")
    if status not in DocumentStatus.values:
        status = ""
    page = _page(request, selectors.writeoffs_for(request.user, status=status))
    return render(request, "inventory/writeoff_list.html", {
        "page_obj": page, "status": status,
        "statuses": [c for c in DocumentStatus.choices if c[0] != "reversed"]})


@staff_required
def writeoff_create(request):
    form = WriteOffForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        writeoff = services.writeoff_create(by=request.user, **form.cleaned_data)
        return redirect("inventory:writeoff_detail", pk=writeoff.pk)
    return render(request, "inventory/writeoff_form.html", {"form": form})


def _writeoff(request, pk) -> WriteOff:
    return get_object_or_404(WriteOff.objects.for_seller(request.user), pk=pk)


def _writeoff_context(writeoff, form, **extra):
    lines = list(selectors.document_lines(writeoff))
    per_product = {}
    for line in lines:
        per_product[line.product_id] = per_product.get(line.product_id, 0) + line.quantity
    for line in lines:
        # A posted line at the cost kept when it was posted (as the write-offs report values
        # it); a draft at today's cost price.
        cost = line.unit_cost if line.unit_cost is not None else line.product.cost_price
        line.value = value_at_cost(line.quantity, cost)
        # A product may have a line per reason: what is short is all of them together.
        line.short = per_product[line.product_id] > line.product.quantity
    return {"doc": writeoff, "lines": lines, "line_form": form,
            "total": sum((line.value for line in lines), start=Decimal("0.00")), **extra}


@staff_required
def writeoff_detail(request, pk):
    writeoff = _writeoff(request, pk)
    return render(request, "inventory/writeoff_detail.html", _writeoff_context(
        writeoff, WriteOffLineForm(user=request.user),
        line_notice=_line_notice_pop(request, writeoff)))


@staff_required
@require_POST
def writeoff_line_add(request, pk):
    writeoff = _writeoff(request, pk)
    form = WriteOffLineForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            added = services.writeoff_line_add(writeoff=writeoff, by=request.user,
                                               **form.cleaned_data)
        except ValidationError as error:
            _line_error(form, error)
        else:
            notice = _writeoff_merge_notice(added)
            if notice:
                _line_notice_keep(request, writeoff, notice)
            return redirect(reverse("inventory:writeoff_detail", args=[writeoff.pk]) + "#lines")
    return render(request, "inventory/writeoff_detail.html", _writeoff_context(writeoff, form),
                  status=400)


def _writeoff_merge_notice(added) -> str:
    line, merged = added.line, added.merged
    values = {"name": line.product.name, "reason": line.get_reason_display(),
              "quantity": services.format_quantity(line.quantity, line.product.unit)}
    if merged:
        return _("%(name)s was already on this write-off as “%(reason)s”: the line now holds "
                 "%(quantity)s.") % values
    if line.document.lines.filter(product=line.product_id).exclude(pk=line.pk).exists():
        return _("%(name)s is already on this write-off with another reason: “%(reason)s” "
                 "has a line of its own.") % values
    return ""


@staff_required
@require_POST
def writeoff_line_remove(request, pk, line_pk):
    writeoff = _writeoff(request, pk)
    try:
        services.writeoff_line_remove(writeoff=writeoff, by=request.user, line_id=line_pk)
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect(reverse("inventory:writeoff_detail", args=[writeoff.pk]) + "#lines")


@staff_required
@require_POST
def writeoff_post(request, pk):
    writeoff = _writeoff(request, pk)
    try:
        was_draft = writeoff.is_draft
        writeoff = services.writeoff_post(writeoff=writeoff, by=request.user, request=request)
        if was_draft:
            messages.success(request, _("%(doc)s is posted.") % {"doc": writeoff})
    except services.InsufficientStock as error:
        messages.error(request, _("Nothing was written off: there is not that much on hand. "
                                  "%(details)s") % {"details": "; ".join(error.messages)})
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("inventory:writeoff_detail", pk=writeoff.pk)


@staff_required
@require_POST
def writeoff_delete(request, pk):
    writeoff = _writeoff(request, pk)
    return _draft_delete(
        request, writeoff, detail="inventory:writeoff_detail", listing="inventory:writeoff_list",
        delete=lambda **kw: services.writeoff_delete(writeoff=writeoff, **kw))


# Stocktakes ------------------------------------------------------------------------------------


@staff_required
def stocktake_list(request):
    page = _page(request, selectors.stocktakes_for(request.user))
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
    page = _page(request, selectors.stocktake_lines(stocktake, show=show, q=q),
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
            error = _errors(exc)
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
            "name": line.product.name, "n": services.format_quantity(line.counted,
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
        messages.error(request, f"{line.product.name}: " + " ".join(form.errors.get(
            "counted", [])))
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("inventory:stocktake_detail", args=[stocktake.pk])
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
        messages.error(request, f"{line.product.name}: {error}")
        return redirect(f"{url}?scanned={line.pk}#scan-result")
    messages.success(request, _("%(name)s: %(n)s counted.") % {
        "name": line.product.name, "n": services.format_quantity(line.counted, line.product.unit)})
    return redirect(f"{url}#scan-code")


@staff_required
@require_POST
def stocktake_post(request, pk):
    stocktake = _stocktake(request, pk)
    try:
        was_draft = stocktake.is_draft
        stocktake = services.stocktake_post(stocktake=stocktake, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _errors(error))
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
    return _draft_delete(
        request, stocktake, detail="inventory:stocktake_detail",
        listing="inventory:stocktake_list",
        delete=lambda **kw: services.stocktake_delete(stocktake=stocktake, **kw))


@staff_required
def stocktake_sheet(request, pk):
    """The count sheet as a PDF (A4) to count on paper."""
    from .pdf import render_pdf

    stocktake = _stocktake(request, pk)
    lines = selectors.stocktake_lines(stocktake)
    pdf = render_pdf("inventory/stocktake_sheet.html", {
        "doc": stocktake, "lines": lines, "summary": selectors.stocktake_summary(stocktake),
        "printed_at": timezone.localtime(), "user": request.user,
    })
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="stocktake-{stocktake.pk}.pdf"'
    return response


# Movements and low stock ------------------------------------------------------------------------


@staff_required
def product_movements(request, pk):
    """Who changed the stock of one product, how and why."""
    product = get_object_or_404(Product.objects.for_seller(request.user).select_related(
        "category"), pk=pk)
    form = MovementFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = _page(request, selectors.product_movements(
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
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": _errors(error)})
        return redirect(url)
    messages.success(request, _("The stock is corrected: %(qty)s on hand now.") % {
        "qty": services.format_quantity(movement.quantity_after, product.unit)})
    return redirect(url)


@staff_required
def low_stock(request):
    q = request.GET.get("q", "").strip()
    page = _page(request, selectors.low_stock_queryset(request.user, q=q), per_page=50)
    return render(request, "inventory/low_stock.html", {"page_obj": page, "q": q})


@staff_required
def product_search(request):
    """Suggestions for the product field of a document line (a <datalist>)."""
    products = selectors.product_search(request.user, request.GET.get("product", ""))
    return render(request, "inventory/product_options.html", {"products": products})


# Import and export -------------------------------------------------------------------------------

IMPORT_SESSION_KEY = "inventory_import"
PREVIEW_LIMIT = 200  # rows shown per section of the preview; the rest are counted


def _import_forget(request):
    previews.preview_forget(user=request.user,
                            token=request.session.pop(IMPORT_SESSION_KEY, None))


def _import_preview(request, *, form, rows, filename: str, seller, set_quantities: bool,
                    rejected=(), file_errors=(), status=200):
    """Plan the import (a dry run) and render what it will change, or every problem of the
    file at once; a file without problems is kept for the confirm."""
    plan = services.products_import(rows=rows, rejected=rejected, by=request.user,
                                    seller=seller, filename=filename, dry_run=True,
                                    set_quantities=set_quantities)
    errors = importers.merge_errors(file_errors, plan.errors)
    _import_forget(request)
    if not errors:
        request.session[IMPORT_SESSION_KEY] = previews.preview_store(
            user=request.user, rows=rows, meta={
                "filename": filename, "seller": seller.pk, "set_quantities": set_quantities,
                "digest": plan.digest,
                "stock": {str(pk): str(quantity) for pk, quantity in plan.stock_seen.items()}})
    sections = {name: getattr(plan, name)[:PREVIEW_LIMIT]
                for name in ("new_products", "changes", "adjustments", "new_categories")}
    more = {name: len(getattr(plan, name)) - len(shown) for name, shown in sections.items()}
    context = {"form": form, "errors": errors[:importers.MAX_ERRORS_SHOWN],
               "error_count": len(errors), "plan": None if errors else plan,
               "filename": filename, "set_quantities": set_quantities, "seller": seller,
               "sections": sections, "more": more}
    return render(request, "inventory/import.html", context,
                  status=400 if errors else status)


@staff_required
def import_products(request):
    """Upload a CSV or XLSX product list → preview of what will change (or of every problem in
    the file) → confirm."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        seller = form.cleaned_data.get("seller") or request.user
        if upload.size > importers.MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB.")
                           % {"mb": importers.MAX_UPLOAD_BYTES // (1024 * 1024)})
            return render(request, "inventory/import.html", context, status=400)
        try:
            parsed = importers.parse_file(upload.read(), upload.name)
        except importers.ImportFileError as error:
            form.add_error("file", str(error))
            return render(request, "inventory/import.html", context, status=400)
        return _import_preview(request, form=form, rows=parsed.rows, filename=upload.name,
                               seller=seller,
                               set_quantities=form.cleaned_data["set_quantities"],
                               rejected=parsed.rejected, file_errors=parsed.errors)
    return render(request, "inventory/import.html", context,
                  status=400 if request.method == "POST" else 200)


@staff_required
@require_POST
def import_confirm(request):
    """Apply the previewed import, exactly as previewed: if stock or products moved since, it
    writes nothing and shows the new preview to confirm again."""
    from accounts.models import User

    stored = previews.preview_take(user=request.user,
                                   token=request.session.pop(IMPORT_SESSION_KEY, ""))
    if stored is None:
        messages.error(request, _("The upload has expired: please choose the file again."))
        return redirect("inventory:import")
    meta, rows = stored
    seller = get_object_or_404(User, pk=meta["seller"])
    if not request.user.is_admin and seller.pk != request.user.pk:
        raise Http404
    set_quantities = bool(meta.get("set_quantities"))
    try:
        result = services.products_import(
            rows=rows, by=request.user, seller=seller, filename=meta["filename"],
            set_quantities=set_quantities, expected_digest=meta.get("digest"),
            expected_stock=meta.get("stock"), request=request)
    except services.ImportOutdated as error:
        messages.error(request, " ".join(
            [*error.messages, _("Nothing was imported: check the new preview and confirm "
                                "again.")]))
        form = ImportForm(user=request.user, initial={"set_quantities": set_quantities,
                                                      "seller": seller.pk})
        return _import_preview(request, form=form, rows=rows, filename=meta["filename"],
                               seller=seller, set_quantities=set_quantities, status=409)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("inventory:import")
    if result.errors:
        messages.error(request, _("Nothing was imported: the products changed since the "
                                  "preview. Please upload the file again."))
        return redirect("inventory:import")
    messages.success(request, _(
        "Imported: %(created)s new products, %(updated)s updated, %(unchanged)s unchanged; "
        "%(received)s opening quantities received, %(adjusted)s quantities adjusted.") % {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "received": result.received_lines, "adjusted": result.adjusted_lines})
    return redirect("inventory:import")


@staff_required
def export_products(request):
    """The product list as CSV or XLSX (?format=csv|xlsx); without a format, the page."""
    fmt = request.GET.get("format", "")
    if fmt not in ("csv", "xlsx"):
        return render(request, "inventory/export.html", {
            "count": Product.objects.for_seller(request.user).count()})
    products = selectors.products_for_export(request.user)
    language = importers.export_language(get_language())
    rows = importers.export_rows(products, language)
    stamp = timezone.localdate().isoformat()
    audit_record(actor=request.user, action="products.export", obj=request.user,
                 changes={"format": fmt, "rows": len(rows) - 1}, request=request)
    if fmt == "csv":
        text = io.StringIO()
        importers.write_csv(rows, text, language)
        response = HttpResponse(text.getvalue().encode("utf-8"),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="products-{stamp}.csv"'
        return response
    buffer = io.BytesIO()
    importers.write_xlsx(rows, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"products-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")
