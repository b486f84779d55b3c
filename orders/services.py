"""Orders: placing, cancelling and moving them along the status workflow (DOMAIN.md, Orders).

Lock order, everywhere in this module: the cart row (placing) or the order row (cancelling,
status changes) first, then products in primary-key order (inventory's ledger), then the wallet
(accounts.services.wallet_lock). Every transaction that takes more than one of them takes them in
this order, so two checkouts, or a checkout and a cancel, never wait on each other in a cycle.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.card_payments import card_payment_refund_for
from accounts.models import WalletEntry
from accounts.services import InsufficientFunds, wallet_lock, wallet_post
from bibarys.limits import check_sum
from bibarys.money import format_money, format_quantity, line_total
from bibarys.units import quantity_fits_unit
from catalog.models import Product
from catalog.vat import rates_for, vat_in
from inventory.models import MovementKind
from inventory.services import StockChange, lock_products, stock_apply

from .models import (ALLOWED_TRANSITIONS, Cart, CartLine, Order, OrderLine, OrderStatus,
                     OrderStatusChange)
from .card_payments import online_payments
from .shortstock import shortfalls_record



@dataclass(frozen=True)
class OrderItem:
    """One line to sell: a product and how much of it (a cart line, or a scanned item at the
    counter)."""

    product_id: int
    quantity: Decimal


class OrderProblems(ValidationError):
    """The order cannot be placed as it is: every problem, listed at once."""

    def __init__(self, messages: list[str], code: str = "order_problems"):
        self.problems = messages
        super().__init__(messages, code=code)


def order_reference(order: Order) -> str:
    return f"order:{order.pk}"


def _check_totals(merged, products) -> tuple[Decimal, Decimal]:
    """The order's total and cost, each line's sum and the totals checked against the columns
    that will hold them (bibarys/limits.py) before anything is written."""
    problems = []
    for pk in sorted(merged):
        product = products[pk]
        for value, name in ((line_total(product.price, merged[pk]), "line_total"),
                            (line_total(product.cost_price, merged[pk]), "line_total")):
            try:
                check_sum(value, OrderLine, name, what=_("The sum of %(name)s")
                          % {"name": product.name})
            except ValidationError as error:
                problems.extend(m for m in error.messages if m not in problems)
    if problems:
        raise OrderProblems(problems)
    total = sum((line_total(products[pk].price, qty) for pk, qty in merged.items()),
                Decimal("0.00"))
    cost_total = sum((line_total(products[pk].cost_price, qty) for pk, qty in merged.items()),
                     Decimal("0.00"))
    check_sum(total, Order, "total", what=_("The order total"))
    check_sum(cost_total, Order, "cost_total", what=_("The order's cost of goods"))
    return total, cost_total


def _existing(idempotency_key, user) -> Order | None:
    order = Order.objects.filter(idempotency_key=idempotency_key).first()
    if order is not None and order.user_id != getattr(user, "pk", None):
        # Someone else's key: never hand their order over.
        raise ValidationError(_("This checkout form has expired. Please review your order "
                                "again."), code="foreign_key")
    return order


def order_place(*, user, payment: str, idempotency_key, cart: Cart | None = None,
                items: list[OrderItem] | None = None, delivery: str = Order.Delivery.PICKUP,
                address: str = "", phone: str = "", note: str = "",
                channel: str = Order.Channel.ONLINE, by=None,
                expected_total: Decimal | None = None, allow_short: bool = False) -> Order:
    """Place an order for `user` from their saved `cart` (or from `items`, e.g. a counter sale)
    in one transaction: lock, re-check every line's stock and the balance, write the sale
    movements, pay, create the order with its lines, empty the cart.

    Raises OrderProblems (every archived or short product at once), InsufficientFunds or
    ValidationError; then nothing is written. Submitting the same `idempotency_key` again (a
    double click, a replayed request, two at once) returns the order placed the first time.
    `expected_total`: what the shopper was shown; if the cart now comes to another sum (a
    price changed, the cart changed in another tab) nothing is placed and they are told.
    `allow_short` (a counter sale, settings.TILL_SHORT_STOCK=allow): a line beyond what the
    books hold is sold anyway; the sale movement takes what they hold and the rest is recorded
    as a short-stock exception (orders/shortstock.py), so the ledger never goes below zero.
    """
    if cart is None and items is None:
        raise ValueError("order_place needs a cart or items")
    idempotency_key = uuid.UUID(str(idempotency_key))
    if cart is None:
        # A cart's checkout looks for its replay under the cart's lock instead (_place).
        existing = _existing(idempotency_key, user)
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return _place(user=user, payment=payment, idempotency_key=idempotency_key,
                          cart=cart, items=items, delivery=delivery, address=address,
                          phone=phone, note=note, channel=channel, by=by or user,
                          expected_total=expected_total,
                          allow_short=allow_short and channel == Order.Channel.COUNTER)
    except IntegrityError:
        # A concurrent submit with the same key committed first: answer with its order.
        existing = _existing(idempotency_key, user)
        if existing is not None:
            return existing
        raise


# What placing an order reads of a product (its description and the rest stay on disk).
SALE_FIELDS = ("id", "name", "name_ru", "name_en", "unit", "price", "cost_price", "quantity",
               "is_active", "seller_id", "category_id", "vat_rate")


def _lock_cart_products(cart: Cart) -> tuple[dict[int, Decimal], dict[int, Product]]:
    """The cart's lines and their products, the products locked in primary-key order (the
    inventory ledger's order), in one query."""
    rows = (Product.objects.select_for_update(no_key=True, of=("self",))
            .filter(cart_lines__cart=cart).annotate(in_cart=F("cart_lines__quantity"))
            .only(*SALE_FIELDS).order_by("pk"))
    products = {product.pk: product for product in rows}
    return {pk: product.in_cart for pk, product in products.items()}, products


COUNTER_PAYMENTS = (Order.Payment.CASH, Order.Payment.CARD, Order.Payment.KASPI,
                    Order.Payment.SPLIT)


def _validate_choices(*, payment, delivery, address, channel=Order.Channel.ONLINE) -> None:
    allowed = COUNTER_PAYMENTS if channel == Order.Channel.COUNTER else online_payments()
    if payment not in allowed:
        raise ValidationError(_("Choose how to pay."), code="payment")
    if delivery not in Order.Delivery.values:
        raise ValidationError(_("Choose pickup or delivery."), code="delivery")
    if delivery == Order.Delivery.COURIER and not address.strip():
        raise ValidationError(_("Enter the delivery address."), code="address")
    if payment == Order.Payment.CASH and delivery != Order.Delivery.PICKUP:
        raise ValidationError(_("Cash is accepted on pickup only."), code="cash_pickup")


# Long: the checkout's one transaction in the order it must happen (the cart's lock and the
# replay, the products' locks, every check, the wallet's lock, then the writes); each step is a
# helper call or a few lines, and cutting it up would hide the lock order the docstring explains.
def _place(*, user, payment, idempotency_key, cart, items, delivery, address, phone, note,
           channel, by, expected_total=None, allow_short=False) -> Order:
    _validate_choices(payment=payment, delivery=delivery, address=address, channel=channel)
    if channel == Order.Channel.COUNTER and cart is not None:
        raise ValueError("a counter sale is placed from items (a walk-in customer: user=None)")
    if cart is not None:
        # Serialises checkouts of one cart; under this lock a replay finds the first order.
        Cart.objects.select_for_update(no_key=True).filter(pk=cart.pk).values_list(
            "pk", flat=True).first()
        existing = _existing(idempotency_key, user)
        if existing is not None:
            return existing
        # Products first (primary-key order), then the wallet: see the module docstring.
        merged, products = _lock_cart_products(cart)
    else:
        merged = {}
        for item in items:
            merged[item.product_id] = merged.get(item.product_id, Decimal("0")) + Decimal(
                item.quantity)
        products = lock_products(merged) if merged else {}
    if not merged:
        raise ValidationError(_("Your cart is empty."), code="empty_cart")

    problems = []
    for pk in sorted(merged):
        quantity = merged[pk]
        product = products.get(pk)
        if product is None:
            problems.append(_("A product in your cart no longer exists."))
        elif not product.is_active:
            problems.append(_("%(name)s is no longer sold.") % {"name": product.display_name})
        elif quantity <= 0 or not quantity_fits_unit(quantity, product.unit):
            problems.append(_("%(name)s: the quantity does not fit its unit.")
                            % {"name": product.display_name})
        elif quantity > product.quantity and channel == Order.Channel.COUNTER:
            if not allow_short:
                problems.append(_("%(name)s: the books hold %(left)s, and this store does not "
                                  "sell beyond its stock. Take it off the sale, or ask the "
                                  "owner to receive the goods first.") % {
                    "name": product.display_name,
                    "left": format_quantity(product.quantity, product.unit)})
        elif quantity > product.quantity:
            problems.append(_("%(name)s: %(left)s left") % {
                "name": product.display_name,
                "left": format_quantity(product.quantity, product.unit)})
    if problems:
        raise OrderProblems(problems)

    total, cost_total = _check_totals(merged, products)
    if expected_total is not None and total != expected_total:
        raise ValidationError(
            _("Your order now comes to %(total)s, not %(shown)s: a price or your cart changed "
              "since this page was opened. Check the order and place it again.")
            % {"total": format_money(total), "shown": format_money(expected_total)},
            code="total_changed")
    wallet = None
    if payment == Order.Payment.WALLET:
        wallet = wallet_lock(user)
        if wallet.balance < total:
            raise InsufficientFunds(balance=wallet.balance, needed=total)

    # The unique idempotency key is inserted here: a concurrent twin blocks on it and then fails
    # with IntegrityError, which order_place turns into "the same order". A wallet order is paid
    # below in this same transaction, or nothing is written.
    # A counter sale is paid and handed over at once: it is completed as it is placed.
    counter = channel == Order.Channel.COUNTER
    order = Order.objects.create(
        user=user, channel=channel, delivery=delivery, address=address.strip()[:255],
        phone=phone, note=note.strip()[:500], payment=payment,
        is_paid=wallet is not None or counter,
        status=OrderStatus.COMPLETED if counter else OrderStatus.NEW,
        total=total, cost_total=cost_total, idempotency_key=idempotency_key,
    )
    reference = order_reference(order)
    ordered = sorted(merged)
    # What the books hold is what the ledger takes; beyond it (allowed short) is owed to them.
    booked = {pk: min(merged[pk], max(products[pk].quantity, Decimal("0"))) for pk in ordered}
    moved = [pk for pk in ordered if booked[pk] > 0]
    movements = dict(zip(moved, stock_apply(
        changes=[StockChange(product_id=pk, quantity=-booked[pk]) for pk in moved],
        kind=MovementKind.SALE, by=by, reference=reference, locked=products,
    ))) if moved else {}
    # VAT once, here, for online and counter sales alike: each line keeps its rate and the VAT
    # inside its sum, rounded on the line (docs/vat.md); a receipt's VAT is the sum of its lines.
    rates = rates_for(products[pk] for pk in ordered)
    lines = []
    for pk in ordered:
        total_of_line = line_total(products[pk].price, merged[pk])
        lines.append(OrderLine(
            order=order, product_id=pk, seller_id=products[pk].seller_id,
            product_name=products[pk].name, unit=products[pk].unit, quantity=merged[pk],
            price=products[pk].price, cost_price=products[pk].cost_price, line_total=total_of_line,
            vat_rate=rates[pk], vat_amount=vat_in(total_of_line, rates[pk]),
            sale_movement=movements.get(pk)))
    lines = OrderLine.objects.bulk_create(lines)
    short = {line.product_id: merged[line.product_id] - booked[line.product_id]
             for line in lines if merged[line.product_id] > booked[line.product_id]}
    if short:
        shortfalls_record(order=order, lines=lines, short=short, by=by)
    if wallet is not None:
        wallet_post(wallet=wallet, kind=WalletEntry.Kind.PAYMENT, amount=-total, by=by,
                    reason=_("Order %(number)s") % {"number": order.number},
                    reference=reference, locked=True)
    OrderStatusChange.objects.create(order=order, from_status="", to_status=order.status,
                                     by=by)
    if cart is not None:
        CartLine.objects.filter(cart=cart, product_id__in=ordered).delete()
        # The note was for this order; delivery, address and phone are offered again next time.
        Cart.objects.filter(pk=cart.pk).update(note="")
    return order


# ---------------------------------------------------------------------------------------------
# After the order is placed.


def _lock_order(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def can_cancel(order: Order, user) -> bool:
    """A shopper may cancel their own order while it is new; an admin any order before it is
    completed; a cashier or seller an online order that is not paid yet (a paid one only if
    settings.ORDERS_CASHIER_CAN_CANCEL_PAID says so)."""
    if OrderStatus.CANCELLED not in ALLOWED_TRANSITIONS[OrderStatus(order.status)]:
        return False
    if getattr(user, "is_admin", False):
        return True
    if order.user_id == getattr(user, "pk", None) and order.status == OrderStatus.NEW:
        return True
    if getattr(user, "handles_orders", False) and order.channel == Order.Channel.ONLINE:
        return not order.is_paid or settings.ORDERS_CASHIER_CAN_CANCEL_PAID
    return False


def order_cancel(*, order: Order, by, reason: str = "", request=None) -> Order:
    """Cancel the order: return its stock (return movements) and its money (a wallet refund),
    all in one transaction, exactly once even if two cancels race (the second one finds it
    cancelled under the order's lock and does nothing)."""
    with transaction.atomic():
        order = _lock_order(order)
        if order.status == OrderStatus.CANCELLED:
            return order
        if not can_cancel(order, by):
            if (getattr(by, "is_admin", False) or order.user_id == getattr(by, "pk", None)
                    or (getattr(by, "handles_orders", False)
                        and order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED))):
                raise ValidationError(
                    _("Order %(number)s can no longer be cancelled (it is %(status)s).")
                    % {"number": order.number, "status": order.get_status_display()},
                    code="not_cancellable")
            raise PermissionDenied
        _cancel_locked(order, by=by, reason=reason, request=request)
        return order


def _cancel_locked(order: Order, *, by, reason: str, request) -> None:
    lines = list(order.lines.order_by("product_id"))
    reference = order_reference(order)
    movements = stock_apply(
        changes=[StockChange(product_id=line.product_id, quantity=line.quantity)
                 for line in lines],
        kind=MovementKind.RETURN, by=by, reference=reference,
        reason=reason or _("Order cancelled"),
    )
    for line, movement in zip(lines, movements):
        line.return_movement = movement
    OrderLine.objects.bulk_update(lines, ["return_movement"])
    refunded = Decimal("0")
    if order.is_paid and order.payment == Order.Payment.WALLET and order.total > 0:
        wallet = wallet_lock(order.user)
        wallet_post(wallet=wallet, kind=WalletEntry.Kind.REFUND, amount=order.total, by=by,
                    reason=_("Refund for order %(number)s") % {"number": order.number},
                    reference=reference, locked=True)
        refunded = order.total
        order.is_paid = False
    elif (order.is_paid and order.payment == Order.Payment.CARD
          and order.channel == Order.Channel.ONLINE):
        # Back to the card it was paid with, by the queue once this transaction commits.
        card_payment_refund_for(subject=reference, by=by, note=reason)
        refunded = order.total
        order.is_paid = False
    before = order.status
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "is_paid", "updated_at"])
    OrderStatusChange.objects.create(order=order, from_status=before,
                                     to_status=OrderStatus.CANCELLED, by=by,
                                     note=(reason or "")[:255])
    audit_record(actor=by, action="order.cancel", obj=order, request=request,
                 changes={"status": [before, OrderStatus.CANCELLED], "refund": refunded,
                          "reason": reason})


def order_status_set(*, order: Order, status: str, by, note: str = "", request=None) -> Order:
    """Staff who handle orders (cashiers, sellers, admins) move the order along
    ALLOWED_TRANSITIONS; cancelling goes through the cancel path (stock and money come back) and
    its rule (`can_cancel`). Completing a cash order marks it paid; an online card order moves
only once its card payment is confirmed."""
    if not getattr(by, "handles_orders", False):
        raise PermissionDenied
    try:
        target = OrderStatus(status)
    except ValueError:
        raise ValidationError(_("Unknown status."), code="status")
    with transaction.atomic():
        order = _lock_order(order)
        current = OrderStatus(order.status)
        if target == current:
            return order
        if target not in ALLOWED_TRANSITIONS[current]:
            raise ValidationError(
                _("Order %(number)s cannot go from %(from)s to %(to)s.")
                % {"number": order.number, "from": current.label, "to": target.label},
                code="transition")
        if target == OrderStatus.CANCELLED:
            if not can_cancel(order, by):
                raise PermissionDenied
            _cancel_locked(order, by=by, reason=note, request=request)
            return order
        if (order.payment == Order.Payment.CARD and order.channel == Order.Channel.ONLINE
                and not order.is_paid):
            # Not handed over, nor packed, before the bank confirms the card payment.
            raise ValidationError(_("Order %(number)s waits for its card payment.")
                                  % {"number": order.number}, code="card_unpaid")
        fields = ["status", "updated_at"]
        if target == OrderStatus.COMPLETED and not order.is_paid:
            # Cash on pickup is settled when the shopper collects the order.
            order.is_paid = True
            fields.append("is_paid")
        order.status = target
        order.save(update_fields=fields)
        OrderStatusChange.objects.create(order=order, from_status=current, to_status=target,
                                         by=by, note=note[:255])
        audit_record(actor=by, action="order.status", obj=order, request=request,
                     changes={"status": [current, target]})
        return order
