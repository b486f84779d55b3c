"""Demo catalog: a realistic Almaty grocery store, each product named in Kazakh, Russian and
English (catalog.demo_names), prices in tenge (the data in catalog.demo_data),
valid EAN-13 barcodes and photos drawn with Pillow (catalog.demo_photos, no downloads).

- `seed(context)` makes the categories and `context.products` products (default 200) owned by
  seller1 and seller2, with zero stock (inventory.demo receives the goods). Up to BULK_FROM
  products are created one by one with photos; a benchmark catalog (`--products 100000`) is
  written with bulk_create in chunks, without photos, in well under a minute on SQLite.
- REVIEW_TEXTS are the words of the demo reviews, which orders.demo writes once the order
  history exists (a review needs a purchase).

Safe to run twice: categories are found by slug, products by SKU, reviews by (user, product)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from bibarys.money import money_round

from .models import Category, Product, ProductBarcode, ProductPhoto, WishlistItem
from .demo_data import CATALOG, CATEGORIES, DESCRIPTIONS, REVIEW_TEXTS
from .demo_names import DESCRIPTIONS_EN, EN, SIZES_EN
from .demo_photos import DEMO_PHOTO_DIR, _photo_files

# orders.demo writes the reviews with REVIEW_TEXTS; the photos' folder is named here too.
__all__ = ["BULK_FROM", "CHUNK", "DEMO_PHOTO_DIR", "REVIEW_TEXTS", "seed"]

BULK_FROM = 1000
CHUNK = 2000


def _ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _money(value) -> Decimal:
    return money_round(value)


def _templates():
    """Every product the store sells, in a fixed order: (category slug, (kk, ru, en), unit,
    price)."""
    rows = []
    for slug, items in CATALOG.items():
        for kk, ru, unit, price, sizes in items:
            en = EN[ru]
            if not sizes:
                rows.append((slug, (kk, ru, en), unit, _money(price)))
                continue
            for size_kk, size_ru, factor in sizes:
                rows.append((slug, (f"{kk} {size_kk}", f"{ru} {size_ru}",
                                    f"{en} {SIZES_EN[size_ru]}"),
                             unit, _money(Decimal(price) * Decimal(factor))))
    return rows


def _descriptions(slug: str, parent: str | None = None) -> dict:
    """The product fields of a category's description, in kk, ru and en."""
    key = slug if slug in DESCRIPTIONS else (parent or "")
    kk, _sep, ru = DESCRIPTIONS.get(key, "").partition(" / ")
    return {"description": kk, "description_ru": ru,
            "description_en": DESCRIPTIONS_EN.get(key, "")}


def _categories() -> dict[str, Category]:
    found = {c.slug: c for c in Category.objects.filter(slug__in=[c[0] for c in CATEGORIES])}
    for position, (slug, name, parent, *_rest) in enumerate(CATEGORIES):
        if slug not in found:
            found[slug] = Category.objects.create(
                slug=slug, name=name, position=position,
                parent=found.get(parent) if parent else None)
    return found


def _sellers(context) -> dict[str, User]:
    sellers = {}
    for username in ("seller1", "seller2"):
        user = context.users.get(username) or User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.filter(role="seller").order_by("pk").first()
        sellers[username] = user
    return sellers


def _threshold(unit: str) -> Decimal:
    return Decimal("3.000") if unit == "kg" else Decimal("5") if unit == "pcs" else Decimal("4")


# Products ---------------------------------------------------------------------------------------


def seed(context):
    out = context.stdout
    categories = _categories()
    sellers = _sellers(context)
    if None in sellers.values():
        out.write("Catalog: no seller accounts, skipped.")
        return
    wanted = max(0, int(getattr(context, "products", 200) or 0))
    if wanted > BULK_FROM:
        created = _seed_bulk(context, wanted, categories, sellers)
    else:
        created = _seed_small(context, wanted, categories, sellers)
    _seed_wishlists(context)
    from .selectors import bump_catalog_version

    bump_catalog_version()
    out.write(f"Catalog: {len(categories)} categories, {created} new products "
              f"({Product.objects.count()} in all).")


def _spec(index: int, templates):
    """The index-th product of the demo: a template, and a series number once they run out."""
    slug, names, unit, price = templates[index % len(templates)]
    series = index // len(templates)
    if series:
        names = tuple(f"{name} · {series + 1}" for name in names)
    return slug, names, unit, price


def _names(names) -> dict:
    kk, ru, en = names
    return {"name": kk, "name_ru": ru, "name_en": en}


def _category_meta(slug):
    for row in CATEGORIES:
        if row[0] == slug:
            return row
    raise KeyError(slug)


def _seed_small(context, wanted, categories, sellers) -> int:
    rng = context.rng
    templates = _templates()
    existing = set(Product.objects.filter(sku__startswith="BB-").values_list("sku", flat=True))
    now = timezone.now()
    created = []
    for index in range(wanted):
        sku = f"BB-{index + 1:06d}"
        if sku in existing:
            continue
        slug, names, unit, price = _spec(index, templates)
        name = names[0]
        _cat_slug, _name, _parent, seller_name, colour, shape = _category_meta(slug)
        product = Product.objects.create(
            **_names(names), slug=_product_slug(names, sku), **_descriptions(slug, _parent),
            category=categories[slug], seller=sellers[seller_name], unit=unit, price=price,
            cost_price=_money(price * Decimal("0.72")), low_stock_threshold=_threshold(unit),
            sku=sku)
        ProductBarcode.objects.create(product=product, code=_ean13(f"4870{index + 1:08d}"))
        letter = next((ch for ch in name if ch.isalnum()), "?").upper()
        variant = sum(map(ord, name)) % 4
        key = f"v2-{shape}-{ord(letter):x}-{variant}"
        image_name, thumb_name = _photo_files(key, shape, colour, letter, variant)
        ProductPhoto.objects.create(product=product, image=image_name, thumbnail=thumb_name,
                                    width=640, height=640, position=0, is_main=True)
        product.created_at = now - datetime.timedelta(days=rng.randint(0, 120),
                                                      minutes=rng.randint(0, 1440))
        created.append(product)
    Product.objects.bulk_update(created, ["created_at"], batch_size=500)
    return len(created)


def _product_slug(names, sku: str) -> str:
    return f"{slugify(names[1], allow_unicode=True)[:150]}-{sku.lower()}"  # from the ru name


def _seed_bulk(context, wanted, categories, sellers) -> int:
    """A benchmark catalog: bulk_create in chunks, no photos, zero stock."""
    out = context.stdout
    templates = _templates()
    existing = set(Product.objects.filter(sku__startswith="BB-").values_list("sku", flat=True))
    made = 0
    for start in range(0, wanted, CHUNK):
        batch, codes = [], []
        for index in range(start, min(start + CHUNK, wanted)):
            sku = f"BB-{index + 1:06d}"
            if sku in existing:
                continue
            slug, names, unit, price = _spec(index, templates)
            seller_name = _category_meta(slug)[3]
            batch.append(Product(
                **_names(names), slug=_product_slug(names, sku), category=categories[slug],
                seller=sellers[seller_name], unit=unit, price=price,
                cost_price=_money(price * Decimal("0.72")), low_stock_threshold=_threshold(unit),
                sku=sku, **_descriptions(slug)))
            codes.append((sku, _ean13(f"4870{index + 1:08d}")))
        if not batch:
            continue
        Product.objects.bulk_create(batch, batch_size=500)
        ids = dict(Product.objects.filter(sku__in=[sku for sku, _code in codes]).values_list(
            "sku", "pk"))
        ProductBarcode.objects.bulk_create(
            [ProductBarcode(product_id=ids[sku], code=code) for sku, code in codes],
            batch_size=1000, ignore_conflicts=True)
        made += len(batch)
        if (start // CHUNK) % 10 == 9:
            out.write(f"  catalog: {start + CHUNK} products…")
    return made


def _seed_wishlists(context) -> None:
    """A few products in each demo shopper's wishlist (kept if already there)."""
    shoppers = User.objects.filter(role="shopper", username__startswith="shopper").order_by("pk")
    pool = list(Product.objects.filter(sku__startswith="BB-").order_by("sku")
                .values_list("pk", flat=True)[:400])
    if not pool:
        return
    items = []
    for shopper in shoppers:
        for product_id in context.rng.sample(pool, min(4, len(pool))):
            items.append(WishlistItem(user=shopper, product_id=product_id))
    WishlistItem.objects.bulk_create(items, ignore_conflicts=True)
