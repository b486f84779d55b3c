"""Access rows for the orders pages (cart, checkout, orders, seller lines, admin orders)."""

from __future__ import annotations

from .rules import LOGIN, OK, REDIRECT, admin_only, public, rule, signed_in, staff  # noqa: F401


class WorldMixin:
    pass


ROWS = {
    # Placeholders until the cart lands: the orders owner replaces these rows.
    "orders:cart": rule(anon=501, shopper_a=501),
    "orders:cart_add": rule(anon=501, shopper_a=501, method="post",
                            kwargs=lambda w: {"product_pk": w.product_a.pk}),
}
