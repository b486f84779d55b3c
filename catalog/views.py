"""The catalog's pages: the shop (catalog, product page, reviews, wishlist) and the back office
(products of a seller or of the whole store, the product form with photos, categories).

Shoppers see active products only; an archived product's page answers 404 except to its seller
and admins. A seller's product is another seller's 404 (DOMAIN.md, Permissions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import staff_required
from bibarys.cache import cache_anonymous_page
from bibarys.ratelimits import limit

from . import selectors, services
from .forms import ReviewForm, ShopFilterForm
from .models import Product, Review, WishlistItem

SHOP_PER_PAGE = 24


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# The shop --------------------------------------------------------------------------------------


@cache_anonymous_page
@require_GET
def product_list(request):
    """The catalog: search, category, price and stock filters, sort, pages. htmx asks for the
    results only; the same URL without htmx is the whole page (the filters live in the URL)."""
    tree = selectors.category_tree()
    form = ShopFilterForm(request.GET or None, tree=tree)
    filters = form.filters()
    page = Paginator(selectors.shop_products(filters, tree=tree), SHOP_PER_PAGE).get_page(
        request.GET.get("page"))
    template = "catalog/product_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {
        "form": form, "filters": filters, "page_obj": page, "products": page.object_list,
        "categories": [c for c in tree if c.parent_id is None],
        "wishlist_ids": selectors.wishlist_ids(request.user),
    })


def _detail_context(request, product: Product, *, review_form=None) -> dict:
    user = request.user
    can_moderate = user.is_authenticated and (
        user.is_admin or (user.is_seller and product.seller_id == user.pk))
    my_review = None
    can_review = False
    if user.is_authenticated:
        my_review = Review.objects.filter(product=product, user=user).first()
        can_review = my_review is not None or services.user_bought(user, product)
    if review_form is None and can_review:
        review_form = ReviewForm(initial={"rating": my_review.rating, "text": my_review.text}
                                 if my_review else None)
    related = selectors.with_main_photo(selectors.with_ratings(
        Product.objects.active().filter(category_id=product.category_id).exclude(pk=product.pk)
    ).order_by("-created_at", "-pk"))[:4]
    photos = list(product.photos.all())
    return {
        "product": product, "photos": photos,
        "main_photo": next((p for p in photos if p.is_main), photos[0] if photos else None),
        "reviews": selectors.product_reviews(product, user=user, include_hidden=can_moderate),
        "can_moderate": can_moderate, "can_review": can_review, "my_review": my_review,
        "review_form": review_form, "related": list(related),
        "in_wishlist": user.is_authenticated and WishlistItem.objects.filter(
            user=user, product=product).exists(),
        "can_manage": can_moderate,
    }


@cache_anonymous_page
@require_GET
def product_detail(request, slug):
    """A product's page: gallery, price per unit, availability, rating and reviews."""
    product = selectors.product_for_page(slug=slug, user=request.user)
    if product is None:
        raise Http404
    return render(request, "catalog/product_detail.html", _detail_context(request, product))


@limit("REVIEW")
@login_required
@require_POST
def review_save(request, slug):
    """Write or edit the visitor's review of a product they bought."""
    product = selectors.product_for_page(slug=slug, user=request.user)
    if product is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_save(product=product, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Thank you! Your review is saved."))
            return redirect(product.get_absolute_url() + "#reviews")
    return render(request, "catalog/product_detail.html",
                  _detail_context(request, product, review_form=form), status=400)


@staff_required
@require_POST
def review_hide(request, pk):
    """The product's seller or an admin hides (or shows again) a review."""
    review = get_object_or_404(
        Review.objects.select_related("product").filter(
            product__in=Product.objects.for_seller(request.user)), pk=pk)
    hidden = request.POST.get("hidden", "1") != "0"
    services.review_hide(review=review, by=request.user, hidden=hidden)
    messages.success(request, _("The review is hidden.") if hidden
                     else _("The review is shown again."))
    return redirect(_safe_next(request, review.product.get_absolute_url() + "#reviews"))


# Wishlist ---------------------------------------------------------------------------------------


@login_required
@require_GET
def wishlist(request):
    """The visitor's wishlist (таңдаулылар / избранное)."""
    items = list(selectors.wishlist_items(request.user))
    return render(request, "catalog/wishlist.html", {"items": items})


def _shop_product(pk) -> Product:
    return get_object_or_404(Product.objects.active(), pk=pk)


@login_required
@require_POST
def wishlist_toggle(request, product_pk):
    product = _shop_product(product_pk)
    in_wishlist = services.wishlist_toggle(user=request.user, product=product)
    if request.htmx:
        return render(request, "catalog/_wishlist_button.html",
                      {"product": product, "in_wishlist": in_wishlist})
    messages.success(request, _("Added to your wishlist.") if in_wishlist
                     else _("Removed from your wishlist."))
    return redirect(_safe_next(request, product.get_absolute_url()))


@login_required
@require_POST
def wishlist_remove(request, product_pk):
    product = get_object_or_404(Product, pk=product_pk)
    services.wishlist_remove(user=request.user, product=product)
    messages.success(request, _("Removed from your wishlist."))
    return redirect("catalog:wishlist")


@login_required
@require_POST
def wishlist_to_cart(request, product_pk):
    """Move a wishlist product to the cart (one piece, or one kg/l)."""
    from orders.cart import cart_add

    item = get_object_or_404(WishlistItem.objects.select_related("product"), user=request.user,
                             product_id=product_pk)
    try:
        cart_add(request=request, product=item.product, quantity="1")
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        services.wishlist_remove(user=request.user, product=item.product)
        messages.success(request, _("%(name)s is in your cart now.") % {"name": item.product.name})
    return redirect("catalog:wishlist")
