"""The catalog's places in a cached shop page that differ from shopper to shopper
(bibarys.cache, SLOTS): the wishlist heart of a product; and the stock a cached page shows, read
back after a sale (register_stock_reader). (The review box, which depends on what
the shopper bought, is the orders app's slot.)

Their queries are raw SQL: they run on every cached page, where building an ORM query cost
more than running it, and bibarys.cache joins them with the other slots' into one."""

from bibarys.cache import register_slot, register_stock_reader, sql_marks, stock_state


def _wish_query(request, keys):
    from .models import WishlistItem

    return (f"SELECT 'wish' AS tag, product_id AS number FROM {WishlistItem._meta.db_table} "
            f"WHERE user_id = %s AND product_id IN ({sql_marks(keys)})",
            [request.user.pk, *map(int, keys)])


def _wish_choose(request, keys, rows):
    ids = {number for tag, number in rows if tag == "wish"}
    return {key: (1 if int(key) in ids else 0, None) for key in keys}


def _stock_now(ids) -> dict:
    """What each product's card or page says of its stock now (a cached page after a sale is
    served as long as this is what it says: bibarys.cache.store)."""
    from .models import Product

    return {pk: stock_state(quantity, threshold) for pk, quantity, threshold in
            Product.objects.filter(pk__in=ids).values_list("pk", "quantity",
                                                          "low_stock_threshold")}


def register():
    register_stock_reader(_stock_now)
    register_slot("wish", variants=lambda: [{"in_wishlist": False, "wishlist_ids": ()},
                                            {"in_wishlist": True}],
                  query=_wish_query, choose=_wish_choose)
