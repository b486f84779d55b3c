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


@register.filter
def fields_with_errors(form):
    """The visible fields of a long form (more than four) that hold errors, for the summary at
    its top (partials/form_errors.html); a short form shows its errors where the eye already
    is."""
    fields = form.visible_fields() if hasattr(form, "visible_fields") else []
    if len(fields) <= 4:
        return []
    return [field for field in fields if field.errors]


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


@register.tag
def shopper_slot(parser, token):
    """{% shopper_slot "wish" product.pk %}…{% endshopper_slot %}: a place in a cached shop page
    that differs from shopper to shopper (bibarys.cache, SLOTS). Drawn as usual, except while
    the shopper page cache draws the page: then every variant of the slot is drawn and the page
    keeps a placeholder."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError("shopper_slot takes a slot name and an optional key")
    name = bits[1].strip("\"'")
    key = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    nodelist = parser.parse(("endshopper_slot",))
    parser.delete_first_token()
    return ShopperSlotNode(name, key, nodelist)


class ShopperSlotNode(template.Node):
    def __init__(self, name, key, nodelist):
        self.name, self.key, self.nodelist = name, key, nodelist

    def render(self, context):
        from bibarys.cache import SLOTS, compact, recording_slots, strip_tokens

        recording = recording_slots(context.get("request"))
        if recording is None:
            return self.nodelist.render(context)

        def draw():
            drawn = []
            for changes in SLOTS[self.name].variants():
                with context.push(**changes):
                    drawn.append(strip_tokens(compact(self.nodelist.render(context).encode())))
            return drawn

        return recording.slot(self.name, self.key.resolve(context) if self.key else None, draw)


@register.simple_tag(takes_context=True)
def stock_shown(context, product) -> str:
    """Say that the page shows `product`'s stock: a page kept in the page cache is then served
    after a sale as long as what it says of each product's stock still holds
    (bibarys.cache.store). Renders nothing."""
    from bibarys.cache import stock_shown as record

    request = context.get("request")
    if request is not None:
        record(request, product)
    return ""
