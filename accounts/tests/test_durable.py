"""Services that are a whole act of their own refuse to run inside someone else's transaction
(`atomic(durable=True)`): a caller's rollback must not undo half of them, and what they do after
the commit (end sessions, keep a charge) must not wait on another's work."""

from decimal import Decimal

import pytest
from django.db import transaction

from accounts import staff_services
from accounts.models import WalletEntry
from accounts.payments import DemoGateway
from accounts.wallet_services import wallet_credit, wallet_topup, wallet_topup_record

pytestmark = pytest.mark.django_db


def test_a_top_up_refuses_to_run_inside_another_transaction(shopper):
    with pytest.raises(RuntimeError), transaction.atomic():
        wallet_topup(user=shopper, amount=Decimal("500"), gateway=DemoGateway())
    assert not WalletEntry.objects.filter(wallet__user=shopper,
                                          kind=WalletEntry.Kind.TOPUP).exists()


def test_a_top_up_on_its_own_is_paid_and_its_record_composes(shopper):
    entry = wallet_topup(user=shopper, amount=Decimal("500"), gateway=DemoGateway())
    assert entry.amount == Decimal("500.00") and entry.reference.startswith("topup:demo-")
    with transaction.atomic():  # the inner step runs in the caller's transaction
        seeded = wallet_topup_record(user=shopper, amount=Decimal("250.005"), reason="seed",
                                     reference="demo-1")
    assert seeded.amount == Decimal("250.01") and seeded.reference == "topup:demo-1"


def test_an_admin_credit_refuses_to_run_inside_another_transaction(shopper, admin_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        wallet_credit(user=shopper, amount=Decimal("100"), reason="goodwill", by=admin_user)


@pytest.mark.parametrize("call", [
    lambda user, admin: staff_services.user_role_change(user=user, role="seller", by=admin),
    lambda user, admin: staff_services.user_block(user=user, reason="spam", by=admin),
    lambda user, admin: staff_services.user_unblock(user=user, by=admin),
    lambda user, admin: staff_services.user_delete(user=user, by=admin),
])
def test_user_administration_refuses_to_run_inside_another_transaction(call, shopper,
                                                                       admin_user):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        call(shopper, admin_user)
