#!/usr/bin/env python
"""`make bench`: load-test the store as it runs in production, on this machine, over loopback.

1. PostgreSQL database `bibarys_bench` (its own): migrate, `seed_demo --products 100000` (only
   when it holds fewer products; --reseed starts over), bench shoppers with money in the wallet.
2. gunicorn with production settings (DEBUG=0, whitenoise, Redis cache db 8), BIBARYS_BENCH_CEILING
   mounts the ceiling page (bench/ceiling.py), rate limits raised out of the way.
3. A query-count pass (BENCH=1: X-Bench-Queries per response), then the throughput pass: wrk for
   the pages (bench/paths.lua spreads each scenario over many URLs), a Python load generator for
   checkout (real sessions, CSRF, many products; then one hot product) and the PDF report.
4. After checkout: stock never below zero and `manage.py check_stock` passes.
5. Prints a table (RPS, p50, p99, errors, queries/request, ratio to the ceiling) and writes it to
   BENCHMARKS.md between the markers, with bench/results/<time>.json beside it.

Everything talks to 127.0.0.1 only; every scenario is bounded in time (--duration seconds)."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import support  # noqa: E402  (Server, Client, env helpers shared with the tests)

BENCH_PASSWORD = "bench-pass-2026"
RESULTS = ROOT / "bench" / "results"
MARK_BEGIN = "<!-- bench:results:begin -->"
MARK_END = "<!-- bench:results:end -->"
# The PDF of a month of a big store takes long on a busy machine; gunicorn must not kill it.
SLOW_PAGE_TIMEOUT = ("--timeout", "600")


# ---------------------------------------------------------------------------------------------
# Setup


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


# ---------------------------------------------------------------------------------------------
# Scenarios: (name, role, list of paths). A scenario whose page does not exist is reported so.


def _reverse(url_name, **kwargs):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _product_path(product):
    for name, kwargs in (("catalog:detail", {"slug": product.slug}),
                         ("catalog:product", {"slug": product.slug}),
                         ("catalog:detail", {"pk": product.pk}),
                         ("catalog:product", {"pk": product.pk}),
                         ("catalog:product_detail", {"slug": product.slug}),
                         ("catalog:product_detail", {"pk": product.pk})):
        path = _reverse(name, **kwargs)
        if path:
            return path
    try:
        return product.get_absolute_url()
    except AttributeError:
        return None


def scenario(name, role, paths, **options) -> dict:
    return {"name": name, "role": role, "paths": paths, **options}


def build_scenarios():
    """Every page scenario: a name, who asks (anon, shopper, admin) and the paths it cycles."""
    import datetime

    from catalog.models import Category, Product

    scenarios = [scenario("ceiling page (1 query, 24 items)", "anon", ["/bench/ceiling/"]),
                 scenario("ceiling page, logged-in shopper", "shopper", ["/bench/ceiling/"]),
                 scenario("ceiling page through the page cache", "anon",
                          ["/bench/ceiling-cached/"])]
    catalog = _reverse("catalog:product_list")
    products = list(Product.objects.filter(is_active=True).exclude(slug="bench-hot-product")
                    .order_by("?")[:300])
    if catalog:
        pages = [f"{catalog}?page={n}" for n in range(1, 21)]
        pages += [f"{catalog}?category={slug}"
                  for slug in Category.objects.values_list("slug", flat=True)[:20]]
        words = sorted({w.lower() for p in products for w in re.findall(r"\w{4,}", p.name)})[:40]
        searches = [f"{catalog}?q={quote(w)}" for w in words]
        barcodes = list(Product.objects.filter(barcodes__isnull=False)
                        .values_list("barcodes__code", flat=True)[:20])
        searches += [f"{catalog}?q={code}" for code in barcodes]
        for role in ("anon", "shopper"):
            who = "anonymous" if role == "anon" else "logged-in shopper"
            scenarios.append(scenario(f"catalog list, {who}", role, pages, target="catalog"))
            scenarios.append(scenario(f"catalog search, {who}", role, searches or pages,
                                      target="catalog"))
    product_paths = [p for p in (_product_path(p) for p in products[:200]) if p]
    if product_paths:
        scenarios.append(scenario("product page, anonymous", "anon", product_paths,
                                  target="catalog"))
        scenarios.append(scenario("product page, logged-in shopper", "shopper", product_paths,
                                  target="catalog"))
    scenarios.append(scenario("front page, anonymous", "anon", ["/"], target="shop"))
    dashboard = _reverse("analytics:dashboard")
    if dashboard:
        # The owner opens the dashboard: one connection, the time of one answer (target
        # 300 ms); then 16 at once, for the record.
        scenarios.append(scenario("dashboard (30 days), admin, one at a time", "admin",
                                  [dashboard], connections=1, target="dashboard"))
        scenarios.append(scenario("dashboard (30 days), admin", "admin", [dashboard]))
    report = _reverse("analytics:report", name="sales", fmt="pdf")
    if report:
        today = datetime.date.today()
        first = today - datetime.timedelta(days=29)
        scenarios.append(scenario(
            "sales PDF (30 days), admin", "admin", [f"{report}?from={first}&to={today}"],
            connections=1, timeout=120, target="report"))
    return scenarios


# ---------------------------------------------------------------------------------------------
# Measuring


def session_cookie(base, username):
    client = support.Client(base)
    response = client.login(username, BENCH_PASSWORD)
    if response.status != 302:
        raise RuntimeError(f"bench login of {username} failed: {response.status}")
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(url_base, paths, *, cookie, duration, connections, threads, timeout=10):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
        paths_file = handle.name
    threads = max(1, min(threads, connections))
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
           "--timeout", f"{timeout}s",
           "-s", str(ROOT / "bench" / "paths.lua"), "-H", "X-Forwarded-Proto: https"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(url_base)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout + 30,
                         env={**os.environ, "WRK_PATHS": paths_file}).stdout
    os.unlink(paths_file)
    try:
        result = _parse_wrk(out)
    except (AttributeError, ValueError) as error:
        raise RuntimeError(f"cannot read wrk's output ({error}):\n{out}") from error
    if result["requests"] == 0:
        # Nothing finished within the window: every connection counts as failed, and the
        # latency is at least the window (wrk reports none).
        result.update(errors=connections, p50_ms=duration * 1000.0, p99_ms=duration * 1000.0)
    return result


def _parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # Anchored at the line start: "Req/Sec … 80.50%" must not be read as the 50th percentile.
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "requests": total, "errors": errors,
            "raw": out}


def count_queries(base, paths, cookie, *, slow=False):
    """Queries per request on the BENCH=1 server: the mean over the scenario's first paths,
    each fetched twice (the second, warm, answer counts); a slow page (the PDF) once."""
    counts, statuses = [], set()
    for path in paths[:1 if slow else 10]:
        headers = {"X-Forwarded-Proto": "https", "Host": base.split("//")[1]}
        if cookie:
            headers["Cookie"] = cookie
        for _ in range(1 if slow else 2):
            response = support.request("GET", base + path, headers=headers,
                                       timeout=600 if slow else 60)
        statuses.add(response.status)
        counts.append(int(response.header("X-Bench-Queries") or -1))
    return sum(counts) / len(counts), sorted(statuses)


def warm(url_base, paths, cookie) -> None:
    """Every path asked once (4 at a time, patiently): a page cache serves a day of traffic
    warm, so the measured seconds should not be spent on first visits."""
    from concurrent.futures import ThreadPoolExecutor

    headers = {"X-Forwarded-Proto": "https", "Host": url_base.split("//")[1]}
    if cookie:
        headers["Cookie"] = cookie

    def one(path):
        try:
            support.request("GET", url_base + path, headers=headers, timeout=300)
        except OSError:
            pass

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, paths))


def run_python(url_base, paths, *, cookie, duration, connections) -> dict:
    """For slow pages (the PDF): `connections` threads asking in turn until the time is up
    (each finishes the request it started), latency of every answer."""
    from concurrent.futures import ThreadPoolExecutor

    headers = {"X-Forwarded-Proto": "https", "Host": url_base.split("//")[1]}
    if cookie:
        headers["Cookie"] = cookie
    deadline = time.monotonic() + duration

    def loop(n):
        latencies, errors, i = [], 0, n
        while time.monotonic() < deadline or not latencies:
            started = time.perf_counter()
            try:
                response = support.request("GET", url_base + paths[i % len(paths)],
                                           headers=headers, timeout=300)
                ok = response.status == 200
            except OSError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += 0 if ok else 1
            i += 1
        return latencies, errors

    started = time.monotonic()
    with ThreadPoolExecutor(connections) as pool:
        parts = list(pool.map(loop, range(connections)))
    elapsed = time.monotonic() - started
    latencies = sorted(x for part, _ in parts for x in part)
    pick = lambda f: latencies[min(len(latencies) - 1, int(round(f * (len(latencies) - 1))))] * 1000
    return {"rps": len(latencies) / elapsed, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
            "requests": len(latencies), "errors": sum(e for _, e in parts)}


# ---------------------------------------------------------------------------------------------
# Reporting


TARGETS = {
    "catalog_anonymous_rps": 2400,
    "catalog_logged_in_ratio": 0.8,
    "p99_ms": 100,
    "checkout_orders_per_s": 150,
    "dashboard_ms": 300,
    "pdf_ms": 5000,
}


def verdicts(results, ceiling) -> list[str]:
    """Each target of BENCHMARKS.md checked against this run's figures."""
    out = []
    def mark(ok):
        return "met" if ok else "**missed**"
    pages = [r for r in results if r.get("target") == "catalog"]
    anon = [r for r in pages if "anonymous" in r["name"]]
    logged = [r for r in pages if "logged-in" in r["name"]]
    if anon:
        worst = min(anon, key=lambda r: r["rps"])
        out.append(f"- Catalog pages, anonymous ≥ {TARGETS['catalog_anonymous_rps']:,} req/s: "
                   f"{mark(worst['rps'] >= TARGETS['catalog_anonymous_rps'])} "
                   f"(slowest: {worst['name']}, {worst['rps']:,.0f} req/s).")
    if logged and ceiling:
        worst = min(logged, key=lambda r: r["rps"])
        ratio = worst["rps"] / ceiling
        out.append(f"- Catalog pages, logged-in ≥ {TARGETS['catalog_logged_in_ratio']}× ceiling: "
                   f"{mark(ratio >= TARGETS['catalog_logged_in_ratio'])} "
                   f"(slowest: {worst['name']}, {ratio:.2f}×).")
    # The shop's pages (catalog, search, product, front page), as the catalog targets.
    paged = [r for r in results if r.get("unit") != "orders/s"
             and r.get("target") in ("catalog", "shop") and r.get("connections", 16) >= 16]
    if paged:
        worst = max(paged, key=lambda r: r["p99_ms"])
        out.append(f"- p99 < {TARGETS['p99_ms']} ms at 16 connections (shop pages): "
                   f"{mark(worst['p99_ms'] < TARGETS['p99_ms'])} "
                   f"(highest: {worst['name']}, {worst['p99_ms']:.1f} ms).")
    for target, key, what in (("dashboard", "dashboard_ms", "Dashboard answers"),
                              ("report", "pdf_ms", "30-day sales PDF renders")):
        row = next((r for r in results if r.get("target") == target), None)
        if row:
            out.append(f"- {what} in < {TARGETS[key]:,} ms (one at a time, p99): "
                       f"{mark(row['p99_ms'] < TARGETS[key])} (p50 {row['p50_ms']:.0f} ms, "
                       f"p99 {row['p99_ms']:.0f} ms).")
    errors = sum(r["errors"] for r in results)
    out.append(f"- 0 errors: {mark(errors == 0)} ({errors} in all).")
    spread = next((r for r in results if r["name"].startswith("checkout, spread")), None)
    if spread:
        out.append(f"- Checkout spread ≥ {TARGETS['checkout_orders_per_s']} orders/s: "
                   f"{mark(spread['rps'] >= TARGETS['checkout_orders_per_s'])} "
                   f"({spread['rps']:.1f} orders/s).")
    hot = next((r for r in results if r["name"].startswith("checkout, one hot")), None)
    if hot:
        out.append(f"- No oversell on the hot product (stock ≥ 0, units sold = order lines): "
                   f"{mark(not hot.get('oversold'))}.")
        check = hot.get("check_stock", {})
        out.append(f"- `check_stock` finds no new problem after checkout: "
                   f"{mark(hot.get('check_ok'))} (before: {check.get('before', {}).get('text')}; "
                   f"after: {check.get('after', {}).get('text')}).")
    return out


def fmt(result, ceiling_rps):
    ratio = f"{result['rps'] / ceiling_rps:.2f}×" if ceiling_rps and result.get("rps") else "—"
    queries = result.get("queries")
    queries = f"{queries:.1f}" if isinstance(queries, (int, float)) and queries >= 0 else "—"
    unit = " orders/s" if result.get("unit") == "orders/s" else ""
    return (f"| {result['name']} | {result['rps']:,.1f}{unit} | {result['p50_ms']:.1f} | "
            f"{result['p99_ms']:.1f} | {result['errors']} | {queries} | {ratio} |")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = f"{mem / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        memory = "? RAM"
    versions = []
    for cmd in (["psql", "--version"], ["redis-server", "--version"], ["wrk", "--version"]):
        try:
            text = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            versions.append((text.stdout or text.stderr).strip().splitlines()[0][:60])
        except (OSError, IndexError, subprocess.SubprocessError):
            pass
    return f"{os.cpu_count()} cores ({cpu}), {memory}; " + "; ".join(versions)


def write_markdown(results, args, extra_lines, *, command, dataset, load_note, write=True):
    ceiling = next((r["rps"] for r in results if r["name"].startswith("ceiling page (")), None)
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}.",
        "",
        f"Command: `{command}`",
        "",
        f"Data: {dataset['products']:,} products, {dataset['orders']:,} orders, "
        f"{dataset['order_lines']:,} order lines (PostgreSQL database `{args.database}`). "
        f"Server: gunicorn {args.workers} sync workers × {args.threads} thread, production "
        f"settings, Redis cache; wrk {args.connections} connections, {args.duration} s per "
        f"scenario after a 1 s warm-up; checkout with {args.checkout_processes} client "
        f"processes and {args.shoppers - 1} shoppers.",
        "",
        load_note,
        "",
        "| scenario | requests/s | p50 ms | p99 ms | errors | queries/request | × ceiling |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[fmt(r, ceiling) for r in results if "rps" in r],
        "",
        "Checkout rows count whole orders (3 HTTP requests each, as a browser with htmx sends "
        "them: add to cart, the delivery step answered with the review page, place); their "
        "latency is the whole flow, their queries the sum of the 3.",
        "",
        "Targets:",
        "",
        *verdicts(results, ceiling),
        "",
        *[f"- {line}" for line in extra_lines],
    ]
    text = "\n".join(lines)
    target = ROOT / "BENCHMARKS.md"
    if write and target.exists():
        current = target.read_text()
        if MARK_BEGIN in current and MARK_END in current:
            head, rest = current.split(MARK_BEGIN, 1)
            _, tail = rest.split(MARK_END, 1)
            target.write_text(f"{head}{MARK_BEGIN}\n{text}\n{MARK_END}{tail}")
    return text


def busy_note() -> str:
    """What else was running: the figures on a shared machine are a floor."""
    try:
        load = os.getloadavg()
    except OSError:
        return ""
    others = subprocess.run(["sh", "-c", "ps aux | grep -c '[p]ytest'"], capture_output=True,
                            text=True).stdout.strip()
    return (f"Load average at the start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; "
            f"other pytest processes running: {others or 0}.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cores = os.cpu_count() or 1
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=None,
                        help="order history to seed (default: 2.2 per product; 220,000 orders "
                             "≈ 1,000,000 order lines for 100,000 products)")
    parser.add_argument("--database", default="bibarys_bench")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="seed the database and stop")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("BENCH_WORKERS", 2 * cores + 1)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 1)))
    parser.add_argument("--shoppers", type=int, default=64)
    parser.add_argument("--checkout-processes", type=int, default=2 * cores + 2)
    parser.add_argument("--mixed-rate", type=float, default=20.0,
                        help="orders/s placed during the mixed-load scenario (bench/mixed.py)")
    parser.add_argument("--only", default="", help="run scenarios whose name contains this "
                        "(or one of these, comma-separated)")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    command = ".venv/bin/python bench/run.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (make bench installs it: apt-get install -y wrk)")
    env = bench_env(args)
    support.require_redis(support.REDIS_DB_BENCH)
    ensure_database(env, args)
    django_setup(env)
    seed(env, args)
    if args.seed_only:
        log(f"seeded: {dataset_figures()}")
        return
    dataset = dataset_figures()
    load_note = busy_note()
    from bench import checkout as checkout_bench

    spread, hot_pk = checkout_bench.prepare_products(log)
    wanted = args.only.split(",")
    scenarios = [s for s in build_scenarios() if any(w in s["name"] for w in wanted)]
    run_checkout = any(w in "checkout, spread over many products / one hot product"
                       for w in wanted)
    mixed_names = ("catalog list, anonymous", "catalog list, logged-in shopper",
                   "product page, anonymous")
    mixed = [s for s in build_scenarios() if s["name"] in mixed_names]
    run_mixed = any(w in "mixed load" for w in wanted)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-"))

    # Pass 1: queries per request (one worker, BENCH=1 adds X-Bench-Queries).
    queries = {}
    checkout_queries = None
    with support.Server({**env, "BENCH": "1"}, workers=1, threads=1, name="count",
                        log_dir=log_dir, extra_args=SLOW_PAGE_TIMEOUT) as server:
        cookies = {"anon": "", "shopper": session_cookie(server.url, "bench_shopper_000"),
                   "admin": session_cookie(server.url, "bench_admin")}
        if run_checkout:
            checkout_queries = checkout_bench.queries_per_order(server.url, BENCH_PASSWORD,
                                                                spread[0])
            log(f"checkout: {checkout_queries} queries per order (3 requests)")
        for item in sorted(scenarios, key=lambda i: i.get("target") == "report"):
            queries[item["name"]], statuses = count_queries(
                server.url, item["paths"], cookies[item["role"]],
                slow=item.get("target") == "report")
            log(f"{item['name']}: {queries[item['name']]:.1f} queries/request, "
                f"statuses {statuses}")
    support.flush_redis(env["REDIS_URL"])  # the page cache starts cold in pass 2

    # Pass 2: throughput.
    results, extra = [], []
    with support.Server(env, workers=args.workers, threads=args.threads, name="bench",
                        log_dir=log_dir, extra_args=SLOW_PAGE_TIMEOUT) as server:
        cookies = {"anon": "", "shopper": session_cookie(server.url, "bench_shopper_001"),
                   "admin": session_cookie(server.url, "bench_admin")}
        # Pages first, then checkout, then the slow report (a long PDF must not delay the rest).
        ordered = ([i for i in scenarios if i.get("target") != "report"] + ["checkout"]
                   + [i for i in scenarios if i.get("target") == "report"])
        if run_mixed:
            from bench import mixed as mixed_bench

            rows, notes = mixed_bench.run(server, args, log, password=BENCH_PASSWORD,
                                          scenarios=mixed, spread=spread, run_wrk=run_wrk,
                                          warm=warm, cookies=cookies)
            results.extend(rows)
            extra.extend(notes)
        if any(w in "till: 10 tills" for w in wanted):
            from bench import checkout as checkout_bench, till as till_bench

            prepared = till_bench.prepare(log, BENCH_PASSWORD)
            shoppers = [f"bench_shopper_{n:03d}" for n in range(2, args.shoppers - 1)]
            rows, notes = till_bench.run(
                server, args, log, password=BENCH_PASSWORD, prepared=prepared, spread=spread,
                order_cookies=checkout_bench.login_all(server.url, shoppers, BENCH_PASSWORD))
            results.extend(rows)
            extra.extend(notes)
        for item in ordered:
            if item == "checkout":
                if run_checkout:
                    for row in checkout_bench.run_all(server, args, log, password=BENCH_PASSWORD,
                                                      spread=spread, hot_pk=hot_pk,
                                                      queries=checkout_queries):
                        extra.extend(row.pop("notes", []))
                        results.append(row)
                continue
            cookie = cookies[item["role"]]
            connections = item.get("connections", args.connections)
            if item.get("target") == "report":
                result = run_python(server.url, item["paths"], cookie=cookie,
                                    duration=args.duration, connections=connections)
            else:
                # Warm: every path once (fills caches the way a day of traffic would), then
                # one second of wrk.
                warm(server.url, item["paths"], cookie)
                run_wrk(server.url, item["paths"], cookie=cookie, duration=1, connections=4,
                        threads=1)
                result = run_wrk(server.url, item["paths"], cookie=cookie,
                                 duration=args.duration, connections=connections,
                                 threads=args.wrk_threads, timeout=item.get("timeout", 10))
                result.pop("raw")
            result.update(name=item["name"], queries=queries.get(item["name"]),
                          paths=len(item["paths"]), target=item.get("target"),
                          connections=connections)
            results.append(result)
            log(f"{item['name']}: {result['rps']:,.1f} req/s p50 {result['p50_ms']:.1f} ms "
                f"p99 {result['p99_ms']:.1f} ms errors {result['errors']}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(
        {"args": vars(args), "command": command, "dataset": dataset, "results": results,
         "notes": extra}, indent=2, default=str))
    text = write_markdown(results, args, extra, command=command, dataset=dataset,
                          load_note=load_note, write=not args.no_write)
    print()
    print(text)


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    main()
