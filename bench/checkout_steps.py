#!/usr/bin/env python
"""Where an order's time goes: the three requests of one checkout as a browser with htmx sends
them (add to cart from the product card, the delivery step answered with the review step,
placing it) through Django in this process, on the bench database that `make bench` seeded,
without HTTP or a load generator. Prints the milliseconds and queries of each step, averaged
over --orders orders spread over products with stock.

    .venv/bin/python bench/checkout_steps.py --orders 60
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import bench_env, django_setup  # noqa: E402

_KEY = re.compile(r'name="idempotency_key" value="([0-9a-f-]+)"')
_TOTAL = re.compile(r'name="expected_total" value="([0-9.]+)"')


def _order(client, pk):
    """One whole checkout through the three requests a browser sends: (seconds, queries, SQL)
    of each step."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key = {}
    steps = [
        lambda: client.post(f"/orders/cart/add/{pk}/", {"quantity": "1"},
                            HTTP_HX_REQUEST="true"),
        lambda: key.update(page=client.post(
            "/orders/checkout/", {"delivery": "pickup", "phone": "+7 701 234 56 78"},
            HTTP_HX_REQUEST="true")) or key["page"],
        lambda: client.post("/orders/checkout/review/", {
            "idempotency_key": _KEY.search(key["page"].content.decode()).group(1),
            "expected_total": _TOTAL.search(key["page"].content.decode()).group(1),
            "payment": "wallet"}),
    ]
    out = []
    for step, expected in zip(steps, (200, 200, 302)):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = step()
            seconds = time.perf_counter() - started
        if response.status_code != expected:
            sys.exit(f"unexpected {response.status_code} (wallet empty? stock gone?)")
        out.append((seconds, len(queries), [q["sql"] for q in queries.captured_queries]))
    return out


def _print_steps(names, totals, last, args) -> None:
    """The mean time and queries of each step, the SQL of the last order if asked."""
    if args.sql:
        for name, (_seconds, _queries, sql) in zip(names, last):
            print(f"-- {name}")
            for statement in sql:
                print("   ", statement[:160])
    for name, (seconds, queries) in zip(names, totals):
        print(f"{name:14} {seconds / args.orders * 1000:7.1f} ms  "
              f"{queries / args.orders:5.1f} queries")
    whole = sum(t[0] for t in totals) / args.orders
    print(f"{'one order':14} {whole * 1000:7.1f} ms  → at most {2 / whole:.0f} orders/s on 2 cores")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--database", default="bibarys_bench")
    parser.add_argument("--shopper", default="bench_shopper_004")
    parser.add_argument("--sql", action="store_true",
                        help="also print the SQL of each step of the last order")
    parser.add_argument("--profile", metavar="FILE",
                        help="profile the timed orders with cProfile into FILE (pstats)")
    args = parser.parse_args(argv)
    env = bench_env(argparse.Namespace(database=args.database))
    django_setup({**env, "ALLOWED_HOSTS": "127.0.0.1,testserver"})

    from django.test import Client

    from accounts.models import User
    from catalog.models import Product

    products = list(Product.objects.filter(is_active=True, unit="pcs", quantity__gt=1000)
                    .values_list("pk", flat=True)[:200])
    if not products:
        sys.exit("no products with stock: run `make bench` (or bench/run.py --seed-only) first")
    from orders.models import CartLine

    shopper = User.objects.get(username=args.shopper)
    CartLine.objects.filter(cart__user=shopper).delete()  # what an earlier run left behind
    client = Client(HTTP_X_FORWARDED_PROTO="https", secure=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(shopper)
    names = ["add to cart", "delivery → review", "place"]

    for n in range(5):  # warm
        _order(client, products[n % len(products)])
    totals = [[0.0, 0] for _ in names]
    last = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    for n in range(args.orders):
        last = _order(client, products[n % len(products)])
        for total, (seconds, queries, _sql) in zip(totals, last):
            total[0] += seconds
            total[1] += queries
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    _print_steps(names, totals, last, args)

if __name__ == "__main__":
    main()
