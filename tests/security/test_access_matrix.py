"""Who may open what: every URL pattern of the app × every kind of visitor, against objects that
belong to someone else.

ACCESS (tests/security/access/, one module per app) is the written-down answer for each cell. A
URL pattern that is not in the table fails `test_every_url_pattern_is_classified`: every new page
is classified in its app's module before it lands. Django admin is covered by one rule: anyone who is not a store
admin is sent to the admin login.

Visitors: anonymous, shopper A, shopper B, seller A, seller B, cashier, admin. Path arguments are filled
with objects owned by A (shopper A's order, seller A's product…), so the B cells are the
"someone else's object" cases: they must answer 404 (DOMAIN.md: not a hint that it exists)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .access import ACCESS, World
from .access.rules import LOGIN, REDIRECT

pytestmark = pytest.mark.django_db

ACTORS = ("anon", "shopper_a", "shopper_b", "seller_a", "seller_b", "cashier", "admin")
# Order of requests within a cell row: strangers first, then the owner, then the admin, so that a
# POST that succeeds for the owner has not already changed the object for the others.
REQUEST_ORDER = ("anon", "shopper_b", "seller_b", "cashier", "shopper_a", "seller_a", "admin")


# ---------------------------------------------------------------------------------------------
# Walking the URL configuration.


@dataclass
class Pattern:
    name: str
    route: str
    converters: list = field(default_factory=list)


def walk(resolver=None, namespace="", prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from walk(entry, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Pattern(name=name or f"<unnamed {prefix}{entry.pattern}>",
                          route=prefix + str(entry.pattern))


ALL_PATTERNS = list(walk())

def _is_admin(pattern: Pattern) -> bool:
    return pattern.name.startswith("admin:") or pattern.route.startswith("admin/")


APP_PATTERNS = [p for p in ALL_PATTERNS if not _is_admin(p)]
ADMIN_PATTERNS = [p for p in ALL_PATTERNS if _is_admin(p)]


def test_every_url_pattern_is_classified():
    missing = sorted({p.name for p in APP_PATTERNS} - set(ACCESS))
    assert not missing, (
        "URL patterns with no row in tests/security/test_access_matrix.py ACCESS (every page must"
        f" say who may open it): {missing}")


def test_the_table_names_only_existing_url_patterns():
    stale = sorted(set(ACCESS) - {p.name for p in APP_PATTERNS})
    assert not stale, f"ACCESS rows for URL names that no longer exist: {stale}"


@pytest.fixture
def actors(shopper, other_shopper, seller, other_seller, cashier, admin_user):
    return {"shopper_a": shopper, "shopper_b": other_shopper, "seller_a": seller,
            "seller_b": other_seller, "cashier": cashier, "admin": admin_user}


def classify(response) -> object:
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location", "")
        if location.startswith(reverse(settings.LOGIN_URL)) or "/login/" in location:
            return LOGIN
        return REDIRECT
    return response.status_code


def _client(user):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(p.name for p in APP_PATTERNS if p.name in ACCESS))
def test_access_matrix(name, actors):
    row = ACCESS[name]
    world = World(actors)
    kwargs = row.kwargs(world) if row.kwargs else {}
    url = reverse(name, kwargs=kwargs) + (f"?{row.query}" if row.query else "")
    got, unexpected_2xx, mismatched = {}, [], []
    for actor in REQUEST_ORDER:
        client = _client(actors.get(actor))
        data = row.data(world) if row.data else {}
        response = client.post(url, data) if row.method == "post" else client.get(url)
        got[actor] = classify(response)
        expected = row.expect[actor]
        if got[actor] != expected:
            mismatched.append(f"{actor}: expected {expected}, got {got[actor]}")
            if isinstance(got[actor], int) and 200 <= got[actor] < 300:
                unexpected_2xx.append(actor)
    assert not unexpected_2xx, f"{name} {url}: unexpected 2xx for {unexpected_2xx}: {got}"
    assert not mismatched, f"{name} {url}: " + "; ".join(mismatched)


def _admin_url(pattern: Pattern):
    from django.urls import NoReverseMatch

    if pattern.name.startswith("<unnamed"):
        # Django admin's own redirects (old change URLs, the catch-all): fill by hand.
        route = pattern.route.replace("<path:object_id>", "1").replace("(?P<url>.*)$", "x/")
        return "/" + route

    for kwargs in ({}, {"app_label": "accounts"}, {"object_id": "1"},
                   {"app_label": "accounts", "object_id": "1"},
                   {"content_type_id": 1, "object_id": "1"}, {"id": "1"}):
        try:
            return reverse(pattern.name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot fill the arguments of {pattern.name} ({pattern.route})")


ADMIN_OPEN_TO_ALL = {"admin:login"}


@pytest.mark.parametrize("name", sorted(p.name for p in ADMIN_PATTERNS))
def test_django_admin_is_for_store_admins_only(name, actors):
    pattern = next(p for p in ADMIN_PATTERNS if p.name == name)
    url = _admin_url(pattern)
    admin_login = reverse("admin:login")
    for actor in ("anon", "shopper_a", "seller_a"):
        response = _client(actors.get(actor)).get(url)
        if name in ADMIN_OPEN_TO_ALL:
            assert response.status_code in (200, 302), (actor, response.status_code)
            continue
        assert response.status_code in (302, 405), f"{actor} {url}: {response.status_code}"
        if response.status_code == 302:
            # Admin's logout sends a visitor who is not staff to the admin index (which asks
            # for the admin login); every other page asks for the admin login directly.
            allowed = (admin_login, reverse("admin:index")) if name == "admin:logout" else (
                admin_login,)
            assert response.headers["Location"].startswith(allowed), (
                f"{actor} {url} -> {response.headers['Location']}")
    response = _client(actors["admin"]).get(url)
    assert response.status_code < 500, f"admin {url}: {response.status_code}"
