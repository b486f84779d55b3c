"""The mixed-load scenario of `make bench` (bench/run.py): the shop's pages measured by wrk in a
quiet store and again while checkouts run at a steady rate (--mixed-rate, 20 orders/s), in the
same run, with the page cache's hit rate (X-Page-Cache of every answer, counted by
bench/paths.lua when WRK_COUNT_CACHE is set).

The orders come from client processes (bench/checkout.py's checkout_once: add to cart, the
delivery step, place; real sessions and CSRF tokens), each paced to its share of the rate: an
order starts on its schedule, or at once when the one before ran late."""

from __future__ import annotations

import multiprocessing
import random
import re
import time

from tests import support

TARGET_PAGE = "catalog list, anonymous"
TARGETS = {"ratio": 0.5, "hit_rate": 0.95, "p99_ms": 50}


def _paced(job) -> dict:
    from bench.checkout import checkout_once

    base, cookies, products, seconds, rate, seed = job
    rng = random.Random(seed)
    clients = [support.Client(base, language="en", cookies=dict(c)) for c in cookies]
    started = time.monotonic()
    placed = failed = 0
    n = 0
    while time.monotonic() - started < seconds:
        due = started + n / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            ok = checkout_once(clients[n % len(clients)], rng.choice(products))["ok"]
        except OSError:
            ok = False
        placed, failed = placed + ok, failed + (not ok)
        n += 1
    return {"placed": placed, "failed": failed, "elapsed": time.monotonic() - started}


def _start_orders(base, cookies, products, seconds, rate, processes):
    names = list(cookies)
    jobs = [(base, [cookies[u] for u in names[i::processes]], products, seconds,
             rate / processes, i) for i in range(processes)]
    pool = multiprocessing.get_context("fork").Pool(processes)
    return pool, pool.map_async(_paced, jobs)


def _hits(raw: str) -> tuple[int, int]:
    found = re.search(r"PAGE-CACHE hits=(\d+) misses=(\d+) other=(\d+)", raw)
    if not found:
        return 0, 0
    hits, misses, other = map(int, found.groups())
    return hits, hits + misses + other


def run(server, args, log, *, password, scenarios, spread, run_wrk, warm, cookies) -> tuple:
    """(rows for the table, notes): each of `scenarios` quiet, then under orders."""
    import os

    from bench.checkout import login_all

    rate, seconds = args.mixed_rate, args.duration
    processes = max(2, min(args.checkout_processes, 8))
    shoppers = [f"bench_shopper_{n:03d}" for n in range(2, args.shoppers - 1)]
    order_cookies = login_all(server.url, shoppers, password)
    rows, notes = [], []
    os.environ["WRK_COUNT_CACHE"] = "1"
    try:
        for item in scenarios:
            cookie = cookies[item["role"]]
            warm(server.url, item["paths"], cookie)
            measured = {}
            for load in ("quiet", "selling"):
                pool = None
                if load == "selling":
                    # A second of orders before wrk starts, so the store is selling throughout.
                    pool, pending = _start_orders(server.url, order_cookies, spread, seconds + 2,
                                                  rate, processes)
                    time.sleep(1)
                result = run_wrk(server.url, item["paths"], cookie=cookie, duration=seconds,
                                 connections=args.connections, threads=args.wrk_threads)
                hits, total = _hits(result.pop("raw"))
                result["hit_rate"] = hits / total if total else 0.0
                if pool is not None:
                    orders = pending.get(timeout=seconds + 120)
                    pool.close()
                    placed = sum(o["placed"] for o in orders)
                    elapsed = max(o["elapsed"] for o in orders)
                    result["orders_per_s"] = placed / elapsed if elapsed else 0.0
                    result["order_errors"] = sum(o["failed"] for o in orders)
                label = (f"quiet" if load == "quiet"
                         else f"{result['orders_per_s']:.1f} orders/s")
                result.update(name=f"mixed: {item['name']}, {label}, "
                                   f"hit rate {result['hit_rate']:.1%}",
                              target="mixed", connections=args.connections)
                measured[load] = result
                rows.append(result)
                log(f"{result['name']}: {result['rps']:,.1f} req/s p99 {result['p99_ms']:.1f} ms")
            quiet, selling = measured["quiet"], measured["selling"]
            ratio = selling["rps"] / quiet["rps"] if quiet["rps"] else 0.0
            met = (ratio >= TARGETS["ratio"] and selling["hit_rate"] >= TARGETS["hit_rate"]
                   and selling["p99_ms"] < TARGETS["p99_ms"])
            # The target is the anonymous catalog's (issue 17); the others are measured beside
            # it for what they are: a signed-in page reads the session and the shopper's slots
            # from the same PostgreSQL the checkouts write to.
            verdict = ("met" if met else "**missed**") if item["name"] == TARGET_PAGE else (
                "for information (the target is the anonymous catalog's)")
            notes.append(
                f"Mixed load, {item['name']}: {ratio:.2f}× its quiet throughput while "
                f"{selling['orders_per_s']:.1f} orders/s were placed ({selling['order_errors']} "
                f"failed), hit rate {selling['hit_rate']:.1%} (quiet {quiet['hit_rate']:.1%}), "
                f"p99 {selling['p99_ms']:.1f} ms; target ≥ {TARGETS['ratio']}×, ≥ "
                f"{TARGETS['hit_rate']:.0%} hits, p99 < {TARGETS['p99_ms']} ms: {verdict}.")
    finally:
        os.environ.pop("WRK_COUNT_CACHE", None)
    return rows, notes
