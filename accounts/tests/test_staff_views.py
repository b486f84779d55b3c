"""Admin pages for people: who may open them, the confirmation steps, the messages, the lists'
query counts, and that nothing changes on invalid input."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEntry, Role, User
from accounts.services import wallet_for, wallet_post
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _pages(person):
    return [reverse("accounts:user_list"), reverse("accounts:audit_log")] + [
        reverse(f"accounts:{name}", kwargs={"pk": person.pk})
        for name in ("user_detail", "user_role", "user_block", "user_unblock", "user_delete")]


def test_every_page_here_is_403_for_shoppers_and_sellers_and_login_for_anonymous(
        shopper_client, seller_client, other_shopper):
    for url in _pages(other_shopper):
        assert shopper_client.get(url).status_code == 403, url
        assert seller_client.get(url).status_code == 403, url
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    # And the POSTs are refused as well, changing nothing.
    for name, data in (("user_role", {"role": "admin"}), ("user_block", {"reason": "x"}),
                       ("user_delete", {"confirm": "yes"})):
        url = reverse(f"accounts:{name}", kwargs={"pk": other_shopper.pk})
        assert seller_client.post(url, data).status_code == 403
    other_shopper.refresh_from_db()
    assert other_shopper.role == Role.SHOPPER and other_shopper.is_active
    assert not AuditEntry.objects.exists()


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- users list --------------------------------------------------------------------------------

def test_user_list_searches_name_username_email_and_phone(admin_client):
    UserFactory(username="aigul", first_name="Айгүл", last_name="Серік", email="a@shop.kz",
                phone="+7 701 555 11 22")
    UserFactory(username="bolat", first_name="Болат", email="bolat@mail.kz")
    url = reverse("accounts:user_list")
    for q in ("Айгүл", "aigul", "a@shop", "555 11", "Айгүл Серік"):
        html = admin_client.get(url, {"q": q}).content.decode()
        assert "@aigul" in html and "@bolat" not in html, q


def test_user_list_filters_by_role_and_status(admin_client, admin_user):
    UserFactory(username="seller_x", role=Role.SELLER)
    UserFactory(username="blocked_y", is_active=False)
    url = reverse("accounts:user_list")
    html = admin_client.get(url, {"role": "seller"}).content.decode()
    assert "@seller_x" in html and "@blocked_y" not in html and "@admin_a" not in html
    html = admin_client.get(url, {"status": "blocked"}).content.decode()
    assert "@blocked_y" in html and "@seller_x" not in html
    # A made-up filter value is a form error, not a 500.
    assert admin_client.get(url, {"role": "king"}).status_code == 200


def test_user_list_htmx_returns_only_the_results(admin_client):
    response = admin_client.get(reverse("accounts:user_list"), {"q": "admin"},
                                headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "@admin_a" in html and "<html" not in html


def test_user_list_query_count_does_not_grow_with_users(admin_client):
    url = reverse("accounts:user_list")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    for i in range(3):
        wallet_for(UserFactory(username=f"few{i}"))
    few = count()
    for i in range(20):
        wallet_for(UserFactory(username=f"many{i}"))
    assert count() == few


def test_user_list_paginates(admin_client):
    for i in range(30):
        UserFactory(username=f"bulk{i:02d}")
    html = admin_client.get(reverse("accounts:user_list"), {"page": 2}).content.decode()
    assert 'aria-current="page">2<' in html


# --- a user's page -----------------------------------------------------------------------------

def test_user_detail_shows_profile_balance_orders_and_audit(admin_client, admin_user, shopper):
    from orders.models import Order

    wallet_post(wallet=wallet_for(shopper), kind="topup", amount=Decimal("2500"), reason="t")
    order = Order.objects.create(user=shopper, total=Decimal("990.00"), cost_total=Decimal("1"))
    audit_record(actor=admin_user, action="user.role_change", obj=shopper,
                 changes={"role": ["seller", "shopper"]})
    admin_client.cookies["django_language"] = "en"
    html = admin_client.get(reverse("accounts:user_detail", kwargs={"pk": shopper.pk})).content.decode()
    assert shopper.email in html and shopper.username in html
    assert "2" in html and "500" in html  # the balance, formatted for the language
    assert order.number in html
    assert 'class="audit-before">Seller<' in html


def test_user_detail_links_wallet_credit_only_when_that_page_exists(admin_client, shopper):
    from django.urls import NoReverseMatch

    html = admin_client.get(reverse("accounts:user_detail", kwargs={"pk": shopper.pk})).content.decode()
    try:
        url = reverse("accounts:wallet_credit", kwargs={"pk": shopper.pk})
    except NoReverseMatch:
        assert "wallet/credit" not in html
    else:
        assert url in html


def test_user_detail_of_a_missing_user_is_404(admin_client):
    assert admin_client.get(reverse("accounts:user_detail", kwargs={"pk": 999999})).status_code == 404


# --- role ----------------------------------------------------------------------------------------

def test_role_change_is_confirmed_then_posted(admin_client, shopper):
    url = reverse("accounts:user_role", kwargs={"pk": shopper.pk})
    page = admin_client.get(url)
    assert page.status_code == 200 and b'name="role"' in page.content
    shopper.refresh_from_db()
    assert shopper.role == Role.SHOPPER  # the GET only asks
    response = admin_client.post(url, {"role": "seller"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", kwargs={"pk": shopper.pk})
    shopper.refresh_from_db()
    assert shopper.role == Role.SELLER
    assert len(_messages(response)) == 1
    assert AuditEntry.objects.get(action="user.role_change").changes == {
        "role": ["shopper", "seller"]}


def test_role_change_with_invalid_input_changes_nothing(admin_client, shopper):
    url = reverse("accounts:user_role", kwargs={"pk": shopper.pk})
    for data in ({"role": "emperor"}, {"role": "shopper"}, {}):
        response = admin_client.post(url, data)
        assert response.status_code == 400
        assert b"errorlist" in response.content
    shopper.refresh_from_db()
    assert shopper.role == Role.SHOPPER and not AuditEntry.objects.exists()


def test_self_demotion_through_the_page_is_refused(admin_client, admin_user):
    UserFactory(role=Role.ADMIN, username="admin_b")
    url = reverse("accounts:user_role", kwargs={"pk": admin_user.pk})
    assert b"alert-warning" in admin_client.get(url).content
    response = admin_client.post(url, {"role": "shopper"})
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and not AuditEntry.objects.exists()


# --- block / unblock -------------------------------------------------------------------------

def test_block_logs_the_user_out_of_their_other_session(admin_client, shopper,
                                                        django_capture_on_commit_callbacks):
    from django.contrib.sessions.models import Session

    phone = Client()
    phone.force_login(shopper)
    profile = reverse("accounts:profile")
    assert phone.get(profile).status_code == 200
    phone_session = phone.session.session_key
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("accounts:user_block", kwargs={"pk": shopper.pk}),
                                     {"reason": "Stolen card"})
    assert response.status_code == 302 and len(_messages(response)) == 1
    # Their stored session signs no one in (it keeps only why it ended), the admin's does.
    [ended] = Session.objects.filter(session_key=phone_session)
    assert ended.get_decoded() == {"bibarys_signed_out": "blocked"}
    assert Session.objects.filter(session_key=admin_client.session.session_key).exists()
    after = phone.get(profile)
    assert after.status_code == 302 and "/login/" in after["Location"]
    # The phone's next click ended the marked session for good.
    assert not Session.objects.filter(session_key=phone_session).exists()
    # And they cannot log in again.
    assert not Client().login(username=shopper.username, password="correct-horse-battery-staple")
    assert AuditEntry.objects.filter(action="user.block").count() == 1


def test_an_inactive_user_is_refused_even_if_a_session_row_survived(shopper):
    # The second line of defence: Django refuses an inactive user on the next request, so a
    # session we did not find is dead anyway.
    phone = Client()
    phone.force_login(shopper)
    User.objects.filter(pk=shopper.pk).update(is_active=False)
    response = phone.get(reverse("accounts:profile"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_block_without_a_reason_changes_nothing(admin_client, shopper):
    response = admin_client.post(reverse("accounts:user_block", kwargs={"pk": shopper.pk}),
                                 {"reason": "   "})
    assert response.status_code == 400 and b"errorlist" in response.content
    shopper.refresh_from_db()
    assert shopper.is_active and not AuditEntry.objects.exists()


def test_self_block_through_the_page_is_refused(admin_client, admin_user):
    UserFactory(role=Role.ADMIN, username="admin_b")
    response = admin_client.post(reverse("accounts:user_block", kwargs={"pk": admin_user.pk}),
                                 {"reason": "test"})
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_unblock_through_the_page(admin_client, shopper):
    admin_client.post(reverse("accounts:user_block", kwargs={"pk": shopper.pk}), {"reason": "x"})
    response = admin_client.post(reverse("accounts:user_unblock", kwargs={"pk": shopper.pk}),
                                 {"reason": ""})
    assert response.status_code == 302
    shopper.refresh_from_db()
    assert shopper.is_active
    assert AuditEntry.objects.filter(action="user.unblock").count() == 1


# --- delete / anonymise ----------------------------------------------------------------------

def test_delete_page_says_delete_for_a_user_without_history(admin_client):
    newcomer = UserFactory(username="newcomer")
    url = reverse("accounts:user_delete", kwargs={"pk": newcomer.pk})
    assert b'data-outcome="delete"' in admin_client.get(url).content
    response = admin_client.post(url, {"confirm": "yes"})
    assert response["Location"] == reverse("accounts:user_list")
    assert not User.objects.filter(pk=newcomer.pk).exists()


def test_delete_page_says_anonymise_for_a_user_with_orders(admin_client, shopper):
    from orders.models import Order

    from accounts.models import WalletEntry
    from accounts.services import wallet_for, wallet_post

    order = Order.objects.create(user=shopper, total=Decimal("10"), cost_total=Decimal("5"))
    url = reverse("accounts:user_delete", kwargs={"pk": shopper.pk})
    # An order still on its way: the page says why not, and offers no button.
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "open order" in page and 'name="confirm"' not in page
    order.status = "completed"
    order.save(update_fields=["status"])
    wallet_post(wallet=wallet_for(shopper), kind=WalletEntry.Kind.TOPUP, amount=Decimal("4410"))
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-outcome="anonymise"' in page
    assert "Their wallet still holds ₸4,410.00" in page
    response = admin_client.post(url, {"confirm": "yes"})
    assert response["Location"] == reverse("accounts:user_detail", kwargs={"pk": shopper.pk})
    shopper.refresh_from_db()
    assert shopper.username == f"deleted-{shopper.pk}" and shopper.closed_at
    assert Order.objects.filter(user=shopper).count() == 1


def test_delete_without_confirmation_changes_nothing(admin_client, shopper):
    url = reverse("accounts:user_delete", kwargs={"pk": shopper.pk})
    assert admin_client.post(url, {}).status_code == 400
    assert admin_client.post(url, {"confirm": "no"}).status_code == 400
    assert User.objects.filter(pk=shopper.pk, closed_at__isnull=True).exists()
    assert not AuditEntry.objects.exists()


# --- audit log -------------------------------------------------------------------------------

def test_audit_log_filters_by_who_action_object_and_period(admin_client, admin_user, shopper):
    boss = UserFactory(role=Role.ADMIN, username="boss", first_name="Bek", last_name="Boss")
    audit_record(actor=admin_user, action="user.block", obj=shopper, changes={})
    audit_record(actor=boss, action="products.export", obj=boss, changes={})
    url = reverse("accounts:audit_log")

    def found(**query):
        html = admin_client.get(url, query, headers={"HX-Request": "true"}).content.decode()
        return {action for action in ("user.block", "products.export")
                if f'data-action="{action}"' in html}

    assert found() == {"user.block", "products.export"}
    assert found(who="boss") == {"products.export"}
    assert found(who="Bek") == {"products.export"}
    assert found(action="user.block") == {"user.block"}
    assert found(object_type="accounts.user", object_id=str(shopper.pk)) == {"user.block"}
    assert found(date_from="2000-01-01", date_to="2000-01-02") == set()
    today = str(timezone.localdate())
    assert found(date_from=today, date_to=today) == {"user.block", "products.export"}
    # A reversed period is an error next to the field, never a 500.
    response = admin_client.get(url, {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert response.status_code == 200 and b"errorlist" in response.content


def test_audit_log_is_read_only(admin_client, admin_user, shopper):
    audit_record(actor=admin_user, action="user.block", obj=shopper)
    assert admin_client.post(reverse("accounts:audit_log"), {}).status_code == 405
    assert AuditEntry.objects.count() == 1
    from django.contrib import admin as django_admin

    model_admin = django_admin.site._registry[AuditEntry]
    request = admin_client.get(reverse("accounts:audit_log")).wsgi_request
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_audit_log_query_count_does_not_grow_with_entries(admin_client, admin_user):
    url = reverse("accounts:audit_log")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    for i in range(3):
        audit_record(actor=UserFactory(username=f"actor{i}"), action="products.export",
                     obj=admin_user, changes={"n": i})
    few = count()
    for i in range(3, 25):
        audit_record(actor=UserFactory(username=f"actor{i}"), action="products.export",
                     obj=admin_user, changes={"n": i})
    assert count() == few


def test_htmx_gets_the_confirmation_card_alone_for_the_dialog(admin_client, shopper):
    url = reverse("accounts:user_block", kwargs={"pk": shopper.pk})
    html = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "confirm-card" in html and 'name="reason"' in html and "<html" not in html
    detail = admin_client.get(reverse("accounts:user_detail", kwargs={"pk": shopper.pk}))
    assert f'hx-get="{url}"' in detail.content.decode() and b'id="user-dialog"' in detail.content
