"""More than one machine: two stateless gunicorn app servers (production settings) on one
PostgreSQL database and one Redis, as docs/deploy.md describes. Whichever server answers, a
visitor's session, cart, checkout, product import preview and rate-limit counts are the same."""

import pytest

from tests import support

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DB_NAME = "bibarys_proof_topology"


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    directory = tmp_path_factory.mktemp("topology")
    database_url = support.require_postgres_database(DB_NAME)
    redis = support.require_redis(support.REDIS_DB_TOPOLOGY)
    env = support.production_env(
        database_url=database_url, redis=redis, MEDIA_ROOT=str(directory / "media"),
        # Both servers sit behind the same proxy (here: the test itself on 127.0.0.1).
        TRUSTED_PROXIES="127.0.0.1",
        # django-ratelimit counts in fixed windows: on a busy machine twenty logins can straddle
        # a minute boundary and meet two windows. An hour-long window keeps the check exact.
        RATELIMIT_LOGIN="5/h",
    )
    support.manage("migrate", "--no-input", "-v", "0", env=env, timeout=600)
    support.collectstatic(env)
    support.manage("seed_demo", "--products", "30", env=env, timeout=600)
    # Two machines: each server has a temporary folder of its own, as it would on its own disk.
    servers = []
    for name in ("a", "b"):
        (directory / f"tmp-{name}").mkdir()
        servers.append(support.Server({**env, "TMPDIR": str(directory / f"tmp-{name}")},
                                      workers=2, threads=1, name=name, log_dir=directory))
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
        support.drop_postgres_database(database_url)


def test_a_session_started_on_one_server_works_on_the_other(two_servers):
    a, b = two_servers
    support.flush_redis(a.env["REDIS_URL"])
    visitor = support.Client(a.url, language="en")
    assert visitor.login("shopper1", "bibarys-demo").status == 302
    on_b = visitor.with_base(b.url).get("/accounts/profile/")
    assert on_b.status == 200, on_b.status
    assert "Log out" in on_b.text and 'name="username"' not in on_b.text
    # Logging out on B ends the session on A too.
    profile = visitor.with_base(b.url)
    assert profile.post("/accounts/logout/").status == 302
    again = visitor.with_base(a.url).get("/accounts/profile/")
    assert again.status == 302 and "/accounts/login/" in again.location


def test_login_limit_is_counted_once_across_both_servers(two_servers):
    a, b = two_servers
    support.flush_redis(a.env["REDIS_URL"])
    support.rate_window_settle("198.51.100.10")
    statuses = []
    for n in range(20):
        server = (a, b)[n % 2]
        client = support.Client(server.url)
        client.get("/accounts/login/", headers={"X-Forwarded-For": "198.51.100.10"})
        statuses.append(client.post(
            "/accounts/login/", {"username": "shopper1", "password": "wrong"},
            headers={"X-Forwarded-For": "198.51.100.10"}).status)
    assert statuses.count(200) <= 5 and statuses.count(429) >= 15, statuses
    # Another shopper behind the same proxy is a different client: still let in.
    other = support.Client(b.url)
    other.get("/accounts/login/", headers={"X-Forwarded-For": "198.51.100.11"})
    response = other.post("/accounts/login/", {"username": "shopper2", "password": "bibarys-demo"},
                          headers={"X-Forwarded-For": "198.51.100.11"})
    assert response.status == 302, response.status


_HOT_SCRIPT = """
import json
from decimal import Decimal
from accounts.models import User, WalletEntry
from accounts.services import wallet_for, wallet_post
from catalog.models import Product
from orders.tests.factories import product_in_stock
users = []
for n in range(1, 6):
    user = User.objects.get(username=f"shopper{n}")
    wallet_post(wallet=wallet_for(user), kind=WalletEntry.Kind.TOPUP, amount=Decimal("50000"),
                reason="topology", reference=f"topology:{n}")
spread = list(Product.objects.filter(is_active=True, quantity__gte=5, unit="pcs")
              .order_by("pk").values_list("pk", flat=True)[:3])
while len(spread) < 3:
    spread.append(product_in_stock("50", sku=f"TOPO-SPREAD-{len(spread)}").pk)
hot = product_in_stock("3", name="Соңғы қауын", slug="topology-last-melon", sku="TOPO-HOT")
print(json.dumps({"spread": spread, "hot": hot.pk}))
"""

_STATE_SCRIPT = """
import json, sys
from catalog.models import Product
from orders.models import Order
hot = Product.objects.get(slug="topology-last-melon")
print(json.dumps({"hot_quantity": str(hot.quantity),
                  "hot_orders": Order.objects.filter(lines__product=hot).distinct().count()}))
"""


def _shell(server, script) -> dict:
    import json

    out = support.manage("shell", "-c", script, env=server.env).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def shop_data(two_servers):
    return _shell(two_servers[0], _HOT_SCRIPT)


def _login(server, username, language="en") -> support.Client:
    support.flush_redis(server.env["REDIS_URL"])  # the login limit is tested above, not here
    visitor = support.Client(server.url, language=language)
    assert visitor.login(username, "bibarys-demo").status == 302
    return visitor


def _checkout(visitor: support.Client, *, review_on: str) -> support.Response:
    """Delivery step where the visitor is, review-and-pay step on `review_on`."""
    import re

    delivery = visitor.post("/orders/checkout/", {"delivery": "pickup",
                                                  "phone": "+7 701 234 56 78"})
    assert delivery.status == 302 and "/checkout/review/" in delivery.location, delivery.status
    payer = visitor.with_base(review_on)
    page = payer.get("/orders/checkout/review/")
    assert page.status == 200, page.status
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page.text).group(1)
    return payer.post("/orders/checkout/review/", {"idempotency_key": key, "payment": "wallet"})


def test_a_cart_filled_on_one_server_is_the_cart_on_the_other(two_servers, shop_data):
    a, b = two_servers
    visitor = _login(a, "shopper1")
    first, second = shop_data["spread"][:2]
    assert visitor.post(f"/orders/cart/add/{first}/", {"quantity": "2"}).status == 302
    on_b = visitor.with_base(b.url)
    assert on_b.post(f"/orders/cart/add/{second}/", {"quantity": "1"}).status == 302
    for server in (a, b):
        cart = visitor.with_base(server.url).get("/orders/cart/")
        assert cart.status == 200
        assert f"/orders/cart/{first}/update/" in cart.text, server.name
        assert f"/orders/cart/{second}/update/" in cart.text, server.name
    # An anonymous visitor's session cart too: started on B, seen on A.
    guest = support.Client(b.url, language="en")
    guest.get("/catalog/")
    assert guest.post(f"/orders/cart/add/{first}/", {"quantity": "1"}).status == 302
    assert f"/orders/cart/{first}/update/" in guest.with_base(a.url).get("/orders/cart/").text


def test_a_checkout_started_on_one_server_is_placed_on_the_other_and_seen_on_both(two_servers,
                                                                                  shop_data):
    import re

    a, b = two_servers
    visitor = _login(a, "shopper2")
    product = shop_data["spread"][2]
    assert visitor.post(f"/orders/cart/add/{product}/", {"quantity": "1"}).status == 302
    placed = _checkout(visitor, review_on=b.url)
    assert placed.status == 302 and "/orders/checkout/done/" in placed.location, placed.status
    order_pk = int(re.search(r"/done/(\d+)/", placed.location).group(1))
    detail = visitor.with_base(a.url).get(f"/orders/my/{order_pk}/")
    assert detail.status == 200
    assert visitor.with_base(a.url).get("/orders/my/").text.count(f"/orders/my/{order_pk}/") >= 1
    # The cart emptied by B is empty on A; a replay of the same submit on A places nothing new.
    cart = visitor.with_base(a.url).get("/orders/cart/")
    assert f"/orders/cart/{product}/update/" not in cart.text
    other = _login(b, "shopper3")  # another shopper asking A for that order: 404
    assert other.with_base(a.url).get(f"/orders/my/{order_pk}/").status == 404


def test_shoppers_racing_for_the_last_units_through_both_servers_never_oversell(two_servers,
                                                                                shop_data):
    """Three units, five shoppers, each checking out through a different server at once:
    the row locks in PostgreSQL decide, whichever process answers."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    a, b = two_servers
    hot = shop_data["hot"]
    visitors = []
    for n in range(1, 6):
        visitor = _login((a, b)[n % 2], f"shopper{n}")
        # Clear what earlier tests left in the cart, then take one melon.
        cart = visitor.get("/orders/cart/").text
        for pk in set(re.findall(r"/orders/cart/(\d+)/remove/", cart)):
            visitor.post(f"/orders/cart/{pk}/remove/")
        assert visitor.post(f"/orders/cart/add/{hot}/", {"quantity": "1"}).status == 302
        visitors.append(visitor)
    support.flush_redis(a.env["REDIS_URL"])
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(
            lambda pair: _checkout(pair[1], review_on=(b.url, a.url)[pair[0] % 2]),
            enumerate(visitors)))
    placed = [r for r in results if r.status == 302 and "/checkout/done/" in r.location]
    refused = [r for r in results if r.status == 200]
    assert len(placed) == 3 and len(refused) == 2, [(r.status, r.location) for r in results]
    state = _shell(a, _STATE_SCRIPT)
    assert state["hot_orders"] == 3 and float(state["hot_quantity"]) == 0, state
    support.manage("check_stock", env=a.env)  # the ledger still sums to every quantity


_IMPORT_SCRIPT = """
import json
from catalog.models import Category, Product
print(json.dumps({"category": Category.objects.order_by("pk").first().name,
                  "imported": list(Product.objects.filter(sku__startswith="TOPO-IMPORT")
                                   .values_list("sku", "quantity"))}, default=str))
"""


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(two_servers):
    """The preview of a product list is kept where both servers see it: confirmed on B, taken
    once (a second confirm, on A, finds nothing and imports nothing again)."""
    a, b = two_servers
    category = _shell(a, _IMPORT_SCRIPT)["category"]
    seller = _login(a, "seller1")
    rows = f"sku;name;category;unit;price;quantity\r\nTOPO-IMPORT-1;Тоғыз құмалақ нан;{category};" \
           f"дана;350,50;7\r\n"
    assert seller.get("/inventory/import/").status == 200
    preview = seller.upload("/inventory/import/", {"file": ("list.csv", rows.encode("utf-8-sig"))})
    assert preview.status == 200, preview.text[-2000:]
    assert "TOPO-IMPORT-1" in preview.text and "/inventory/import/confirm/" in preview.text
    confirmed = seller.with_base(b.url).post("/inventory/import/confirm/")
    assert confirmed.status == 302, confirmed.status
    page = seller.with_base(b.url).get("/inventory/import/")
    assert "expired" not in page.text, page.text[-2000:]
    assert _shell(b, _IMPORT_SCRIPT)["imported"] == [["TOPO-IMPORT-1", "7.000"]]
    again = seller.post("/inventory/import/confirm/")  # a replay on A
    assert again.status == 302
    assert "expired" in seller.get("/inventory/import/").text
    assert _shell(a, _IMPORT_SCRIPT)["imported"] == [["TOPO-IMPORT-1", "7.000"]]
