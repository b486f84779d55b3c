"""End-to-end checkout over HTTP for `make bench` (bench/run.py): real shoppers with real
sessions and CSRF tokens do what a browser with htmx does for each order:

    POST /orders/cart/add/<pk>/      one unit of a product (htmx: the product card's button)
    POST /orders/checkout/           step 1: pickup, phone (htmx: the answer is step 2, the
                                     review page with its idempotency key)
    POST /orders/checkout/review/    pay from the wallet → 302 to the confirmation (step 3)

Two scenarios, each bounded in time: spread (every order takes a random one of many products,
so row locks rarely meet) and hot (everyone buys the same product, which has HOT_STOCK units:
the locks queue, then the shop refuses with "only N left"). After the hot one: the product's
stock is ≥ 0, exactly as many units were sold as orders placed, and `manage.py check_stock`
passes. Load comes from several processes (the Python client costs CPU too, on the same cores).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import resource
import time
from decimal import Decimal
from pathlib import Path

from tests import support

HOT_SLUG = "bench-hot-product"
HOT_STOCK = 300
SPREAD_PRODUCTS = 1000
SPREAD_STOCK = Decimal("100000")
_KEY = re.compile(r'name="idempotency_key" value="([0-9a-f-]+)"')
_TOTAL = re.compile(r'name="expected_total" value="([0-9.]+)"')


# ---------------------------------------------------------------------------------------------
# Setup (in the bench process, with Django set up on the bench database)


def prepare_products(log) -> tuple[list[int], int]:
    """SPREAD_PRODUCTS active piece products with plenty of stock, and the hot product with
    exactly HOT_STOCK units, received the way the store receives goods (a posted receipt)."""
    import datetime

    from accounts.models import User
    from catalog.models import Category, Product
    from inventory.services import receipt_create, receipt_line_set, receipt_post
    from orders.models import CartLine

    admin = User.objects.get(username="bench_admin")
    spread = list(Product.objects.filter(is_active=True, unit="pcs").order_by("pk")
                  .values_list("pk", flat=True)[:SPREAD_PRODUCTS])
    hot = Product.objects.filter(slug=HOT_SLUG).first()
    if hot is None:
        from catalog.services import product_create

        hot = product_create(by=admin, seller=User.objects.filter(role="seller").first(),
                             name="Bench hot product", category=Category.objects.first(),
                             unit="pcs", price=Decimal("100.00"), sku="BENCH-HOT",
                             cost_price=Decimal("50.00"))
        Product.objects.filter(pk=hot.pk).update(slug=HOT_SLUG)
        hot.refresh_from_db()
    wanted = {pk: SPREAD_STOCK for pk, quantity in Product.objects.filter(pk__in=spread)
              .values_list("pk", "quantity") if quantity < SPREAD_STOCK / 2}
    if hot.quantity < HOT_STOCK:
        wanted[hot.pk] = Decimal(HOT_STOCK) - hot.quantity
    if wanted:
        receipt = receipt_create(by=admin, supplier="Bench supplier", date=datetime.date.today())
        products = Product.objects.in_bulk(list(wanted))
        for pk, quantity in wanted.items():
            receipt_line_set(receipt=receipt, by=admin, product=products[pk], quantity=quantity,
                             unit_cost=Decimal("10.00"))
        receipt_post(receipt=receipt, by=admin)
        log(f"checkout: received stock for {len(wanted)} products")
    hot.refresh_from_db()
    if hot.quantity > HOT_STOCK:  # an earlier run stopped early: sell nothing, just say so
        log(f"checkout: the hot product holds {hot.quantity} (more than {HOT_STOCK})")
    CartLine.objects.filter(cart__user__username__startswith="bench_shopper_").delete()
    return spread, hot.pk


# ---------------------------------------------------------------------------------------------
# One order, as a browser places it


def checkout_once(client: support.Client, product_pk: int) -> dict:
    """Returns {"ok": bool, "sold_out": bool, "status": ..., "seconds": ..., "queries": n}."""
    started = time.perf_counter()
    queries = 0
    steps = [
        # As the product card's button does it (htmx): the answer is the card's form, with
        # the shop's refusal in it when the product ran out.
        ("add", lambda: client.post(f"/orders/cart/add/{product_pk}/", {"quantity": "1"},
                                    headers={"HX-Request": "true"}), 200),
        # The delivery form is sent by htmx: its answer is the review step.
        ("delivery", lambda: client.post("/orders/checkout/", {
            "delivery": "pickup", "phone": "+7 701 234 56 78"},
            headers={"HX-Request": "true"}), 200),
    ]
    page = None
    for name, send, expected in steps:
        response = send()
        queries += int(response.header("X-Bench-Queries") or 0)
        if name == "add" and response.status == 200 and 'role="alert"' in response.text:
            # "Only N left" / "out of stock": the shopper was told, nothing was added.
            return {"ok": False, "sold_out": True, "status": "add:refused",
                    "seconds": time.perf_counter() - started, "queries": queries}
        if response.status != expected:
            return {"ok": False, "sold_out": False, "status": f"{name}:{response.status}",
                    "seconds": time.perf_counter() - started, "queries": queries}
        page = response
    match = _KEY.search(page.text)
    if not match:
        return {"ok": False, "sold_out": False, "status": "review:no-key",
                "seconds": time.perf_counter() - started, "queries": queries}
    total = _TOTAL.search(page.text)
    response = client.post("/orders/checkout/review/",
                           {"idempotency_key": match.group(1), "payment": "wallet",
                            "expected_total": total.group(1) if total else ""})
    queries += int(response.header("X-Bench-Queries") or 0)
    seconds = time.perf_counter() - started
    if response.status == 302 and "/checkout/done/" in response.location:
        return {"ok": True, "sold_out": False, "status": 302, "seconds": seconds,
                "queries": queries}
    sold_out = response.status == 200 and "idempotency_key" in response.text
    return {"ok": False, "sold_out": sold_out, "status": f"place:{response.status}",
            "seconds": seconds, "queries": queries}


def _login(base: str, username: str, password: str) -> support.Client:
    client = support.Client(base, language="en")
    response = client.login(username, password)
    if response.status != 302:
        raise RuntimeError(f"bench login of {username} failed: {response.status}")
    return client


def login_all(base: str, usernames, password: str) -> dict:
    """Every bench shopper logged in over HTTP before the clock starts (the password hasher is
    slow on purpose; logging in is not what this scenario measures)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        clients = list(pool.map(lambda name: _login(base, name, password), usernames))
    return {name: dict(client.cookies) for name, client in zip(usernames, clients)}


def _worker(job) -> dict:
    base, usernames, cookies, products, seconds, hot, seed = job
    rng = random.Random(seed)
    clients = [support.Client(base, language="en", cookies=dict(cookies[name]))
               for name in usernames]
    results = {"ok": 0, "sold_out": 0, "errors": 0, "latencies": [], "statuses": {}}
    deadline = time.monotonic() + seconds
    turn = 0
    active = list(clients)
    while active and time.monotonic() < deadline:
        client = active[turn % len(active)]
        turn += 1
        try:
            outcome = checkout_once(client, rng.choice(products))
        except OSError as error:  # a timeout or a refused connection is an error, not a crash
            outcome = {"ok": False, "sold_out": False, "status": type(error).__name__,
                       "seconds": 0.0, "queries": 0}
        results["latencies"].append(outcome["seconds"])
        if outcome["ok"]:
            results["ok"] += 1
        elif outcome["sold_out"] and hot:
            results["sold_out"] += 1
            active.remove(client)  # this shopper was told "sold out": they stop buying
        else:
            results["errors"] += 1
            key = str(outcome["status"])
            results["statuses"][key] = results["statuses"].get(key, 0) + 1
            # Leave the cart clean for the next try.
            try:
                client.post(f"/orders/cart/{products[0]}/remove/")
            except OSError:
                pass
    return results


# ---------------------------------------------------------------------------------------------
# Where the CPU goes while orders are placed (Linux /proc): the app server's processes, the
# database's, and the load generator's (the client processes, children of this one).


def _cpu_seconds(match) -> float:
    """utime + stime of every live process whose command line `match` accepts."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if match(command):
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _cpu_now() -> dict:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"app": _cpu_seconds(lambda c: "gunicorn" in c),
            "database": _cpu_seconds(lambda c: c.startswith("postgres")),
            "client": children.ru_utime + children.ru_stime}


def _run(server, *, usernames, cookies, products, seconds, processes, hot) -> dict:
    per = [usernames[i::processes] for i in range(processes)]
    jobs = [(server.url, names, cookies, products, seconds, hot, n)
            for n, names in enumerate(per) if names]
    cpu_before = _cpu_now()
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        parts = pool.map(_worker, jobs)
    elapsed = time.monotonic() - started
    cpu_after = _cpu_now()
    total = {"ok": 0, "sold_out": 0, "errors": 0, "latencies": [], "statuses": {}}
    for part in parts:
        for key in ("ok", "sold_out", "errors"):
            total[key] += part[key]
        total["latencies"].extend(part["latencies"])
        for key, value in part["statuses"].items():
            total["statuses"][key] = total["statuses"].get(key, 0) + value
    total["elapsed"] = elapsed
    total["cpu"] = {key: cpu_after[key] - cpu_before[key] for key in cpu_before}
    return total


def _percentile(values, fraction) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] * 1000


def queries_per_order(base: str, password: str, product_pk: int) -> int:
    """On the BENCH=1 server: the SQL queries of one whole checkout (3 requests)."""
    client = _login(base, "bench_shopper_063", password)
    client.get("/")
    outcome = checkout_once(client, product_pk)
    return outcome["queries"] if outcome["ok"] else -1


def run_all(server, args, log, *, password, spread, hot_pk, queries=None):
    """Both scenarios on the running bench server; returns result rows for the table."""
    from django.db import close_old_connections

    from catalog.models import Product
    from orders.models import OrderLine

    processes = max(2, args.checkout_processes)
    usernames = [f"bench_shopper_{n:03d}" for n in range(args.shoppers - 1)]
    rows = []
    log(f"checkout, spread over {len(spread)} products: {processes} client processes, "
        f"{len(usernames)} shoppers, {args.duration} s")
    cookies = login_all(server.url, usernames, password)
    check_before = check_stock(server.env)
    close_old_connections()
    spread_result = _run(server, usernames=usernames, cookies=cookies, products=spread,
                         seconds=args.duration, processes=processes, hot=False)
    rows.append(_row("checkout, spread over many products (orders/s)", spread_result, queries))

    close_old_connections()
    from orders.models import CartLine

    CartLine.objects.filter(cart__user__username__startswith="bench_shopper_").delete()
    hot_before = Product.objects.get(pk=hot_pk).quantity
    lines_before = OrderLine.objects.filter(product_id=hot_pk).count()
    log(f"checkout, one hot product with {hot_before} units: {processes} client processes")
    hot_result = _run(server, usernames=usernames, cookies=cookies, products=[hot_pk],
                      seconds=args.duration, processes=processes, hot=True)
    close_old_connections()
    hot_after = Product.objects.get(pk=hot_pk).quantity
    sold_lines = OrderLine.objects.filter(product_id=hot_pk).count() - lines_before
    row = _row("checkout, one hot product (orders/s)", hot_result, queries)
    check_after = check_stock(server.env)
    oversold = hot_after < 0 or Decimal(sold_lines) != hot_before - hot_after
    row["notes"] = [
        f"Hot product: {hot_before} units before, {hot_result['ok']} orders placed, "
        f"{sold_lines} order lines written, {hot_after} left, {hot_result['sold_out']} shoppers "
        f"told it was sold out → {'OVERSOLD' if oversold else 'no oversell'}.",
        f"`manage.py check_stock` before the checkout runs: {check_before['text']}; "
        f"after: {check_after['text']}.",
        f"Checkout spread: {spread_result['ok']} orders in {spread_result['elapsed']:.1f} s, "
        f"errors {spread_result['errors']} {spread_result['statuses'] or ''}.",
        _cpu_note(spread_result),
    ]
    check_ok = check_after["problems"] == 0 or (
        check_after["problems"] <= check_before["problems"])
    row["check_stock"] = {"before": check_before, "after": check_after}
    row["oversold"] = oversold
    row["check_ok"] = check_ok
    rows.append(row)
    for r in rows:
        log(f"{r['name']}: {r['rps']:.1f} orders/s p50 {r['p50_ms']:.0f} ms p99 {r['p99_ms']:.0f} ms "
            f"errors {r['errors']}")
    return rows


def _cpu_note(result) -> str:
    """CPU milliseconds an order, by process group, while the spread scenario ran."""
    orders = max(result["ok"], 1)
    cpu = result["cpu"]
    parts = ", ".join(f"{name} {cpu[key] / orders * 1000:.1f} ms"
                      for key, name in (("app", "app server (gunicorn)"),
                                        ("database", "PostgreSQL"),
                                        ("client", "load generator")))
    busy = sum(cpu.values()) / result["elapsed"] if result["elapsed"] else 0
    return (f"CPU an order during the spread run: {parts} ({busy:.2f} of "
            f"{os.cpu_count()} cores busy on average).")


def check_stock(env) -> dict:
    """`manage.py check_stock`: {"problems": n, "text": its verdict in a few words}."""
    try:
        out = support.manage("check_stock", env=env, timeout=1800).stdout.strip()
        return {"problems": 0, "text": "passes" + (f" ({out.splitlines()[-1]})" if out else "")}
    except RuntimeError as error:
        found = re.search(r"(\d+) problem\(s\) found", str(error))
        problems = int(found.group(1)) if found else -1
        return {"problems": problems, "text": f"FAILS with {problems} problem(s)"}


def _row(name, result, queries) -> dict:
    return {
        "name": name, "rps": result["ok"] / result["elapsed"] if result["elapsed"] else 0.0,
        "p50_ms": _percentile(result["latencies"], 0.50),
        "p99_ms": _percentile(result["latencies"], 0.99),
        "errors": result["errors"], "queries": queries, "requests": result["ok"],
        "unit": "orders/s", "statuses": result["statuses"],
    }
