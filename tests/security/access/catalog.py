"""Access rows for the catalog pages: the shop is public, the wishlist is one's own, the back
office is staff (a seller's product is another seller's 404) and categories are the admin's."""

from __future__ import annotations

from .rules import LOGIN, OK, REDIRECT, post_staff_owned, public, rule, signed_in


class WorldMixin:
    @property
    def archived_product_a(self):
        def make():
            from catalog.tests.factories import ProductFactory

            return ProductFactory(seller=self.users["seller_a"], name="Matrix archived",
                                  is_active=False)
        return self._once("archived_product_a", make)

    @property
    def bought_product_a(self):
        """Seller A's product (in stock) that shopper A bought and keeps in the wishlist."""
        def make():
            from catalog.models import WishlistItem
            from catalog.tests.factories import purchase

            product = self.product_a
            purchase(self.users["shopper_a"], product)
            WishlistItem.objects.create(user=self.users["shopper_a"], product=product)
            return product
        return self._once("bought_product_a", make)

    @property
    def review_a(self):
        def make():
            from catalog.tests.factories import ReviewFactory

            return ReviewFactory(product=self.product_a, user=self.users["shopper_b"], rating=1)
        return self._once("review_a", make)


def _slug(attr):
    return lambda w: {"slug": getattr(w, attr).slug}


def _product_pk(attr):
    return lambda w: {"product_pk": getattr(w, attr).pk}


ROWS = {
    "catalog:product_list": public(),
    # An archived product: its seller and admins see it, everybody else gets 404.
    "catalog:product_detail": rule(anon=404, shopper_a=404, seller_a=OK, seller_b=404, admin=OK,
                                   kwargs=_slug("archived_product_a")),
    # Only a buyer may review: the others get the form back with the reason (400).
    "catalog:review_save": rule(anon=LOGIN, shopper_a=REDIRECT, shopper_b=400, seller_a=400,
                                seller_b=400, admin=400, method="post",
                                kwargs=_slug("bought_product_a"),
                                data=lambda w: {"rating": "5", "text": "Matrix"}),
    "catalog:review_hide": post_staff_owned(lambda w: {"pk": w.review_a.pk}),
    "catalog:wishlist": signed_in(),
    "catalog:wishlist_toggle": rule(anon=LOGIN, shopper_a=REDIRECT, method="post",
                                    kwargs=_product_pk("product_a")),
    "catalog:wishlist_remove": rule(anon=LOGIN, shopper_a=REDIRECT, method="post",
                                    kwargs=_product_pk("product_a")),
    # Someone else's wishlist line is not there for them: 404.
    "catalog:wishlist_to_cart": rule(anon=LOGIN, shopper_a=REDIRECT, shopper_b=404, seller_a=404,
                                     seller_b=404, admin=404, method="post",
                                     kwargs=_product_pk("bought_product_a")),
}
