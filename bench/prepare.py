"""`make bench`'s preparation: its environment, its own PostgreSQL database, the seeded store and
the bench shoppers, and the log line every step writes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests import support  # (Server, Client, env helpers shared with the tests)

ROOT = Path(__file__).resolve().parents[1]


BENCH_PASSWORD = "bench-pass-2026"
RESULTS = ROOT / "bench" / "results"
MARK_BEGIN = "<!-- bench:results:begin -->"
MARK_END = "<!-- bench:results:end -->"
# The PDF of a month of a big store takes long on a busy machine; gunicorn must not kill it.
SLOW_PAGE_TIMEOUT = ("--timeout", "600")


def bench_env(args) -> dict:
    base = support.postgres_base_url() or "postgres://postgres@127.0.0.1:5432/postgres"
    from urllib.parse import urlsplit, urlunsplit

    parsed = urlsplit(base)
    database_url = urlunsplit(parsed._replace(path="/" + args.database))
    high = "1000000/m"
    return support.production_env(
        database_url=database_url, redis=support.redis_url(support.REDIS_DB_BENCH),
        BIBARYS_BENCH_CEILING="1", DB_CONN_MAX_AGE="600", LOG_LEVEL="WARNING",
        RATELIMIT_LOGIN=high, RATELIMIT_SIGNUP=high, RATELIMIT_CHECKOUT=high,
        RATELIMIT_REVIEW=high, RATELIMIT_TOPUP=high, MEDIA_ROOT=str(ROOT / "bench" / "media"),
    )


def ensure_database(env, args):
    import psycopg2
    from psycopg2 import sql
    from urllib.parse import urlsplit, urlunsplit

    parsed = urlsplit(env["DATABASE_URL"])
    admin = psycopg2.connect(urlunsplit(parsed._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        exists = cur.fetchone() is not None
        if exists and args.reseed:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=%s",
                        [args.database])
            cur.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(args.database)))
            exists = False
        if not exists:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.database)))
    admin.close()


def django_setup(env):
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bibarys.settings"
    import django

    django.setup()


def seed(env, args):
    log("migrate")
    support.manage("migrate", "--no-input", "-v", "0", env=env, timeout=1800)
    from catalog.models import Product

    have = Product.objects.exclude(slug="bench-hot-product").count()
    if have != args.products:
        if have:
            log(f"the database holds {have} products, not {args.products}: seeding it again")
            from django.db import connections

            connections.close_all()
            args.reseed = True
            ensure_database(env, args)
            support.manage("migrate", "--no-input", "-v", "0", env=env, timeout=1800)
        orders = args.orders if args.orders is not None else default_orders(args.products)
        log(f"seed_demo --products {args.products} --orders {orders}; this takes a while once")
        started = time.monotonic()
        support.manage("seed_demo", "--products", str(args.products), "--orders", str(orders),
                       env=env, timeout=7200)
        log(f"seeded in {time.monotonic() - started:.0f} s")
        # A bulk load leaves the planner's statistics empty until autovacuum comes by (it
        # guessed 2,325 rows of the rollup where there were 308,436): gather them now.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        log("vacuum analyze done")
    else:
        log(f"reusing the seeded database ({have} products)")
    if static_is_current():
        log("collectstatic: the collected files are current")
    else:
        log("collectstatic")
        support.manage("collectstatic", "--no-input", "-v", "0", env=env, timeout=1800)
    make_bench_shoppers(args.shoppers)


def static_is_current() -> bool:
    """The manifest collectstatic wrote is newer than every source static file."""
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    if not settings.STATIC_ROOT or not manifest.exists():
        return False
    written = manifest.stat().st_mtime
    for folder in settings.STATICFILES_DIRS:
        for path in Path(folder).rglob("*"):
            if path.is_file() and path.stat().st_mtime > written:
                return False
    return True


def default_orders(products: int) -> int:
    """Order history: 220,000 orders (just over a million order lines: 4.6 lines an order) for
    the 100,000-product catalog, in proportion below that."""
    return max(200, products * 22 // 10)


def dataset_figures() -> dict:
    from catalog.models import Product
    from orders.models import Order, OrderLine

    return {"products": Product.objects.count(), "orders": Order.objects.count(),
            "order_lines": OrderLine.objects.count()}


def make_bench_shoppers(count: int):
    from decimal import Decimal

    from accounts.models import User, WalletEntry
    from accounts.services import wallet_for, wallet_post

    existing = set(User.objects.filter(username__startswith="bench_shopper_")
                   .values_list("username", flat=True))
    for n in range(count):
        username = f"bench_shopper_{n:03d}"
        if username in existing:
            user = User.objects.get(username=username)
        else:
            user = User(username=username, role="shopper", first_name="Bench")
            user.set_password(BENCH_PASSWORD)
            user.save()
        wallet = wallet_for(user)
        if wallet.balance < Decimal("5000000"):
            wallet_post(wallet=wallet, kind=WalletEntry.Kind.TOPUP, amount=Decimal("10000000"),
                        reason="bench", reference=f"bench:{username}")
    admin = User.objects.filter(username="bench_admin").first()
    if admin is None:
        admin = User(username="bench_admin", role="admin")
        admin.set_password(BENCH_PASSWORD)
        admin.save()


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)
