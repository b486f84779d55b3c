from django import template

from bibarys.units import UNIT_SHORT, Unit

register = template.Library()


@register.filter
def unit_short(unit: str) -> str:
    """"kg" → "кг" in the active language."""
    return str(UNIT_SHORT[Unit(unit)]) if unit in Unit.values else unit
