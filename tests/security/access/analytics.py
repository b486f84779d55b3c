"""Access rows for the analytics pages: dashboards and reports for staff (a seller sees only
their own products, checked in analytics/tests), an order's invoice for its shopper or an admin."""

from __future__ import annotations

from .rules import (  # noqa: F401
    LOGIN, OK, REDIRECT, admin_only, owned_by_shopper_a, public, rule, signed_in, staff,
)


class WorldMixin:
    @property
    def analytics_order_a(self):
        """An order placed by shopper A with one line of seller A's product."""
        def make():
            from analytics.tests.factories import make_order
            from inventory.tests.factories import ProductFactory

            product = ProductFactory(seller=self.users["seller_a"], name="Matrix invoice")
            return make_order(user=self.users["shopper_a"],
                              lines=[(product, "2", "150.00", "90.00")])
        return self._once("analytics_order_a", make)


ROWS = {
    "analytics:dashboard": staff(),
    "analytics:reports": staff(),
    # Each seller gets the report of their own products (scope checked in analytics/tests).
    "analytics:report": staff(kwargs=lambda w: {"name": "sales", "fmt": "xlsx"}),
    # The invoice: shopper A's order is nobody else's business, sellers included; admins read.
    "analytics:order_invoice": owned_by_shopper_a(
        admin=OK, kwargs=lambda w: {"pk": w.analytics_order_a.pk}),
}
