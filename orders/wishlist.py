"""From the wishlist into the cart: a cart move, so it lives with the cart (catalog keeps the
wishlist itself and never imports the cart)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bibarys.view_helpers import error_text
from catalog.models import WishlistItem
from catalog.services import wishlist_remove

from .cart import cart_add


@login_required
@require_POST
def wishlist_to_cart(request, product_pk):
    """Move a wishlist product to the cart (one piece, or one kg/l)."""
    item = get_object_or_404(WishlistItem.objects.select_related("product"), user=request.user,
                             product_id=product_pk)
    try:
        cart_add(request=request, product=item.product, quantity="1")
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        wishlist_remove(user=request.user, product=item.product)
        messages.success(request, _("%(name)s is in your cart now.")
                         % {"name": item.product.display_name})
    return redirect("catalog:wishlist")
