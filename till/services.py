"""The till's writes: shifts, cash in and out, counter sales and returns (DOMAIN.md, the till).

A counter sale is `orders.services.order_place(channel=counter)`: the same locks, stock checks,
sale movements and lines with price and cost as an online order. This module adds the shift it
belongs to and how it was paid. A return is `orders.returns.order_return`, plus the refund out of
this shift's drawer or terminal.

Lock order: the shift row first (a sale or a return and the shift's close serialise on it), then
what the order services lock (the order, the products in primary-key order, the wallet)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from bibarys.money import TIYN, money_round, format_money
from orders.models import Order, OrderReturn
from orders.returns import ReturnItem, order_return
from orders.returns import refund_methods as order_refund_methods
from orders.services import OrderItem, order_place

from . import hooks
from .models import CashMovement, Shift, Till, TillPayment, TillSale
from .selectors import shift_totals

ZERO = Decimal("0.00")
# What a drawer may hold or a payment may be: the columns' own limit (12 digits, 2 places).
MONEY_MAX = Decimal("9999999999.99")


@dataclass(frozen=True)
class PaymentPart:
    """One way a sale is paid: cash, card on the store's terminal, or Kaspi QR."""

    method: str
    amount: Decimal


def _check_till_user(by) -> None:
    if not getattr(by, "can_use_till", False):
        raise PermissionDenied


def _money(value, *, field: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(value)
    except Exception:
        raise ValidationError({field: _("Enter an amount of money.")}) from None
    if not amount.is_finite() or amount != amount.quantize(TIYN):
        raise ValidationError({field: _("Enter an amount of money.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("Enter an amount above zero.")})
    if amount > MONEY_MAX:
        raise ValidationError({field: _("Enter %(max)s or less.")
                               % {"max": format_money(MONEY_MAX)}})
    return amount


def _lock_open_shift(shift: Shift, by) -> Shift:
    shift = Shift.objects.select_for_update().select_related("till").get(pk=shift.pk)
    if shift.closed_at is not None:
        raise ValidationError(_("This shift is closed. Open a new shift to go on."),
                              code="shift_closed")
    if shift.cashier_id != by.pk and not by.is_admin:
        raise PermissionDenied
    return shift


# Shifts --------------------------------------------------------------------------------------


def shift_open(*, till: Till, by, opening_float) -> Shift:
    """Open a shift on `till` for `by`, with the cash counted into the drawer."""
    _check_till_user(by)
    amount = _money(opening_float, field="opening_float")
    if not till.is_active:
        raise ValidationError(_("This till is switched off."), code="till_inactive")
    try:
        with transaction.atomic():
            if Shift.objects.filter(till=till, closed_at__isnull=True).exists():
                raise ValidationError(_("%(till)s already has an open shift.")
                                      % {"till": till.name}, code="till_busy")
            if Shift.objects.filter(cashier=by, closed_at__isnull=True).exists():
                raise ValidationError(_("You already have an open shift: close it first."),
                                      code="cashier_busy")
            shift = Shift.objects.create(till=till, cashier=by, opening_float=amount)
            audit_record(actor=by, action="shift.open", obj=shift,
                         changes={"till": till.name, "opening_float": amount})
            return shift
    except IntegrityError:
        # Two opens at once: the database's one-open-shift constraints let one through.
        raise ValidationError(_("%(till)s already has an open shift.") % {"till": till.name},
                              code="till_busy") from None


def shift_cash(*, shift: Shift, by, kind: str, amount, reason: str) -> CashMovement:
    """Cash into the drawer or out of it, with a reason."""
    _check_till_user(by)
    if kind not in CashMovement.Kind.values:
        raise ValidationError({"kind": _("Choose cash in or cash out.")})
    amount = _money(amount, field="amount", allow_zero=False)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the cash goes in or out.")})
    with transaction.atomic():
        shift = _lock_open_shift(shift, by)
        if kind == CashMovement.Kind.OUT:
            in_drawer = shift_totals(shift).expected_cash
            if amount > in_drawer:
                raise ValidationError({"amount": _("The drawer holds %(cash)s: no more can be "
                                                   "taken out.")
                                       % {"cash": format_money(in_drawer)}})
        movement = CashMovement.objects.create(shift=shift, kind=kind, amount=amount,
                                               reason=reason[:255], by=by)
        action = "shift.cash_in" if kind == CashMovement.Kind.IN else "shift.cash_out"
        audit_record(actor=by, action=action, obj=shift,
                     changes={"amount": amount, "reason": reason[:255]})
        hooks.send("cash", movement=movement)
        return movement


def shift_close(*, shift: Shift, by, counted_cash=None, denominations: dict | None = None,
                note: str = "") -> Shift:
    """Close the shift: the drawer counted by sum or by denomination, the variance recorded.
    Closing twice closes once."""
    _check_till_user(by)
    counted_by_notes = {}
    if denominations:
        total = ZERO
        for face, count in denominations.items():
            face_value, pieces = _money(face, field="denominations"), int(count)
            if pieces < 0 or pieces > 100000:
                raise ValidationError({"denominations": _("Enter how many of each.")})
            if pieces:
                counted_by_notes[format(face_value.normalize(), "f")] = pieces  # "1000", not "1E+3"
                total += face_value * pieces
        counted_cash = total
    if counted_cash is None or counted_cash == "":
        raise ValidationError({"counted_cash": _("Count the cash in the drawer.")})
    counted = _money(counted_cash, field="counted_cash")
    with transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        if locked.closed_at is not None:
            return locked
        if locked.cashier_id != by.pk and not by.is_admin:
            raise PermissionDenied
        expected = shift_totals(locked).expected_cash
        locked.expected_cash, locked.counted_cash = expected, counted
        locked.variance = counted - expected
        locked.denominations = counted_by_notes
        locked.close_note = (note or "").strip()[:255]
        locked.closed_at, locked.closed_by = timezone.now(), by
        locked.save(update_fields=["expected_cash", "counted_cash", "variance", "denominations",
                                   "close_note", "closed_at", "closed_by"])
        audit_record(actor=by, action="shift.close", obj=locked,
                     changes={"expected_cash": expected, "counted_cash": counted,
                              "variance": locked.variance})
        hooks.send("z", shift=locked)
        return locked


# Sales ---------------------------------------------------------------------------------------


def cash_to_take(cash_due: Decimal) -> Decimal:
    """The cash due rounded, half up, to the store's step (TILL_CASH_ROUNDING; 0,01 ₸, no
    rounding, by default)."""
    step = Decimal(str(getattr(settings, "TILL_CASH_ROUNDING", "0.01")))
    if step <= Decimal("0.01") or not cash_due:
        return cash_due
    return money_round((cash_due / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step)


def _payment_plan(parts: list[PaymentPart], *, total: Decimal, tendered) -> tuple[dict, Decimal,
                                                                                     Decimal,
                                                                                     Decimal]:
    """{method: amount} adding up to `total`, the cash tendered, the change and the cash
    rounding. Card and Kaspi are for their exact amounts; cash, when named, takes the rest (its
    own amount is what the till suggested), rounded to the store's step, and what is tendered
    may be more (the change)."""
    amounts: dict[str, Decimal] = {}
    for part in parts:
        if part.method not in TillPayment.Method.values:
            raise ValidationError({"payments": _("Choose how the customer pays.")})
        if part.method in amounts:
            raise ValidationError({"payments": _("Each way of paying once, please.")})
        amounts[part.method] = _money(part.amount, field="payments")
    by_terminal = amounts.get("card", ZERO) + amounts.get("kaspi", ZERO)
    if by_terminal > total:
        raise ValidationError({"payments": _("Card and Kaspi come to more than the sale.")})
    exact_cash = total - by_terminal
    cash_due = cash_to_take(exact_cash)
    if cash_due and "cash" not in amounts and not tendered:
        raise ValidationError({"payments": _("%(left)s is still to pay.")
                               % {"left": format_money(cash_due)}})
    tendered = _money(tendered if tendered not in (None, "") else cash_due, field="tendered")
    if tendered < cash_due:
        raise ValidationError({"tendered": _("The customer gave %(given)s: %(due)s is due in "
                                             "cash.") % {"given": format_money(tendered),
                                                         "due": format_money(cash_due)}})
    plan = {method: amount for method, amount in (("card", amounts.get("card", ZERO)),
                                                   ("kaspi", amounts.get("kaspi", ZERO)),
                                                   ("cash", exact_cash)) if amount}
    return (plan, (tendered if cash_due else ZERO), (tendered - cash_due if cash_due else ZERO),
            cash_due - exact_cash)


def short_stock_allowed() -> bool:
    """settings.TILL_SHORT_STOCK: `allow` sells beyond the books (recorded as an exception,
    orders/shortstock.py); anything else refuses, saying so (docs/till.md)."""
    return str(getattr(settings, "TILL_SHORT_STOCK", "refuse")).strip().lower() == "allow"


def till_sell(*, shift: Shift, by, items: list[OrderItem], payments: list[PaymentPart],
              expected_total, idempotency_key, tendered=None) -> Order:
    """Ring up a counter sale in `shift`: the order (stock moves, lines keep price and cost)
    and its payments, one transaction. `expected_total` is what the till showed; if the prices
    say otherwise nothing is sold. The same `idempotency_key` again (a retried "Pay", a queue
    sent twice) returns the first sale."""
    _check_till_user(by)
    idempotency_key = uuid.UUID(str(idempotency_key))
    replay = Order.objects.filter(idempotency_key=idempotency_key).select_related(
        "till_sale").first()
    if replay is not None:
        return _same_sale(replay, shift)
    total = _money(expected_total, field="expected_total")
    plan, tendered, change, rounding = _payment_plan(payments, total=total, tendered=tendered)
    payment = next(iter(plan)) if len(plan) == 1 else Order.Payment.SPLIT
    if not plan:  # a sale of zero: nothing to pay (every line free)
        payment = Order.Payment.CASH
    with transaction.atomic():
        shift = _lock_open_shift(shift, by)
        order = order_place(user=None, items=items, payment=payment, channel=Order.Channel.COUNTER,
                            by=by, idempotency_key=idempotency_key, expected_total=total,
                            allow_short=short_stock_allowed())
        if TillSale.objects.filter(order=order).exists():
            return _same_sale(order, shift)  # a twin committed first
        TillSale.objects.create(order=order, shift=shift, tendered=tendered, change=change,
                                rounding=rounding)
        TillPayment.objects.bulk_create([
            TillPayment(shift=shift, order=order, method=method, amount=amount)
            for method, amount in plan.items()])
        hooks.send("sale", order=order)
        return order


def _same_sale(order: Order, shift: Shift) -> Order:
    if order.channel != Order.Channel.COUNTER:
        raise ValidationError(_("This sale form has expired. Start the sale again."),
                              code="foreign_key")
    return order


# Returns -------------------------------------------------------------------------------------


def refund_methods(order: Order) -> list[str]:
    """How the money of a counter sale may go back: by the methods it was paid with."""
    if order.channel != Order.Channel.COUNTER:
        return order_refund_methods(order)
    return list(TillPayment.objects.filter(order=order, order_return__isnull=True)
                .order_by("method").values_list("method", flat=True).distinct())


def till_return(*, shift: Shift, by, order: Order, items: list[ReturnItem], refund: str,
                idempotency_key, reason: str = "") -> OrderReturn:
    """Take goods back at the till: the return (stock back, or written off if spoiled) and the
    money out of this shift by the way it was paid, never more by one method than it brought."""
    _check_till_user(by)
    with transaction.atomic():
        shift = _lock_open_shift(shift, by)
        if order.channel == Order.Channel.COUNTER and refund not in refund_methods(order):
            raise ValidationError({"refund": _("The money goes back the way it was paid.")})
        returned = order_return(order=order, items=items, by=by, refund=refund,
                                idempotency_key=idempotency_key, reason=reason)
        if returned.till_payments.exists() or refund == OrderReturn.Refund.WALLET:
            hooks.send("return", order_return=returned)  # its receivers are idempotent
            return returned  # a replay, or the money went to the shopper's wallet
        if order.channel == Order.Channel.COUNTER:
            paid = sum(TillPayment.objects.filter(order=order, method=refund)
                       .values_list("amount", flat=True), ZERO)
            if returned.total > paid:
                raise ValidationError({"refund": _("Only %(paid)s was paid that way.")
                                       % {"paid": format_money(max(paid, ZERO))}})
        if refund == OrderReturn.Refund.CASH and returned.total > shift_totals(shift).expected_cash:
            raise ValidationError({"refund": _("The drawer does not hold that much cash.")})
        if returned.total > 0:
            TillPayment.objects.create(shift=shift, order=order, order_return=returned,
                                       method=refund, amount=-returned.total)
        hooks.send("return", order_return=returned)
        return returned
