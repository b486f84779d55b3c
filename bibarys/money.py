"""Money and quantity as people in Kazakhstan read them: `1 234,50 ₸` in kk/ru, `₸1,234.50` in en."""

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.utils import translation

from .units import UNIT_STEP, UNIT_SHORT, Unit

NBSP = "\xa0"
# One tiyn, the smallest coin: every amount of money is rounded to it, half up, as a cashier does.
TIYN = Decimal("0.01")


def money_round(value) -> Decimal:
    """An amount rounded half up to the tiyn. A value with more digits than a Decimal holds (far
    past any column) comes back unrounded, for the caller's bounds check to refuse it."""
    exact = Decimal(value)
    try:
        return exact.quantize(TIYN, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return exact


def line_total(price, quantity) -> Decimal:
    """Price × quantity rounded half up to the tiyn: a line of a cart, an order, a return or a
    stock document (1 kg at 999,99 ₸ × 0,333 → 333,00 ₸)."""
    return money_round(Decimal(price) * Decimal(quantity))


def _group(integer_digits: str, sep: str) -> str:
    parts = []
    while len(integer_digits) > 3:
        parts.insert(0, integer_digits[-3:])
        integer_digits = integer_digits[:-3]
    parts.insert(0, integer_digits)
    return sep.join(parts)


def format_decimal(value, places: int, lang: str | None = None) -> str:
    """A decimal with grouped thousands in the language's style, `places` digits after the mark."""
    lang = (lang or translation.get_language() or "kk")[:2]
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if not number.is_finite():
        return ""
    quantum = Decimal(1).scaleb(-places)
    # Precision for every digit the number has: a huge stored value is shown, not a 500.
    digits = Context(prec=max(28, number.adjusted() + places + 2))
    number = number.quantize(quantum, rounding=ROUND_HALF_UP, context=digits)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    integer, _, fraction = text.partition(".")
    if lang == "en":
        body = _group(integer, ",") + ("." + fraction if fraction else "")
    else:
        body = _group(integer, NBSP) + ("," + fraction if fraction else "")
    return sign + body


def format_money(value, lang: str | None = None) -> str:
    """Tenge with 2 places: `1 234,50 ₸` (kk, ru) or `₸1,234.50` (en)."""
    lang = (lang or translation.get_language() or "kk")[:2]
    if value is None or value == "":
        return ""
    body = format_decimal(value, 2, lang)
    if lang == "en":
        if body.startswith("-"):
            return "-₸" + body[1:]
        return "₸" + body
    return body + NBSP + "₸"


def format_quantity(value, unit: str = Unit.PIECE, lang: str | None = None,
                    with_unit: bool = True) -> str:
    """A quantity in its unit: whole pieces, or weight/volume without trailing zeros."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    unit = Unit(unit) if unit in Unit.values else Unit.PIECE
    places = 0 if UNIT_STEP[unit] == 1 else 3
    text = format_decimal(number, places, lang)
    if places:
        mark = "." if (lang or translation.get_language() or "kk")[:2] == "en" else ","
        if mark in text:
            text = text.rstrip("0").rstrip(mark)
    if not with_unit:
        return text
    return f"{text}{NBSP}{UNIT_SHORT[unit]}"
