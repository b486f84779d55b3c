"""The shop's cart, checkout and order pages. Views are thin: read input, call orders.cart or
orders.services, render or redirect. Each page works as plain HTML; htmx swaps parts of it."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.card_payments import card_return_urls
from accounts.permissions import TILL_ROLES, owned_or_404, role_required, staff_required
from accounts.services import wallet_for
from bibarys.money import format_money
from bibarys.ratelimits import limit
from bibarys.view_helpers import safe_next
from catalog.models import Product

from . import cart as carts
from . import selectors, services
from .card_payments import order_card_payment, order_card_payment_latest
from .forms import (CancelForm, DeliveryForm, ManageFilterForm, ReturnForm, ReviewForm,
                    SellerLinesFilterForm, StatusForm)
from .models import ALLOWED_TRANSITIONS, Order, OrderStatus
from .returns import line_returnable, order_return, refund_methods, returned_quantities


def _first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else _("Something is wrong with that quantity.")


# ---------------------------------------------------------------------------------------------
# Cart


@require_GET
def cart(request):
    """The cart page: lines with a quantity stepper, totals, warnings, the way to checkout."""
    summary = carts.cart_summary(request)
    template = "orders/cart.html#cart-body" if request.htmx else "orders/cart.html"
    return render(request, template, {"summary": summary, "oob_badge": bool(request.htmx)})


@require_POST
def cart_add(request, product_pk):
    """Add a product (field `quantity`, default 1). htmx gets the refreshed add-to-cart form
    and the header badge; a plain form is sent back to `next` with a message."""
    product = get_object_or_404(Product.objects.only(*carts.PRODUCT_FIELDS), pk=product_pk)
    error, added = "", None
    try:
        added = carts.cart_add(request=request, product=product,
                               quantity=request.POST.get("quantity") or "1")
    except ValidationError as exc:
        error = _first_message(exc)
    if request.htmx:
        return render(request, "orders/_add_to_cart_response.html",
                      {"product": product, "cart_error": error, "cart_added": added})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s is in your cart.") % {"name": product.display_name})
    return redirect(safe_next(request, reverse("orders:cart")))


def _cart_body(request, *, errors=None):
    summary = carts.cart_summary(request)
    return render(request, "orders/cart.html#cart-body",
                  {"summary": summary, "errors": errors or {}, "oob_badge": True})


@require_POST
def cart_update(request, product_pk):
    """Change a line's quantity: the stepper's buttons send `step` (+1/−1 step; stepping below
    one step removes the line), the input sends `quantity` (zero or less is refused, as on
    the product page)."""
    product = get_object_or_404(Product, pk=product_pk)
    errors = {}
    try:
        step = request.POST.get("step")
        if step in ("1", "-1"):
            carts.cart_step(request=request, product=product, steps=int(step))
        else:
            carts.cart_set(request=request, product=product,
                           quantity=request.POST.get("quantity", ""))
    except ValidationError as exc:
        errors[product.pk] = _first_message(exc)
    if request.htmx:
        return _cart_body(request, errors=errors)
    if errors:
        messages.error(request, errors[product.pk])
    return redirect("orders:cart")


@require_POST
def cart_remove(request, product_pk):
    product = get_object_or_404(Product, pk=product_pk)
    carts.cart_remove(request=request, product_id=product.pk)
    if request.htmx:
        return _cart_body(request)
    messages.success(request, _("%(name)s is removed from your cart.")
                     % {"name": product.display_name})
    return redirect("orders:cart")


# ---------------------------------------------------------------------------------------------
# Checkout: delivery → review and payment → confirmation. The delivery step's answers are kept
# on the cart (Cart.checkout_details); the order is placed by one service call on the review
# step. With htmx the delivery step answers with the review step itself (one request less).


def _checkout_page(request, template: str, context: dict):
    """A checkout step's page: whole, or for an htmx swap only its title and <main>
    (partials/htmx_main.html). A history restore (Back after a swap, htmx sends HX-Request
    too) gets the whole page, which replaces the document's body."""
    htmx = request.htmx
    swap = bool(htmx) and not htmx.history_restore_request
    context["base_template"] = "partials/htmx_main.html" if swap else "base.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _steps(current: int):
    labels = [_("Delivery"), _("Review and payment"), _("Confirmation")]
    return [{"number": n, "label": label, "current": n == current, "done": n < current}
            for n, label in enumerate(labels, start=1)]


@login_required
@require_http_methods(["GET", "POST"])
def checkout_delivery(request):
    """Step 1: pickup or delivery, phone, note."""
    summary = carts.cart_summary(request)
    if summary.is_empty:
        messages.info(request, _("Your cart is empty: add products before checkout."))
        if request.htmx:
            return HttpResponseClientRedirect(reverse("orders:cart"))
        return redirect("orders:cart")
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        if form.is_valid():
            details = {key: str(value) for key, value in form.cleaned_data.items()}
            carts.checkout_details_save(user=request.user, **details)
            if request.htmx:
                response = _review_page(request, details=details, summary=summary)
                response["HX-Push-Url"] = reverse("orders:checkout_review")
                return response
            return redirect("orders:checkout_review")
    else:
        saved = carts.saved_cart(request.user).checkout_details
        form = DeliveryForm(initial=saved or {
            "delivery": Order.Delivery.PICKUP, "phone": request.user.phone,
            "address": request.user.address})
    return _checkout_page(request, "orders/checkout_delivery.html",
                          {"form": form, "summary": summary, "steps": _steps(1)})


def _placed_with_key(request):
    try:
        key = uuid.UUID(str(request.POST.get("idempotency_key", "")))
    except ValueError:
        return None
    return Order.objects.filter(idempotency_key=key, user=request.user).first()


def _review_page(request, *, details: dict, summary, form=None):
    """Step 2 as a page: the lines, the delivery, the wallet and the payment choice."""
    wallet = wallet_for(request.user)
    enough = wallet.balance >= summary.total
    pickup = details["delivery"] == Order.Delivery.PICKUP
    if form is None:
        form = ReviewForm(delivery=details["delivery"], initial={
            "idempotency_key": uuid.uuid4(),
            "payment": Order.Payment.WALLET if enough or not pickup else Order.Payment.CASH})
    topup_url = reverse("accounts:wallet_topup") + "?" + urlencode({
        "next": reverse("orders:checkout_review"),
        "amount": max(summary.total - wallet.balance, 100) if not enough else ""})
    return _checkout_page(request, "orders/checkout_review.html", {
        "form": form, "summary": summary, "wallet": wallet, "enough": enough,
        "pickup": pickup, "delivery": details, "topup_url": topup_url, "steps": _steps(2),
        "delivery_label": Order.Delivery(details["delivery"]).label,
        "page_path": reverse("orders:checkout_review"),
    })


def _to_card_page(request, order):
    """A card order goes to the provider's payment page; it stays unpaid until the provider's
    notification says it was paid."""
    try:
        payment = order_card_payment(order=order, urls=card_return_urls(request),
                                     request=request)
    except ValidationError as exc:
        messages.error(request, _first_message(exc))
        return redirect("orders:checkout_done", pk=order.pk)
    return redirect(payment.redirect_url)


@login_required
@require_POST
def order_pay_card(request, pk):
    """Pay one's own unpaid card order again (the provider's page was left before paying)."""
    order = get_object_or_404(Order, pk=pk, user=request.user)
    if (order.payment != Order.Payment.CARD or order.is_paid
            or order.status == OrderStatus.CANCELLED):
        messages.info(request, _("Order %(number)s does not wait for a card payment.")
                      % {"number": order.number})
        return redirect("orders:order_detail", pk=order.pk)
    return _to_card_page(request, order)


@login_required
@limit("CHECKOUT")
@require_http_methods(["GET", "POST"])
def checkout_review(request):
    """Step 2: the lines and totals, the wallet balance, the payment; placing the order. A
    replayed or double-clicked submit answers with the order it placed the first time."""
    cart = carts.saved_cart(request.user)
    details = cart.checkout_details
    if not details:
        return redirect("orders:checkout_delivery")
    if request.method == "GET":
        summary = carts.cart_summary(request)
        if summary.is_empty:
            messages.info(request, _("Your cart is empty: add products before checkout."))
            return redirect("orders:cart")
        return _review_page(request, details=details, summary=summary)
    form = ReviewForm(request.POST, delivery=details["delivery"])
    if not form.is_valid():
        # A replay of a submit that placed its order, after the delivery changed (cash no
        # longer fits): still the same order. A valid replay is found by order_place.
        placed = _placed_with_key(request)
        if placed is not None:
            return redirect("orders:checkout_done", pk=placed.pk)
        if {"idempotency_key", "expected_total"} & set(form.errors):
            # A hidden field the shopper cannot fix: a fresh form, with a word why.
            messages.error(request, _("This checkout form has expired. Please review your "
                                      "order again."))
            return redirect("orders:checkout_review")
    else:
        try:
            order = services.order_place(
                user=request.user, cart=cart, payment=form.cleaned_data["payment"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                expected_total=form.cleaned_data["expected_total"], **details)
        except ValidationError as exc:
            placed = (selectors.just_placed(request.user)
                      if getattr(exc, "code", None) == "empty_cart" else None)
            if placed is not None:
                # The same cart was placed from another tab a moment ago: say so, not "empty".
                messages.info(request, _("Order %(number)s is already placed: this page was "
                                         "still open in another tab.") % {"number": placed.number})
                return redirect("orders:checkout_done", pk=placed.pk)
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if order.payment == Order.Payment.CARD and not order.is_paid:
                return _to_card_page(request, order)
            return redirect("orders:checkout_done", pk=order.pk)
    return _review_page(request, details=details, summary=carts.cart_summary(request), form=form)


@login_required
@require_GET
def checkout_done(request, pk):
    """Step 3: the order number and what happens next."""
    order = owned_or_404(Order.objects.all(), request.user, pk=pk)
    return render(request, "orders/checkout_done.html", {"order": order, "steps": _steps(3)})


# ---------------------------------------------------------------------------------------------
# Orders: the shopper's own, the admin's all, the seller's lines.


handlers_required = role_required(*TILL_ROLES)  # who moves online orders along (DOMAIN.md)


def _handles(user, order) -> bool:
    """May `user` handle `order` as staff (move it along, take a return)? Cashiers, sellers
    and admins, for any order; a counter sale is handled at the till."""
    return bool(getattr(user, "handles_orders", False))


def _order_for(user, queryset, pk):
    """The order a page may show: any order for the staff who handle orders, else one's own
    (anyone else's is a 404)."""
    if getattr(user, "handles_orders", False):
        return get_object_or_404(queryset, pk=pk)
    return owned_or_404(queryset, user, pk=pk)


def _invoice_url(order) -> str:
    try:
        return reverse("analytics:order_invoice", kwargs={"pk": order.pk})
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def order_list(request):
    """The visitor's own orders, newest first."""
    page = Paginator(selectors.orders_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page_obj": page})


@login_required
@require_GET
def order_detail(request, pk):
    """One order with its lines and history. The shopper sees only their own (anyone else's
    is a 404); an admin sees every order and can move it along."""
    order = _order_for(request.user, selectors.order_for_page(Order.objects.all()), pk)
    next_statuses = []
    if _handles(request.user, order):
        next_statuses = [OrderStatus(s) for s in OrderStatus.values
                         if s in ALLOWED_TRANSITIONS[OrderStatus(order.status)]
                         and s != OrderStatus.CANCELLED]
    return render(request, "orders/order_detail.html", {
        "order": order, "lines": selectors.order_lines(order),
        "history": selectors.order_history(order),
        "can_cancel": services.can_cancel(order, request.user),
        "next_statuses": next_statuses, "invoice_url": _invoice_url(order),
        "is_owner": order.user_id == request.user.pk,
        "handles": _handles(request.user, order),
        "returns": selectors.order_returns(order),
        "can_return": _handles(request.user, order) and order.status == OrderStatus.COMPLETED
        and not order.is_counter,
        "card_payment": order_card_payment_latest(order),
    })


@login_required
@require_POST
def order_cancel(request, pk):
    """Cancel an order: the shopper while it is new, an admin before it is completed."""
    order = _order_for(request.user, Order.objects.all(), pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if not request.POST.get("confirmed") and order.status != OrderStatus.CANCELLED:
        # The button's "are you sure?" is a browser dialog; without JavaScript it is this page.
        return render(request, "orders/order_cancel_confirm.html",
                      {"order": order, "reason": reason})
    was_cancelled = order.status == OrderStatus.CANCELLED
    refunds = order.is_paid and order.payment == Order.Payment.WALLET
    to_card = order.is_paid and order.payment == Order.Payment.CARD
    try:
        services.order_cancel(order=order, by=request.user, reason=reason, request=request)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if was_cancelled:
            messages.info(request, _("Order %(number)s was already cancelled.")
                          % {"number": order.number})
        elif refunds:
            messages.success(request, _("Order %(number)s is cancelled. The stock is back on the "
                                        "shelf and any payment is refunded to the wallet.")
                             % {"number": order.number})
        elif to_card:
            messages.success(request, _("Order %(number)s is cancelled. The stock is back on the "
                                        "shelf and the payment is being refunded to the card.")
                             % {"number": order.number})
        else:  # cash on pickup: nothing was paid
            messages.success(request, _("Order %(number)s is cancelled. The stock is back on the "
                                        "shelf.") % {"number": order.number})
    return redirect("orders:order_detail", pk=order.pk)


@handlers_required
@require_GET
def manage_list(request):
    """All orders for the staff who handle them (cashiers, sellers, admins): filter by status,
    dates, shopper, number."""
    form = ManageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.orders_for_manage(**{k: v for k, v in filters.items() if v})
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(request, "orders/manage_list.html", {"form": form, "page_obj": page})


@handlers_required
@require_POST
def manage_status(request, pk):
    """Staff move an order to its next status (cancelling returns stock and money; a paid order
    only by the admin, unless the store's setting lets cashiers and sellers do it too)."""
    order = get_object_or_404(Order, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
    else:
        try:
            services.order_status_set(order=order, status=form.cleaned_data["status"],
                                      by=request.user, note=form.cleaned_data["note"],
                                      request=request)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            order.refresh_from_db(fields=["status"])
            messages.success(request, _("Order %(number)s is now %(status)s.")
                             % {"number": order.number, "status": order.get_status_display()})
    return redirect(safe_next(request, reverse("orders:order_detail", kwargs={"pk": order.pk})))


@staff_required
@require_GET
def seller_lines(request):
    """The lines of the seller's own products in orders (what fulfilment needs, nothing else)."""
    form = SellerLinesFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    page = Paginator(selectors.seller_lines(request.user, status=status), 50).get_page(
        request.GET.get("page"))
    return render(request, "orders/seller_lines.html", {"form": form, "page_obj": page})


# ---------------------------------------------------------------------------------------------
# A completed online order partly returned to staff (a counter sale is returned at the till).


def return_form_for(order, data=None) -> ReturnForm:
    """The return form of `order`: its lines with what may still come back, the refund ways."""
    returned = returned_quantities(order)
    lines = list(order.lines.select_related("product").order_by("id"))
    returnable = {line.pk: line_returnable(line, returned) for line in lines}
    return ReturnForm(data, lines=lines, returnable=returnable, refunds=refund_methods(order),
                      initial={"idempotency_key": uuid.uuid4()})


@handlers_required
@require_http_methods(["GET", "POST"])
def order_return_page(request, pk):
    """Staff take back part of a completed online order: lines and quantities, spoiled per
    line; the money goes back the way it was paid (the wallet, or cash for a cash order)."""
    order = get_object_or_404(Order.objects.select_related("user"), pk=pk,
                              channel=Order.Channel.ONLINE)
    if order.status != OrderStatus.COMPLETED:
        messages.error(request, _("Only a completed order can be returned."))
        return redirect("orders:order_detail", pk=order.pk)
    form = return_form_for(order, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            returned = order_return(order=order, items=form.items(), by=request.user,
                                    refund=form.cleaned_data["refund"],
                                    idempotency_key=form.cleaned_data["idempotency_key"],
                                    reason=form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Return %(number)s is recorded: %(total)s back by "
                                        "%(refund)s.")
                             % {"number": returned.number, "total": format_money(returned.total),
                                "refund": returned.get_refund_display()})
            return redirect("orders:order_detail", pk=order.pk)
    return render(request, "orders/order_return.html", {"order": order, "form": form})
