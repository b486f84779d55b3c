"""Who may open what: every URL pattern of the app × every kind of visitor, against objects that
belong to someone else.

ACCESS below is the written-down answer for each cell. A URL pattern that is not in the table
fails `test_every_url_pattern_is_classified`: every new page must be classified here (by the
proof owner) before it lands. Django admin is covered by one rule: anyone who is not a store
admin is sent to the admin login.

Visitors: anonymous, shopper A, shopper B, seller A, seller B, admin. Path arguments are filled
with objects owned by A (shopper A's order, seller A's product…), so the B cells are the
"someone else's object" cases: they must answer 404 (DOMAIN.md: not a hint that it exists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

ACTORS = ("anon", "shopper_a", "shopper_b", "seller_a", "seller_b", "admin")
# Order of requests within a cell row: strangers first, then the owner, then the admin, so that a
# POST that succeeds for the owner has not already changed the object for the others.
REQUEST_ORDER = ("anon", "shopper_b", "seller_b", "shopper_a", "seller_a", "admin")

LOGIN = "login"        # 3xx to the login page
REDIRECT = "redirect"  # 3xx anywhere else (a POST that worked, a signed-in visitor sent home)
OK = 200


@dataclass
class Rule:
    expect: dict
    kwargs: Callable | None = None  # world -> path kwargs
    method: str = "get"
    data: Callable | None = None    # world -> POST data
    query: str = ""


def rule(*, anon, shopper_a, shopper_b=None, seller_a=None, seller_b=None, admin=None, **kw):
    """Each cell: an HTTP status or LOGIN/REDIRECT. B defaults to A's answer (a page with no
    owner), the seller of A's side defaults to shopper A's answer."""
    shopper_b = shopper_a if shopper_b is None else shopper_b
    seller_a = shopper_a if seller_a is None else seller_a
    seller_b = seller_a if seller_b is None else seller_b
    admin = seller_a if admin is None else admin
    return Rule(expect=dict(anon=anon, shopper_a=shopper_a, shopper_b=shopper_b,
                            seller_a=seller_a, seller_b=seller_b, admin=admin), **kw)


def public(**kw):
    return rule(anon=OK, shopper_a=OK, **kw)


def anonymous_only(**kw):
    """Sign-up and the like: a signed-in visitor is sent on."""
    return rule(anon=OK, shopper_a=REDIRECT, **kw)


def signed_in(**kw):
    return rule(anon=LOGIN, shopper_a=OK, **kw)


def owned_by_shopper_a(*, admin=404, **kw):
    return rule(anon=LOGIN, shopper_a=OK, shopper_b=404, seller_a=404, seller_b=404, admin=admin,
                **kw)


def staff(**kw):
    return rule(anon=LOGIN, shopper_a=403, seller_a=OK, admin=OK, **kw)


def staff_owned_by_seller_a(**kw):
    return rule(anon=LOGIN, shopper_a=403, seller_a=OK, seller_b=404, admin=OK, **kw)


def post_staff_owned(kwargs, *, owner=REDIRECT, admin=REDIRECT, **kw):
    """A POST on seller A's document: strangers learn nothing (404), shoppers are refused."""
    return rule(anon=LOGIN, shopper_a=403, seller_a=owner, seller_b=404, admin=admin,
                method="post", kwargs=kwargs, **kw)


def admin_only(**kw):
    return rule(anon=LOGIN, shopper_a=403, seller_a=403, admin=OK, **kw)


# ---------------------------------------------------------------------------------------------
# The objects the path arguments point at, made on demand.


class World:
    def __init__(self, users):
        self.users = users
        self._cache = {}

    def _once(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def wallet_entry_a(self):
        def make():
            from accounts.models import WalletEntry
            from accounts.services import wallet_for, wallet_post

            wallet = wallet_for(self.users["shopper_a"])
            return wallet_post(wallet=wallet, kind=WalletEntry.Kind.TOPUP,
                               amount=Decimal("1000.00"), reason="matrix", reference="matrix:1")
        return self._once("wallet_entry_a", make)


    # -- catalog and inventory -----------------------------------------------------------------
    def product_of(self, actor: str):
        def make():
            from inventory.tests.factories import ProductFactory, stock_up

            product = ProductFactory(seller=self.users[actor], name=f"Matrix {actor}")
            stock_up(product, "20")
            return product
        return self._once(f"product_{actor}", make)

    @property
    def product_a(self):
        return self.product_of("seller_a")

    @property
    def receipt_a(self):
        def make():
            import datetime

            from inventory import services

            by = self.users["seller_a"]
            receipt = services.receipt_create(by=by, supplier="ТОО Matrix",
                                              date=datetime.date(2026, 1, 5))
            line = services.receipt_line_set(receipt=receipt, by=by, product=self.product_a,
                                             quantity=Decimal("3"), unit_cost=Decimal("90"))
            return receipt, line
        return self._once("receipt_a", make)

    @property
    def writeoff_a(self):
        def make():
            import datetime

            from inventory import services
            from inventory.models import WriteOffReason

            by = self.users["seller_a"]
            writeoff = services.writeoff_create(by=by, date=datetime.date(2026, 1, 6))
            line = services.writeoff_line_set(writeoff=writeoff, by=by, product=self.product_a,
                                              quantity=Decimal("1"),
                                              reason=WriteOffReason.values[0])
            return writeoff, line
        return self._once("writeoff_a", make)

    @property
    def stocktake_a(self):
        def make():
            from inventory import services

            self.product_a  # noqa: B018 (the count needs a product of seller A)
            stocktake = services.stocktake_start(by=self.users["seller_a"])
            return stocktake, stocktake.lines.first()
        return self._once("stocktake_a", make)


def _doc(attr, with_line=False):
    def kwargs(world):
        document, line = getattr(world, attr)
        return {"pk": document.pk, "line_pk": line.pk} if with_line else {"pk": document.pk}
    return kwargs


def _entry_pk(world):
    entry = world.wallet_entry_a
    return {"pk": getattr(entry, "pk", None) or entry.wallet.entries.first().pk}


ACCESS: dict[str, Rule] = {
    "home": public(),
    "healthz": public(),
    "set_language": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post",
                         data=lambda w: {"language": "ru", "next": "/"}),
    "login": anonymous_only(),
    # accounts
    "accounts:signup": anonymous_only(),
    "accounts:logout": rule(anon=REDIRECT, shopper_a=REDIRECT, method="post"),
    "accounts:profile": signed_in(),
    "accounts:wallet_entry": owned_by_shopper_a(kwargs=_entry_pk),
    "accounts:password_change": signed_in(),
    "accounts:password_change_done": signed_in(),
    "accounts:password_reset": public(),
    "accounts:password_reset_done": public(),
    # A made-up token shows the "link is no longer valid" page, to everyone.
    "accounts:password_reset_confirm": public(
        kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "accounts:password_reset_complete": public(),
    # inventory: staff only; a document or product of seller A is not seller B's business.
    "inventory:receipt_list": staff(),
    "inventory:receipt_create": staff(),
    "inventory:receipt_detail": staff_owned_by_seller_a(kwargs=_doc("receipt_a")),
    "inventory:receipt_edit": post_staff_owned(_doc("receipt_a")),
    # An empty line form: 400 with the errors for those allowed, 404/403 for the rest.
    "inventory:receipt_line_add": post_staff_owned(_doc("receipt_a"), owner=400, admin=400),
    "inventory:receipt_line_remove": post_staff_owned(_doc("receipt_a", with_line=True)),
    "inventory:receipt_post": post_staff_owned(_doc("receipt_a")),
    "inventory:receipt_reverse": post_staff_owned(_doc("receipt_a")),
    # The owner deletes the draft; the admin, coming after, finds nothing.
    "inventory:receipt_delete": post_staff_owned(_doc("receipt_a"), admin=404),
    "inventory:writeoff_list": staff(),
    "inventory:writeoff_create": staff(),
    "inventory:writeoff_detail": staff_owned_by_seller_a(kwargs=_doc("writeoff_a")),
    "inventory:writeoff_line_add": post_staff_owned(_doc("writeoff_a"), owner=400, admin=400),
    "inventory:writeoff_line_remove": post_staff_owned(_doc("writeoff_a", with_line=True)),
    "inventory:writeoff_post": post_staff_owned(_doc("writeoff_a")),
    "inventory:writeoff_delete": post_staff_owned(_doc("writeoff_a"), admin=404),
    "inventory:stocktake_list": staff(),
    "inventory:stocktake_create": staff(),
    "inventory:stocktake_detail": staff_owned_by_seller_a(kwargs=_doc("stocktake_a")),
    "inventory:stocktake_scan": post_staff_owned(_doc("stocktake_a")),
    "inventory:stocktake_count": post_staff_owned(_doc("stocktake_a", with_line=True)),
    "inventory:stocktake_post": post_staff_owned(_doc("stocktake_a")),
    "inventory:stocktake_sheet": staff_owned_by_seller_a(kwargs=_doc("stocktake_a")),
    "inventory:product_movements": staff_owned_by_seller_a(
        kwargs=lambda w: {"pk": w.product_a.pk}),
    "inventory:product_search": staff(),
    "inventory:low_stock": staff(),
    "inventory:import": staff(),
    "inventory:import_confirm": rule(anon=LOGIN, shopper_a=403, seller_a=REDIRECT,
                                     admin=REDIRECT, method="post"),
    "inventory:export": staff(),
}


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
def actors(shopper, other_shopper, seller, other_seller, admin_user):
    return {"shopper_a": shopper, "shopper_b": other_shopper, "seller_a": seller,
            "seller_b": other_seller, "admin": admin_user}


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
