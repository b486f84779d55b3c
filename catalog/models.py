from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy as _

from bibarys.units import Unit, quantity_fits_unit

from .validators import validate_ean
from .vat import VatRate


class Category(models.Model):
    """A shelf of the store. A category with products cannot be deleted (PROTECT)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent category"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # Empty: the store's rate (VAT_DEFAULT_RATE). catalog/vat.py.
    vat_rate = models.CharField(_("VAT rate"), max_length=8, choices=VatRate.choices, blank=True,
                                help_text=_("Empty: the store's rate."))
    # Fresh food (issue 20): a new product in this category is tracked by expiry unless the
    # seller says otherwise, and its lots count as "near expiry" this many days ahead.
    tracks_expiry = models.BooleanField(
        _("tracked by expiry date"), default=False,
        help_text=_("New products in this category are received with expiry dates."))
    near_expiry_days = models.PositiveSmallIntegerField(
        _("near expiry, days ahead"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Empty: the store's setting."))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


# Product data per language: `name` and `description` are in the store's default language
# (settings.LANGUAGE_CODE, Kazakh) and required; these languages may have their own, optional.
# A shopper reading a language whose column is empty sees the default one.
TRANSLATED_LANGUAGES = ("ru", "en")


def translated_field(field: str, language: str | None = None) -> str:
    """The column of `field` ("name", "description") for `language` (the active one by
    default): `name_ru`, `name_en`, or `name` itself for the default language."""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    if language != settings.LANGUAGE_CODE and language in TRANSLATED_LANGUAGES:
        return f"{field}_{language}"
    return field


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_seller(self, user):
        """What a back-office user may manage: an admin everything, a seller their own."""
        if getattr(user, "is_admin", False):
            return self
        return self.filter(seller=user)

    def low_stock(self):
        return self.filter(quantity__lte=F("low_stock_threshold"))


class Product(models.Model):
    """Something the store sells. `quantity` is written only by the inventory ledger."""

    name = models.CharField(_("name"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    description_ru = models.TextField(_("description in Russian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("seller"), on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.PIECE)
    price = models.DecimalField(_("sale price"), max_digits=12, decimal_places=2)
    cost_price = models.DecimalField(
        _("cost price"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    quantity = models.DecimalField(
        _("on hand"), max_digits=14, decimal_places=3, default=Decimal("0"), editable=False
    )
    low_stock_threshold = models.DecimalField(
        _("low-stock threshold"), max_digits=14, decimal_places=3, default=Decimal("5")
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    # Empty: the category's rate, else the store's. catalog/vat.py.
    vat_rate = models.CharField(_("VAT rate"), max_length=8, choices=VatRate.choices, blank=True,
                                help_text=_("Empty: the category's rate, else the store's."))
    # The number a label scale prints into a weighed product's label (till/scan.py): one per
    # product when set; pieces with their own barcode have none.
    plu = models.PositiveIntegerField(_("PLU"), null=True, blank=True, unique=True)
    # Fresh food (issue 20): stock held per lot with an expiry date; the shelf life lets a
    # receipt line give the production date instead, and caps what a reorder suggests.
    tracks_expiry = models.BooleanField(_("tracked by expiry date"), default=False)
    shelf_life_days = models.PositiveIntegerField(
        _("shelf life, days"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)])
    # Marked goods (issue 19): each unit carries a GS1 Data Matrix code that is sold once.
    requires_marking = models.BooleanField(
        _("marked goods (Data Matrix)"), default=False,
        help_text=_("Each unit carries a marking code that the till scans and the fiscal receipt reports."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="product_quantity_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
            models.CheckConstraint(condition=Q(cost_price__gte=0), name="product_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(low_stock_threshold__gte=0), name="product_threshold_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=[u.value for u in Unit]), name="product_unit_valid"
            ),
            models.CheckConstraint(condition=Q(vat_rate__in=["", *VatRate.values]),
                                   name="product_vat_rate_valid"),
        ]
        indexes = [
            models.Index(fields=["is_active", "category", "name"], name="product_active_cat_name"),
            models.Index(fields=["seller", "is_active"], name="product_seller_active"),
            models.Index(fields=["-created_at"], name="product_newest"),
            # The shop's default list: active products by name, paged without a sort of all rows.
            models.Index(fields=["name", "id"], condition=Q(is_active=True),
                         name="product_active_by_name"),
            # The same, by the name a Russian or English shopper reads (selectors.shown_name).
            *[models.Index(Coalesce(NullIf(f"name_{language}", Value("")), "name"), "id",
                           condition=Q(is_active=True), name=f"product_active_by_name_{language}")
              for language in TRANSLATED_LANGUAGES],
            # The dashboards' low-stock panel: the emptiest first, without reading every row.
            models.Index(fields=["quantity", "name", "id"],
                         condition=Q(is_active=True, quantity__lte=F("low_stock_threshold")),
                         name="product_low_stock"),
            # Sales by category join products by id for their category only: an index-only
            # scan instead of reading the whole (wide) product table.
            models.Index(fields=["id", "category"], name="product_id_category"),
        ]

    def __str__(self):
        return self.display_name

    def name_in(self, language: str | None = None) -> str:
        """The name in `language` (the active one by default), else the default name."""
        return getattr(self, translated_field("name", language)) or self.name

    @property
    def display_name(self) -> str:
        """The name the reader sees: in their language, or the store's default one."""
        return self.name_in()

    @property
    def display_description(self) -> str:
        return getattr(self, translated_field("description")) or self.description

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The category it was loaded with: a save that moves the product says so (signals.py).
        if "category_id" in instance.__dict__:
            instance._loaded_category_id = instance.category_id
        return instance

    def get_absolute_url(self):
        return reverse("catalog:product_detail", kwargs={"slug": self.slug})

    @property
    def is_low_stock(self) -> bool:
        return self.quantity <= self.low_stock_threshold

    @property
    def main_photo(self):
        """The main photo: from a `with_main_photo` prefetch when there is one (no query)."""
        if hasattr(self, "main_photos"):
            return self.main_photos[0] if self.main_photos else None
        photos = getattr(self, "_prefetched_objects_cache", {}).get("photos")
        if photos is not None:
            return next((p for p in photos if p.is_main), photos[0] if photos else None)
        return self.photos.filter(is_main=True).first()

    @property
    def availability(self) -> str:
        """"out", "few" (at or under the low-stock threshold) or "in" – what the shop shows."""
        if self.quantity <= 0:
            return "out"
        if self.quantity <= self.low_stock_threshold:
            return "few"
        return "in"

    def quantity_ok(self, quantity: Decimal) -> bool:
        """A quantity a shopper may order: positive, whole pieces or steps of 0.001 kg/l."""
        return quantity > 0 and quantity_fits_unit(quantity, self.unit)


class ProductBarcode(models.Model):
    """An EAN-8/EAN-13 barcode printed on the product. A product may carry several."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="barcodes")
    code = models.CharField(_("barcode"), max_length=14, unique=True, validators=[validate_ean])

    class Meta:
        verbose_name = _("barcode")
        verbose_name_plural = _("barcodes")
        ordering = ["id"]

    def __str__(self):
        return self.code


def _photo_path(instance, filename):
    # The server chooses every stored name: nothing of the uploader's file name reaches the disk.
    return f"products/{instance.product_id}/{filename}"


class ProductPhoto(models.Model):
    """One of up to five photos of a product: a re-encoded image and its thumbnail."""

    MAX_PER_PRODUCT = 5

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_photo_path, max_length=200)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_main = models.BooleanField(_("main photo"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(is_main=True),
                                    name="product_photo_one_main"),
        ]

    def __str__(self):
        return f"{self.product_id}: {self.image.name}"


class Review(models.Model):
    """A shopper's rating (1–5) and words about a product they bought; one per shopper."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shopper"),
                             on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), max_length=2000, blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="review_one_per_user"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                   name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["product", "is_hidden"], name="review_product_visible")]

    def __str__(self):
        return f"{self.product_id} ★{self.rating}"


class WishlistItem(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="wishlist_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="wishlisted")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="wishlist_unique_item"),
        ]

    def __str__(self):
        return f"{self.user_id} ♥ {self.product_id}"
