"""Access rows for the catalog pages: the shop is public, the wishlist is one's own, the back
office is staff (a seller's product is another seller's 404) and categories are the admin's."""

from __future__ import annotations

from .rules import (LOGIN, OK, REDIRECT, admin_only, post_staff_owned, public, rule, signed_in,
                    staff, staff_owned_by_seller_a)


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
    def fresh_product_a(self):
        """A never-sold, stock-free product of seller A (one the owner may delete)."""
        def make():
            from catalog.tests.factories import ProductFactory

            return ProductFactory(seller=self.users["seller_a"], name="Matrix fresh")
        return self._once("fresh_product_a", make)

    @property
    def photos_a(self):
        """Two photo rows of seller A's product (no files: the matrix checks who may act)."""
        def make():
            from catalog.models import ProductPhoto

            product = self.product_a
            return [ProductPhoto.objects.create(product=product, image=f"matrix/{n}.jpg",
                                                thumbnail=f"matrix/{n}_t.jpg", position=n,
                                                is_main=n == 0) for n in range(2)]
        return self._once("photos_a", make)

    @property
    def category(self):
        def make():
            from catalog.tests.factories import CategoryFactory

            return CategoryFactory(name="Matrix empty category")
        return self._once("category", make)

    @property
    def review_a(self):
        def make():
            from catalog.tests.factories import ReviewFactory

            return ReviewFactory(product=self.product_a, user=self.users["shopper_b"], rating=1)
        return self._once("review_a", make)


def _slug(attr):
    return lambda w: {"slug": getattr(w, attr).slug}


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def _photo(index):
    return lambda w: {"pk": w.product_a.pk, "photo_pk": w.photos_a[index].pk}


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
    # The back office: staff only; seller A's product is seller B's 404.
    "catalog:manage_list": staff(),
    # An empty bulk form: the admin is sent back with the message; the rest refused.
    "catalog:manage_bulk": rule(anon=LOGIN, shopper_a=403, seller_a=403, admin=REDIRECT,
                                method="post"),
    "catalog:product_create": staff(),
    "catalog:product_edit": staff_owned_by_seller_a(kwargs=_pk("product_a")),
    "catalog:product_set_active": post_staff_owned(_pk("product_a"),
                                                   data=lambda w: {"active": "1"}),
    # The owner deletes it; the admin, coming after, finds nothing.
    "catalog:product_delete": post_staff_owned(_pk("fresh_product_a"), admin=404),
    # No file: the form comes back with its error (400) for those allowed.
    "catalog:photo_upload": post_staff_owned(_pk("product_a"), owner=400, admin=400),
    "catalog:photo_main": post_staff_owned(_photo(1)),
    "catalog:photo_move": post_staff_owned(_photo(0), data=lambda w: {"direction": "down"}),
    # The owner removes it; the admin, coming after, finds nothing.
    "catalog:photo_remove": post_staff_owned(_photo(1), admin=404),
    "catalog:category_list": admin_only(),
    "catalog:category_edit": admin_only(kwargs=_pk("category")),
    "catalog:category_delete": rule(anon=LOGIN, shopper_a=403, seller_a=403, admin=REDIRECT,
                                    method="post", kwargs=_pk("category")),
}
