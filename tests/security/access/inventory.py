"""Access rows for the inventory pages: staff only; seller A's documents are not seller B's."""

from __future__ import annotations

from decimal import Decimal

from .rules import LOGIN, REDIRECT, post_staff_owned, rule, staff, staff_owned_by_seller_a


class WorldMixin:
    def product_of(self, actor: str):
        def make():
            from inventory.tests.factories import ProductFactory, stock_up

            product = ProductFactory(seller=self.users[actor], name=f"Matrix {actor}")
            stock_up(product, "20")
            return product
        return self._once(f"product_{actor}", make)

    @property
    def product_a(self):
        return self.product_of("seller_a")

    @property
    def receipt_a(self):
        def make():
            import datetime

            from inventory import services

            by = self.users["seller_a"]
            receipt = services.receipt_create(by=by, supplier="ТОО Matrix",
                                              date=datetime.date(2026, 1, 5))
            line = services.receipt_line_set(receipt=receipt, by=by, product=self.product_a,
                                             quantity=Decimal("3"), unit_cost=Decimal("90"))
            return receipt, line
        return self._once("receipt_a", make)

    @property
    def writeoff_a(self):
        def make():
            import datetime

            from inventory import services
            from inventory.models import WriteOffReason

            by = self.users["seller_a"]
            writeoff = services.writeoff_create(by=by, date=datetime.date(2026, 1, 6))
            line = services.writeoff_line_set(writeoff=writeoff, by=by, product=self.product_a,
                                              quantity=Decimal("1"),
                                              reason=WriteOffReason.values[0])
            return writeoff, line
        return self._once("writeoff_a", make)

    @property
    def stocktake_a(self):
        def make():
            from inventory import services

            self.product_a  # noqa: B018 (the count needs a product of seller A)
            stocktake = services.stocktake_start(by=self.users["seller_a"])
            return stocktake, stocktake.lines.first()
        return self._once("stocktake_a", make)


def _doc(attr, with_line=False):
    def kwargs(world):
        document, line = getattr(world, attr)
        return {"pk": document.pk, "line_pk": line.pk} if with_line else {"pk": document.pk}
    return kwargs


def CONFIRMED(world):  # noqa: N802 (a row's POST data, read as a constant)
    """The yes of a delete button's dialog (without it the view only asks)."""
    return {"confirmed": "1"}


ROWS = {
    # inventory: staff only; a document or product of seller A is not seller B's business.
    "inventory:receipt_list": staff(),
    "inventory:receipt_create": staff(),
    "inventory:receipt_detail": staff_owned_by_seller_a(kwargs=_doc("receipt_a")),
    "inventory:receipt_edit": post_staff_owned(_doc("receipt_a")),
    # An empty line form: 400 with the errors for those allowed, 404/403 for the rest.
    "inventory:receipt_line_add": post_staff_owned(_doc("receipt_a"), owner=400, admin=400),
    "inventory:receipt_line_remove": post_staff_owned(_doc("receipt_a", with_line=True)),
    "inventory:receipt_post": post_staff_owned(_doc("receipt_a")),
    "inventory:receipt_reverse": post_staff_owned(_doc("receipt_a")),
    # The owner deletes the draft (confirmed); the admin, coming after, finds nothing.
    "inventory:receipt_delete": post_staff_owned(_doc("receipt_a"), admin=404, data=CONFIRMED),
    "inventory:writeoff_list": staff(),
    "inventory:writeoff_create": staff(),
    "inventory:writeoff_detail": staff_owned_by_seller_a(kwargs=_doc("writeoff_a")),
    "inventory:writeoff_line_add": post_staff_owned(_doc("writeoff_a"), owner=400, admin=400),
    "inventory:writeoff_line_remove": post_staff_owned(_doc("writeoff_a", with_line=True)),
    "inventory:writeoff_post": post_staff_owned(_doc("writeoff_a")),
    "inventory:writeoff_delete": post_staff_owned(_doc("writeoff_a"), admin=404, data=CONFIRMED),
    "inventory:stocktake_list": staff(),
    "inventory:stocktake_create": staff(),
    "inventory:stocktake_detail": staff_owned_by_seller_a(kwargs=_doc("stocktake_a")),
    "inventory:stocktake_scan": post_staff_owned(_doc("stocktake_a")),
    "inventory:stocktake_count": post_staff_owned(_doc("stocktake_a", with_line=True)),
    "inventory:stocktake_post": post_staff_owned(_doc("stocktake_a")),
    "inventory:stocktake_delete": post_staff_owned(_doc("stocktake_a"), admin=404,
                                                   data=CONFIRMED),
    "inventory:stocktake_sheet": staff_owned_by_seller_a(kwargs=_doc("stocktake_a")),
    "inventory:product_movements": staff_owned_by_seller_a(
        kwargs=lambda w: {"pk": w.product_a.pk}),
    # Corrections are the admin's: a seller of the product is refused too.
    "inventory:product_correct": rule(anon=LOGIN, shopper_a=403, seller_a=403, admin=REDIRECT,
                                      method="post", kwargs=lambda w: {"pk": w.product_a.pk}),
    "inventory:product_search": staff(),
    "inventory:low_stock": staff(),
    "inventory:import": staff(),
    "inventory:import_confirm": rule(anon=LOGIN, shopper_a=403, seller_a=REDIRECT,
                                     admin=REDIRECT, method="post"),
    "inventory:export": staff(),
}
