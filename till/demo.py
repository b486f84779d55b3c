"""Demo till: two registers and a few closed shifts of the demo cashier, with counter sales paid
in cash, by card, by Kaspi QR and split, a return, cash in and out, and a counted drawer (one
shift a little short) — so the X/Z reports, the receipts and the owner's list of shifts have
something to show.

Runs after orders.demo, before analytics.demo (the dashboard counts the counter's sales).
Every sale, return and close goes through the till's services, on the same ledger as the shop;
then only the timestamps are moved to the days they "happened". Safe to run twice: nothing
happens when the store already has shifts."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from bibarys.cache import bump_catalog_version
from bibarys.money import line_total
from catalog.models import Product
from inventory.models import MovementKind, StockMovement
from orders.models import Order, OrderReturn
from orders.returns import ReturnItem
from orders.services import OrderItem

from .models import CashMovement, Shift, Till, TillPayment, TillSale
from .selectors import shift_totals
from .services import (
    PaymentPart,
    shift_cash,
    shift_close,
    shift_open,
    till_return,
    till_sell,
)

TILLS = ["Касса 1", "Касса 2"]
SHIFTS = 3
SALES_PER_SHIFT = 6
FLOAT = Decimal("20000.00")
# What the drawer came to at close, against what it should hold: exact, 150 ₸ short, exact.
VARIANCES = [Decimal("0.00"), Decimal("-150.00"), Decimal("0.00")]


def _total(items: list[tuple[Product, Decimal]]) -> Decimal:
    return sum((line_total(product.price, quantity) for product, quantity in items),
               Decimal("0.00"))


def _basket(rng, products: list[Product]) -> list[tuple[Product, Decimal]]:
    items = []
    for product in rng.sample(products, k=min(len(products), rng.randint(1, 4))):
        if product.unit == "pcs":
            quantity = Decimal(rng.choice([1, 1, 2, 3]))
        else:
            quantity = Decimal(rng.choice([350, 500, 750, 1200])) / 1000
        items.append((product, quantity))
    return items


def _payments(rng, total: Decimal, n: int) -> tuple[list[PaymentPart], Decimal | None]:
    """Cash with change, card, Kaspi QR, or split card + cash, in turn."""
    kind = n % 4
    if kind == 1:
        return [PaymentPart("card", total)], None
    if kind == 2:
        return [PaymentPart("kaspi", total)], None
    if kind == 3 and total >= 2:
        card = (total / 2).quantize(Decimal("1"))
        return [PaymentPart("card", card), PaymentPart("cash", total - card)], None
    tendered = ((total / 1000).to_integral_value(rounding="ROUND_CEILING") * 1000)
    return [PaymentPart("cash", total)], max(tendered, total)


def _stamp(shift: Shift, opened) -> None:
    """The shift and all it holds at the day it happened (only timestamps change)."""
    sales = list(TillSale.objects.filter(shift=shift).order_by("id"))
    for n, sale in enumerate(sales):
        moment = opened + datetime.timedelta(minutes=20 + 45 * n)
        Order.objects.filter(pk=sale.order_id).update(created_at=moment, updated_at=moment)
        TillSale.objects.filter(pk=sale.pk).update(created_at=moment)
        TillPayment.objects.filter(order_id=sale.order_id, order_return__isnull=True).update(
            created_at=moment)
        sale.order.history.update(created_at=moment)
        StockMovement.objects.filter(reference=f"order:{sale.order_id}",
                                     kind=MovementKind.SALE).update(created_at=moment)
    closed = opened + datetime.timedelta(hours=8)
    back = closed - datetime.timedelta(minutes=50)
    for returned in OrderReturn.objects.filter(till_payments__shift=shift).distinct():
        OrderReturn.objects.filter(pk=returned.pk).update(created_at=back)
        TillPayment.objects.filter(order_return=returned).update(created_at=back)
        StockMovement.objects.filter(reference=f"return:{returned.pk}").update(created_at=back)
    CashMovement.objects.filter(shift=shift).update(created_at=closed
                                                    - datetime.timedelta(minutes=30))
    Shift.objects.filter(pk=shift.pk).update(opened_at=opened, closed_at=closed)


PLU_GOODS = 12  # weighed goods given a PLU at most: the label scale's list, the quick picks


def _give_plus() -> None:
    """A third of the weighed goods (12 at most) get PLUs 1, 2, … (a store types them into its
    label scale), so the till shows them as quick picks and scale labels can be tried; the rest
    keep none, as goods a store has not put on its scale yet. Safe to run twice."""
    if Product.objects.filter(plu__isnull=False).exists():
        return
    goods = Product.objects.active().filter(unit="kg")
    weighed = goods.order_by("-pk")[:min(PLU_GOODS, max(1, goods.count() // 3))]
    for number, pk in enumerate(weighed.values_list("pk", flat=True), start=1):
        Product.objects.filter(pk=pk).update(plu=number)
    bump_catalog_version()


def seed(context):
    _give_plus()
    if Shift.objects.exists():
        return
    cashier = context.users.get("cashier1") or User.objects.filter(username="cashier1").first()
    if cashier is None:
        return
    tills = [Till.objects.get_or_create(name=name)[0] for name in TILLS]
    rng = context.rng
    products = list(Product.objects.active().filter(quantity__gte=20).order_by("pk")[:40])
    if not products:
        return
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    for day in range(SHIFTS):
        shift = shift_open(till=tills[day % len(tills)], by=cashier, opening_float=FLOAT)
        sales = []
        for n in range(SALES_PER_SHIFT):
            items = _basket(rng, products)
            total = _total(items)
            payments, tendered = _payments(rng, total, n + day)
            sales.append(till_sell(
                shift=shift, by=cashier, items=[OrderItem(p.pk, q) for p, q in items],
                payments=payments, expected_total=total, tendered=tendered,
                idempotency_key=uuid.UUID(int=rng.getrandbits(128))))
        cash_sale = next((sale for sale in sales if sale.payment == Order.Payment.CASH), None)
        if cash_sale is not None and day == 0:
            line = cash_sale.lines.order_by("id").first()
            till_return(shift=shift, by=cashier, order=cash_sale, refund="cash",
                        items=[ReturnItem(line_id=line.pk, quantity=line.quantity)],
                        idempotency_key=uuid.UUID(int=rng.getrandbits(128)),
                        reason="Сатып алушы ойын өзгертті")
        shift_cash(shift=shift, by=cashier, kind=CashMovement.Kind.OUT, amount="10000",
                   reason="Түсім иесіне тапсырылды")
        expected = shift_totals(shift).expected_cash
        shift_close(shift=shift, by=cashier, counted_cash=expected + VARIANCES[day])
        _stamp(shift, today - datetime.timedelta(days=SHIFTS - day))
    context.stdout.write(f"Till: {len(tills)} tills, {SHIFTS} closed shifts of cashier1.")
