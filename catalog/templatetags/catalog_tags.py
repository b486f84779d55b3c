"""Small helpers for the catalog's templates."""

from decimal import Decimal, InvalidOperation

from django import template

from bibarys.money import format_decimal
from bibarys.units import UNIT_SHORT, Unit

register = template.Library()


@register.filter
def unit_short(unit):
    """"pcs" → дана / шт / pcs: the word after a price per unit."""
    try:
        return UNIT_SHORT[Unit(unit)]
    except ValueError:
        return ""


@register.filter
def stars(value):
    """A rating as five stars, rounded to the nearest whole star: 4.4 → ★★★★☆."""
    try:
        filled = int(Decimal(str(value or 0)).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
    except (InvalidOperation, ValueError):
        filled = 0
    filled = max(0, min(5, filled))
    return "★" * filled + "☆" * (5 - filled)


@register.filter
def rating_number(value):
    """4.5 → "4,5" (kk/ru) or "4.5" (en)."""
    if value in (None, ""):
        return ""
    return format_decimal(value, 1)


@register.filter
def tile(product):
    """A colour class for a product without a photo, stable per product."""
    return f"tile-{(getattr(product, 'pk', 0) or 0) % 8}"
