"""Access rows for the till's selling screen and shift pages (branch sell): staff who use the
till (cashiers, sellers, admins); a shift is its cashier's alone: seller A's open shift is a 404
for seller B and for the admin, and a shopper is refused."""

from __future__ import annotations

from .rules import LOGIN, OK, REDIRECT, rule


class WorldMixin:
    @property
    def shift_a(self):
        def make():
            from till.models import Till
            from till.services import shift_open

            till = Till.objects.create(name="Matrix till")
            return shift_open(till=till, by=self.users["seller_a"], opening_float="1000")
        return self._once("shift_a", make)


def _shift(world):
    return {"pk": world.shift_a.pk}


def _seller_a_selling(world):
    world.shift_a  # noqa: B018 (made for its effect: seller A's shift is open)
    return {}


def _line(world):
    return {"pk": world.shift_a.pk, "index": 0}


def shift_of_seller_a(*, owner=OK, method="get", **kw):
    # Another till user (seller B, a cashier, the admin) learns nothing of it: 404.
    return rule(anon=LOGIN, shopper_a=403, seller_a=owner, seller_b=404, cashier=404, admin=404,
                method=method, **kw)


ROWS = {
    # Seller A has an open shift (sent on to it); seller B and the admin may open one.
    "till:home": rule(anon=LOGIN, shopper_a=403, seller_a=REDIRECT, seller_b=OK, cashier=OK,
                      admin=OK, kwargs=_seller_a_selling),
    "till:sell": shift_of_seller_a(kwargs=_shift),
    "till:search": shift_of_seller_a(kwargs=_shift, query="code=Matrix"),
    "till:shift_detail": shift_of_seller_a(kwargs=_shift),
    "till:shift_close": shift_of_seller_a(kwargs=_shift),
    "till:scan": shift_of_seller_a(kwargs=_shift, method="post", owner=REDIRECT,
                                   data=lambda world: {"code": world.product_a.sku}),
    "till:add": shift_of_seller_a(kwargs=_shift, method="post", owner=REDIRECT,
                                  data=lambda world: {"product": world.product_a.pk}),
    "till:line": shift_of_seller_a(kwargs=_line, method="post", owner=REDIRECT,
                                   data=lambda world: {"remove": "1"}),
    # An empty sale: the owner's form comes back with its errors, nothing sold.
    "till:pay": shift_of_seller_a(kwargs=_shift, method="post", owner=400),
}
