"""The orders' place in a cached shop page that differs from shopper to shopper
(bibarys.cache, SLOTS): the cart badge in the header."""

from bibarys.cache import VALUE, register_slot


def _cart_query(request, keys):
    # Raw SQL (as cart.cart_count counts it): it runs on every cached page, joined with the
    # other slots' queries (bibarys.cache).
    from .models import Cart, CartLine

    return (f"SELECT 'cart' AS tag, (SELECT COUNT(*) FROM {CartLine._meta.db_table} l "
            f"JOIN {Cart._meta.db_table} c ON c.id = l.cart_id WHERE c.user_id = %s) AS number",
            [request.user.pk])


def _cart_choose(request, keys, rows):
    count = next(number for tag, number in rows if tag == "cart")
    return {key: (0, None) if not count else (1, count) for key in keys}


def register():
    register_slot("cart", variants=lambda: [{"cart_count": 0}, {"cart_count": VALUE}],
                  query=_cart_query, choose=_cart_choose)
