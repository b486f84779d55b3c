"""A blocked user who clicks on a page still open is told they were signed out, and why."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts import staff_services
from accounts.models import User
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

NOTICE = "You were signed out because your account has been blocked"


def _blocked_browser(shopper, admin_user, django_capture_on_commit_callbacks):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(shopper)
    assert browser.get(reverse("orders:cart")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        staff_services.user_block(user=shopper, reason="fraud", by=admin_user)
    return browser


def test_a_blocked_users_click_leads_to_the_login_page_with_the_reason(
        shopper, admin_user, django_capture_on_commit_callbacks):
    browser = _blocked_browser(shopper, admin_user, django_capture_on_commit_callbacks)
    product = ProductFactory()
    response = browser.post(reverse("orders:cart_add", args=[product.pk]), {"quantity": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = browser.get(response["Location"])
    assert NOTICE in page.content.decode()
    assert "_auth_user_id" not in browser.session
    # Nothing landed in an anonymous cart, and the notice is said once.
    from orders.models import CartLine
    assert not CartLine.objects.exists()
    assert NOTICE not in browser.get(reverse("login")).content.decode()
    assert browser.get(reverse("home")).status_code == 200


def test_an_htmx_click_is_sent_to_the_login_page_as_a_whole(
        shopper, admin_user, django_capture_on_commit_callbacks):
    browser = _blocked_browser(shopper, admin_user, django_capture_on_commit_callbacks)
    response = browser.get(reverse("orders:cart"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("login")
    assert NOTICE in browser.get(reverse("login")).content.decode()


def test_a_session_the_block_missed_is_told_too(shopper, admin_user):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(shopper)
    # Blocked without ending the sessions (as if the after-commit step had not run yet).
    User.objects.filter(pk=shopper.pk).update(is_active=False)
    response = browser.get(reverse("orders:cart"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert NOTICE in browser.get(reverse("login")).content.decode()
    assert not any(s.get_decoded().get("_auth_user_id") == str(shopper.pk)
                   for s in Session.objects.all())


def test_blocked_is_said_in_the_users_language(shopper, admin_user,
                                               django_capture_on_commit_callbacks):
    browser = _blocked_browser(shopper, admin_user, django_capture_on_commit_callbacks)
    page = browser.get(reverse("orders:cart"), follow=True, HTTP_ACCEPT_LANGUAGE="ru")
    assert "заблокирован" in page.content.decode()


def test_signed_in_pages_are_private_no_store_and_anonymous_ones_untouched(shopper_client,
                                                                           client, seller_client):
    for url in (reverse("orders:cart"), reverse("accounts:profile"), reverse("home"),
                reverse("catalog:product_list"), reverse("catalog:product_list")):  # twice: a
        # page served from the shopper page cache is no-store too
        assert shopper_client.get(url)["Cache-Control"] == "private, no-store", url
    export = seller_client.get(reverse("inventory:export") + "?format=csv")
    assert export.status_code == 200
    assert "private" in export["Cache-Control"] and "no-store" in export["Cache-Control"]
    anonymous = client.get(reverse("home"))
    assert "no-store" not in anonymous.get("Cache-Control", "")
