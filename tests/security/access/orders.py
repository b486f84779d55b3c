"""Access rows for the orders pages (cart, checkout, orders, seller lines, admin orders) and the
wallet pages the orders owner keeps (accounts:wallet*)."""

from __future__ import annotations

from .rules import LOGIN, OK, REDIRECT, admin_only, public, rule, signed_in, staff  # noqa: F401


class WorldMixin:
    pass


def _product_a(world):
    return {"product_pk": world.product_a.pk}


ROWS = {
    # The cart is everyone's, signed in or not (an anonymous cart lives in the session).
    "orders:cart": public(),
    "orders:cart_add": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post", kwargs=_product_a),
    "orders:cart_update": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post",
                               kwargs=_product_a, data=lambda w: {"quantity": "1"}),
    "orders:cart_remove": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post",
                               kwargs=_product_a),
    # Wallet pages (the orders owner keeps them): one's own wallet; crediting is for admins.
    "accounts:wallet": signed_in(),
    "accounts:wallet_topup": signed_in(),
    "accounts:wallet_credit": admin_only(kwargs=lambda w: {"pk": w.users["shopper_a"].pk}),
}
