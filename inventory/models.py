from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Goods receipt")
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")
    WRITE_OFF = "write_off", _("Write-off")
    COUNT = "count", _("Count adjustment")
    CORRECTION = "correction", _("Correction")


# Which way each kind may move stock (DOMAIN.md, "Stock is a ledger").
INCOMING = {MovementKind.RECEIPT, MovementKind.RETURN}
OUTGOING = {MovementKind.SALE, MovementKind.WRITE_OFF}
EITHER_WAY = {MovementKind.COUNT, MovementKind.CORRECTION}


class StockMovement(models.Model):
    """One change of one product's on-hand quantity. Written only by inventory.services."""

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
        related_name="movements",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    quantity_after = models.DecimalField(_("on hand after"), max_digits=14, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # The document behind the movement, e.g. "receipt:12", "order:345", "stocktake:3".
    reference = models.CharField(_("document"), max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_not_zero"),
            models.CheckConstraint(
                condition=Q(quantity_after__gte=0), name="movement_after_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["receipt", "return"], quantity__gt=0)
                    | Q(kind__in=["sale", "write_off"], quantity__lt=0)
                    | Q(kind__in=["count", "correction"])
                ),
                name="movement_sign_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "-created_at"], name="movement_product_time"),
            models.Index(fields=["kind", "-created_at"], name="movement_kind_time"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity} × {self.product_id}"
