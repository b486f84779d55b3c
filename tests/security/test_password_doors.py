"""Every door that checks a password or a secret is limited, and no door is unknown.

`DOORS` is the written-down list of the views that check a password or a secret (a login, a
password change, a reset link's token, any code typed in later). The walk below goes through
every URL pattern (Django admin's included) and recognises a door by what it is: a view class
of Django's login/password family, a form with a password or secret field (its class, or a form
class a function view names), an admin site's login or password change, or a page that shows a
password box. A door that is not in DOORS fails `test_every_password_door_is_known`; a door in
DOORS that is not wrapped in bibarys.ratelimits.password_door fails
`test_every_known_door_is_limited`. Then each door is hammered in process: the same counts per
client address and per account, shared by all doors, and a 429 with Retry-After."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.admin import AdminSite
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tests.factories import UserFactory

from .access import ACCESS, World

pytestmark = pytest.mark.django_db

# name -> how the door names the account it is about (bibarys.ratelimits' account keys).
DOORS = {
    "login": "posted_username",
    "accounts:password_change": "signed_in_user",
    "accounts:password_reset_confirm": "reset_link_user",
    "admin:login": "posted_username",
    "admin:password_change": "signed_in_user",
}

# Views that show a password box but check none: they set a new password. Each says why it
# needs no door's limit.
SETS_A_PASSWORD = {
    "accounts:signup": "a new account's password; sign-ups are limited per address (SIGNUP)",
    "admin:accounts_user_add": "an admin, signed in, creates a user with a password",
    "admin:auth_user_password_change": "an admin, signed in, sets another user's password",
}

# Views the walk flags by a field's name that hold no secret.
NOT_A_SECRET = {
    "inventory:stocktake_scan": "its `code` is a product's barcode, scanned at the shelf",
    "till:scan": "its `code` is a product's barcode, SKU, PLU or scale label, scanned at the till",
}

SECRET_VIEWS = (auth_views.LoginView, auth_views.PasswordChangeView,
                auth_views.PasswordResetConfirmView)
SECRET_FIELD = re.compile(r"(^|_)(password\d?|passcode|token|otp|pin|secret|code)($|_)", re.I)
PASSWORD_BOX = re.compile(r"<input[^>]*type=[\"']?password", re.I)


def walk(resolver=None, namespace="", prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {prefix}{entry.pattern}>"
            yield name, prefix + str(entry.pattern), entry.callback


PATTERNS = list(walk())


def _chain(callback):
    """The view and everything it wraps (decorators keep the wrapped one in __wrapped__)."""
    seen = []
    while callback is not None and all(callback is not s for s in seen):
        seen.append(callback)
        callback = getattr(callback, "__wrapped__", None)
    return seen


def _secret_form(form_class) -> bool:
    if not (isinstance(form_class, type) and issubclass(form_class, forms.BaseForm)):
        return False
    return any(isinstance(field.widget, forms.PasswordInput) or SECRET_FIELD.search(name)
               for name, field in form_class.base_fields.items())


def _checks_a_secret(callback) -> bool:
    for fn in _chain(callback):
        view_class = getattr(fn, "view_class", None)
        if view_class is not None:
            if issubclass(view_class, SECRET_VIEWS):
                return True
            if _secret_form(getattr(view_class, "form_class", None)):
                return True
        owner = getattr(fn, "__self__", None)
        if isinstance(owner, AdminSite) and fn.__name__ in ("login", "password_change"):
            return True
        code = getattr(fn, "__code__", None)
        if code is not None:
            if {"authenticate", "check_password", "check_token"} & set(code.co_names):
                return True
            names = getattr(fn, "__globals__", {})
            if any(_secret_form(names.get(n)) for n in code.co_names):
                return True
    return False


def _is_door(callback) -> bool:
    return any(getattr(fn, "password_door", None) for fn in _chain(callback))


STATIC_DOORS = {name for name, _route, callback in PATTERNS if _checks_a_secret(callback)}


def test_the_walk_sees_the_doors_we_know_of():
    # The walk itself works: it finds the shop's and Django admin's doors by what they are.
    assert set(DOORS) <= STATIC_DOORS | set(SETS_A_PASSWORD), set(DOORS) - STATIC_DOORS


def test_every_password_door_is_known():
    unknown = sorted(STATIC_DOORS - set(DOORS) - set(SETS_A_PASSWORD) - set(NOT_A_SECRET))
    assert not unknown, (
        "views that check a password or a secret but are not in DOORS (wrap them in "
        f"bibarys.ratelimits.password_door and list them here): {unknown}")


class _TokenForm(forms.Form):
    code = forms.CharField()


def _new_token_entry(request):
    form = _TokenForm(request.POST)
    return form


def test_the_walk_flags_a_new_kind_of_door():
    """A door added later (a code typed in, a view with its own password box) is seen."""
    assert _checks_a_secret(_new_token_entry)
    assert not _checks_a_secret(lambda request: None)


def test_every_known_door_is_limited():
    callbacks = {name: callback for name, _route, callback in PATTERNS}
    stale = (set(SETS_A_PASSWORD) | set(NOT_A_SECRET)) - set(callbacks)
    assert not stale, f"classified URL names that no longer exist: {sorted(stale)}"
    assert set(DOORS) <= set(callbacks), f"DOORS names no URL: {set(DOORS) - set(callbacks)}"
    unlimited = sorted(name for name in DOORS if not _is_door(callbacks[name]))
    assert not unlimited, f"password doors without bibarys.ratelimits.password_door: {unlimited}"
    for name, account in DOORS.items():
        door = next(getattr(fn, "password_door") for fn in _chain(callbacks[name])
                    if getattr(fn, "password_door", None))
        assert door == account, (name, door)


def _admin_url(name, route):
    from django.urls import NoReverseMatch

    if name.startswith("<unnamed"):
        return None
    for kwargs in ({}, {"app_label": "accounts"}, {"object_id": "1"},
                   {"app_label": "accounts", "object_id": "1"},
                   {"content_type_id": 1, "object_id": "1"}, {"id": "1"}):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def test_no_page_shows_a_password_box_outside_a_known_door(shopper, other_shopper, seller,
                                                          other_seller, admin_user):
    """What the static walk cannot see (a form built in a view, a template's own box): open
    every page as the admin, and as a visitor for the pages open to all, and look."""
    actors = {"shopper_a": shopper, "shopper_b": other_shopper, "seller_a": seller,
              "seller_b": other_seller, "admin": admin_user}
    world = World(actors)
    admin = Client(raise_request_exception=False)
    admin.force_login(admin_user)
    anonymous = Client(raise_request_exception=False)
    boxes = set()
    for name, route, _callback in PATTERNS:
        if name in DOORS or name in SETS_A_PASSWORD:
            continue
        row = ACCESS.get(name)
        if row is not None:
            if row.method != "get":
                continue
            url = reverse(name, kwargs=row.kwargs(world) if row.kwargs else {})
            url += f"?{row.query}" if row.query else ""
        else:
            url = _admin_url(name, route)
            if url is None:
                continue
        for client in (admin, anonymous):
            response = client.get(url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                if PASSWORD_BOX.search(response.content.decode(errors="replace")):
                    boxes.add(name)
    assert not boxes, f"pages with a password box that are not known doors: {sorted(boxes)}"


# ---------------------------------------------------------------------------------------------
# The doors, hammered in process.


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_LOGIN = "5/m"
    settings.RATELIMIT_LOGIN_ACCOUNT = "8/15m"


def _attempts(admin_user):
    """Per door: (a client, a function sending one wrong attempt)."""
    victim = UserFactory(username="dana")
    uid = urlsafe_base64_encode(force_bytes(victim.pk))
    signed_in = Client()
    signed_in.force_login(victim)
    admin = Client()
    admin.force_login(admin_user)
    return {
        "login": lambda c, **extra: c.post(reverse("login"),
                                           {"username": "dana", "password": "wrong"}, **extra),
        "admin:login": lambda c, **extra: c.post(reverse("admin:login"),
                                                 {"username": "dana", "password": "wrong"},
                                                 **extra),
        "accounts:password_change": lambda c, **extra: signed_in.post(
            reverse("accounts:password_change"),
            {"old_password": "wrong", "new_password1": "Жаңа-құпия-2026", "new_password2":
             "Жаңа-құпия-2026"}, **extra),
        "admin:password_change": lambda c, **extra: admin.post(
            reverse("admin:password_change"),
            {"old_password": "wrong", "new_password1": "Жаңа-құпия-2026", "new_password2":
             "Жаңа-құпия-2026"}, **extra),
        "accounts:password_reset_confirm": lambda c, **extra: c.get(
            reverse("accounts:password_reset_confirm",
                    kwargs={"uidb64": uid, "token": "aaaaaa-bad0token0guess"}), **extra),
    }


@pytest.mark.parametrize("door", sorted(DOORS))
def test_each_door_answers_429_with_retry_after_past_the_address_limit(door, limits,
                                                                        admin_user):
    attempt = _attempts(admin_user)[door]
    client = Client()
    codes = [attempt(client).status_code for _ in range(5)]
    assert 429 not in codes, codes
    blocked = attempt(client)
    assert blocked.status_code == 429
    assert 1 <= int(blocked["Retry-After"]) <= 60
    assert "Too many attempts" in blocked.content.decode() or "Тым көп" in blocked.content.decode()


def test_the_doors_share_one_count_per_address(limits, admin_user):
    attempts = _attempts(admin_user)
    client = Client()
    for door in ("login", "admin:login", "accounts:password_reset_confirm", "login",
                 "admin:password_change"):
        assert attempts[door](client).status_code != 429, door
    assert attempts["admin:login"](client).status_code == 429
    assert attempts["accounts:password_change"](client).status_code == 429


def test_guesses_at_one_account_from_many_addresses_meet_the_account_limit(limits,
                                                                            admin_user):
    attempts = _attempts(admin_user)
    codes = [attempts["login" if n % 2 else "admin:login"](
        Client(), REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(8)]
    assert 429 not in codes, codes
    blocked = attempts["login"](Client(), REMOTE_ADDR="203.0.113.9")
    # A 15-minute window (django-ratelimit staggers each key's window within its period).
    assert blocked.status_code == 429 and 1 <= int(blocked["Retry-After"]) <= 15 * 60
    # Another account from a fresh address is not touched by dana's count.
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert other.post(reverse("login"), {"username": "erlan", "password": "x"},
                      REMOTE_ADDR="203.0.113.10").status_code == 200


def test_a_good_reset_link_counts_once_and_still_works(limits, client):
    user = UserFactory(username="aruzhan")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("accounts:password_reset_confirm",
                                  kwargs={"uidb64": uid, "token": token}))
    assert response.status_code == 302
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    done = client.post(form_url, {"new_password1": "Жаңа-құпия-2026",
                                  "new_password2": "Жаңа-құпия-2026"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Жаңа-құпия-2026")
