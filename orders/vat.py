"""VAT by rate of a set of sale lines: a receipt, an invoice, a shift's Z report, a period.

    from orders.vat import vat_by_rate
    {% include "orders/_vat_by_rate.html" with vat=vat %}   # vat = vat_by_rate(order.lines.all())

Each line already keeps its rate and VAT (computed once in order_place, catalog/vat.py): these
are sums of what the lines hold, never a new computation, so the receipt, the Z report and the
reports agree to the tiyn."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from bibarys.money import money_round
from catalog.vat import VatRate, rate_label

# The order rows are shown in: 16 %, 0 %, exempt, then lines sold without VAT (not a payer).
RATE_ORDER = [*VatRate.values, ""]


@dataclass
class VatRow:
    rate: str
    gross: Decimal = Decimal("0.00")  # the sum with VAT (what the shopper paid)
    vat: Decimal = Decimal("0.00")

    @property
    def label(self) -> str:
        return rate_label(self.rate)

    @property
    def net(self) -> Decimal:
        return self.gross - self.vat


@dataclass
class VatSummary:
    rows: list[VatRow] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return sum((row.gross for row in self.rows), Decimal("0.00"))

    @property
    def vat(self) -> Decimal:
        return sum((row.vat for row in self.rows), Decimal("0.00"))

    @property
    def net(self) -> Decimal:
        return self.gross - self.vat

    @property
    def has_vat(self) -> bool:
        """False when every line was sold without VAT (a store that is not a payer)."""
        return any(row.rate for row in self.rows)

    def __bool__(self):
        return bool(self.rows)


def _summary(pairs) -> VatSummary:
    """pairs: (rate, gross, vat), any order, a rate more than once."""
    rows: dict[str, VatRow] = {}
    for rate, gross, vat in pairs:
        row = rows.setdefault(rate or "", VatRow(rate=rate or ""))
        row.gross += gross or Decimal("0.00")
        row.vat += vat or Decimal("0.00")
    return VatSummary(rows=sorted(rows.values(), key=lambda row: RATE_ORDER.index(row.rate)
                                  if row.rate in RATE_ORDER else len(RATE_ORDER)))


def vat_by_rate(lines) -> VatSummary:
    """VAT by rate of order lines: a list or prefetched lines (no query), or a QuerySet of
    OrderLine (one aggregate query, e.g. a shift's or a period's lines)."""
    if hasattr(lines, "values") and hasattr(lines, "query"):
        return _summary(lines.order_by().values("vat_rate").annotate(
            gross=Sum("line_total"), vat=Sum("vat_amount")).values_list("vat_rate", "gross",
                                                                         "vat"))
    return _summary((line.vat_rate, line.line_total, line.vat_amount) for line in lines)


def returned_vat_by_rate(return_lines) -> VatSummary:
    """VAT by rate of returned goods: the refunded share of each sold line's VAT.

    return_lines: objects with `.line` (the OrderLine) and `.quantity` and `.amount`."""
    pairs = []
    for returned in return_lines:
        line = returned.line
        amount = returned.amount
        vat = money_round(line.vat_amount * amount / line.line_total) \
            if line.line_total else Decimal("0.00")
        pairs.append((line.vat_rate, amount, vat))
    return _summary(pairs)
