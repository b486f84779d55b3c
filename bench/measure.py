"""`make bench`'s measuring: a signed-in session, wrk over many paths, the queries per request, and
a Python load generator for the slow pages."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time

from tests import support

from bench.prepare import BENCH_PASSWORD, ROOT


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
