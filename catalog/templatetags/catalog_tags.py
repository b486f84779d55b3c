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


@register.simple_tag(takes_context=True)
def product_cards(context, products):
    """The cards of a product grid (catalog/_product_card.html), each kept in the cache per
    content version, the product's quantity, language, page address, signed in or not and in
    the viewer's wishlist or not: a card holds nothing else of the viewer's but the CSRF token, which is put back for
    this page. Rendering 24 cards was most of a signed-in shopper's catalog page (~15 ms)."""
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from bibarys.cache import (cached_fragments, catalog_version, fragment_key, recording_slots,
                               stock_shown)

    products = list(products)
    if not products:
        return ""
    request = context.get("request")
    if request is not None:
        for product in products:  # a card from the fragment cache shows its stock too
            stock_shown(request, product)
    card = context.template.engine.get_template("catalog/_product_card.html")
    wishlist_ids = context.get("wishlist_ids") or ()

    def render_missing(indexes):
        out = []
        for index in indexes:
            product = products[index]
            with context.push(product=product, in_wishlist=product.pk in wishlist_ids,
                              cart_added=None, cart_error="", wide=False):
                out.append(card.render(context))
        return out

    if recording_slots(request) is not None:
        # Drawn for the shopper page cache: every card draws its slots' variants, so none
        # comes from the fragment cache.
        return mark_safe("".join(render_missing(range(len(products)))))
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    path = request.get_full_path() if request is not None else ""
    version = catalog_version()
    language = get_language()
    # The content version, and the product's own stock: a sale changes only its card.
    keys = [fragment_key("card", version, language, int(signed_in),
                         int(product.pk in wishlist_ids), path, product.pk, product.quantity)
            for product in products]
    return mark_safe("".join(cached_fragments(keys, render_missing,
                                              csrf_token=str(context.get("csrf_token", "")))))
