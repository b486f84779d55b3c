"""The till's return page (DOMAIN.md, the till): find the receipt by its number (scanned or
typed), choose lines and quantities up to what was sold and not yet returned, spoiled per line;
the money goes back the way it was paid, out of the cashier's open shift. Views are thin: the
form reads, `till.services.till_return` decides."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import till_required
from bibarys.money import format_money
from orders.forms import ReturnForm
from orders.models import Order, OrderReturn, OrderStatus
from orders.returns import line_returnable, returned_quantities

from .selectors import open_shift_for
from .services import refund_methods, till_return

# A receipt number as printed ("№000123"), as its barcode carries it ("000123"), or bare.
RECEIPT_NUMBER = re.compile(r"^\s*(?:№|N|#)?\s*0*(\d{1,10})\s*$", re.IGNORECASE)


class ReceiptLookupForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Receipt number"), max_length=32,
                             widget=forms.TextInput(attrs={"autofocus": True,
                                                           "autocomplete": "off",
                                                           "inputmode": "numeric",
                                                           "placeholder": "№000123"}))

    def clean_number(self):
        match = RECEIPT_NUMBER.match(self.cleaned_data["number"])
        if not match or int(match.group(1)) > 2_000_000_000:
            raise forms.ValidationError(_("Scan the receipt or type its number, e.g. 000123."),
                                        code="format")
        order = Order.objects.filter(pk=int(match.group(1))).first()
        if order is None:
            raise forms.ValidationError(_("No receipt has this number."), code="missing")
        if order.status != OrderStatus.COMPLETED:
            raise forms.ValidationError(
                _("Receipt %(number)s is %(status)s: only a completed sale can be returned.")
                % {"number": order.number, "status": order.get_status_display()},
                code="not_completed")
        return order


def _return_receipt_url(order_return: OrderReturn) -> str:
    """The printable return receipt, once the receipts' pages exist."""
    try:
        return reverse("till:return_receipt", kwargs={"pk": order_return.pk})
    except NoReverseMatch:
        return ""


@till_required
@require_GET
def return_find(request):
    """Step 1: scan or type the receipt's number."""
    form = ReceiptLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("till:return_order", pk=form.cleaned_data["number"].pk)
    return render(request, "till/return_find.html",
                  {"form": form, "shift": open_shift_for(request.user)})


def _form_for(order: Order, data=None) -> ReturnForm:
    returned = returned_quantities(order)
    lines = list(order.lines.select_related("product").order_by("id"))
    returnable = {line.pk: line_returnable(line, returned) for line in lines}
    return ReturnForm(data, lines=lines, returnable=returnable, refunds=refund_methods(order),
                      initial={"idempotency_key": uuid.uuid4()})


@till_required
@require_http_methods(["GET", "POST"])
def return_order(request, pk):
    """Step 2: the receipt's lines; what comes back, spoiled or not; the money back by the
    way it was paid, out of this cashier's open shift."""
    order = get_object_or_404(Order.objects.select_related("user"), pk=pk,
                              status=OrderStatus.COMPLETED)
    shift = open_shift_for(request.user)
    form = _form_for(order, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if shift is None:
            form.add_error(None, _("Open a shift first: the money goes back out of its drawer."))
        elif form.is_valid():
            try:
                returned = till_return(shift=shift, by=request.user, order=order,
                                       items=form.items(), refund=form.cleaned_data["refund"],
                                       idempotency_key=form.cleaned_data["idempotency_key"],
                                       reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                for field, errors in _error_fields(exc):
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Return %(number)s: give back %(total)s (%(refund)s).")
                                 % {"number": returned.number,
                                    "total": format_money(returned.total),
                                    "refund": returned.get_refund_display()})
                return redirect("till:return_done", pk=returned.pk)
    return render(request, "till/return_order.html", {
        "order": order, "form": form, "shift": shift,
        "returns": order.returns.prefetch_related("lines__line__product").order_by("created_at", "id")})


def _error_fields(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return [(field, [m for e in errors for m in e.messages])
                for field, errors in exc.error_dict.items()]
    return [(None, exc.messages)]


@till_required
@require_GET
def return_done(request, pk):
    """The return just taken: what came back, how much money goes back and how."""
    order_return = get_object_or_404(
        OrderReturn.objects.select_related("order", "by").prefetch_related("lines__line__product"),
        pk=pk)
    return render(request, "till/return_done.html", {
        "ret": order_return, "receipt_url": _return_receipt_url(order_return)})
