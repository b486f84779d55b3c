
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from bibarys.money import line_total


def value_at_cost(quantity, cost):
    """A quantity valued at a unit cost, to the tiyn, half-up. A document's total is the sum of
    its lines valued this way, so the lines printed add up to the total printed."""
    if quantity is None or cost is None:
        return None
    return line_total(cost, quantity)


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


# ---------------------------------------------------------------------------------------------
# Stock documents: goods receipts, write-offs, stocktakes.


class DocumentQuerySet(models.QuerySet):
    """Seller scoping shared by the three documents (DOMAIN.md, Permissions).

    A seller sees a document when every line is one of their products and either they started
    it or it holds at least one of their lines. A document that mixes sellers (an admin's) is
    the admin's alone."""

    def for_seller(self, user):
        if getattr(user, "is_admin", False):
            return self
        lines = self.model.lines.rel.related_model.objects.filter(document=OuterRef("pk"))
        own = lines.filter(product__seller=user)
        foreign = lines.exclude(product__seller=user)
        return self.filter(Q(created_by=user) | Exists(own)).exclude(Exists(foreign))


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


class StockDocument(models.Model):
    """What receipts, write-offs and stocktakes share: who made it and when it was posted."""

    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices,
                              default=DocumentStatus.DRAFT)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"),
                                  on_delete=models.PROTECT, related_name="+", null=True,
                                  blank=True)
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    # "receipt", "writeoff", "stocktake": the prefix of the movements' reference.
    reference_prefix = ""

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def number(self) -> str:
        return f"№{self.pk:05d}" if self.pk else "—"

    @property
    def reference(self) -> str:
        return f"{self.reference_prefix}:{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def is_posted(self) -> bool:
        return self.status == DocumentStatus.POSTED


class GoodsReceipt(StockDocument):
    """A delivery from a supplier (тауар кірісі / приёмка): posting adds stock and updates the
    cost price of each product by moving average."""

    supplier = models.CharField(_("supplier"), max_length=200)
    supplier_number = models.CharField(_("supplier's document number"), max_length=64,
                                       blank=True)
    date = models.DateField(_("date"))
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reversed by"),
                                    on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversal_reason = models.CharField(_("reason for reversal"), max_length=255, blank=True)

    reference_prefix = "receipt"

    class Meta(StockDocument.Meta):
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "posted", "reversed"]),
                                   name="receipt_status_valid"),
            models.CheckConstraint(condition=Q(status="draft") | Q(posted_at__isnull=False),
                                   name="receipt_posted_has_time"),
        ]
        indexes = [models.Index(fields=["status", "-date"], name="receipt_status_date")]

    def __str__(self):
        return f"{_('Goods receipt')} {self.number} · {self.supplier}"


class ReceiptLine(models.Model):
    document = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)
    # How many times the product was added to this receipt (a second scan, an invoice listing
    # it twice), and whether their unit costs differed: then `unit_cost` is their average, not
    # a price printed on the supplier's invoice, and the line says so.
    additions = models.PositiveSmallIntegerField(_("times added"), default=1)
    cost_averaged = models.BooleanField(_("average unit cost"), default=False)
    # Set when posted: every receipt movement belongs to exactly one receipt line.
    movement = models.OneToOneField(StockMovement, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="receipt_line")
    reversal_movement = models.OneToOneField(StockMovement, on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="receipt_reversal_line")

    class Meta:
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_line_qty_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0),
                                   name="receipt_line_cost_not_negative"),
            models.UniqueConstraint(fields=["document", "product"],
                                    name="receipt_line_unique_product"),
        ]

    def __str__(self):
        return f"{self.product_id} × {self.quantity}"

    @property
    def total(self):
        """Quantity × unit cost to the tiyn, half-up: what posting books and the reports sum."""
        return line_total(self.unit_cost, self.quantity)


class WriteOffReason(models.TextChoices):
    SPOILED = "spoiled", _("Spoiled")
    EXPIRED = "expired", _("Expired")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Lost or stolen")
    OTHER = "other", _("Other")


# A write-off line with the reason "Other" says what happened in its comment.
OTHER_NEEDS_COMMENT = _("Say what happened: the reason “Other” needs a comment.")


class WriteOff(StockDocument):
    """Goods taken off the books (есептен шығару / списание): spoiled, expired, damaged, lost."""

    date = models.DateField(_("date"))

    reference_prefix = "writeoff"

    class Meta(StockDocument.Meta):
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "posted"]),
                                   name="writeoff_status_valid"),
        ]

    def __str__(self):
        return f"{_('Write-off')} {self.number}"


class WriteOffLine(models.Model):
    document = models.ForeignKey(WriteOff, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="writeoff_lines")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=16, choices=WriteOffReason.choices)
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    movement = models.OneToOneField(StockMovement, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="writeoff_line")
    # The product's cost price when the write-off was posted (empty on a draft): what the
    # loss is worth in the books, whatever later receipts do to the moving average.
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, null=True,
                                    blank=True)

    class Meta:
        verbose_name = _("write-off line")
        verbose_name_plural = _("write-off lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="writeoff_line_qty_positive"),
            models.CheckConstraint(
                condition=Q(reason__in=[r.value for r in WriteOffReason]),
                name="writeoff_line_reason_valid",
            ),
            # One line per product and reason: the write-off report sums losses by reason.
            models.UniqueConstraint(fields=["document", "product", "reason"],
                                    name="writeoff_line_unique_product_reason"),
            models.CheckConstraint(condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0),
                                   name="writeoff_line_cost_not_negative"),
            models.CheckConstraint(condition=Q(movement__isnull=True) | Q(unit_cost__isnull=False),
                                   name="writeoff_line_posted_has_cost"),
        ]

    def __str__(self):
        return f"{self.product_id} × {self.quantity}"


class Stocktake(StockDocument):
    """A count of the shelves (түгендеу / инвентаризация) for all products or one category."""

    category = models.ForeignKey("catalog.Category", verbose_name=_("category"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    # Where the ledger stood when the expected quantities were copied: the highest movement id.
    snapshot_movement_id = models.BigIntegerField(default=0, editable=False)

    reference_prefix = "stocktake"

    class Meta(StockDocument.Meta):
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "posted"]),
                                   name="stocktake_status_valid"),
        ]

    def __str__(self):
        return f"{_('Stocktake')} {self.number}"


class StocktakeLine(models.Model):
    document = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="stocktake_lines")
    # Copied at the start; shown as "expected".
    expected = models.DecimalField(_("expected"), max_digits=14, decimal_places=3)
    counted = models.DecimalField(_("counted"), max_digits=14, decimal_places=3, null=True,
                                  blank=True)
    # The book quantity at the moment the count was last entered (see stocktake_post).
    book_at_count = models.DecimalField(_("on hand when counted"), max_digits=14,
                                        decimal_places=3, null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    movement = models.OneToOneField(StockMovement, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="stocktake_line")

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(expected__gte=0), name="stocktake_expected_ok"),
            models.CheckConstraint(condition=Q(counted__isnull=True) | Q(counted__gte=0),
                                   name="stocktake_counted_ok"),
            models.UniqueConstraint(fields=["document", "product"],
                                    name="stocktake_line_unique_product"),
        ]

    def __str__(self):
        return f"{self.product_id}: {self.expected} / {self.counted}"

    @property
    def book(self):
        """The book quantity the count is compared with."""
        return self.book_at_count if self.book_at_count is not None else self.expected

    @property
    def variance(self):
        if self.counted is None:
            return None
        return self.counted - self.book

    @property
    def variance_value(self):
        """The difference at the product's cost price (None until counted); the stocktake's
        "Variance at cost" is the sum of these (selectors.stocktake_summary)."""
        return value_at_cost(self.variance, self.product.cost_price)



class ImportPreview(models.Model):
    """A checked product import, shown to its user and waiting for their confirm. Kept in the
    database, not on the app server that made the preview, so that the confirm may reach any
    server (docs/deploy.md); taken once (inventory.previews.preview_take), gone after expiry."""

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    payload = models.BinaryField()  # the rows and what the preview saw, as zlib'd JSON
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.user_id}: {self.token}"
