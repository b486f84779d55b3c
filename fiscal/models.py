"""One row per operation the cloud register must fiscalise (docs/fiscal.md): a sale, a return,
cash in or out, a Z report. Recorded in the till's own transaction (till.hooks), sent after the
commit from the queue; `key` (the sale's, the return's own idempotency key, or the movement's
or shift's id) is unique, so an operation is fiscalised once, and it is also what the provider
is given as its own duplicate guard (Kassa24's Uid header)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class FiscalDocument(models.Model):
    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        RETURN = "return", _("Return")
        CASH_IN = "cash_in", _("Cash in")
        CASH_OUT = "cash_out", _("Cash out")
        X = "x", _("X report")
        Z = "z", _("Z report")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the register")
        SENT = "sent", _("Fiscalised")
        FAILED = "failed", _("Refused by the register")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=80, unique=True)
    # What the provider is told to recognise a resubmission by (a UUID, as Kassa24's Uid).
    uid = models.UUIDField(_("request id"), default=uuid.uuid4, unique=True, editable=False)
    till = models.ForeignKey("till.Till", verbose_name=_("till"), on_delete=models.PROTECT,
                             related_name="fiscal_documents")
    shift = models.ForeignKey("till.Shift", verbose_name=_("shift"), on_delete=models.PROTECT,
                              related_name="fiscal_documents")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="fiscal_documents")
    order_return = models.ForeignKey("orders.OrderReturn", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="fiscal_documents")
    cash_movement = models.ForeignKey("till.CashMovement", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="fiscal_documents")
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    fiscal_sign = models.CharField(_("fiscal sign"), max_length=64, blank=True)
    fiscal_number = models.CharField(_("fiscal number"), max_length=64, blank=True)
    qr_url = models.URLField(_("receipt link (QR)"), max_length=500, blank=True)
    answer = models.JSONField(_("the register's answer"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("fiscalised at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("fiscal document")
        verbose_name_plural = _("fiscal documents")
        indexes = [models.Index(fields=["till", "state", "id"], name="fiscal_till_state")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"
