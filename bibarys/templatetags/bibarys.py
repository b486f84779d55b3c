from django import template

from bibarys.money import format_money, format_quantity

register = template.Library()


@register.filter
def money(value):
    """{{ product.price|money }} → `1 234,50 ₸` / `₸1,234.50` in the active language."""
    return format_money(value)


@register.filter
def qty(value, unit="pcs"):
    """{{ product.quantity|qty:product.unit }} → `3 дана`, `1,25 кг`."""
    return format_quantity(value, unit)


@register.filter
def qty_number(value, unit="pcs"):
    """The number alone, formatted for the unit (for inputs and table cells)."""
    return format_quantity(value, unit, with_unit=False)


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (pagination, sort links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
