"""The store's counter (DOMAIN.md, the till): registers, cashiers' shifts on them, the cash that
goes in and out of the drawer, and how each counter sale and return was paid.

A counter sale itself is an order (orders.Order, channel `counter`), written by the same order
and ledger services as an online one; this app keeps what only the counter has."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Till(models.Model):
    """A named register of the store (касса)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("till")
        verbose_name_plural = _("tills")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Shift(models.Model):
    """One cashier's session on one till (ауысым / смена): opened with a float, closed with the
    drawer counted. At most one open shift per till, and per cashier."""

    till = models.ForeignKey(Till, verbose_name=_("till"), on_delete=models.PROTECT,
                             related_name="shifts")
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cashier"),
                                on_delete=models.PROTECT, related_name="shifts")
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opening_float = models.DecimalField(_("float"), max_digits=12, decimal_places=2)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    # At close: what the books say the drawer holds, what was counted, and the difference.
    expected_cash = models.DecimalField(_("expected cash"), max_digits=14, decimal_places=2,
                                        null=True, blank=True)
    counted_cash = models.DecimalField(_("counted cash"), max_digits=14, decimal_places=2,
                                       null=True, blank=True)
    variance = models.DecimalField(_("variance"), max_digits=14, decimal_places=2, null=True,
                                   blank=True)
    # The count by denomination when the cashier counted that way: {"20000": 3, "500": 7, …}.
    denominations = models.JSONField(_("count by denomination"), default=dict, blank=True)
    close_note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["till"], condition=Q(closed_at__isnull=True),
                                    name="shift_one_open_per_till"),
            models.UniqueConstraint(fields=["cashier"], condition=Q(closed_at__isnull=True),
                                    name="shift_one_open_per_cashier"),
            models.CheckConstraint(condition=Q(opening_float__gte=0),
                                   name="shift_float_not_negative"),
            models.CheckConstraint(condition=Q(counted_cash__isnull=True) | Q(counted_cash__gte=0),
                                   name="shift_counted_not_negative"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | Q(expected_cash__isnull=False, counted_cash__isnull=False,
                    variance__isnull=False),
                name="shift_closed_is_counted"),
        ]

    def __str__(self):
        return f"{self.till} · {self.number}"

    @property
    def number(self) -> str:
        return f"#{self.pk:05d}" if self.pk else "—"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CashMovement(models.Model):
    """Cash put into the drawer or taken out of it during a shift, with a reason (a change fund
    topped up, cash handed to the owner, a supplier paid from the drawer)."""

    class Kind(models.TextChoices):
        IN = "in", _("Cash in")
        OUT = "out", _("Cash out")

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"),
                           on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("cash in or out")
        verbose_name_plural = _("cash in and out")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cash_movement_positive"),
            models.CheckConstraint(condition=Q(kind__in=["in", "out"]),
                                   name="cash_movement_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class TillSale(models.Model):
    """What the counter adds to a counter sale's order: the shift it was rung up in, and for
    cash, what the customer handed over and the change given."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT,
                                 related_name="till_sale")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="sales")
    tendered = models.DecimalField(_("tendered"), max_digits=14, decimal_places=2, default=0)
    change = models.DecimalField(_("change"), max_digits=14, decimal_places=2, default=0)
    # What the cash taken differs from the exact cash due, rounded to the store's step
    # (TILL_CASH_ROUNDING: 1 ₸ when tiyn are not handed out): 1 234,40 ₸ taken as 1 234 ₸ is
    # −0,40 ₸. The order and its payments keep the exact sums; the drawer counts this.
    rounding = models.DecimalField(_("cash rounding"), max_digits=8, decimal_places=2,
                                   default=0)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("counter sale")
        verbose_name_plural = _("counter sales")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(tendered__gte=0) & Q(change__gte=0),
                                   name="till_sale_cash_not_negative"),
        ]

    def __str__(self):
        return str(self.order_id)


class TillPayment(models.Model):
    """Money through the till in one method: a sale's part (positive) or a return's refund
    (negative). A split sale has one row per method. The drawer's expected cash is the float +
    cash rows ± cash in and out."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        KASPI = "kaspi", _("Kaspi QR")

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="payments")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT,
                              related_name="till_payments")
    order_return = models.ForeignKey("orders.OrderReturn", on_delete=models.PROTECT,
                                     related_name="till_payments", null=True, blank=True)
    method = models.CharField(_("payment"), max_length=8, choices=Method.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("till payment")
        verbose_name_plural = _("till payments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=["cash", "card", "kaspi"]),
                                   name="till_payment_method_valid"),
            # A sale's part is positive, a refund negative.
            models.CheckConstraint(condition=Q(order_return__isnull=True, amount__gt=0)
                                   | Q(order_return__isnull=False, amount__lt=0),
                                   name="till_payment_sign"),
        ]
        indexes = [models.Index(fields=["shift", "method"], name="till_payment_shift_method")]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount}"
