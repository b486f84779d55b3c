import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SHOPPER = "shopper", _("Shopper")
    SELLER = "seller", _("Seller")
    CASHIER = "cashier", _("Cashier")
    ADMIN = "admin", _("Admin")


class BibarysUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `manage.py createsuperuser` makes a store admin.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who uses the store. The role says what they may do (DOMAIN.md, Permissions)."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SHOPPER)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("default delivery address"), max_length=255, blank=True)
    # Blocking and closing keep the row (history points at it); see accounts/staff_services.py.
    blocked_at = models.DateTimeField(_("blocked"), null=True, blank=True)
    block_reason = models.CharField(_("block reason"), max_length=255, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = BibarysUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
        ]

    def save(self, *args, **kwargs):
        # Admins are staff for Django admin; the role is the one source of truth.
        self.is_staff = self.role == Role.ADMIN
        if self.is_superuser and self.role != Role.ADMIN:
            self.is_superuser = False
        if kwargs.get("update_fields") is not None and "role" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff", "is_superuser"}
        super().save(*args, **kwargs)

    @property
    def is_shopper(self) -> bool:
        return self.role == Role.SHOPPER

    @property
    def is_seller(self) -> bool:
        return self.role == Role.SELLER

    @property
    def is_cashier(self) -> bool:
        return self.role == Role.CASHIER

    @property
    def can_use_till(self) -> bool:
        """Cashiers, sellers and admins sell at the counter (DOMAIN.md, the till)."""
        return self.role in (Role.CASHIER, Role.SELLER, Role.ADMIN)

    @property
    def handles_orders(self) -> bool:
        """Who moves online orders along (confirm, ready, complete): cashiers, sellers, admins."""
        return self.role in (Role.CASHIER, Role.SELLER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff_member(self) -> bool:
        """Sellers and admins: the people who work in the back office."""
        return self.role in (Role.SELLER, Role.ADMIN)

    @property
    def status(self) -> str:
        """"active", "blocked" or "closed" (an anonymised account)."""
        if self.closed_at:
            return "closed"
        return "active" if self.is_active else "blocked"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Wallet(models.Model):
    """A user's balance in tenge. Changed only by accounts.services.wallet_post."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wallet"
    )
    balance = models.DecimalField(
        _("balance"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="wallet_balance_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.balance}"


class WalletEntry(models.Model):
    """One row of the wallet ledger. The balance always equals the sum of its entries."""

    class Kind(models.TextChoices):
        TOPUP = "topup", _("Top-up")
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        CREDIT = "credit", _("Admin credit")
        CASHBACK = "cashback", _("Cashback")

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(_("balance after"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # A document this entry belongs to, e.g. "order:42" or "topup:demo-…".
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("wallet entry")
        verbose_name_plural = _("wallet entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="wallet_entry_not_zero"),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="wallet_entry_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["topup", "refund", "credit", "cashback"], amount__gt=0)
                    | models.Q(kind="payment", amount__lt=0)
                ),
                name="wallet_entry_sign_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class AuditEntry(models.Model):
    """Who did what to which object, when, from where, with the fields that changed.
    Written only by accounts.audit.audit_record, in the same transaction as the change; never
    edited or deleted from the UI."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    # The object acted on, as "app_label.model" and primary key, plus a readable label kept
    # even if the object is later erased.
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255)
    # {"field": [before, after], ...} for the fields that changed; other details for the rest.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-created_at"],
                                name="audit_object_time")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"


class CardPayment(models.Model):
    """One card payment through the online gateway (accounts/payments.py): a wallet top-up or
    an online order. Created before the shopper is sent to the provider's page; paid only by
    the provider's signed notification, checked against this row's amount and currency."""

    class Purpose(models.TextChoices):
        TOPUP = "topup", _("Wallet top-up")
        ORDER = "order", _("Order")

    class Status(models.TextChoices):
        CREATED = "created", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Not paid")
        REFUNDING = "refunding", _("Refund queued")
        REFUNDED = "refunded", _("Refunded")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shopper"),
                             on_delete=models.PROTECT, related_name="card_payments")
    purpose = models.CharField(_("purpose"), max_length=8, choices=Purpose.choices)
    # What is paid for, in the words of the app above that owns it ("order:42"); empty for a
    # top-up. accounts does not import orders (README, "Layout").
    subject = models.CharField(_("paid for"), max_length=64, blank=True, db_index=True)
    provider = models.CharField(_("provider"), max_length=32)
    # Our number of the payment, sent to the provider as its order id (pg_order_id).
    invoice = models.UUIDField(_("invoice"), default=uuid.uuid4, unique=True, editable=False)
    # The provider's payment id: unique, so one provider payment is credited once.
    provider_payment_id = models.CharField(_("provider's payment id"), max_length=64,
                                           null=True, blank=True, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="KZT")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.CREATED, db_index=True)
    redirect_url = models.URLField(_("payment page"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("card payment")
        verbose_name_plural = _("card payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0),
                                              name="card_payment_amount_positive")]

    def __str__(self):
        return f"{self.provider} {self.invoice} {self.amount} {self.status}"
