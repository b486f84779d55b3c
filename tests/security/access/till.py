"""Access rows for the till's pages (the counter: cashiers, sellers and admins; DOMAIN.md, the
till). Each till branch adds its rows here."""

from __future__ import annotations

from .rules import LOGIN, OK, public, rule, till_staff  # noqa: F401


class WorldMixin:
    @property
    def counter_sale(self):
        """A completed counter sale of seller A's product, paid in cash."""
        def make():
            import uuid
            from decimal import Decimal

            from orders.models import Order
            from orders.services import OrderItem, order_place

            return order_place(user=None, items=[OrderItem(self.product_a.pk, Decimal("2"))],
                               payment="cash", channel=Order.Channel.COUNTER,
                               by=self.users["admin"], idempotency_key=uuid.uuid4())
        return self._once("counter_sale", make)

    @property
    def counter_return(self):
        """One of the counter sale's two units brought back."""
        def make():
            import uuid
            from decimal import Decimal

            from orders.returns import ReturnItem, order_return

            sale = self.counter_sale
            return order_return(order=sale, items=[ReturnItem(sale.lines.get().pk, Decimal("1"))],
                                by=self.users["admin"], refund="cash",
                                idempotency_key=uuid.uuid4())
        return self._once("counter_return", make)


ROWS = {
    # The offline piece (till/api.py): JSON doors answer 401/403 as JSON, never a login page; an
    # empty sale is 400 for a till user, nothing sold. The service worker is a public script.
    "till:api_catalog": rule(anon=401, shopper_a=403, seller_a=OK, cashier=OK, admin=OK),
    "till:api_pay": rule(anon=401, shopper_a=403, seller_a=400, cashier=400, admin=400,
                         method="post"),
    "till:api_draft": rule(anon=401, shopper_a=403, seller_a=400, cashier=400, admin=400,
                           method="post"),
    "till:service_worker": public(),
    "till:offline": till_staff(),
    # Asking the fiscal register for an X report: with no register configured (FISCAL_BACKEND
    # none, the default here) there is none to ask, 404 for everyone at the till; shoppers are
    # refused. fiscal/tests asks the fake register as the shift's cashier and as a stranger.
    "fiscal:x_report": rule(anon=LOGIN, shopper_a=403, seller_a=404, seller_b=404, cashier=404,
                            admin=404, method="post",
                            kwargs=lambda w: {"shift_id": w.shift_a.pk}),
    # Returns by receipt: any receipt of the store, for the counter's staff; shoppers are refused.
    "till:return_find": till_staff(),
    "till:return_order": till_staff(kwargs=lambda w: {"pk": w.counter_sale.pk}),
    "till:return_done": till_staff(kwargs=lambda w: {"pk": w.counter_return.pk}),
}
