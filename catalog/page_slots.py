"""The catalog's places in a cached shop page that differ from shopper to shopper
(bibarys.cache, SLOTS): the wishlist heart of a product and the review box of a product page.

Their queries are raw SQL: they run on every cached page, where building an ORM query cost
more than running it, and bibarys.cache joins them with the other slots' into one."""

from bibarys.cache import SlotDeclined, register_slot, sql_marks


def _wish_query(request, keys):
    from .models import WishlistItem

    return (f"SELECT 'wish' AS tag, product_id AS number FROM {WishlistItem._meta.db_table} "
            f"WHERE user_id = %s AND product_id IN ({sql_marks(keys)})",
            [request.user.pk, *map(int, keys)])


def _wish_choose(request, keys, rows):
    ids = {number for tag, number in rows if tag == "wish"}
    return {key: (1 if int(key) in ids else 0, None) for key in keys}


def _review_variants():
    from .forms import ReviewForm

    # Not bought yet (the note), bought and not reviewed yet (an empty form).
    return [{"review_form": None, "my_review": None},
            {"review_form": ReviewForm(), "my_review": None}]


def _review_query(request, keys):
    from orders.models import Order, OrderLine, OrderStatus

    from .models import Review

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
    register_slot("wish", variants=lambda: [{"in_wishlist": False, "wishlist_ids": ()},
                                            {"in_wishlist": True}],
                  query=_wish_query, choose=_wish_choose)
    register_slot("review", variants=_review_variants, query=_review_query,
                  choose=_review_choose)
