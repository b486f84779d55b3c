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
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import admin_required, staff_required
from bibarys.cache import (CatalogCountPaginator, cache_shop_page, page_cache_skip,
                           page_stock_dependent)
from bibarys.ratelimits import limit
from bibarys.view_helpers import error_text, safe_next

from . import selectors, services
from .forms import (BulkActionForm, CategoryForm, ManageFilterForm, PhotoForm, ProductForm,
                    ReviewForm, ShopFilterForm)
from .models import Category, Product, ProductPhoto, Review, WishlistItem

SHOP_PER_PAGE = 24


# The shop --------------------------------------------------------------------------------------


@cache_shop_page
@require_GET
def home(request):
    """The shop's front page: categories, new and popular products, search."""
    if request.GET.get("q"):
        # An old link to /?q=…: the search is the catalog's.
        return redirect(reverse("catalog:product_list") + "?" + request.GET.urlencode())
    return render(request, "home.html", {**selectors.storefront(),
                                         "wishlist_ids": selectors.wishlist_ids(request.user)})


@cache_shop_page
@require_GET
def product_list(request):
    """The catalog: search, category, price and stock filters, sort, pages. htmx asks for the
    results only; the same URL without htmx is the whole page (the filters live in the URL)."""
    tree = selectors.category_tree()
    form = ShopFilterForm(request.GET or None, tree=tree)
    filters = form.filters()
    if filters.in_stock:
        # Which products are listed (and their count) follows stock: not checked card by card.
        page_stock_dependent(request)
    page = CatalogCountPaginator(selectors.shop_products(filters, tree=tree), SHOP_PER_PAGE,
                                 key=selectors.shop_filters_key(filters)).get_page(
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
        if my_review is not None:
            page_cache_skip(request)  # their own review (perhaps hidden) is theirs alone
    if review_form is None and can_review:
        review_form = ReviewForm(initial={"rating": my_review.rating, "text": my_review.text}
                                 if my_review else None)
    related = selectors.with_main_photo(selectors.with_ratings(
        Product.objects.active().filter(category_id=product.category_id).exclude(pk=product.pk)
    ).order_by("-created_at", "-pk"))[:4]
    # The main photo first (the one the seller chose for the card), then the others in order.
    photos = sorted(product.photos.all(), key=lambda photo: not photo.is_main)
    return {
        "product": product, "photos": photos,
        "main_photo": next((p for p in photos if p.is_main), photos[0] if photos else None),
        "reviews": selectors.product_reviews(product, user=user, include_hidden=can_moderate),
        "can_moderate": can_moderate, "can_review": can_review, "my_review": my_review,
        "review_form": review_form, "related": list(related),
        "in_wishlist": user.is_authenticated and WishlistItem.objects.filter(
            user=user, product=product).exists(),
        # The related products' hearts (the cards are cached by wishlist state).
        "wishlist_ids": selectors.wishlist_ids(user),
        "can_manage": can_moderate,
    }


@cache_shop_page
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
    return redirect(safe_next(request, review.product.get_absolute_url() + "#reviews"))


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
    return redirect(safe_next(request, product.get_absolute_url()))


@login_required
@require_POST
def wishlist_remove(request, product_pk):
    product = get_object_or_404(Product, pk=product_pk)
    services.wishlist_remove(user=request.user, product=product)
    messages.success(request, _("Removed from your wishlist."))
    return redirect("catalog:wishlist")


# The back office: products ----------------------------------------------------------------------

MANAGE_PER_PAGE = 30


def _managed(request, pk) -> Product:
    """A product the user manages: an admin's any, a seller's own; anything else is a 404."""
    return get_object_or_404(Product.objects.for_seller(request.user).select_related(
        "category", "seller"), pk=pk)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@staff_required
@require_GET
def manage_list(request):
    """Products a seller owns (an admin: all), with search, filters and low-stock highlight."""
    tree = selectors.category_tree()
    form = ManageFilterForm(request.GET or None, tree=tree, user=request.user)
    queryset = selectors.manage_products(request.user, form.filters(), tree=tree)
    page = Paginator(queryset, MANAGE_PER_PAGE).get_page(request.GET.get("page"))
    template = "catalog/manage_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(request, template, {
        "form": form, "page_obj": page, "products": page.object_list,
        "bulk_form": BulkActionForm() if request.user.is_admin else None,
    })


@admin_required
@require_POST
def manage_bulk(request):
    """The admin's bulk actions. The first POST shows what will happen; the confirmed one acts."""
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(safe_next(request, reverse("catalog:manage_list")))
    data = form.cleaned_data
    products = Product.objects.filter(pk__in=[p.pk for p in data["products"]])
    if not data["confirm"]:
        return render(request, "catalog/manage_bulk_confirm.html", {
            "form": form, "products": list(products.select_related("category")[:200]),
            "count": products.count(), "action_label": dict(form.ACTIONS)[data["action"]],
            "next": safe_next(request, reverse("catalog:manage_list"))})
    action, by = data["action"], request.user
    try:
        if action in ("archive", "activate"):
            done = services.products_bulk_set_active(products=products, by=by,
                                                     active=action == "activate")
            messages.success(request, _("Products changed: %(n)s.") % {"n": done})
        elif action == "category":
            done = services.products_bulk_set_category(products=products, by=by,
                                                       category=data["category"])
            messages.success(request, _("Products moved: %(n)s.") % {"n": done})
        elif action == "price":
            done = services.products_bulk_change_price(products=products, by=by,
                                                       percent=data["percent"])
            messages.success(request, _("Prices changed: %(n)s.") % {"n": done})
        elif action == "delete":
            deleted, kept = services.products_bulk_delete(products=products, by=by)
            messages.success(request, _("Deleted: %(deleted)s. Kept (sold or with stock history, "
                                        "archive them instead): %(kept)s.")
                             % {"deleted": deleted, "kept": kept})
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect(safe_next(request, reverse("catalog:manage_list")))


def _edit_context(request, product, form, photo_form=None) -> dict:
    from accounts.audit import audit_for

    return {
        "product": product, "form": form,
        "photos": list(product.photos.all()) if product else [],
        "photo_form": photo_form or PhotoForm(),
        "max_photos": ProductPhoto.MAX_PER_PRODUCT,
        "audit_entries": list(audit_for(product)[:20]) if product else [],
        "was_sold": services.product_was_sold(product) if product else False,
        "has_stock_history": product.movements.exists() if product else False,
    }


@staff_required
def product_create(request):
    """A new product: its card and, optionally, its first photos (checked before anything is
    saved; a bad photo refuses the whole form)."""
    form = ProductForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = data.pop("photos", [])
        try:
            product = services.product_create(by=request.user, photos=photos, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The product is created. Stock comes with a goods receipt."))
            return redirect("catalog:product_edit", pk=product.pk)
    return render(request, "catalog/product_form.html", _edit_context(request, None, form),
                  status=400 if form.errors else 200)


def _initial(product: Product) -> dict:
    return {
        "name": product.name, "category": product.category_id, "unit": product.unit,
        "price": product.price, "cost_price": product.cost_price,
        "low_stock_threshold": product.low_stock_threshold, "sku": product.sku,
        "vat_rate": product.vat_rate,
        "plu": product.plu,
        "barcodes": "\n".join(b.code for b in product.barcodes.all()),
        "description": product.description, "is_active": product.is_active,
        "name_ru": product.name_ru, "name_en": product.name_en,
        "description_ru": product.description_ru, "description_en": product.description_en,
    }


@staff_required
def product_edit(request, pk):
    product = _managed(request, pk)
    form = ProductForm(request.POST or None, user=request.user, product=product,
                       initial=_initial(product))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("photos", None)
        barcodes = data.pop("barcodes")
        try:
            services.product_update(product=product, by=request.user, barcodes=barcodes, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:product_edit", pk=product.pk)
    return render(request, "catalog/product_form.html", _edit_context(request, product, form),
                  status=400 if form.errors else 200)


@staff_required
@require_POST
def product_set_active(request, pk):
    """Archive a product (hidden from the shop, history kept) or put it back on sale."""
    product = _managed(request, pk)
    active = request.POST.get("active") == "1"
    services.product_set_active(product=product, by=request.user, active=active)
    messages.success(request, _("The product is on sale again.") if active
                     else _("The product is archived: shoppers no longer see it."))
    return redirect(safe_next(request, reverse("catalog:product_edit", args=[product.pk])))


@staff_required
@require_POST
def product_delete(request, pk):
    product = _managed(request, pk)
    try:
        services.product_delete(product=product, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("catalog:product_edit", pk=product.pk)
    messages.success(request, _("The product is deleted."))
    return redirect("catalog:manage_list")


# Photos ----------------------------------------------------------------------------------------


@staff_required
@require_POST
def photo_upload(request, pk):
    product = _managed(request, pk)
    photo_form = PhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            services.photo_add(product=product, by=request.user,
                               upload=photo_form.cleaned_data["image"])
        except ValidationError as error:
            photo_form.add_error("image", error)
        else:
            messages.success(request, _("The photo is added."))
            return redirect(reverse("catalog:product_edit", args=[product.pk]) + "#photos")
    form = ProductForm(user=request.user, product=product, initial=_initial(product))
    return render(request, "catalog/product_form.html",
                  _edit_context(request, product, form, photo_form), status=400)


def _photo(request, pk, photo_pk) -> ProductPhoto:
    product = _managed(request, pk)
    return get_object_or_404(ProductPhoto.objects.select_related("product"), product=product,
                             pk=photo_pk)


@staff_required
@require_POST
def photo_remove(request, pk, photo_pk):
    services.photo_remove(photo=_photo(request, pk, photo_pk), by=request.user)
    messages.success(request, _("The photo is removed."))
    return redirect(reverse("catalog:product_edit", args=[pk]) + "#photos")


@staff_required
@require_POST
def photo_main(request, pk, photo_pk):
    services.photo_set_main(photo=_photo(request, pk, photo_pk), by=request.user)
    return redirect(reverse("catalog:product_edit", args=[pk]) + "#photos")


@staff_required
@require_POST
def photo_move(request, pk, photo_pk):
    step = -1 if request.POST.get("direction") == "up" else 1
    services.photo_move(photo=_photo(request, pk, photo_pk), by=request.user, step=step)
    return redirect(reverse("catalog:product_edit", args=[pk]) + "#photos")


# Categories (admin) ------------------------------------------------------------------------------


@admin_required
def category_list(request):
    """The store's categories as a tree, with a form for a new one."""
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_create(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The category is created."))
            return redirect("catalog:category_list")
    return render(request, "catalog/category_list.html", {
        "categories": selectors.categories_with_counts(), "form": form},
        status=400 if form.errors else 200)


@admin_required
def category_edit(request, pk):
    category = get_object_or_404(Category, pk=pk)
    form = CategoryForm(request.POST or None, category=category, initial={
        "name": category.name, "parent": category.parent_id, "position": category.position,
        "vat_rate": category.vat_rate})
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(category=category, by=request.user, request=request,
                                         **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:category_list")
    return render(request, "catalog/category_form.html", {"category": category, "form": form},
                  status=400 if form.errors else 200)


@admin_required
@require_POST
def category_delete(request, pk):
    category = get_object_or_404(Category, pk=pk)
    try:
        services.category_delete(category=category, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The category is deleted."))
    return redirect("catalog:category_list")
