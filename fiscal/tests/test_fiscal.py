"""Fiscal receipts end to end: the till's sale, return, cash movement and shift close are
recorded with the sale, sent after the commit from the queue to the (fake) Kassa24 register,
retried while it is away, fiscalised once each and in order, and printed with sign and QR."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import UserFactory
from fiscal.models import FiscalDocument
from jobs.models import Job
from orders.returns import ReturnItem
from orders.services import OrderItem
from orders.tests.factories import product_in_stock
from till.models import Till
from till.services import (PaymentPart, shift_cash, shift_close, shift_open, till_return,
                           till_sell)

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
State = FiscalDocument.State


def run_worker():
    """What `manage.py db_worker --batch` does: every task that is due, then stop."""
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="test-worker",
           excluded_queue_names=[]).run()


def a_while_later():
    """The retries' backoff has passed (as if the clock moved on), the later retries due first:
    the worker picks the latest sale's job before the earliest's, and order must still hold."""
    now = timezone.now()
    waiting = list(DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at", "-pk"))
    for position, result in enumerate(waiting):
        result.run_after = now - timedelta(seconds=len(waiting) - position)
        result.save(update_fields=["run_after"])
    Job.objects.exclude(next_attempt_at=None).update(next_attempt_at=now)


@pytest.fixture
def shift(cashier):
    return shift_open(till=Till.objects.create(name="Касса 1"), by=cashier, opening_float="5000")


@pytest.fixture
def milk(seller):
    return product_in_stock("50", seller=seller, price=D("450.00"), cost_price=D("300.00"))


def sell(shift, cashier, product, quantity="1", method="cash"):
    total = product.price * D(quantity)
    return till_sell(shift=shift, by=cashier, items=[OrderItem(product.pk, D(quantity))],
                     payments=[PaymentPart(method, total)], expected_total=total,
                     idempotency_key=uuid.uuid4())


def give_back(shift, cashier, order, quantity="1"):
    line = order.lines.get()
    return till_return(shift=shift, by=cashier, order=order,
                       items=[ReturnItem(line.pk, D(quantity))], refund="cash",
                       idempotency_key=uuid.uuid4())


def test_with_no_backend_nothing_is_queued_and_the_receipt_says_the_store_prints_it(
        settings, shift, cashier, milk, cashier_client):
    settings.FISCAL_BACKEND = "none"
    order = sell(shift, cashier, milk)
    assert not FiscalDocument.objects.exists() and not Job.objects.exists()
    page = cashier_client.get(f"/till/receipts/{order.pk}/").content.decode()
    assert 'data-fiscal-state="store"' in page and "printed by the store" in page


def test_a_sale_and_a_return_at_the_till_print_the_registers_sign_and_qr(
        register, shift, cashier, milk, cashier_client):
    order = sell(shift, cashier, milk, "2")
    returned = give_back(shift, cashier, order)
    page = cashier_client.get(f"/till/receipts/{order.pk}/").content.decode()
    assert 'data-fiscal-state="pending"' in page and "waiting for the register" in page
    assert register.requests == []  # the sale did not wait for the register

    run_worker()

    sale_doc, return_doc = FiscalDocument.objects.order_by("pk")
    assert (sale_doc.kind, sale_doc.state, return_doc.kind, return_doc.state) == (
        "sale", State.SENT, "return", State.SENT)
    assert [c["operation"] for c in register.fiscalised] == ["sell", "sell-return"]
    sold = register.fiscalised[0]["body"]
    assert sold["Total"] == "900.00" and sold["Payments"] == [{"Type": 0, "Sum": "900.00"}]
    assert sold["Positions"][0]["Count"] == "2" and sold["Positions"][0]["Price"] == "450.00"
    assert register.fiscalised[1]["body"]["Total"] == "450.00"

    for url, document in ((f"/till/receipts/{order.pk}/", sale_doc),
                          (f"/till/receipts/return/{returned.pk}/", return_doc)):
        page = cashier_client.get(url).content.decode()
        assert 'data-fiscal-state="sent"' in page
        assert f'<td class="slip-num" id="fiscal-sign">{document.fiscal_sign}</td>' in page
        assert f'id="fiscal-number">{document.fiscal_number}</td>' in page
        assert 'id="fiscal-qr"' in page and "data:image/svg+xml" in page
        assert document.qr_url.startswith("https://consumer.oofd.kz/?i=") and "010100012345" in page
    pdf = cashier_client.get(f"/till/receipts/{order.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_register_down_for_a_while_then_every_receipt_is_fiscalised_once_in_order(
        register, settings, shift, cashier, milk):
    settings.JOBS_RETRY_BASE_SECONDS = 60
    register.mode = "down"
    first = sell(shift, cashier, milk)
    shift_cash(shift=shift, by=cashier, kind="in", amount="1000", reason="Размен")
    second = sell(shift, cashier, milk, "3", method="card")
    give_back(shift, cashier, first)
    run_worker()  # every attempt meets a 503: nothing fiscalised, nothing lost
    assert register.fiscalised == []
    assert set(FiscalDocument.objects.values_list("state", flat=True)) == {State.PENDING}
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.RETRYING}
    third = sell(shift, cashier, milk)  # the till sells on while the register is away
    closed = shift_close(shift=shift, by=cashier, counted_cash="6350")
    assert third.pk and closed.closed_at

    register.mode = "up"
    a_while_later()
    run_worker()

    documents = list(FiscalDocument.objects.order_by("pk"))
    assert [d.kind for d in documents] == ["sale", "cash_in", "sale", "return", "sale", "z"]
    assert all(d.state == State.SENT for d in documents)
    assert register.uids() == [str(d.uid) for d in documents]  # once each, in order
    assert [c["operation"] for c in register.fiscalised] == [
        "sell", "cash-in", "sell", "sell-return", "sell", "z-report"]
    assert register.fiscalised[2]["body"]["Payments"] == [{"Type": 1, "Sum": "1350.00"}]
    assert {d.order_id for d in documents if d.kind == "sale"} == {first.pk, second.pk, third.pk}
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}


def test_an_answer_lost_after_the_register_fiscalised_is_resent_with_the_same_uid_once(
        register, settings, shift, cashier, milk):
    settings.JOBS_RETRY_BASE_SECONDS = 60
    register.mode = "lose_answer"  # it registers the check, the answer comes after our timeout
    sell(shift, cashier, milk)
    run_worker()
    document = FiscalDocument.objects.get()
    assert document.state == State.PENDING and "timed out" in document.last_error
    assert len(register.fiscalised) == 1

    register.mode = "up"
    a_while_later()
    run_worker()
    document.refresh_from_db()
    assert document.state == State.SENT and document.attempts == 2
    assert len(register.fiscalised) == 1  # the provider's duplicate guard: one receipt
    sent = [uid for path, uid in register.requests if path.endswith("/sell")]
    assert sent == [str(document.uid), str(document.uid)]
    assert document.fiscal_sign == register.fiscalised[0]["answer"]["Data"]["FiscalSign"]


def test_a_replayed_sale_records_one_fiscal_document(register, shift, cashier, milk):
    key = uuid.uuid4()
    for _ in range(2):
        till_sell(shift=shift, by=cashier, items=[OrderItem(milk.pk, D("1"))],
                  payments=[PaymentPart("cash", D("450"))], expected_total=D("450"),
                  idempotency_key=key)
    assert FiscalDocument.objects.count() == 1 and Job.objects.count() == 1
    run_worker()
    assert len(register.fiscalised) == 1


def test_a_sale_that_rolls_back_leaves_no_fiscal_document(register, shift, cashier, milk):
    with pytest.raises(RuntimeError), transaction.atomic():
        sell(shift, cashier, milk)
        raise RuntimeError("the power went")
    assert not FiscalDocument.objects.exists() and not Job.objects.exists()


def test_a_document_the_register_refuses_is_failed_and_the_next_ones_go_on(
        register, shift, cashier, milk):
    order = sell(shift, cashier, milk)
    FiscalDocument.objects.filter(order=order).update(uid=uuid.uuid4())
    order.lines.update(line_total=D("449.00"))  # no longer price × quantity: the fake says 400
    sell(shift, cashier, milk)
    run_worker()
    refused, sent = FiscalDocument.objects.order_by("pk")
    assert refused.state == State.FAILED and "цене" in refused.last_error
    assert sent.state == State.SENT and len(register.fiscalised) == 1


def test_the_till_warns_of_waiting_receipts_and_of_a_register_away_for_long(
        register, settings, shift, cashier, milk, cashier_client):
    register.mode = "down"
    settings.JOBS_RETRY_BASE_SECONDS = 60
    sell(shift, cashier, milk)
    sell(shift, cashier, milk)
    run_worker()
    page = cashier_client.get(f"/till/shift/{shift.pk}/").content.decode()
    assert "2 receipts are waiting for the fiscal register." in page
    assert "72 hours" not in page
    FiscalDocument.objects.update(created_at=timezone.now() - timedelta(hours=49))
    page = cashier_client.get(f"/till/shift/{shift.pk}/").content.decode()
    assert "The fiscal register has not answered for 49 hours" in page


def test_the_cashier_asks_the_register_for_an_x_report_once_per_click(
        register, shift, cashier, cashier_client):
    page = cashier_client.get(f"/till/shift/{shift.pk}/report/").content.decode()
    assert 'id="fiscal-x-form"' in page
    key = str(uuid.uuid4())
    for _ in range(2):  # a double click
        answer = cashier_client.post(f"/fiscal/shift/{shift.pk}/x-report/", {"key": key})
        assert answer.status_code == 302
    assert cashier_client.get(f"/fiscal/shift/{shift.pk}/x-report/").status_code == 405
    run_worker()
    assert [c["operation"] for c in register.fiscalised] == ["x-report"]
    assert FiscalDocument.objects.get().state == State.SENT


def test_another_cashiers_shift_answers_404_for_the_x_report(register, shift, db):
    other = UserFactory(role="cashier", username="cashier_b")
    client = Client()
    client.force_login(other)
    assert client.post(f"/fiscal/shift/{shift.pk}/x-report/", {"key": str(uuid.uuid4())}
                       ).status_code == 404
    assert not FiscalDocument.objects.exists()


def test_the_dashboard_flags_a_register_away_for_long(register, settings, shift, cashier, milk,
                                                      admin_client):
    register.mode = "down"
    settings.JOBS_RETRY_BASE_SECONDS = 60
    sell(shift, cashier, milk)
    run_worker()
    admin_client.cookies["django_language"] = "en"
    assert 'id="fiscal-away"' not in admin_client.get("/analytics/dashboard/").content.decode()
    FiscalDocument.objects.update(created_at=timezone.now() - timedelta(hours=50))
    page = admin_client.get("/analytics/dashboard/").content.decode()
    assert 'id="fiscal-away"' in page and "has not answered for 50 hours" in page


def test_a_fiscal_job_keeps_trying_past_the_laws_72_hours(register, settings, shift, cashier, milk):
    from jobs.services import retry_delay

    settings.JOBS_RETRY_BASE_SECONDS, settings.JOBS_RETRY_MAX_SECONDS = 30, 3600
    sell(shift, cashier, milk)
    job = Job.objects.get()
    waits = sum((retry_delay(n) for n in range(1, job.max_attempts)), timedelta(0))
    assert waits >= timedelta(hours=72) and job.max_attempts < 200


def test_an_expired_token_is_renewed_and_a_wrong_password_keeps_the_receipt_waiting(
        register, settings, shift, cashier, milk):
    settings.JOBS_RETRY_BASE_SECONDS = 60
    sell(shift, cashier, milk)
    run_worker()
    register.tokens.clear()  # the provider's token expired
    sell(shift, cashier, milk)
    run_worker()
    assert len(register.fiscalised) == 2
    logins = [path for path, _uid in register.requests if path == "/auth/login"]
    assert len(logins) == 2
    register.tokens.clear()
    settings.FISCAL_KASSA24_PASSWORD = "wrong"
    sell(shift, cashier, milk)
    run_worker()
    waiting = FiscalDocument.objects.order_by("pk").last()
    assert waiting.state == State.PENDING and "login refused: 401" in waiting.last_error
