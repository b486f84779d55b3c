import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bibarys.units import Unit


class OrderStatus(models.TextChoices):
    NEW = "new", _("New")
    CONFIRMED = "confirmed", _("Confirmed")
    READY = "ready", _("Ready")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# DOMAIN.md, Orders: new → confirmed → ready → completed; cancelled from new/confirmed/ready.
ALLOWED_TRANSITIONS = {
    OrderStatus.NEW: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED},
    OrderStatus.CONFIRMED: {OrderStatus.READY, OrderStatus.CANCELLED},
    OrderStatus.READY: {OrderStatus.COMPLETED, OrderStatus.CANCELLED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
}


class Order(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        COUNTER = "counter", _("In store")

    class Delivery(models.TextChoices):
        PICKUP = "pickup", _("Pickup in store")
        COURIER = "delivery", _("Delivery")

    class Payment(models.TextChoices):
        WALLET = "wallet", _("Wallet")
        CASH = "cash", _("Cash on pickup")
        # At the counter (till.TillPayment holds the amounts of each).
        CARD = "card", _("Card")
        KASPI = "kaspi", _("Kaspi QR")
        SPLIT = "split", _("Split payment")

    # What a shopper may choose online; the till takes the others.
    ONLINE_PAYMENTS = (Payment.WALLET, Payment.CASH)

    # A counter sale has no shopper account (a walk-in customer): null.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shopper"), on_delete=models.PROTECT,
        related_name="orders", null=True, blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.NEW
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices,
                               default=Channel.ONLINE)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices,
                                default=Delivery.PICKUP)
    address = models.CharField(_("delivery address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    payment = models.CharField(_("payment"), max_length=16, choices=Payment.choices,
                               default=Payment.WALLET)
    is_paid = models.BooleanField(_("paid"), default=False)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    cost_total = models.DecimalField(_("cost of goods"), max_digits=14, decimal_places=2)
    # A repeated or double-clicked submit carries the same key and places one order.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("placed"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(cost_total__gte=0),
                                   name="order_cost_not_negative"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in OrderStatus]),
                                   name="order_status_valid"),
            models.CheckConstraint(condition=Q(channel="counter") | Q(user__isnull=False),
                                   name="order_online_has_shopper"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="order_status_time"),
            models.Index(fields=["user", "-created_at"], name="order_user_time"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_counter(self) -> bool:
        return self.channel == self.Channel.COUNTER

    @property
    def number(self) -> str:
        return f"№{self.pk:06d}" if self.pk else "—"


class OrderLine(models.Model):
    """One product in an order, with its sale and cost price copied at the moment of sale."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
        related_name="order_lines",
    )
    # The product's owner at the moment of sale: seller reports stay true if it changes hands.
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("seller"), on_delete=models.PROTECT,
        related_name="sold_lines",
    )
    product_name = models.CharField(_("product"), max_length=200)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    cost_price = models.DecimalField(_("cost price"), max_digits=12, decimal_places=2)
    line_total = models.DecimalField(_("sum"), max_digits=14, decimal_places=2)
    # Computed once, when the order is placed (catalog/vat.py): the rate (empty when the store
    # was not a VAT payer) and the VAT included in line_total.
    vat_rate = models.CharField(_("VAT rate"), max_length=8, blank=True)
    vat_amount = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2,
                                     default=Decimal("0.00"))
    sale_movement = models.OneToOneField(
        "inventory.StockMovement", on_delete=models.PROTECT, related_name="sale_line",
        null=True, blank=True,
    )
    return_movement = models.OneToOneField(
        "inventory.StockMovement", on_delete=models.PROTECT, related_name="return_line",
        null=True, blank=True,
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(condition=Q(cost_price__gte=0),
                                   name="order_line_cost_not_negative"),
            models.UniqueConstraint(fields=["order", "product"], name="order_line_unique_product"),
        ]
        indexes = [models.Index(fields=["seller", "order"], name="order_line_seller")]

    def __str__(self):
        return f"{self.product_name} × {self.quantity}"

    @property
    def display_name(self) -> str:
        """The product's name for the reader: in the store's language the name as sold (the
        line's record); in another language the product's name in it, else the name as sold.
        Select the product with the lines (order_lines does) to read it without a query each."""
        from catalog.models import translated_field

        field = translated_field("name")
        if field == "name" or self.product_id is None:
            return self.product_name
        return getattr(self.product, field) or self.product_name


class OrderStatusChange(models.Model):
    """The history of an order: who moved it from which status to which, and when."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(_("from"), max_length=16, choices=OrderStatus.choices,
                                   blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=OrderStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"),
                           on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["created_at", "id"]


class Cart(models.Model):
    """A signed-in visitor's saved cart (an anonymous visitor's cart lives in the session and
    merges into this one at login)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="cart")
    updated_at = models.DateTimeField(auto_now=True)
    # The checkout's first step, kept for the next steps and offered again next time (blank
    # `delivery`: the shopper has not chosen yet).
    delivery = models.CharField(_("delivery"), max_length=16, choices=Order.Delivery.choices,
                                blank=True)
    address = models.CharField(_("delivery address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self):
        return f"{self.user} cart"

    @property
    def checkout_details(self) -> dict | None:
        """What the checkout's delivery step saved, or None before it."""
        if not self.delivery:
            return None
        return {"delivery": self.delivery, "address": self.address, "phone": self.phone,
                "note": self.note}


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"),
                                on_delete=models.CASCADE, related_name="cart_lines")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_unique_product"),
        ]

    def __str__(self):
        return f"{self.product_id} × {self.quantity}"


class OrderReturn(models.Model):
    """Goods brought back after a sale (at the till, or a completed online order returned to
    staff): which lines, how much, and how the money went back. A cancel is not a return."""

    class Refund(models.TextChoices):
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        KASPI = "kaspi", _("Kaspi QR")
        WALLET = "wallet", _("Wallet")

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="returns")
    refund = models.CharField(_("refund"), max_length=16, choices=Refund.choices)
    total = models.DecimalField(_("refunded"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"),
                           on_delete=models.PROTECT, related_name="+")
    # A double-clicked or replayed "Return" records one return.
    idempotency_key = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_return_total_not_negative"),
        ]

    def __str__(self):
        return f"{self.order} ↩ {self.pk}"

    @property
    def number(self) -> str:
        return f"↩{self.pk:06d}" if self.pk else "—"


class OrderReturnLine(models.Model):
    """One order line brought back: its quantity (never more than sold and not yet returned),
    the money for it at the price it was sold, and where the goods went: back to stock (a return
    movement) or, if spoiled, to stock and at once out again (a return and a write-off)."""

    order_return = models.ForeignKey(OrderReturn, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey(OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT,
                             related_name="return_lines")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    amount = models.DecimalField(_("sum"), max_digits=14, decimal_places=2)
    spoiled = models.BooleanField(_("spoiled"), default=False)
    movement = models.OneToOneField("inventory.StockMovement", on_delete=models.PROTECT,
                                    related_name="order_return_line")
    # Spoiled goods: written off as soon as they are back (kind write-off, same quantity).
    writeoff_movement = models.OneToOneField(
        "inventory.StockMovement", on_delete=models.PROTECT, related_name="order_return_writeoff",
        null=True, blank=True)

    class Meta:
        verbose_name = _("returned line")
        verbose_name_plural = _("returned lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="order_return_line_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0),
                                   name="order_return_line_amount_not_negative"),
            models.CheckConstraint(condition=Q(spoiled=False, writeoff_movement__isnull=True)
                                   | Q(spoiled=True, writeoff_movement__isnull=False),
                                   name="order_return_line_spoiled_written_off"),
        ]

    def __str__(self):
        return f"{self.line_id} ↩ {self.quantity}"


class StockShortfall(models.Model):
    """A negative-stock exception (docs/till.md, short stock): a counter sale of more than the
    books held, allowed by settings.TILL_SHORT_STOCK=allow. The ledger never goes below zero:
    the line's sale movement takes what the books held, and this row keeps the rest, owed to the
    books. A later goods receipt of the product books what is owed as sale movements (covers
    with a movement); a stocktake closes what is left (a cover without a movement: the count
    measured the shelf after the goods were gone). Open while covers sum to less than
    `quantity`; the owner's dashboard lists the open ones."""

    line = models.OneToOneField(OrderLine, verbose_name=_("order line"),
                                on_delete=models.PROTECT, related_name="shortfall")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="shortfalls")
    quantity = models.DecimalField(_("sold beyond stock"), max_digits=14, decimal_places=3)
    covered = models.DecimalField(_("covered"), max_digits=14, decimal_places=3, default=0)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    covered_at = models.DateTimeField(_("covered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("short-stock exception")
        verbose_name_plural = _("short-stock exceptions")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="stock_shortfall_quantity_positive"),
            models.CheckConstraint(condition=Q(covered__gte=0, covered__lte=F("quantity")),
                                   name="stock_shortfall_covered_within"),
        ]
        indexes = [models.Index(fields=["product", "covered_at"], name="stock_shortfall_open")]

    def __str__(self):
        return f"{self.product_id} short {self.quantity}"

    @property
    def open_quantity(self):
        return self.quantity - self.covered


class StockShortfallCover(models.Model):
    """Part of a shortfall covered: by a goods receipt (a sale movement booking what was owed)
    or by a stocktake (no movement: the count is the truth)."""

    class Source(models.TextChoices):
        RECEIPT = "receipt", _("Goods receipt")
        COUNT = "count", _("Stocktake")

    shortfall = models.ForeignKey(StockShortfall, on_delete=models.PROTECT,
                                  related_name="covers")
    source = models.CharField(_("covered by"), max_length=8, choices=Source.choices)
    reference = models.CharField(_("document"), max_length=64, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    movement = models.OneToOneField("inventory.StockMovement", on_delete=models.PROTECT,
                                    related_name="shortfall_cover", null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("short stock covered")
        verbose_name_plural = _("short stock covered")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="stock_shortfall_cover_positive"),
            models.CheckConstraint(condition=Q(source="count", movement__isnull=True)
                                   | Q(source="receipt", movement__isnull=False),
                                   name="stock_shortfall_cover_source"),
        ]
