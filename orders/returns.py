"""Returns (қайтару / возврат): goods brought back after a completed sale, at the till or to staff
for an online order. DOMAIN.md, the till: a return names the receipt and the lines and
quantities, never more than sold and not yet returned; the goods go back to stock (a return
movement) or, if spoiled, straight out again (a write-off); the money goes back by the original
payment. How the till pays the money out (its drawer, its card terminal) is the till's; this
module writes the return, the stock and, for a wallet order, the wallet refund.

Lock order, as in services.py: the order row, then the products (the ledger, primary-key
order), then the wallet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import WalletEntry
from accounts.services import wallet_lock, wallet_post
from bibarys.money import format_quantity, line_total
from bibarys.units import quantity_fits_unit
from inventory.models import MovementKind
from inventory.services import StockChange, stock_apply

from .models import Order, OrderLine, OrderReturn, OrderReturnLine, OrderStatus



@dataclass(frozen=True)
class ReturnItem:
    """How much of one order line comes back, and whether it is spoiled."""

    line_id: int
    quantity: Decimal
    spoiled: bool = False


def returned_quantities(order: Order) -> dict[int, Decimal]:
    """Per order line of `order`, how much has been returned so far."""
    rows = (OrderReturnLine.objects.filter(order_return__order=order).values("line_id")
            .annotate(total=Sum("quantity")).values_list("line_id", "total"))
    return {line_id: total for line_id, total in rows}


def _returned_amounts(order: Order) -> dict[int, Decimal]:
    rows = (OrderReturnLine.objects.filter(order_return__order=order).values("line_id")
            .annotate(total=Sum("amount")).values_list("line_id", "total"))
    return {line_id: total for line_id, total in rows}


def refund_methods(order: Order) -> list[str]:
    """How the money of `order` may go back: the way it was paid (a wallet order to the wallet,
    a cash order in cash; a counter sale by what the till recorded, which the till narrows)."""
    if order.payment == Order.Payment.WALLET:
        return [OrderReturn.Refund.WALLET]
    if order.payment == Order.Payment.CASH:
        return [OrderReturn.Refund.CASH]
    if order.payment == Order.Payment.CARD:
        return [OrderReturn.Refund.CARD]
    if order.payment == Order.Payment.KASPI:
        return [OrderReturn.Refund.KASPI]
    return [OrderReturn.Refund.CASH, OrderReturn.Refund.CARD, OrderReturn.Refund.KASPI]


def order_return(*, order: Order, items: list[ReturnItem], by, refund: str, idempotency_key,
                 reason: str = "", request=None) -> OrderReturn:
    """Take back `items` of a completed `order`: return movements (and a write-off for what is
    spoiled), the money at the price it was sold, a wallet refund for a wallet order; one
    transaction. The same `idempotency_key` again returns the first return."""
    if not getattr(by, "can_use_till", False):
        raise PermissionDenied
    idempotency_key = uuid.UUID(str(idempotency_key))
    existing = OrderReturn.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_return(existing, order)
    try:
        with transaction.atomic():
            return _return(order=order, items=items, by=by, refund=refund,
                           idempotency_key=idempotency_key, reason=reason, request=request)
    except IntegrityError:
        existing = OrderReturn.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_return(existing, order)
        raise


def _same_return(existing: OrderReturn, order: Order) -> OrderReturn:
    if existing.order_id != order.pk:
        raise ValidationError(_("This return form has expired. Open the receipt again."),
                              code="foreign_key")
    return existing


# Long: one return in one transaction, in lock order (the order, its lines, the products, the
# wallet); the checks and the writes read as the store's rules, top to bottom.
def _return(*, order, items, by, refund, idempotency_key, reason, request) -> OrderReturn:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.COMPLETED:
        raise ValidationError(_("Only a completed sale can be returned; order %(number)s is "
                                "%(status)s.") % {"number": order.number,
                                                  "status": order.get_status_display()},
                              code="not_completed")
    if refund not in refund_methods(order):
        raise ValidationError(_("The money goes back the way it was paid."), code="refund")
    # With the products: a problem names the line in the reader's language (display_name).
    lines = {line.pk: line for line in order.lines.select_related("product")}
    returned = returned_quantities(order)
    amounts_back = _returned_amounts(order)
    wanted: dict[int, ReturnItem] = {}
    problems = []
    for item in items:
        quantity = Decimal(item.quantity)
        if quantity == 0:
            continue
        line = lines.get(item.line_id)
        if line is None or item.line_id in wanted:
            raise ValidationError(_("Choose lines of this receipt."), code="line")
        left = line.quantity - returned.get(line.pk, Decimal("0"))
        if quantity < 0 or not quantity_fits_unit(quantity, line.unit):
            problems.append(_("%(name)s: the quantity does not fit its unit.")
                            % {"name": line.display_name})
        elif quantity > left:
            problems.append(_("%(name)s: at most %(left)s can be returned.")
                            % {"name": line.display_name,
                               "left": format_quantity(left, line.unit)})
        wanted[line.pk] = ReturnItem(line.pk, quantity, bool(item.spoiled))
    if problems:
        raise ValidationError(problems, code="too_much")
    if not wanted:
        raise ValidationError(_("Choose what comes back."), code="empty")

    # The money for each line at the price it was sold. The last part of a line gives back what
    # is left of its sum, so a line returned in parts refunds exactly its total.
    amounts = {}
    for pk, item in wanted.items():
        line = lines[pk]
        if item.quantity == line.quantity - returned.get(pk, Decimal("0")):
            amounts[pk] = line.line_total - amounts_back.get(pk, Decimal("0"))
        else:
            amounts[pk] = line_total(line.price, item.quantity)
    total = sum(amounts.values(), Decimal("0.00"))

    order_return_row = OrderReturn.objects.create(
        order=order, refund=refund, total=total, reason=reason.strip()[:255], by=by,
        idempotency_key=idempotency_key)
    reference = f"return:{order_return_row.pk}"
    ordered = sorted(wanted, key=lambda pk: (lines[pk].product_id, pk))
    back = stock_apply(
        changes=[StockChange(product_id=lines[pk].product_id, quantity=wanted[pk].quantity)
                 for pk in ordered],
        kind=MovementKind.RETURN, by=by, reference=reference,
        reason=reason or _("Returned by the customer"))
    spoiled = [pk for pk in ordered if wanted[pk].spoiled]
    written_off = dict(zip(spoiled, stock_apply(
        changes=[StockChange(product_id=lines[pk].product_id, quantity=-wanted[pk].quantity)
                 for pk in spoiled],
        kind=MovementKind.WRITE_OFF, by=by, reference=reference,
        reason=_("Returned spoiled")))) if spoiled else {}
    OrderReturnLine.objects.bulk_create([
        OrderReturnLine(order_return=order_return_row, line=lines[pk],
                        quantity=wanted[pk].quantity, amount=amounts[pk],
                        spoiled=wanted[pk].spoiled, movement=movement,
                        writeoff_movement=written_off.get(pk))
        for pk, movement in zip(ordered, back)])
    if refund == OrderReturn.Refund.WALLET and total > 0:
        wallet = wallet_lock(order.user)
        wallet_post(wallet=wallet, kind=WalletEntry.Kind.REFUND, amount=total, by=by,
                    reason=_("Return %(number)s, order %(order)s")
                    % {"number": order_return_row.number, "order": order.number},
                    reference=reference, locked=True)
    audit_record(actor=by, action="order.return", obj=order, request=request,
                 changes={"return": order_return_row.pk, "refund": refund, "total": total,
                          "lines": {str(pk): str(wanted[pk].quantity) for pk in ordered}})
    return order_return_row


def line_returnable(line: OrderLine, returned: dict[int, Decimal]) -> Decimal:
    """How much of `line` may still come back."""
    return line.quantity - returned.get(line.pk, Decimal("0"))
