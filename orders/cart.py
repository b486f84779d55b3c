"""The cart of every visitor.

A signed-in visitor's cart is stored in the database (Cart, CartLine); an anonymous visitor's
lives in the session as {product pk: quantity} and merges into the saved cart when they log in
(`cart_merge`, connected to `user_logged_in` in orders/apps.py). Views and other apps (the
catalog's wishlist "move to cart") talk to the cart only through the functions here, which take
the request and work the same way for both kinds of cart.

Nothing here touches stock: the cart only checks what is on hand to warn early. The binding
check happens under row locks when the order is placed (orders.services.order_place).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bibarys.locks import lock_or_create
from bibarys.fields import parse_decimal
from bibarys.money import format_quantity, line_total
from bibarys.units import Unit, quantity_fits_unit, unit_step_message
from catalog.models import Product

from .models import Cart, CartLine

SESSION_KEY = "bibarys_cart"
# Far above any real grocery order; keeps silly numbers (10⁹) out before they reach the database.
MAX_QUANTITY = Decimal("10000")
_COUNT_ATTR = "_bibarys_cart_count"


# ---------------------------------------------------------------------------------------------
# Reading a quantity.


def parse_quantity(raw, product: Product) -> Decimal:
    """The quantity a visitor typed, checked against the product's unit; ValidationError with a
    message for the visitor otherwise."""
    try:
        quantity = parse_decimal(raw)
    except ValueError:
        quantity = None
    if quantity is None:
        raise ValidationError(_("Enter the quantity as a number."), code="not_a_number")
    if quantity <= 0:
        raise ValidationError(_("Enter a quantity greater than zero."), code="not_positive")
    if quantity > MAX_QUANTITY:
        raise ValidationError(
            _("That is more than the store sells at once (at most %(max)s).")
            % {"max": format_quantity(MAX_QUANTITY, product.unit)},
            code="too_large",
        )
    if not quantity_fits_unit(quantity, product.unit):
        raise ValidationError(unit_step_message(product.display_name, product.unit),
                              code="unit_step")
    return quantity.quantize(Decimal("0.001"))


def check_available(product: Product, quantity: Decimal) -> None:
    """Refuse an archived product or more than is on hand (the visitor sees the message)."""
    if not product.is_active:
        raise ValidationError(_("%(name)s is no longer sold.") % {"name": product.display_name},
                              code="archived")
    if quantity > product.quantity:
        if product.quantity <= 0:
            message = _("%(name)s is out of stock.") % {"name": product.display_name}
        else:
            message = _("%(name)s: only %(left)s left.") % {
                "name": product.display_name,
                "left": format_quantity(product.quantity, product.unit)}
        raise ValidationError(message, code="short")


# ---------------------------------------------------------------------------------------------
# What the cart holds.


@dataclass
class CartItem:
    product: Product
    quantity: Decimal

    @property
    def line_total(self) -> Decimal:
        return line_total(self.product.price, self.quantity)

    @property
    def step(self) -> Decimal:
        """How much one press of the stepper adds: a piece, or 100 g / 100 ml."""
        return Decimal("1") if self.product.unit == Unit.PIECE else Decimal("0.1")

    @property
    def warning(self) -> str:
        product = self.product
        if not product.is_active:
            return _("%(name)s is no longer sold: remove it to check out.") % {
                "name": product.display_name}
        if product.quantity <= 0:
            return _("%(name)s is out of stock.") % {"name": product.display_name}
        if self.quantity > product.quantity:
            return _("%(name)s: only %(left)s left.") % {
                "name": product.display_name,
                "left": format_quantity(product.quantity, product.unit)}
        return ""


@dataclass
class CartSummary:
    items: list[CartItem] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((item.line_total for item in self.items), Decimal("0.00"))

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def warnings(self) -> list[str]:
        return [item.warning for item in self.items if item.warning]

    @property
    def has_problems(self) -> bool:
        return any(item.warning for item in self.items)

    @property
    def is_empty(self) -> bool:
        return not self.items


def _session_cart(request) -> dict:
    return request.session.get(SESSION_KEY) or {}


def _save_session_cart(request, data: dict) -> None:
    request.session[SESSION_KEY] = data
    request.session.modified = True


def _forget_count(request) -> None:
    if hasattr(request, _COUNT_ATTR):
        delattr(request, _COUNT_ATTR)


def _is_signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


def saved_cart(user) -> Cart:
    cart, _created = Cart.objects.get_or_create(user=user)
    return cart


def _lock_cart(user) -> Cart:
    """The user's saved cart, locked (created the first time). Inside a transaction."""
    return lock_or_create(Cart.objects.filter(user=user), lambda: saved_cart(user))


def checkout_details_save(*, user, delivery: str, address: str, phone: str, note: str) -> None:
    """Keep the checkout's delivery step on the user's cart (see Cart.checkout_details)."""
    updated = Cart.objects.filter(user=user).update(delivery=delivery, address=address,
                                                    phone=phone, note=note)
    if not updated:
        Cart.objects.get_or_create(user=user, defaults={
            "delivery": delivery, "address": address, "phone": phone, "note": note})


PRODUCT_FIELDS = ("id", "name", "name_ru", "name_en", "slug", "unit", "price", "quantity",
                  "is_active", "seller_id", "category_id")


def cart_summary(request) -> CartSummary:
    """The visitor's cart with its products, in one query."""
    if _is_signed_in(request):
        lines = (CartLine.objects.filter(cart__user_id=request.user.pk)
                 .select_related("product").order_by("added_at", "id")
                 .only("quantity", *(f"product__{name}" for name in PRODUCT_FIELDS)))
        items = [CartItem(product=line.product, quantity=line.quantity) for line in lines]
    else:
        data = _session_cart(request)
        products = (Product.objects.only(*PRODUCT_FIELDS).in_bulk([int(pk) for pk in data])
                    if data else {})
        items = [CartItem(product=products[int(pk)], quantity=Decimal(qty))
                 for pk, qty in data.items() if int(pk) in products]
    setattr(request, _COUNT_ATTR, len(items))
    return CartSummary(items=items)


def cart_count(request) -> int:
    """How many products are in the cart (for the header badge): at most one COUNT query per
    request, none for an anonymous visitor."""
    if hasattr(request, _COUNT_ATTR):
        return getattr(request, _COUNT_ATTR)
    if _is_signed_in(request):
        count = CartLine.objects.filter(cart__user_id=request.user.pk).count()
    elif hasattr(request, "session"):
        count = len(_session_cart(request))
    else:
        count = 0
    setattr(request, _COUNT_ATTR, count)
    return count


# ---------------------------------------------------------------------------------------------
# Changing the cart.


def cart_add(*, request, product: Product, quantity) -> Decimal:
    """Add `quantity` of `product` to the visitor's cart; returns the line's new quantity.

    Raises ValidationError (with a message for the visitor) for a bad quantity, an archived
    product or more than is on hand; then nothing changes."""
    return _cart_change(request=request, product=product,
                        delta=parse_quantity(quantity, product))


def _cart_change(*, request, product: Product, delta: Decimal) -> Decimal:
    """Change the product's line by `delta` (signed); at zero or below the line goes. Raising
    it must fit the unit and what is on hand. Returns the new quantity (0: removed).

    Two quick clicks make two changes: the signed-in cart is locked, so the second reads the
    first one's result, and the line changes by an F() update, never read-add-set."""
    if not _is_signed_in(request):
        data = dict(_session_cart(request))
        new_quantity = Decimal(data.get(str(product.pk), "0")) + delta
        if new_quantity <= 0:
            data.pop(str(product.pk), None)
            new_quantity = Decimal("0")
        else:
            if delta > 0:
                parse_quantity(new_quantity, product)
                check_available(product, new_quantity)
            data[str(product.pk)] = str(new_quantity)
        _save_session_cart(request, data)
        _forget_count(request)
        return new_quantity
    with transaction.atomic():
        cart = _lock_cart(request.user)
        # The cart's lines (a handful): this product's line, and the header badge's count.
        lines = dict(CartLine.objects.filter(cart=cart).values_list("product_id", "quantity"))
        current = lines.get(product.pk)
        new_quantity = (current or Decimal("0")) + delta
        line = CartLine.objects.filter(cart=cart, product=product)
        if new_quantity <= 0:
            line.delete()
            lines.pop(product.pk, None)
            new_quantity = Decimal("0")
        else:
            if delta > 0:
                parse_quantity(new_quantity, product)
                check_available(product, new_quantity)
            if current is None:
                CartLine.objects.create(cart=cart, product=product, quantity=new_quantity)
                lines[product.pk] = new_quantity
            else:
                line.update(quantity=F("quantity") + delta)
    setattr(request, _COUNT_ATTR, len(lines))
    return new_quantity


def cart_set(*, request, product: Product, quantity) -> Decimal:
    """Set the line's quantity to what the visitor typed; returns the new quantity.

    Zero or less is refused with the product page's message (the line's ✕ removes it), as is
    a bad number; lowering a line is always allowed (even if the product ran short or was
    archived), raising it must fit what is on hand."""
    quantity = parse_quantity(quantity, product)
    if not _is_signed_in(request):
        data = dict(_session_cart(request))
        if quantity > Decimal(data.get(str(product.pk), "0")):
            check_available(product, quantity)
        data[str(product.pk)] = str(quantity)
        _save_session_cart(request, data)
        _forget_count(request)
        return quantity
    with transaction.atomic():
        cart = _lock_cart(request.user)
        current = (CartLine.objects.filter(cart=cart, product=product)
                   .values_list("quantity", flat=True).first())
        if quantity > (current or Decimal("0")):
            check_available(product, quantity)
        if current is None:
            CartLine.objects.create(cart=cart, product=product, quantity=quantity)
        else:
            CartLine.objects.filter(cart=cart, product=product).update(quantity=quantity)
    _forget_count(request)
    return quantity


def cart_step(*, request, product: Product, steps: int) -> Decimal:
    """The stepper's + (steps=1) or − (steps=-1): one piece, or 100 g / 100 ml, on the line.
    Stepping below one step removes the line. Returns the new quantity (0: removed)."""
    delta = CartItem(product=product, quantity=Decimal("0")).step * steps
    return _cart_change(request=request, product=product, delta=delta)


def cart_remove(*, request, product_id: int) -> None:
    if _is_signed_in(request):
        CartLine.objects.filter(cart__user_id=request.user.pk, product_id=product_id).delete()
    else:
        data = dict(_session_cart(request))
        if data.pop(str(product_id), None) is not None:
            _save_session_cart(request, data)
    _forget_count(request)


def cart_merge(*, request, user) -> int:
    """Move the anonymous session cart into the user's saved cart (quantities add up). Lines
    that now exceed stock stay, with a warning on the cart page; nothing is lost at login.
    Returns how many products were already in the saved cart (their quantities added up)."""
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not data:
        return 0
    combined = 0
    products = set(Product.objects.filter(pk__in=[int(pk) for pk in data])
                   .values_list("pk", flat=True))
    with transaction.atomic():
        cart = saved_cart(user)
        existing = {line.product_id: line for line in cart.lines.select_for_update()}
        for pk, raw in data.items():
            pk = int(pk)
            if pk not in products:
                continue
            quantity = min(Decimal(raw), MAX_QUANTITY)
            if quantity <= 0:
                continue
            if pk in existing:
                line = existing[pk]
                line.quantity = min(line.quantity + quantity, MAX_QUANTITY)
                line.save(update_fields=["quantity"])
                combined += 1
            else:
                CartLine.objects.create(cart=cart, product_id=pk, quantity=quantity)
    request.session.pop(SESSION_KEY, None)
    _forget_count(request)
    return combined
