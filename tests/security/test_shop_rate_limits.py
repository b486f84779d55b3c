"""Rate limits of the shop's sensitive POSTs on the production server (gunicorn, 4 workers, one
Redis): checkout, review and top-up. Requests go 8 at a time so every worker answers some of
them; the count is shared, so no more than the configured limit gets through (10 a minute for
checkout and top-up, 10 an hour for reviews; bibarys/ratelimits.py), and what is blocked writes
nothing and answers 429 in the visitor's language."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import support

pytestmark = pytest.mark.slow

LIMIT = 10
ATTEMPTS = 16

_WORLD_SCRIPT = """
import json
from decimal import Decimal
from accounts.models import User, WalletEntry
from accounts.services import wallet_for, wallet_post
from catalog.tests.factories import purchase
from orders.tests.factories import product_in_stock
shopper = User.objects.get(username="proof_shopper")
product = product_in_stock("1000", name="Нан", slug="limits-bread", sku="LIMITS-1")
purchase(shopper, product)
wallet_post(wallet=wallet_for(shopper), kind=WalletEntry.Kind.TOPUP, amount=Decimal("100000"),
            reason="proof", reference="proof:limits")
print(json.dumps({"slug": product.slug, "pk": product.pk}))
"""

_COUNT_SCRIPT = """
import json
from accounts.models import WalletEntry
from catalog.models import Review
from orders.models import Order
print(json.dumps({
    "orders": Order.objects.filter(user__username="proof_shopper").count(),
    "topups": WalletEntry.objects.filter(wallet__user__username="proof_shopper",
                                         kind=WalletEntry.Kind.TOPUP).count(),
    "reviews": Review.objects.filter(user__username="proof_shopper").count(),
}))
"""


def _shell(server, script) -> dict:
    out = support.manage("shell", "-c", script, env=server.env).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def limits_server(proof_tmp, security_redis):
    """The production server of the security suite, with the per-minute limits counted per hour.
    django-ratelimit counts in fixed windows; a burst on a busy machine that straddles a minute
    boundary would meet two windows (up to twice the limit, by design). An hour-long window
    keeps the check exact; the mechanism (one Redis count for all workers) is the same."""
    directory = proof_tmp / "limits"
    directory.mkdir()
    env = support.production_env(database_url=support.sqlite_database(directory),
                                 redis=security_redis, MEDIA_ROOT=str(directory / "media"),
                                 RATELIMIT_CHECKOUT=f"{LIMIT}/h", RATELIMIT_TOPUP=f"{LIMIT}/h",
                                 RATELIMIT_REVIEW=f"{LIMIT}/h",
                                 PAYMENT_GATEWAY="demo")  # a demonstration shop, said so
    support.manage("migrate", "--no-input", "-v", "0", env=env)
    support.collectstatic(env)
    support.manage(
        "shell", "-c",
        "from accounts.models import User; u = User(username='proof_shopper', role='shopper');"
        " u.set_password('proof-pass-123'); u.save()",
        env=env,
    )
    with support.Server(env, workers=4, threads=1, name="limits", log_dir=directory) as server:
        yield server


@pytest.fixture(scope="module")
def world(limits_server):
    return _shell(limits_server, _WORLD_SCRIPT)


def _signed_in(limits_server, language="en") -> support.Client:
    support.flush_redis(limits_server.env["REDIS_URL"])
    client = support.Client(limits_server.url, language=language)
    assert client.login("proof_shopper", "proof-pass-123").status == 302
    support.flush_redis(limits_server.env["REDIS_URL"])  # the login's own count is not ours
    return client


def _burst(send) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda n: send(n).status, range(ATTEMPTS)))


def test_topup_limit_is_shared_by_all_workers_and_blocked_top_ups_write_nothing(limits_server,
                                                                             world):
    client = _signed_in(limits_server)
    before = _shell(limits_server, _COUNT_SCRIPT)["topups"]
    statuses = _burst(lambda n: client.post("/accounts/wallet/top-up/", {"amount": "100"}))
    assert set(statuses) <= {302, 429}, statuses
    assert statuses.count(302) <= LIMIT and statuses.count(429) >= ATTEMPTS - LIMIT, statuses
    written = _shell(limits_server, _COUNT_SCRIPT)["topups"] - before
    assert written == statuses.count(302), (written, statuses)
    blocked = client.post("/accounts/wallet/top-up/", {"amount": "100"},
                          headers={"Accept-Language": "ru"})
    assert blocked.status == 429 and "Слишком много попыток" in blocked.text


def test_review_limit_is_shared_by_all_workers(limits_server, world):
    client = _signed_in(limits_server, language="kk")
    path = f"/catalog/p/{world['slug']}/review/"
    statuses = _burst(lambda n: client.post(path, {"rating": str(1 + n % 5), "text": f"#{n}"}))
    assert set(statuses) <= {302, 429}, statuses
    assert statuses.count(302) <= LIMIT and statuses.count(429) >= ATTEMPTS - LIMIT, statuses
    blocked = client.post(path, {"rating": "5", "text": "once more"})
    assert blocked.status == 429 and "Тым көп әрекет" in blocked.text
    assert _shell(limits_server, _COUNT_SCRIPT)["reviews"] == 1  # one review, edited


def test_checkout_limit_is_shared_by_all_workers_and_a_blocked_checkout_places_nothing(
        limits_server, world):
    client = _signed_in(limits_server)
    added = client.post(f"/orders/cart/add/{world['pk']}/", {"quantity": "1"})
    assert added.status == 302, added.status
    delivery = client.post("/orders/checkout/", {"delivery": "pickup",
                                                 "phone": "+7 701 234 56 78"})
    assert delivery.status == 302 and "/checkout/review/" in delivery.location
    support.flush_redis(limits_server.env["REDIS_URL"])
    # Invalid submits (no payment chosen) count too: a client hammering the button is limited.
    statuses = _burst(lambda n: client.post("/orders/checkout/review/",
                                            {"idempotency_key": str(uuid.uuid4())}))
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) <= LIMIT and statuses.count(429) >= ATTEMPTS - LIMIT, statuses
    before = _shell(limits_server, _COUNT_SCRIPT)["orders"]
    blocked = client.post("/orders/checkout/review/",
                          {"idempotency_key": str(uuid.uuid4()), "payment": "wallet"})
    assert blocked.status == 429
    assert _shell(limits_server, _COUNT_SCRIPT)["orders"] == before, "a blocked checkout placed an order"
    # Once the window is over (here: the counts flushed) the same submit goes through.
    support.flush_redis(limits_server.env["REDIS_URL"])
    placed = client.post("/orders/checkout/review/",
                         {"idempotency_key": str(uuid.uuid4()), "payment": "wallet"})
    assert placed.status == 302 and "/checkout/done/" in placed.location, placed.status
    assert _shell(limits_server, _COUNT_SCRIPT)["orders"] == before + 1
