"""Reads of the catalog: the shop's search, filters and sorting, a product page, the back-office
list. Ratings are aggregated by the database (subqueries, so a search join never multiplies
them); main photos come in one extra query per page, whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (Avg, CharField, Count, Exists, F, Func, IntegerField, OuterRef,
                              Prefetch, Q, QuerySet, Subquery, Value)
from django.db.models.functions import Coalesce, NullIf

from bibarys.cache import bump_catalog_version, catalog_version  # noqa: F401 (re-exported)
from bibarys.sqlite import Alphabetical

from .models import (TRANSLATED_LANGUAGES, Category, Product, ProductBarcode, ProductPhoto,
                     Review, WishlistItem, translated_field)


# Names in the store's alphabetical order on every database (bibarys/sqlite.py).
SORTS = {
    "name": ("name", "pk"),
    "price": ("price", "pk"),
    "-price": ("-price", "pk"),
    "newest": ("-created_at", "-pk"),
    "rating": ("-rating_avg_nn", "-rating_count", "name", "pk"),
}


# The page cache's content version lives in bibarys.cache (the cache owns its keys; catalog only
# bumps it): catalog_version and bump_catalog_version are re-exported here for the catalog's
# callers.


# Building blocks -------------------------------------------------------------------------------


def with_ratings(queryset: QuerySet) -> QuerySet:
    """rating_avg (None without reviews), rating_count: visible reviews only."""
    visible = Review.objects.filter(product=OuterRef("pk"), is_hidden=False).order_by()
    avg = visible.values("product").annotate(a=Avg("rating")).values("a")
    count = visible.values("product").annotate(c=Count("pk")).values("c")
    return queryset.annotate(
        rating_avg=Subquery(avg),
        rating_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
    )


def with_main_photo(queryset: QuerySet) -> QuerySet:
    """`product.main_photos`: a list with the main photo (or none), fetched in one query."""
    return queryset.prefetch_related(Prefetch(
        "photos", queryset=ProductPhoto.objects.filter(is_main=True).only(
            "pk", "product_id", "thumbnail", "image", "is_main"),
        to_attr="main_photos"))


def category_tree() -> list[Category]:
    """All categories, parents before their children, each with `.depth` (one query)."""
    categories = list(Category.objects.order_by("position", Alphabetical("name"), "pk"))
    children: dict = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered = []

    def walk(parent_id, depth):
        for category in children.get(parent_id, []):
            category.depth = depth
            ordered.append(category)
            walk(category.pk, depth + 1)

    walk(None, 0)
    return ordered


def category_with_descendants(category: Category, tree: list[Category] | None = None) -> list[int]:
    tree = tree if tree is not None else category_tree()
    ids = {category.pk}
    changed = True
    while changed:
        changed = False
        for node in tree:
            if node.parent_id in ids and node.pk not in ids:
                ids.add(node.pk)
                changed = True
    return sorted(ids)


# Kazakh typed on a Russian keyboard, or with a Latin i: "кымыз" finds "Қымыз", "ірімшiк"
# finds "Ірімшік", "мед" finds "Мёд". Names and the query are folded alike, in the database
# with TRANSLATE (PostgreSQL's own; bibarys/sqlite.py gives SQLite one), so the trigram index
# on the folded names (catalog migration 0006) serves the search.
FOLD_FROM = "ӘәҒғҚқҢңӨөҰұҮүҺһІіIiЁё"
FOLD_TO = "АаГгКкНнОоУуУуХхИиИиЕе"
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


def folded_name(field: str = "name"):
    """A product name column as the search compares it (an expression; see FOLD_FROM)."""
    return Func(F(field), Value(FOLD_FROM), Value(FOLD_TO), function="TRANSLATE",
                output_field=CharField())


NAME_FIELDS = ("name",) + tuple(f"name_{language}" for language in TRANSLATED_LANGUAGES)


def shown_name(prefix: str = ""):
    """The name in the active language, else the default one (an expression to sort by);
    `prefix` reaches it across a relation ("product__")."""
    field = translated_field("name")
    if field == "name":
        return F(f"{prefix}name")
    return Coalesce(NullIf(F(f"{prefix}{field}"), Value("")), F(f"{prefix}name"))


def search_filter(queryset: QuerySet, q: str) -> QuerySet:
    """Any of the product's names, in every language (contains, any case, Kazakh letters
    folded), SKU (exact or prefix) or barcode (exact)."""
    q = q.strip()
    if not q:
        return queryset
    folded_q = q.translate(_FOLD)
    by_names = [Product.objects.alias(folded=folded_name(field)).filter(
        folded__icontains=folded_q).values("pk") for field in NAME_FIELDS]
    if connection.vendor == "postgresql":
        # The matching ids from the indexes (a trigram index on each folded name column, SKU
        # prefix, barcodes), then the page sorted among them: as one OR, the planner walked the
        # name index of all 100,000 products filtering each (BENCHMARKS.md, "Figures behind
        # the code").
        ids = by_names[0].union(*by_names[1:],
                                Product.objects.filter(sku__istartswith=q).values("pk"), all=True)
        if q.isdigit():
            ids = ids.union(ProductBarcode.objects.filter(code=q).values("product_id"), all=True)
        return queryset.filter(pk__in=ids)
    condition = Q(sku__iexact=q) | Q(sku__istartswith=q)
    for by_name in by_names:
        condition |= Q(pk__in=by_name)
    if q.isdigit():
        condition |= Exists(ProductBarcode.objects.filter(product=OuterRef("pk"), code=q))
    return queryset.filter(condition)


# The shop ---------------------------------------------------------------------------------------


@dataclass
class ShopFilters:
    q: str = ""
    category: Category | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    sort: str = "name"


def shop_filters_key(filters: ShopFilters) -> str:
    """What decides which products a shop listing holds (not their order): the key of its
    cached count."""
    category = filters.category.pk if filters.category is not None else ""
    return "|".join(str(part) for part in ("shop", filters.q.strip(), category, filters.price_min,
                                           filters.price_max, int(filters.in_stock)))


def shop_products(filters: ShopFilters, *, tree: list[Category] | None = None) -> QuerySet:
    """Active products matching the shopper's search and filters, sorted, with ratings."""
    queryset = Product.objects.active()
    queryset = search_filter(queryset, filters.q)
    if filters.category is not None:
        queryset = queryset.filter(category_id__in=category_with_descendants(filters.category, tree))
    if filters.price_min is not None:
        queryset = queryset.filter(price__gte=filters.price_min)
    if filters.price_max is not None:
        queryset = queryset.filter(price__lte=filters.price_max)
    if filters.in_stock:
        queryset = queryset.filter(quantity__gt=0)
    queryset = with_ratings(queryset)
    sort = filters.sort if filters.sort in SORTS else "name"
    if sort == "rating":
        queryset = queryset.annotate(rating_avg_nn=Coalesce("rating_avg", Value(0.0)))
    order = SORTS[sort]
    if "name" in order:
        # By the name the shopper reads (the default name's index serves the default language).
        order = tuple(Alphabetical(shown_name()) if part == "name" else part for part in order)
    return with_main_photo(queryset.order_by(*order))


def storefront(limit: int = 8) -> dict:
    """The home page: top-level categories, the newest and the most reviewed products."""
    base = with_main_photo(with_ratings(Product.objects.active()))
    return {
        "categories": list(Category.objects.filter(parent__isnull=True).order_by(
            "position", Alphabetical("name"), "pk")),
        "new_products": list(base.order_by("-created_at", "-pk")[:limit]),
        "popular_products": list(base.filter(rating_count__gt=0).order_by(
            "-rating_count", "-rating_avg", "pk")[:limit]),
    }


def product_for_page(*, slug: str, user) -> Product | None:
    """The product behind a shop page: active for everyone; archived only for its seller and
    admins. None if this visitor may not see it."""
    queryset = with_ratings(Product.objects.select_related("category", "category__parent",
                                                           "seller"))
    queryset = queryset.prefetch_related("photos", "barcodes")
    product = queryset.filter(slug=slug).first()
    if product is None:
        return None
    if product.is_active:
        return product
    if getattr(user, "is_admin", False) or (
            getattr(user, "is_seller", False) and product.seller_id == user.pk):
        return product
    return None


def product_reviews(product: Product, *, user=None, include_hidden: bool = False) -> list[Review]:
    reviews = product.reviews.select_related("user")
    if not include_hidden:
        condition = Q(is_hidden=False)
        if getattr(user, "is_authenticated", False):
            condition |= Q(user=user)  # the author still sees their own hidden review
        reviews = reviews.filter(condition)
    return list(reviews[:50])


def wishlist_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(WishlistItem.objects.filter(user=user).values_list("product_id", flat=True))


def wishlist_items(user) -> QuerySet:
    return WishlistItem.objects.filter(user=user).select_related("product").prefetch_related(
        Prefetch("product__photos", queryset=ProductPhoto.objects.filter(is_main=True),
                 to_attr="main_photos"))


# The back office --------------------------------------------------------------------------------


@dataclass
class ManageFilters:
    q: str = ""
    category: Category | None = None
    status: str = ""       # "", "active", "archived"
    stock: str = ""        # "", "low", "out"
    seller_id: int | None = None


def manage_products(user, filters: ManageFilters, *, tree: list[Category] | None = None
                    ) -> QuerySet:
    """The products a seller (own) or an admin (all) manages, filtered."""
    queryset = Product.objects.for_seller(user).select_related("category", "seller")
    queryset = search_filter(queryset, filters.q)
    if filters.category is not None:
        queryset = queryset.filter(category_id__in=category_with_descendants(filters.category, tree))
    if filters.status == "active":
        queryset = queryset.filter(is_active=True)
    elif filters.status == "archived":
        queryset = queryset.filter(is_active=False)
    if filters.stock == "low":
        queryset = queryset.low_stock()
    elif filters.stock == "out":
        queryset = queryset.filter(quantity__lte=0)
    if filters.seller_id and getattr(user, "is_admin", False):
        queryset = queryset.filter(seller_id=filters.seller_id)
    return with_main_photo(queryset.order_by(Alphabetical(shown_name()), "pk"))


def categories_with_counts() -> list[Category]:
    tree = category_tree()
    counts = dict(Product.objects.order_by().values("category").annotate(n=Count("pk"))
                  .values_list("category", "n"))
    child_counts = dict(Category.objects.order_by().filter(parent__isnull=False).values("parent")
                        .annotate(n=Count("pk")).values_list("parent", "n"))
    by_pk = {category.pk: category for category in tree}
    for category in tree:
        category.product_count = counts.get(category.pk, 0)
        category.child_count = child_counts.get(category.pk, 0)
        category.total_count = 0
    # A parent holds what its sub-categories hold, as its catalog filter shows.
    for category in tree:
        node = category
        while node is not None:
            node.total_count += category.product_count
            node = by_pk.get(node.parent_id)
    return tree
