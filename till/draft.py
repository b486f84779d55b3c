"""The sale being rung up, kept in the cashier's session per shift: a reload, a second tab or a
lost page loses nothing. Only the lines (product, quantity) and the sale's idempotency key are
kept; names and prices are read fresh, in one query, whenever the till page is drawn. The paid
sale itself is whatever the pay form posts (till.services.till_sell), not this draft."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from bibarys.money import line_total
from catalog.models import Product

SESSION_KEY = "till_drafts"
MAX_LINES = 200


@dataclass
class DraftLine:
    index: int
    product: Product
    quantity: Decimal

    @property
    def line_total(self) -> Decimal:
        # The same rounding as the order's lines (orders.cart.CartItem.line_total).
        return line_total(self.product.price, self.quantity)

    @property
    def posted(self) -> str:
        return f"{self.product.pk}:{self.quantity}"


@dataclass
class Draft:
    key: str
    lines: list[DraftLine] = field(default_factory=list)
    last: int | None = None  # the line the last scan touched

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def count(self) -> int:
        return len(self.lines)


def _raw(request, shift) -> dict:
    drafts = request.session.get(SESSION_KEY) or {}
    raw = drafts.get(str(shift.pk))
    if not raw or "key" not in raw:
        raw = {"key": str(uuid.uuid4()), "lines": [], "last": None}
        _store(request, shift, raw)  # the key stays the same until the sale is paid
    return raw


def _store(request, shift, raw: dict) -> None:
    drafts = request.session.get(SESSION_KEY) or {}
    drafts = {k: v for k, v in drafts.items() if k == str(shift.pk)}  # closed shifts' drafts go
    drafts[str(shift.pk)] = raw
    request.session[SESSION_KEY] = drafts


def draft_load(request, shift) -> Draft:
    """The draft with its products (one query, whatever the number of lines). A product that is
    no longer sold drops out of the draft."""
    raw = _raw(request, shift)
    ids = [pk for pk, _q in raw["lines"]]
    products = Product.objects.filter(pk__in=ids, is_active=True).only(
        "id", "name", "name_ru", "name_en", "unit", "price", "sku", "plu").in_bulk()
    lines = [DraftLine(index=i, product=products[pk], quantity=Decimal(q))
             for i, (pk, q) in enumerate((pk, q) for pk, q in raw["lines"] if pk in products)]
    if len(lines) != len(raw["lines"]):
        raw["lines"] = [[line.product.pk, str(line.quantity)] for line in lines]
        _store(request, shift, raw)
    return Draft(key=raw["key"], lines=lines, last=raw.get("last"))


def draft_add(request, shift, product: Product, quantity: Decimal) -> bool:
    """Add `quantity` of `product`: a second scan of the same product adds to its line."""
    raw = _raw(request, shift)
    for index, (pk, existing) in enumerate(raw["lines"]):
        if pk == product.pk:
            raw["lines"][index][1] = str(Decimal(existing) + quantity)
            raw["last"] = index
            break
    else:
        if len(raw["lines"]) >= MAX_LINES:
            return False
        raw["lines"].append([product.pk, str(quantity)])
        raw["last"] = len(raw["lines"]) - 1
    _store(request, shift, raw)
    return True


def draft_set(request, shift, index: int, quantity: Decimal | None) -> None:
    """Set a line's quantity; None removes the line."""
    raw = _raw(request, shift)
    if 0 <= index < len(raw["lines"]):
        if quantity is None:
            del raw["lines"][index]
            raw["last"] = None
        else:
            raw["lines"][index][1] = str(quantity)
            raw["last"] = index
        _store(request, shift, raw)


def draft_line_product(request, shift, index: int) -> int | None:
    lines = _raw(request, shift)["lines"]
    return lines[index][0] if 0 <= index < len(lines) else None


def draft_clear(request, shift) -> None:
    """The sale is paid (or dropped): the next one starts empty with a new key."""
    _store(request, shift, {"key": str(uuid.uuid4()), "lines": [], "last": None})


def draft_clear_if(request, shift, key) -> None:
    """The sale with this key is paid (by the offline queue): the draft goes if it is that sale."""
    raw = (request.session.get(SESSION_KEY) or {}).get(str(shift.pk))
    if raw and str(raw.get("key")) == str(key):
        draft_clear(request, shift)


def draft_replace(request, shift, key: str, lines: list[tuple[int, Decimal]]) -> None:
    """The sale as the till page built it without the server (static/till/offline.js), handed
    back when the server answers again: its key and lines become the draft. The caller checks
    the products and quantities (till.api.draft)."""
    def kept(quantity: Decimal) -> str:  # "3.000" is kept as a scan keeps it: "3"
        whole = quantity == quantity.to_integral_value()
        return str(quantity.quantize(Decimal(1)) if whole else quantity)

    _store(request, shift, {"key": str(uuid.UUID(str(key))),
                            "lines": [[pk, kept(quantity)] for pk, quantity in lines[:MAX_LINES]],
                            "last": None})
