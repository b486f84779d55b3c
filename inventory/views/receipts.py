"""The goods receipts' pages: list, draft, lines, post, reverse, delete."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import staff_required
from bibarys.money import format_money, format_quantity

from .. import selectors, services
from ..forms import ReceiptForm, ReceiptLineForm, ReverseForm
from ..models import DocumentStatus, GoodsReceipt
from .common import draft_delete, error_text, line_error, line_notice_keep, line_notice_pop, page_of


@staff_required
def receipt_list(request):
    """Goods receipts (тауар кірісі) the user may see, newest first."""
    status = request.GET.get("status", "")
    if status not in DocumentStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()
    page = page_of(request, selectors.receipts_for(request.user, status=status, q=q))
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
        line_notice=line_notice_pop(request, receipt)))


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
            messages.error(request, error_text(error))
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
            line_error(form, error)
        else:
            if added.merged:
                line_notice_keep(request, receipt, _receipt_merge_notice(added))
            return redirect(reverse("inventory:receipt_detail", args=[receipt.pk]) + "#lines")
    return render(request, "inventory/receipt_detail.html", _receipt_context(receipt, form),
                  status=400)


def _receipt_merge_notice(added) -> str:
    line = added.line
    values = {"name": line.product.display_name,
              "quantity": format_quantity(line.quantity, line.product.unit)}
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
        messages.error(request, error_text(error))
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
        messages.error(request, error_text(error))
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
                                  "left the shelf. %(details)s") % {"details": error_text(error)})
    return redirect("inventory:receipt_detail", pk=receipt.pk)



@staff_required
@require_POST
def receipt_delete(request, pk):
    receipt = _receipt(request, pk)
    return draft_delete(
        request, receipt, detail="inventory:receipt_detail", listing="inventory:receipt_list",
        delete=lambda **kw: services.receipt_delete(receipt=receipt, **kw))
