"""The write-offs' pages: list, draft, lines, post, delete."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import staff_required
from bibarys.money import format_quantity

from .. import selectors, services
from ..forms import WriteOffForm, WriteOffLineForm
from ..models import DocumentStatus, WriteOff, value_at_cost
from .common import draft_delete, error_text, line_error, line_notice_keep, line_notice_pop, page_of


@staff_required
def writeoff_list(request):
    status = request.GET.get("status", "")
    if status not in DocumentStatus.values:
        status = ""
    page = page_of(request, selectors.writeoffs_for(request.user, status=status))
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
        line_notice=line_notice_pop(request, writeoff)))


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
            line_error(form, error)
        else:
            notice = _writeoff_merge_notice(added)
            if notice:
                line_notice_keep(request, writeoff, notice)
            return redirect(reverse("inventory:writeoff_detail", args=[writeoff.pk]) + "#lines")
    return render(request, "inventory/writeoff_detail.html", _writeoff_context(writeoff, form),
                  status=400)


def _writeoff_merge_notice(added) -> str:
    line, merged = added.line, added.merged
    values = {"name": line.product.display_name, "reason": line.get_reason_display(),
              "quantity": format_quantity(line.quantity, line.product.unit)}
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
        messages.error(request, error_text(error))
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
        messages.error(request, error_text(error))
    return redirect("inventory:writeoff_detail", pk=writeoff.pk)


@staff_required
@require_POST
def writeoff_delete(request, pk):
    writeoff = _writeoff(request, pk)
    return draft_delete(
        request, writeoff, detail="inventory:writeoff_detail", listing="inventory:writeoff_list",
        delete=lambda **kw: services.writeoff_delete(writeoff=writeoff, **kw))
