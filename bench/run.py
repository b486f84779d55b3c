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
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The steps live in their own modules (prepare, scenarios, measure, report); bench.checkout_steps
# imports bench_env and django_setup from here.
from tests import support  # noqa: E402  (Server, Client, env helpers shared with the tests)

from bench.measure import count_queries, run_python, run_wrk, session_cookie, warm  # noqa: E402
from bench.prepare import (BENCH_PASSWORD, RESULTS, SLOW_PAGE_TIMEOUT, bench_env,  # noqa: E402
                           dataset_figures, django_setup, ensure_database, log, seed)
from bench.report import busy_note, write_markdown  # noqa: E402
from bench.scenarios import build_scenarios  # noqa: E402

__all__ = ["bench_env", "django_setup", "main"]

MIXED_NAMES = ("catalog list, anonymous", "catalog list, logged-in shopper",
               "product page, anonymous")


def parse_args(argv=None):
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
    return parser.parse_args(argv)


def count_pass(env, log_dir, scenarios, *, checkout_bench, spread, run_checkout):
    """Pass 1: queries per request (one worker, BENCH=1 adds X-Bench-Queries)."""
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
    return queries, checkout_queries


def measure_page(server, item, cookie, args, queries) -> dict:
    """One page scenario: the slow report by the Python load generator, the rest by wrk after
    a warm-up (every path once, as a day of traffic fills the caches, then one second)."""
    connections = item.get("connections", args.connections)
    if item.get("target") == "report":
        result = run_python(server.url, item["paths"], cookie=cookie,
                            duration=args.duration, connections=connections)
    else:
        warm(server.url, item["paths"], cookie)
        run_wrk(server.url, item["paths"], cookie=cookie, duration=1, connections=4, threads=1)
        result = run_wrk(server.url, item["paths"], cookie=cookie, duration=args.duration,
                         connections=connections, threads=args.wrk_threads,
                         timeout=item.get("timeout", 10))
        result.pop("raw")
    result.update(name=item["name"], queries=queries.get(item["name"]),
                  paths=len(item["paths"]), target=item.get("target"), connections=connections)
    log(f"{item['name']}: {result['rps']:,.1f} req/s p50 {result['p50_ms']:.1f} ms "
        f"p99 {result['p99_ms']:.1f} ms errors {result['errors']}")
    return result


def throughput_pass(env, log_dir, args, scenarios, *, checkout_bench, spread, hot_pk,
                    queries, checkout_queries, run_checkout, run_mixed, run_till=False):
    """Pass 2: throughput. Pages first (after the mixed load, if asked), then checkout, then the
    slow report (a long PDF must not delay the rest)."""
    results, extra = [], []
    with support.Server(env, workers=args.workers, threads=args.threads, name="bench",
                        log_dir=log_dir, extra_args=SLOW_PAGE_TIMEOUT) as server:
        cookies = {"anon": "", "shopper": session_cookie(server.url, "bench_shopper_001"),
                   "admin": session_cookie(server.url, "bench_admin")}
        if run_mixed:
            from bench import mixed as mixed_bench

            mixed = [s for s in build_scenarios() if s["name"] in MIXED_NAMES]
            rows, notes = mixed_bench.run(server, args, log, password=BENCH_PASSWORD,
                                          scenarios=mixed, spread=spread, run_wrk=run_wrk,
                                          warm=warm, cookies=cookies)
            results.extend(rows)
            extra.extend(notes)
        if run_till:
            # 10 tills paying 20-line sales while shoppers order online (bench/till.py).
            from bench import till as till_bench

            prepared = till_bench.prepare(log, BENCH_PASSWORD)
            shoppers = [f"bench_shopper_{n:03d}" for n in range(2, args.shoppers - 1)]
            rows, notes = till_bench.run(
                server, args, log, password=BENCH_PASSWORD, prepared=prepared, spread=spread,
                order_cookies=checkout_bench.login_all(server.url, shoppers, BENCH_PASSWORD))
            results.extend(rows)
            extra.extend(notes)
        for item in [i for i in scenarios if i.get("target") != "report"]:
            results.append(measure_page(server, item, cookies[item["role"]], args, queries))
        if run_checkout:
            for row in checkout_bench.run_all(server, args, log, password=BENCH_PASSWORD,
                                              spread=spread, hot_pk=hot_pk,
                                              queries=checkout_queries):
                extra.extend(row.pop("notes", []))
                results.append(row)
        for item in [i for i in scenarios if i.get("target") == "report"]:
            results.append(measure_page(server, item, cookies[item["role"]], args, queries))
    return results, extra


def main(argv=None):
    args = parse_args(argv)
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
    run_mixed = any(w in "mixed load" for w in wanted)
    run_till = any(w in "till: 10 tills" for w in wanted)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-"))

    queries, checkout_queries = count_pass(env, log_dir, scenarios, checkout_bench=checkout_bench,
                                           spread=spread, run_checkout=run_checkout)
    support.flush_redis(env["REDIS_URL"])  # the page cache starts cold in pass 2
    results, extra = throughput_pass(
        env, log_dir, args, scenarios, checkout_bench=checkout_bench, spread=spread,
        hot_pk=hot_pk, queries=queries, checkout_queries=checkout_queries,
        run_checkout=run_checkout, run_mixed=run_mixed, run_till=run_till)

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
