"""The shop's cart, checkout and order pages. Views are thin: read input, call orders.cart or
orders.services, render or redirect. Each page works as plain HTML; htmx swaps parts of it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Product

from . import cart as carts


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


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
    product = get_object_or_404(Product, pk=product_pk)
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
        messages.success(request, _("%(name)s is in your cart.") % {"name": product.name})
    return redirect(_safe_next(request, reverse("orders:cart")))


def _cart_body(request, *, errors=None):
    summary = carts.cart_summary(request)
    return render(request, "orders/cart.html#cart-body",
                  {"summary": summary, "errors": errors or {}, "oob_badge": True})


@require_POST
def cart_update(request, product_pk):
    """Set a line's quantity: the stepper's buttons send `step` (+1/−1 step), the input sends
    `quantity`. Zero removes the line."""
    product = get_object_or_404(Product, pk=product_pk)
    errors = {}
    try:
        step = request.POST.get("step")
        if step in ("1", "-1"):
            item_step = carts.CartItem(product=product, quantity=0).step
            current = carts.cart_quantity(request, product)
            quantity = current + item_step * int(step)
            carts.cart_set(request=request, product=product, quantity=quantity)
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
    messages.success(request, _("%(name)s is removed from your cart.") % {"name": product.name})
    return redirect("orders:cart")
