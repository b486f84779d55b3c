"""Admin actions on people: role change, block, unblock, delete or anonymise, the last-admin
rule, and one audit entry per action with the right before/after values."""

import threading
from decimal import Decimal
from importlib import import_module

import pytest
from django.utils import translation
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test import Client

from accounts import staff_services as services
from accounts.models import AuditEntry, Role, User, Wallet, WalletEntry
from accounts.services import wallet_for, wallet_post
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _entries(user, action=None):
    entries = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk))
    return entries.filter(action=action) if action else entries


# --- role ------------------------------------------------------------------------------------

def test_user_role_change_sets_role_and_writes_one_audit_entry(admin_user, shopper):
    services.user_role_change(user=shopper, role=Role.SELLER, by=admin_user)
    shopper.refresh_from_db()
    assert shopper.role == Role.SELLER and not shopper.is_staff
    [entry] = _entries(shopper)
    assert entry.action == "user.role_change"
    assert entry.actor == admin_user
    assert entry.changes == {"role": ["shopper", "seller"]}


def test_user_role_change_to_admin_makes_staff(admin_user, seller):
    services.user_role_change(user=seller, role=Role.ADMIN, by=admin_user)
    seller.refresh_from_db()
    assert seller.is_admin and seller.is_staff


def test_admin_cannot_demote_themselves_even_with_another_admin(admin_user):
    UserFactory(role=Role.ADMIN, username="admin_b")
    with pytest.raises(services.UserActionRefused) as error:
        services.user_role_change(user=admin_user, role=Role.SELLER, by=admin_user)
    assert error.value.code == "self"
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert not AuditEntry.objects.exists()


def test_the_last_active_admin_cannot_be_demoted(admin_user):
    # A blocked second admin does not count: the store needs an admin who can log in.
    other = UserFactory(role=Role.ADMIN, username="admin_b")
    services.user_block(user=other, reason="holiday", by=admin_user)
    other.refresh_from_db()
    services.user_unblock(user=other, by=admin_user)
    # Now two active admins: the other one demotes admin_a, after which admin_b is the last.
    services.user_role_change(user=admin_user, role=Role.SELLER, by=other)
    third = UserFactory(role=Role.ADMIN, username="admin_c")
    services.user_block(user=third, reason="left the store", by=other)
    with pytest.raises(services.UserActionRefused):
        services.user_role_change(user=other, role=Role.SHOPPER, by=other)
    other.refresh_from_db()
    assert other.role == Role.ADMIN


def test_a_demoted_admin_can_no_longer_act(admin_user):
    other = UserFactory(role=Role.ADMIN, username="admin_b")
    services.user_role_change(user=other, role=Role.SELLER, by=admin_user)
    victim = UserFactory(username="victim")
    with pytest.raises(services.UserActionRefused) as error:
        services.user_block(user=victim, reason="x", by=other)
    assert error.value.code == "not_admin"


def test_unknown_role_is_refused_and_nothing_changes(admin_user, shopper):
    with pytest.raises(services.UserActionRefused):
        services.user_role_change(user=shopper, role="owner", by=admin_user)
    shopper.refresh_from_db()
    assert shopper.role == Role.SHOPPER and not AuditEntry.objects.exists()


# --- block / unblock -------------------------------------------------------------------------

def test_user_block_deactivates_ends_sessions_and_records_reason(admin_user, shopper, seller,
                                                                  django_capture_on_commit_callbacks):
    shopper_browser, seller_browser = Client(), Client()
    shopper_browser.force_login(shopper)
    seller_browser.force_login(seller)
    with django_capture_on_commit_callbacks(execute=True):
        services.user_block(user=shopper, reason="  chargeback fraud ", by=admin_user)
    shopper.refresh_from_db()
    assert not shopper.is_active and shopper.block_reason == "chargeback fraud"
    assert shopper.blocked_at is not None
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(shopper.pk) not in remaining and str(seller.pk) in remaining
    # Sessions are read through the cache (cached_db): the cached copy signs no one in either;
    # it keeps only why it ended, for the browser's next click (accounts.middleware).
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert settings.SESSION_ENGINE.endswith("cached_db")
    assert cache.get(store.cache_key_prefix + shopper_browser.session.session_key) == {
        "bibarys_signed_out": "blocked"}
    assert cache.get(store.cache_key_prefix + seller_browser.session.session_key) is not None
    [entry] = _entries(shopper)
    assert entry.action == "user.block"
    assert entry.changes == {"is_active": [True, False], "block_reason": ["", "chargeback fraud"]}


def test_user_block_requires_a_reason(admin_user, shopper):
    with pytest.raises(services.UserActionRefused):
        services.user_block(user=shopper, reason="   ", by=admin_user)
    shopper.refresh_from_db()
    assert shopper.is_active and not AuditEntry.objects.exists()


def test_admin_cannot_block_themselves(admin_user):
    UserFactory(role=Role.ADMIN, username="admin_b")
    with pytest.raises(services.UserActionRefused) as error:
        services.user_block(user=admin_user, reason="oops", by=admin_user)
    assert error.value.code == "self"
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_last_active_admin_cannot_be_blocked_or_deleted(admin_user):
    other = UserFactory(role=Role.ADMIN, username="admin_b")
    services.user_role_change(user=admin_user, role=Role.SELLER, by=other)
    boss = UserFactory(role=Role.ADMIN, username="admin_c")
    services.user_block(user=boss, reason="test", by=other)
    services.user_unblock(user=boss, by=other)
    services.user_role_change(user=boss, role=Role.SHOPPER, by=other)
    # `other` is now the only active admin; a second admin who is blocked cannot save them.
    blocked = UserFactory(role=Role.ADMIN, username="admin_d", is_active=False)
    for action in (lambda: services.user_block(user=other, reason="x", by=blocked),
                   lambda: services.user_delete(user=other, by=blocked)):
        with pytest.raises(services.UserActionRefused):
            action()
    other.refresh_from_db()
    assert other.is_active and other.role == Role.ADMIN
    assert services.user_action_refusal(action="block", user=other, by=blocked)


def test_user_unblock_restores_login_and_records_before_after(admin_user, shopper):
    services.user_block(user=shopper, reason="spam", by=admin_user)
    services.user_unblock(user=shopper, by=admin_user, reason="apologised")
    shopper.refresh_from_db()
    assert shopper.is_active and shopper.block_reason == "" and shopper.blocked_at is None
    entry = _entries(shopper, "user.unblock").get()
    assert entry.changes == {"is_active": [False, True], "block_reason": ["spam", ""],
                             "reason": "apologised"}
    assert _entries(shopper).count() == 2
    assert Client().login(username=shopper.username, password="correct-horse-battery-staple")


def test_unblocking_an_active_user_is_refused(admin_user, shopper):
    with pytest.raises(services.UserActionRefused):
        services.user_unblock(user=shopper, by=admin_user)
    assert not AuditEntry.objects.exists()


# --- delete / anonymise ----------------------------------------------------------------------

def test_user_without_history_is_deleted(admin_user):
    newcomer = UserFactory(username="newcomer")
    wallet_for(newcomer)  # an empty wallet is not history
    assert services.user_delete_outcome(newcomer) == services.DELETE
    assert services.user_delete(user=newcomer, by=admin_user) == services.DELETE
    assert not User.objects.filter(pk=newcomer.pk).exists()
    assert not Wallet.objects.filter(user_id=newcomer.pk).exists()
    [entry] = AuditEntry.objects.filter(action="user.delete")
    assert entry.object_id == str(newcomer.pk) and entry.object_repr == "newcomer"
    assert entry.changes["username"] == ["newcomer", None]


def _order_for(user):
    from orders.models import Order

    # Completed: an account with an order still on its way cannot be closed (tested below).
    return Order.objects.create(user=user, total=Decimal("1500.00"), cost_total=Decimal("900"),
                                address="Абай даңғылы 10", phone="+7 701 000 00 00",
                                note="Домофон 15, Айгүл", status="completed")


def _product_of(seller):
    from inventory.tests.factories import ProductFactory

    return ProductFactory(seller=seller)


def _stock_document_by(seller):
    import datetime

    from inventory.services import receipt_create

    return receipt_create(by=seller, supplier="ТОО Тест", date=datetime.date(2026, 1, 5))


def _wallet_entry(user):
    return wallet_post(wallet=wallet_for(user), kind=WalletEntry.Kind.TOPUP,
                       amount=Decimal("100"), reason="test")


def _audit_history(user):
    from accounts.audit import audit_record

    admin = UserFactory(role=Role.ADMIN, username="auditor")
    return audit_record(actor=admin, action="user.role_change", obj=user,
                        changes={"role": ["shopper", "shopper"]})


def _audit_as_actor(user):
    from accounts.audit import audit_record

    return audit_record(actor=user, action="products.export", obj=user)


@pytest.mark.parametrize("make_history", [_order_for, _product_of, _stock_document_by,
                                          _wallet_entry, _audit_history, _audit_as_actor])
def test_user_with_history_is_anonymised_and_history_kept(admin_user, make_history):
    person = UserFactory(username="person", role=Role.SELLER, phone="+7 777 123 45 67",
                         address="Алматы, Абай 1", first_name="Айгүл", last_name="Сейіт")
    history = make_history(person)
    assert services.user_delete_outcome(person) == services.ANONYMISE
    assert services.user_delete(user=person, by=admin_user) == services.ANONYMISE
    person.refresh_from_db()
    assert person.username == f"deleted-{person.pk}"
    assert (person.first_name, person.last_name, person.email, person.phone, person.address) == (
        "", "", "", "", "")
    assert not person.has_usable_password() and not person.is_active
    assert person.closed_at is not None and person.status == "closed"
    history.refresh_from_db()  # still there
    entry = AuditEntry.objects.get(action="user.anonymise")
    # The old login is personal data: not in this entry, nor as the label of earlier ones.
    assert entry.changes["username"] == ["", f"deleted-{person.pk}"]
    assert not AuditEntry.objects.filter(object_repr="person").exists()
    assert entry.changes["is_active"] == [True, False]
    assert entry.changes["closed_at"][0] is None and entry.changes["closed_at"][1]
    # The log says which fields were erased, never their old values.
    assert entry.changes["erased"] == "first_name, last_name, email, phone, address"
    assert "Айгүл" not in str(entry.changes) and "+7 777" not in str(entry.changes)


def test_anonymising_keeps_orders_and_ledger_but_erases_their_delivery_contact(admin_user,
                                                                              shopper):
    from orders.models import Cart

    order = _order_for(shopper)
    entry = _wallet_entry(shopper)
    # The checkout keeps the last delivery details on the cart.
    Cart.objects.create(user=shopper, delivery="delivery", address="Абай 10",
                        phone="+77017770000", note="домофон 5")
    services.user_delete(user=shopper, by=admin_user)
    order.refresh_from_db()
    assert order.user_id == shopper.pk and order.total == Decimal("1500.00")
    assert order.address == "" and order.phone == "" and order.note == ""
    assert not Cart.objects.filter(user=shopper).exists()
    entry.refresh_from_db()
    assert wallet_for(shopper).balance == Decimal("100.00")
    assert AuditEntry.objects.filter(action="user.anonymise").count() == 1


def test_an_account_with_an_order_on_its_way_is_not_closed(admin_user, shopper):
    """Closing it would erase the address and phone the courier needs."""
    order = _order_for(shopper)
    order.status = "ready"
    order.save(update_fields=["status"])
    with translation.override("en"):
        assert "has an open order" in services.user_action_refusal(
            action="delete", user=shopper, by=admin_user)
    with pytest.raises(services.UserActionRefused):
        services.user_delete(user=shopper, by=admin_user)
    order.refresh_from_db(), shopper.refresh_from_db()
    assert order.phone and shopper.is_active and not shopper.closed_at


def test_admin_cannot_delete_themselves(admin_user):
    UserFactory(role=Role.ADMIN, username="admin_b")
    with pytest.raises(services.UserActionRefused):
        services.user_delete(user=admin_user, by=admin_user)
    assert User.objects.filter(pk=admin_user.pk, is_active=True).exists()


def test_a_closed_account_cannot_be_changed_again(admin_user, shopper):
    _order_for(shopper)
    services.user_delete(user=shopper, by=admin_user)
    for action in (lambda: services.user_role_change(user=shopper, role=Role.SELLER,
                                                     by=admin_user),
                   lambda: services.user_unblock(user=shopper, by=admin_user),
                   lambda: services.user_delete(user=shopper, by=admin_user)):
        with pytest.raises(services.UserActionRefused):
            action()
    assert AuditEntry.objects.count() == 1


# --- two admins demoting each other at the same moment (PostgreSQL, real threads) ------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    first = UserFactory(role=Role.ADMIN, username="admin_one")
    second = UserFactory(role=Role.ADMIN, username="admin_two")
    barrier = threading.Barrier(2)
    results = []

    def demote(target, by):
        try:
            barrier.wait()
            services.user_role_change(user=target, role=Role.SELLER, by=by)
            results.append("ok")
        except services.UserActionRefused as error:
            results.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=demote, args=(first, second)),
               threading.Thread(target=demote, args=(second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["not_admin", "ok"]
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1
    assert AuditEntry.objects.filter(action="user.role_change").count() == 1


def test_history_appearing_after_the_check_anonymises_instead_of_failing(admin_user, shopper,
                                                                         monkeypatch):
    # The page said "delete", then an order landed before the admin confirmed: PROTECT refuses
    # the delete inside a savepoint and the account is anonymised, with one audit entry.
    order = _order_for(shopper)
    monkeypatch.setattr(services, "user_delete_outcome", lambda user: services.DELETE)
    assert services.user_delete(user=shopper, by=admin_user) == services.ANONYMISE
    order.refresh_from_db()
    shopper.refresh_from_db()
    assert order.user_id == shopper.pk and shopper.closed_at is not None
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["user.anonymise"]
