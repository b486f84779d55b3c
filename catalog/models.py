from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bibarys.units import Unit

from .validators import validate_ean


class Category(models.Model):
    """A shelf of the store. A category with products cannot be deleted (PROTECT)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent category"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


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
    slug = models.SlugField(_("slug"), max_length=220, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
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
        ]
        indexes = [
            models.Index(fields=["is_active", "category", "name"], name="product_active_cat_name"),
            models.Index(fields=["seller", "is_active"], name="product_seller_active"),
            models.Index(fields=["-created_at"], name="product_newest"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:product_detail", kwargs={"slug": self.slug})

    @property
    def is_low_stock(self) -> bool:
        return self.quantity <= self.low_stock_threshold


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
