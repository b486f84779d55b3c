"""The orders' place in a cached shop page that differs from shopper to shopper
(bibarys.cache, SLOTS): the cart badge in the header, and the review box of a product page
(which depends on what the shopper bought: a completed order)."""

from bibarys.cache import VALUE, SlotDeclined, register_slot, sql_marks


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


def _review_variants():
    from catalog.forms import ReviewForm

    # Not bought yet (the note), bought and not reviewed yet (an empty form).
    return [{"review_form": None, "my_review": None},
            {"review_form": ReviewForm(), "my_review": None}]


def _review_query(request, keys):
    from catalog.models import Review

    from .models import Order, OrderLine, OrderStatus

    marks, pks = sql_marks(keys), [int(key) for key in keys]
    # The shopper's reviews of these products, and which of them they bought (a completed
    # order).
    return (f"SELECT 'reviewed' AS tag, product_id AS number FROM {Review._meta.db_table} "
            f"WHERE user_id = %s AND product_id IN ({marks}) "
            f"UNION ALL SELECT 'bought', l.product_id FROM {OrderLine._meta.db_table} l "
            f"JOIN {Order._meta.db_table} o ON o.id = l.order_id "
            f"WHERE o.user_id = %s AND o.status = %s AND l.product_id IN ({marks})",
            [request.user.pk, *pks, request.user.pk, OrderStatus.COMPLETED, *pks])


def _review_choose(request, keys, rows):
    if any(tag == "reviewed" for tag, _number in rows):
        raise SlotDeclined  # their own review, perhaps hidden: the page is theirs alone
    bought = {number for tag, number in rows if tag == "bought"}
    return {key: (1 if int(key) in bought else 0, None) for key in keys}


def register():
    register_slot("cart", variants=lambda: [{"cart_count": 0}, {"cart_count": VALUE}],
                  query=_cart_query, choose=_cart_choose)
    register_slot("review", variants=_review_variants, query=_review_query,
                  choose=_review_choose)
