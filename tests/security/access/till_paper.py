"""Access rows for the till's papers (branch paper): a receipt, a return receipt and a shift's
X/Z report belong to the shift's cashier (here seller A, who may use the till) and the admin;
another till user gets 404, a shopper 403. The owner's list of shifts and the PLU list are the
admin's alone."""

from __future__ import annotations

from .rules import admin_only, staff_owned_by_seller_a as _staff_owned


def staff_owned_by_seller_a(**kw):
    # A cashier who is not the shift's learns nothing of its papers: 404.
    return _staff_owned(cashier=404, **kw)


class WorldMixin:
    @property
    def till_papers_a(self):
        """Seller A's shift on a till with one cash sale and a return of part of it."""
        def make():
            import uuid
            from decimal import Decimal

            from orders.returns import ReturnItem
            from orders.services import OrderItem
            from orders.tests.factories import product_in_stock
            from till.services import PaymentPart, till_return, till_sell

            seller = self.users["seller_a"]
            # Seller A's one open shift (a cashier has one at a time): till_sell's world's.
            shift = self.shift_a
            product = product_in_stock("5", seller=seller, price=Decimal("100.00"))
            order = till_sell(shift=shift, by=seller, items=[OrderItem(product.pk, Decimal("2"))],
                              payments=[PaymentPart("cash", Decimal("200.00"))],
                              expected_total=Decimal("200.00"), idempotency_key=uuid.uuid4())
            returned = till_return(shift=shift, by=seller, order=order, refund="cash",
                                   items=[ReturnItem(order.lines.get().pk, Decimal("1"))],
                                   idempotency_key=uuid.uuid4())
            return {"shift": shift.pk, "order": order.pk, "return": returned.pk}
        return self._once("till_papers_a", make)


def _sale(world):
    return {"order_id": world.till_papers_a["order"]}


def _return(world):
    return {"return_id": world.till_papers_a["return"]}


def _shift(world):
    return {"shift_id": world.till_papers_a["shift"]}


ROWS = {
    "till:receipt": staff_owned_by_seller_a(kwargs=_sale),
    "till:receipt_pdf": staff_owned_by_seller_a(kwargs=_sale),
    "till:return_receipt": staff_owned_by_seller_a(kwargs=_return),
    "till:return_receipt_pdf": staff_owned_by_seller_a(kwargs=_return),
    "till:shift_report": staff_owned_by_seller_a(kwargs=_shift),
    "till:shift_report_pdf": staff_owned_by_seller_a(kwargs=_shift),
    "till:x_report_pdf": staff_owned_by_seller_a(kwargs=_shift),
    "till:shift_list": admin_only(),
    "till:plu_csv": admin_only(),
}
