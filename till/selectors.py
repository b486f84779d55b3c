"""The till's reads: a shift's figures (the X report at any time, the Z report at close)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import CashMovement, Shift, TillPayment, TillSale

ZERO = Decimal("0.00")
METHODS = [choice for choice in TillPayment.Method]


@dataclass
class ShiftTotals:
    """A shift's money by payment method, and what the drawer should hold."""

    opening_float: Decimal
    sales: dict = field(default_factory=dict)     # method → taken
    refunds: dict = field(default_factory=dict)   # method → paid back (positive)
    cash_in: Decimal = ZERO
    cash_out: Decimal = ZERO
    # Cash sales rounded to the store's step (TILL_CASH_ROUNDING): what the drawer got more
    # (or less) than the exact sums.
    rounding: Decimal = ZERO
    sales_count: int = 0
    returns_count: int = 0

    @property
    def expected_cash(self) -> Decimal:
        """Float + cash sales (± their rounding) − cash refunds + cash in − cash out."""
        return (self.opening_float + self.sales.get("cash", ZERO) + self.rounding
                - self.refunds.get("cash", ZERO) + self.cash_in - self.cash_out)

    @property
    def sales_total(self) -> Decimal:
        return sum(self.sales.values(), ZERO)

    @property
    def refunds_total(self) -> Decimal:
        return sum(self.refunds.values(), ZERO)

    @property
    def net(self) -> Decimal:
        return self.sales_total - self.refunds_total

    def by_method(self) -> list[dict]:
        """One row per payment method: taken, paid back, net."""
        return [{"method": method, "label": method.label,
                 "sales": self.sales.get(method.value, ZERO),
                 "refunds": self.refunds.get(method.value, ZERO),
                 "net": self.sales.get(method.value, ZERO) - self.refunds.get(method.value, ZERO)}
                for method in METHODS]


def shift_totals(shift: Shift) -> ShiftTotals:
    """Four aggregate queries, whatever the number of sales."""
    totals = ShiftTotals(opening_float=shift.opening_float)
    rows = (TillPayment.objects.filter(shift=shift).values("method")
            .annotate(taken=Sum("amount", filter=Q(order_return__isnull=True)),
                      back=Sum("amount", filter=Q(order_return__isnull=False))))
    for row in rows:
        totals.sales[row["method"]] = row["taken"] or ZERO
        totals.refunds[row["method"]] = -(row["back"] or ZERO)
    cash = CashMovement.objects.filter(shift=shift).aggregate(
        cash_in=Sum("amount", filter=Q(kind=CashMovement.Kind.IN)),
        cash_out=Sum("amount", filter=Q(kind=CashMovement.Kind.OUT)))
    totals.cash_in, totals.cash_out = cash["cash_in"] or ZERO, cash["cash_out"] or ZERO
    totals.rounding = TillSale.objects.filter(shift=shift).aggregate(
        total=Sum("rounding"))["total"] or ZERO
    counts = TillPayment.objects.filter(shift=shift).aggregate(
        sales=Count("order", filter=Q(order_return__isnull=True), distinct=True),
        returns=Count("order_return", distinct=True))
    totals.sales_count, totals.returns_count = counts["sales"], counts["returns"]
    return totals


def open_shift_for(user) -> Shift | None:
    return (Shift.objects.filter(cashier=user, closed_at__isnull=True).select_related("till")
            .first())
