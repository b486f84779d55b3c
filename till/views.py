"""The till's pages: open a shift, the selling screen, cash in and out, the shift's figures (X)
and its close. Thin: a form, one service, a page. A shift is its cashier's: anyone else's answers
404. The selling screen works without JavaScript; htmx swaps only the sale (#till-sale)."""

from __future__ import annotations

import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import till_required
from bibarys.cache import catalog_version
from bibarys.money import format_money
from catalog.models import Product
from catalog.selectors import search_filter
from orders.services import OrderItem

from . import draft as drafts
from .forms import CashForm, CloseForm, PayForm, ScanForm, ShiftOpenForm, quantity_parse
from .models import Shift, TillSale
from .scan import scan_lookup
from .selectors import open_shift_for, shift_totals
from .services import shift_cash, shift_close, shift_open, till_sell

QUICK_PICKS_MAX = 12
SEARCH_MAX = 8


def _shift_for(request, pk: int, *, open_only: bool = True) -> Shift:
    """The signed-in cashier's own shift; another cashier's (or a closed one, for selling) is
    a 404."""
    shifts = Shift.objects.select_related("till").filter(cashier=request.user)
    if open_only:
        shifts = shifts.filter(closed_at__isnull=True)
    return get_object_or_404(shifts, pk=pk)


def _url_or_none(name: str, *args) -> str | None:
    # Pages of the other till branches (receipts, X/Z PDFs) link in once they exist.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _errors(error: ValidationError) -> list[str]:
    return error.messages


# Shifts ----------------------------------------------------------------------------------------


@till_required
def till_home(request):
    """The till's door: on to the open shift, or open one."""
    shift = open_shift_for(request.user)
    if shift is not None:
        return redirect("till:sell", pk=shift.pk)
    form = ShiftOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shift = shift_open(till=form.cleaned_data["till"], by=request.user,
                               opening_float=form.cleaned_data["opening_float"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Shift opened on %(till)s.") % {"till": shift.till})
            return redirect("till:sell", pk=shift.pk)
    return render(request, "till/shift_open.html", {"form": form},
                  status=400 if form.errors else 200)


@till_required
def shift_detail(request, pk):
    """The shift's figures at any time (the X report), cash in and out, and the way to close;
    a closed shift shows its count and variance."""
    shift = _shift_for(request, pk, open_only=False)
    cash_form = CashForm(request.POST or None, prefix="cash")
    if request.method == "POST":
        if cash_form.is_valid():
            try:
                shift_cash(shift=shift, by=request.user, **cash_form.cleaned_data)
            except ValidationError as error:
                _add_errors(cash_form, error)
            else:
                messages.success(request, _("Recorded."))
                return redirect("till:shift_detail", pk=shift.pk)
    return render(request, "till/shift_detail.html", {
        "shift": shift, "totals": shift_totals(shift), "cash_form": cash_form,
        "movements": shift.cash_movements.select_related("by"),
        "x_pdf_url": _url_or_none("till:x_report_pdf", shift.pk),
    }, status=400 if cash_form.errors else 200)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@till_required
def shift_close_view(request, pk):
    shift = _shift_for(request, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            closed = shift_close(shift=shift, by=request.user, note=data["note"],
                                 counted_cash=data["counted_cash"],
                                 denominations=data["denominations"] or None)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Shift closed. Variance: %(variance)s.")
                             % {"variance": format_money(closed.variance)})
            return redirect("till:shift_detail", pk=closed.pk)
    return render(request, "till/shift_close.html", {
        "shift": shift, "totals": shift_totals(shift), "form": form,
    }, status=400 if form.errors else 200)


# The selling screen ------------------------------------------------------------------------------


def _quick_picks():
    """The tiles, kept in the cache per catalog version: on a big catalog finding the goods with
    a PLU reads the whole name index, and a scan's answer (htmx, the sale only) needs none."""
    key = f"till:quick-picks:{catalog_version()}:{','.join(settings.TILL_QUICK_PICKS)}"
    picks = cache.get(key)
    if picks is None:
        products = Product.objects.active().only("id", "name", "name_ru", "name_en", "unit",
                                                 "price")
        if settings.TILL_QUICK_PICKS:
            products = products.filter(sku__in=settings.TILL_QUICK_PICKS)
        else:  # by default the weighed goods: what has a PLU and (mostly) no barcode
            products = products.filter(plu__isnull=False)
        picks = list(products.order_by("name", "id")[:QUICK_PICKS_MAX])
        cache.set(key, picks, 3600)
    return picks


def _sell_context(request, shift, **extra):
    draft = drafts.draft_load(request, shift)
    return {"shift": shift, "draft": draft, "scan_form": ScanForm(),
            "pay_form": extra.pop("pay_form", None) or PayForm(initial={
                "key": draft.key, "expected_total": draft.total, "method": "cash"}),
            # A callable: drawn only by the whole page, not by a scan's htmx answer.
            "quick_picks": _quick_picks, "scale_label": settings.TILL_SCALE_LABEL,
            # When the server drew the sale: the offline copy knows an older page (the service
            # worker's) from a fresh one by it.
            "rendered": int(time.time() * 1000), **extra}


def _sale_response(request, shift, *, status=200, **extra):
    """The whole page, or only the sale (#till-sale) for htmx."""
    context = _sell_context(request, shift, **extra)
    template = "till/sell.html#sale" if request.htmx else "till/sell.html"
    return render(request, template, context, status=status)


@till_required
def sell(request, pk):
    shift = _shift_for(request, pk)
    paid = request.session.pop("till_last_sale", None)
    last_sale = None
    if paid:
        last_sale = TillSale.objects.filter(order_id=paid, shift=shift).select_related(
            "order").first()
    return _sale_response(request, shift, last_sale=last_sale,
                          receipt_url=last_sale and _url_or_none("till:receipt",
                                                                 last_sale.order_id))


@till_required
@require_POST
def scan(request, pk):
    """A scanned or typed code: its product joins the sale (once more if already there)."""
    shift = _shift_for(request, pk)
    form = ScanForm(request.POST)
    if not form.is_valid():
        return _sale_response(request, shift, scan_error=_("Scan or type a code."), status=400)
    code = form.cleaned_data["code"]
    found = scan_lookup(code)
    if found.product is None and not request.htmx and not code.isdigit():
        # Without JavaScript a name typed and sent shows its matches (htmx shows them live).
        results = _search(code)
        if results:
            return _sale_response(request, shift, results=results, q=code)
    if found.product is None:
        # 200 for htmx: the page flashes and beeps (sell.js) and the scan box stays ready.
        return _sale_response(request, shift, scan_error=found.error,
                              status=200 if request.htmx else 400)
    if not drafts.draft_add(request, shift, found.product, found.quantity):
        return _sale_response(request, shift, scan_error=_("A sale holds at most %(n)s lines.")
                              % {"n": drafts.MAX_LINES}, status=400)
    return _after_change(request, shift)


def _after_change(request, shift):
    if request.htmx:
        return _sale_response(request, shift)
    return redirect("till:sell", pk=shift.pk)


@till_required
@require_POST
def add(request, pk):
    """A quick-pick tile or a search result: one of the product (or the weight typed)."""
    shift = _shift_for(request, pk)
    product = get_object_or_404(Product.objects.active(), pk=request.POST.get("product", "")
                                if str(request.POST.get("product", "")).isdigit() else 0)
    try:
        quantity = (quantity_parse(request.POST["quantity"], product.unit)
                    if request.POST.get("quantity") else Decimal("1"))
    except ValidationError as error:
        return _sale_response(request, shift, scan_error=error.messages[0], status=400)
    drafts.draft_add(request, shift, product, quantity)
    return _after_change(request, shift)


@till_required
@require_POST
def line(request, pk, index):
    """Change a line's quantity (a weight as typed: 0,5), or remove it."""
    shift = _shift_for(request, pk)
    product_id = drafts.draft_line_product(request, shift, index)
    if product_id is None:
        return _after_change(request, shift)  # already gone (a double tap)
    if "remove" in request.POST:
        drafts.draft_set(request, shift, index, None)
        return _after_change(request, shift)
    unit = Product.objects.filter(pk=product_id).values_list("unit", flat=True).first()
    try:
        quantity = quantity_parse(request.POST.get("quantity"), unit or "")
    except ValidationError as error:
        return _sale_response(request, shift, line_error=(index, error.messages[0]), status=400)
    drafts.draft_set(request, shift, index, quantity)
    return _after_change(request, shift)


@till_required
def search(request, pk):
    """Products by name (Kazakh letters folded, as the shop's search), SKU or barcode."""
    shift = _shift_for(request, pk)
    q = (request.GET.get("code") or request.GET.get("q") or "").strip()[:100]
    return render(request, "till/sell_search.html",
                  {"shift": shift, "q": q, "results": _search(q) if q else []})


def _search(q: str) -> list[Product]:
    return list(search_filter(Product.objects.active(), q[:100]).only(
        "id", "name", "name_ru", "name_en", "unit", "price", "sku").order_by("name", "id")
        [:SEARCH_MAX])


@till_required
@require_POST
def pay(request, pk):
    """Ring the sale up as posted: its lines, total and key. A retried key (a double tap, a
    reload of the POST, the offline queue) gets the same sale back, never a second one."""
    shift = _shift_for(request, pk)
    form = PayForm(request.POST, lines=request.POST.getlist("line"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = till_sell(
                shift=shift, by=request.user, idempotency_key=data["key"],
                items=[OrderItem(product_id, quantity) for product_id, quantity in data["lines"]],
                payments=data["payments"], expected_total=data["expected_total"],
                tendered=data["tendered"] if data["method"] in ("cash", "split") else None)
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            if str(drafts.draft_load(request, shift).key) == str(data["key"]):
                drafts.draft_clear(request, shift)
            request.session["till_last_sale"] = order.pk
            return redirect("till:sell", pk=shift.pk)
    return _sale_response(request, shift, pay_form=form, status=400)
