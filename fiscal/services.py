"""Recording fiscal documents in the till's transaction, and sending them from the queue.

`on_till_event` answers till.hooks.till_event: it writes a FiscalDocument and queues its job
(jobs.services.enqueue_after_commit), both in the sale's transaction: a sale that rolls back
leaves neither, a sale that commits leaves both, and nothing remote happens before the commit.
With FISCAL_BACKEND="none" it records nothing (the store's own register prints the receipt).

`document_send` runs in the worker. A register must fiscalise a till's operations in the order
they happened, so it first sends every earlier unsent document of the same till, oldest first,
holding the till's row locked (two workers never send one till's documents at once). A
register that does not answer raises: the job is retried with backoff, and since later jobs
of that till send the earlier documents first, nothing overtakes. A document already sent is
never sent again; the provider's duplicate guard (the document's Uid) covers the one case we
cannot see: the register fiscalised it but its answer was lost."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jobs.services import enqueue_after_commit, retry_delay
from till.models import CashMovement, Till

from .backends import RegisterRefused, RegisterUnavailable, get_backend, is_enabled
from .models import FiscalDocument

Kind = FiscalDocument.Kind
State = FiscalDocument.State
# A fiscal job keeps trying past the law's 72 hours offline (the queue's usual attempts give up
# within the hour): by then a person has been warned (FISCAL_OFFLINE_WARN_HOURS).
RETRY_SPAN = timedelta(hours=96)


def max_attempts() -> int:
    """Attempts enough for the retries' backoff (jobs.services.retry_delay) to span RETRY_SPAN."""
    attempts, waited = 1, timedelta(0)
    while waited < RETRY_SPAN and attempts < 10000:
        waited += retry_delay(attempts)
        attempts += 1
    return attempts


def _record(*, kind: str, key: str, shift, **links) -> FiscalDocument:
    document, created = FiscalDocument.objects.get_or_create(
        key=key, defaults={"kind": kind, "till_id": shift.till_id, "shift": shift, **links})
    if created:
        enqueue_after_commit(fiscal_document_send, document.pk, key=f"fiscal:{document.pk}",
                             max_attempts=max_attempts())
    return document


def on_till_event(sender, *, kind: str, **objects) -> None:
    if not is_enabled():
        return
    if kind == "sale":
        order = objects["order"]
        _record(kind=Kind.SALE, key=f"sale:{order.idempotency_key}",
                shift=order.till_sale.shift, order=order)
    elif kind == "return":
        returned = objects["order_return"]
        refund = returned.till_payments.select_related("shift").first()
        if refund is None:  # refunded to the wallet: no money over the counter, no receipt
            return
        _record(kind=Kind.RETURN, key=f"return:{returned.idempotency_key}", shift=refund.shift,
                order=returned.order, order_return=returned)
    elif kind == "cash":
        movement = objects["movement"]
        _record(kind=Kind.CASH_IN if movement.kind == CashMovement.Kind.IN else Kind.CASH_OUT,
                key=f"cash:{movement.pk}", shift=movement.shift, cash_movement=movement)
    elif kind == "z":
        shift = objects["shift"]
        _record(kind=Kind.Z, key=f"z:{shift.pk}", shift=shift)


def x_report_request(*, shift, key) -> FiscalDocument:
    """Ask the register for an X report of `shift` (a cashier's button; `key` from the form)."""
    with transaction.atomic():
        return _record(kind=Kind.X, key=f"x:{key}", shift=shift)


@task()
def fiscal_document_send(document_id: int) -> None:
    document_send(document_id)


def document_send(document_id: int) -> None:
    """Fiscalise the document and every earlier unsent one of its till, in order."""
    till_id = FiscalDocument.objects.values_list("till_id", flat=True).get(pk=document_id)
    backend = get_backend()
    error = None
    with transaction.atomic():
        Till.objects.select_for_update().get(pk=till_id)
        queue = (FiscalDocument.objects.filter(till_id=till_id, state=State.PENDING,
                                               pk__lte=document_id)
                 .select_related("order", "order_return", "cash_movement").order_by("pk"))
        for document in queue:
            error = _send_one(backend, document)
            if error is not None:
                break  # the register is away: the later ones wait for it, in order
    if error is not None:
        raise error  # after the attempts are recorded: the job retries with backoff


def _send_one(backend, document: FiscalDocument) -> RegisterUnavailable | None:
    document.attempts += 1
    try:
        answer = backend.send(document)
    except RegisterUnavailable as error:
        document.last_error = str(error)[:2000]
        document.save(update_fields=["attempts", "last_error"])
        return error
    except RegisterRefused as error:
        document.state, document.last_error = State.FAILED, str(error)[:2000]
        document.save(update_fields=["attempts", "state", "last_error"])
        return None
    document.state, document.sent_at = State.SENT, timezone.now()
    document.fiscal_sign, document.fiscal_number = answer.fiscal_sign, answer.fiscal_number
    document.qr_url, document.answer, document.last_error = answer.qr_url, answer.raw, ""
    document.save()
    return None
