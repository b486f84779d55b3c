"""What the till's pages show of fiscal documents: a receipt's fiscal block, and the till's
warnings (receipts still waiting; a register unreachable for long, before the law's limit)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .backends import is_enabled
from .models import FiscalDocument
from .qr import qr_data_url

State = FiscalDocument.State


def receipt_block(kind: str, obj) -> dict | None:
    """The fiscal block of a sale's (`obj` an Order) or a return's receipt, or None when the
    store prints fiscal receipts on its own register (FISCAL_BACKEND="none")."""
    if not is_enabled():
        return None
    field = "order_return" if kind == "return" else "order"
    kinds = [FiscalDocument.Kind.RETURN] if kind == "return" else [FiscalDocument.Kind.SALE]
    document = FiscalDocument.objects.filter(**{field: obj}, kind__in=kinds).first()
    if document is None or document.state == State.PENDING:
        return {"state": "pending"}
    if document.state == State.FAILED:
        return {"state": "failed"}
    return {"state": "sent", "sign": document.fiscal_sign, "number": document.fiscal_number,
            "qr_url": document.qr_url,
            "qr": qr_data_url(document.qr_url) if document.qr_url else "",
            "when": document.sent_at, "register": settings.FISCAL_REGISTER_NUMBER}


def oldest_waiting(till) -> FiscalDocument | None:
    return (FiscalDocument.objects.filter(till=till, state=State.PENDING)
            .order_by("pk").only("pk", "created_at").first())


def till_notices(till) -> list[dict]:
    """The till page's warnings: how many documents wait for the register, and, when the oldest
    has waited FISCAL_OFFLINE_WARN_HOURS, that the law's 72 hours are near."""
    if not is_enabled():
        return []
    documents = FiscalDocument.objects.filter(till=till)
    waiting = documents.filter(state=State.PENDING).count()
    refused = documents.filter(state=State.FAILED).count()
    notices = []
    if waiting:
        oldest = oldest_waiting(till)
        hours = (timezone.now() - oldest.created_at) / timedelta(hours=1)
        if hours >= settings.FISCAL_OFFLINE_WARN_HOURS:
            notices.append({"level": "danger", "text": _(
                "The fiscal register has not answered for %(hours)d hours: the law allows "
                "72 hours offline. Call the register's provider now.") % {"hours": hours}})
        notices.append({"level": "warning", "text": ngettext(
            "%(count)d receipt is waiting for the fiscal register.",
            "%(count)d receipts are waiting for the fiscal register.", waiting)
            % {"count": waiting}})
    if refused:
        notices.append({"level": "danger", "text": ngettext(
            "The fiscal register refused %(count)d receipt: see Fiscal documents in admin.",
            "The fiscal register refused %(count)d receipts: see Fiscal documents in admin.",
            refused) % {"count": refused}})
    return notices


def registers_away() -> list[dict]:
    """The tills whose oldest unsent fiscal document has waited FISCAL_OFFLINE_WARN_HOURS or
    more (the dashboard's warning, one query): [{"till": name, "hours": n, "waiting": count}]."""
    if not is_enabled():
        return []
    since = timezone.now() - timedelta(hours=settings.FISCAL_OFFLINE_WARN_HOURS)
    rows = (FiscalDocument.objects.filter(state=State.PENDING).values("till__name")
            .annotate(oldest=Min("created_at"), waiting=Count("id"))
            .filter(oldest__lte=since).order_by("till__name"))
    now = timezone.now()
    return [{"till": row["till__name"], "waiting": row["waiting"],
             "hours": int((now - row["oldest"]) / timedelta(hours=1))} for row in rows]
