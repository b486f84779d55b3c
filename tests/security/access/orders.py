"""Access rows for the orders pages (cart, checkout, orders, seller lines, admin orders) and the
wallet pages the orders owner keeps (accounts:wallet*)."""

from __future__ import annotations

from .rules import (LOGIN, OK, REDIRECT, admin_only, owned_by_shopper_a, public,  # noqa: F401
                    rule, signed_in, staff)


class WorldMixin:
    @property
    def order_a(self):
        """Shopper A's order of seller A's product, paid from the wallet."""
        def make():
            import uuid
            from decimal import Decimal

            from accounts.models import WalletEntry
            from accounts.services import wallet_for, wallet_post
            from orders.services import OrderItem, order_place

            shopper = self.users["shopper_a"]
            wallet_post(wallet=wallet_for(shopper), kind=WalletEntry.Kind.TOPUP,
                        amount=Decimal("100000"), reference="matrix:order")
            return order_place(user=shopper, items=[OrderItem(self.product_a.pk, Decimal("2"))],
                               payment="wallet", idempotency_key=uuid.uuid4(),
                               phone="+77011234567")
        return self._once("order_a", make)


def _product_a(world):
    return {"product_pk": world.product_a.pk}


def _order_a(world):
    return {"pk": world.order_a.pk}


ROWS = {
    # The cart is everyone's, signed in or not (an anonymous cart lives in the session).
    "orders:cart": public(),
    "orders:cart_add": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post", kwargs=_product_a),
    "orders:cart_update": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post",
                               kwargs=_product_a, data=lambda w: {"quantity": "1"}),
    "orders:cart_remove": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post",
                               kwargs=_product_a),
    # From the wishlist into the cart: someone else's wishlist line is not there for them (404).
    "orders:wishlist_to_cart": rule(anon=LOGIN, shopper_a=REDIRECT, shopper_b=404, seller_a=404,
                                    seller_b=404, admin=404, method="post",
                                    kwargs=lambda w: {"product_pk": w.bought_product_a.pk}),
    # Checkout: signed in; with an empty cart (or no delivery step yet) it sends you back.
    "orders:checkout_delivery": rule(anon=LOGIN, shopper_a=REDIRECT),
    "orders:checkout_review": rule(anon=LOGIN, shopper_a=REDIRECT),
    "orders:checkout_done": owned_by_shopper_a(kwargs=_order_a),
    "orders:order_list": signed_in(),
    # Orders: the shopper's own (others' are 404); every order for the staff who handle orders
    # (cashiers, sellers, admins: DOMAIN.md, Permissions).
    "orders:order_detail": rule(anon=LOGIN, shopper_a=OK, shopper_b=404, seller_a=OK,
                                cashier=OK, admin=OK, kwargs=_order_a),
    # Order A is paid from the wallet: a cashier or seller may not cancel a paid order (403),
    # the shopper may (it is new); after that the order is cancelled and a second cancel only
    # says so (a redirect).
    "orders:order_cancel": rule(anon=LOGIN, shopper_a=REDIRECT, shopper_b=404, seller_a=REDIRECT,
                                seller_b=403, cashier=403, admin=REDIRECT, method="post",
                                kwargs=_order_a, data=lambda world: {"confirmed": "1"}),
    "orders:manage_list": rule(anon=LOGIN, shopper_a=403, seller_a=OK, cashier=OK, admin=OK),
    "orders:manage_status": rule(anon=LOGIN, shopper_a=403, seller_a=REDIRECT, cashier=REDIRECT,
                                 admin=REDIRECT, method="post", kwargs=_order_a,
                                 data=lambda w: {"status": "confirmed"}),
    # The staff return of an online order: order A is not completed, so staff are sent back
    # to it; shoppers are refused.
    "orders:order_return": rule(anon=LOGIN, shopper_a=403, seller_a=REDIRECT, cashier=REDIRECT,
                                admin=REDIRECT, kwargs=_order_a),
    # A seller sees the lines of their own products; shoppers are refused.
    "orders:seller_lines": staff(),
    # Wallet pages (the orders owner keeps them): one's own wallet; crediting is for admins.
    "accounts:wallet": signed_in(),
    "accounts:wallet_topup": signed_in(),
    # The card provider's notification: POST only (and without a card gateway, 404); the way back
    # from its page sends a signed-in shopper on to the wallet or orders.
    "accounts:card_payment_result": rule(anon=405, shopper_a=405),
    "accounts:card_payment_return": rule(anon=LOGIN, shopper_a=REDIRECT),
    # Paying one's own card order again: order A is a wallet order (sent back with a word);
    # anyone else's is a 404.
    "orders:order_pay_card": rule(anon=LOGIN, shopper_a=REDIRECT, shopper_b=404, seller_a=404,
                                  seller_b=404, cashier=404, admin=404, method="post",
                                  kwargs=_order_a),
    "accounts:wallet_credit": admin_only(kwargs=lambda w: {"pk": w.users["shopper_a"].pk}),
}
