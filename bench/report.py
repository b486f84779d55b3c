"""`make bench`'s reporting: each target checked against the run's figures, and the table written
to BENCHMARKS.md between the markers."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from bench.prepare import MARK_BEGIN, MARK_END, ROOT


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
