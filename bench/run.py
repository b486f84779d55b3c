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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import support  # noqa: E402  (Server, Client, env helpers shared with the tests)

BENCH_PASSWORD = "bench-pass-2026"
RESULTS = ROOT / "bench" / "results"
MARK_BEGIN = "<!-- bench:results:begin -->"
MARK_END = "<!-- bench:results:end -->"


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
    support.manage("migrate", "--no-input", "-v", "0", env=env, timeout=600)
    from catalog.models import Product

    have = Product.objects.count()
    if have < args.products:
        log(f"seed_demo --products {args.products} (have {have}); this takes a while once")
        started = time.monotonic()
        cmd = ["seed_demo", "--products", str(args.products)]
        if args.orders is not None:
            cmd += ["--orders", str(args.orders)]
        support.manage(*cmd, env=env, timeout=3600)
        log(f"seeded in {time.monotonic() - started:.0f} s")
    log("collectstatic")
    support.manage("collectstatic", "--no-input", "-v", "0", env=env)
    make_bench_shoppers(args.shoppers)


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
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Scenarios: (name, role, list of paths). A scenario whose page does not exist is reported so.


def _reverse(name, **kwargs):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
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


def build_scenarios():
    from catalog.models import Category, Product

    scenarios = [("ceiling page (1 query, 24 items)", "anon", ["/bench/ceiling/"]),
                 ("ceiling page through the page cache", "anon", ["/bench/ceiling-cached/"])]
    catalog = _reverse("catalog:list")
    products = list(Product.objects.filter(is_active=True).order_by("?")[:300])
    if catalog:
        pages = [f"{catalog}?page={n}" for n in range(1, 21)]
        categories = list(Category.objects.values_list("slug", "pk")[:20])
        pages += [f"{catalog}?category={slug}" for slug, _ in categories]
        words = sorted({w for p in products for w in re.findall(r"\w{4,}", p.name)})[:40]
        searches = [f"{catalog}?q={w}" for w in words]
        barcodes = list(Product.objects.filter(barcodes__isnull=False)
                        .values_list("barcodes__code", flat=True)[:20])
        searches += [f"{catalog}?q={code}" for code in barcodes]
        for role in ("anon", "shopper"):
            who = "anonymous" if role == "anon" else "logged-in shopper"
            scenarios.append((f"catalog list, {who}", role, pages))
            scenarios.append((f"catalog search, {who}", role, searches or pages))
    product_paths = [p for p in (_product_path(p) for p in products[:200]) if p]
    if product_paths:
        scenarios.append(("product page, anonymous", "anon", product_paths))
        scenarios.append(("product page, logged-in shopper", "shopper", product_paths))
    scenarios.append(("front page, anonymous", "anon", ["/"]))
    dashboard = _reverse("analytics:dashboard")
    if dashboard:
        scenarios.append(("dashboard, admin", "admin", [dashboard]))
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


def run_wrk(url_base, paths, *, cookie, duration, connections, threads):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
        paths_file = handle.name
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
           "-s", str(ROOT / "bench" / "paths.lua"), "-H", "X-Forwarded-Proto: https"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(url_base)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30,
                         env={**os.environ, "WRK_PATHS": paths_file}).stdout
    os.unlink(paths_file)
    try:
        return _parse_wrk(out)
    except (AttributeError, ValueError) as error:
        raise RuntimeError(f"cannot read wrk's output ({error}):\n{out}") from error


def _parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "requests": total, "errors": errors,
            "raw": out}


def count_queries(base, paths, cookie):
    """Queries per request on the BENCH=1 server: the mean over the scenario's first paths,
    each fetched twice (the second, warm, answer counts)."""
    counts, statuses = [], set()
    for path in paths[:10]:
        headers = {"X-Forwarded-Proto": "https", "Host": base.split("//")[1]}
        if cookie:
            headers["Cookie"] = cookie
        for _ in range(2):
            response = support.request("GET", base + path, headers=headers)
        statuses.add(response.status)
        counts.append(int(response.header("X-Bench-Queries") or -1))
    return sum(counts) / len(counts), sorted(statuses)


def fmt(result, ceiling_rps):
    ratio = f"{result['rps'] / ceiling_rps:.2f}×" if ceiling_rps and result.get("rps") else "—"
    queries = result.get("queries")
    queries = f"{queries:.1f}" if isinstance(queries, (int, float)) else "—"
    return (f"| {result['name']} | {result['rps']:,.0f} | {result['p50_ms']:.1f} | "
            f"{result['p99_ms']:.1f} | {result['errors']} | {queries} | {ratio} |")


def write_markdown(results, args, extra_lines):
    ceiling = next((r["rps"] for r in results if r["name"].startswith("ceiling")), None)
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores: "
        f"gunicorn {args.workers} workers × {args.threads} threads, {args.connections} "
        f"connections, {args.duration} s per scenario, {args.products:,} products.",
        "",
        "| scenario | requests/s | p50 ms | p99 ms | errors | queries/request | × ceiling |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[fmt(r, ceiling) for r in results if "rps" in r],
        "",
        *extra_lines,
    ]
    text = "\n".join(lines)
    target = ROOT / "BENCHMARKS.md"
    if target.exists():
        current = target.read_text()
        if MARK_BEGIN in current and MARK_END in current:
            head, rest = current.split(MARK_BEGIN, 1)
            _, tail = rest.split(MARK_END, 1)
            target.write_text(f"{head}{MARK_BEGIN}\n{text}\n{MARK_END}{tail}")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=None)
    parser.add_argument("--database", default="bibarys_bench")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 5)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 1)))
    parser.add_argument("--shoppers", type=int, default=64)
    parser.add_argument("--only", default="", help="run scenarios whose name contains this")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (make bench installs it: apt-get install -y wrk)")
    env = bench_env(args)
    support.require_redis(support.REDIS_DB_BENCH)
    ensure_database(env, args)
    django_setup(env)
    seed(env, args)
    scenarios = [s for s in build_scenarios() if args.only in s[0]]
    log_dir = Path(tempfile.mkdtemp(prefix="bench-"))

    # Pass 1: queries per request.
    queries = {}
    with support.Server({**env, "BENCH": "1"}, workers=1, threads=1, name="count",
                        log_dir=log_dir) as server:
        cookies = {"anon": "", "shopper": session_cookie(server.url, "bench_shopper_000"),
                   "admin": session_cookie(server.url, "bench_admin")}
        for name, role, paths in scenarios:
            queries[name], statuses = count_queries(server.url, paths, cookies[role])
            log(f"{name}: {queries[name]:.1f} queries/request, statuses {statuses}")
    support.flush_redis(env["REDIS_URL"])  # the page cache starts cold in pass 2

    # Pass 2: throughput.
    results = []
    extra = []
    with support.Server(env, workers=args.workers, threads=args.threads, name="bench",
                        log_dir=log_dir) as server:
        cookies = {"anon": "", "shopper": session_cookie(server.url, "bench_shopper_001"),
                   "admin": session_cookie(server.url, "bench_admin")}
        for name, role, paths in scenarios:
            # Warm: every path once (fills caches the way a day of traffic would).
            run_wrk(server.url, paths, cookie=cookies[role], duration=1, connections=4, threads=1)
            result = run_wrk(server.url, paths, cookie=cookies[role], duration=args.duration,
                             connections=args.connections, threads=args.wrk_threads)
            result.update(name=name, queries=queries.get(name), paths=len(paths))
            result.pop("raw")
            results.append(result)
            log(f"{name}: {result['rps']:,.0f} req/s p50 {result['p50_ms']:.1f} ms "
                f"p99 {result['p99_ms']:.1f} ms errors {result['errors']}")
        try:
            from bench import checkout as checkout_bench
        except ImportError:
            checkout_bench = None
        if checkout_bench is not None:
            for outcome in checkout_bench.run_all(server, args, log):
                if "rps" in outcome:
                    results.append(outcome)
                extra.extend(outcome.get("notes", []))
        try:
            from bench import reports as reports_bench
        except ImportError:
            reports_bench = None
        if reports_bench is not None:
            for outcome in reports_bench.run_all(server, args, log, cookies):
                results.append(outcome)
                extra.extend(outcome.get("notes", []))

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(
        {"args": vars(args), "results": results, "notes": extra}, indent=2, default=str))
    text = write_markdown(results, args, extra) if not args.no_write else ""
    print()
    print(text or json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    main()
