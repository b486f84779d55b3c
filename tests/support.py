"""Real processes for the proof suites: free loopback ports, gunicorn servers started with the
settings the store runs with, a tiny HTTP client that keeps cookies the way a browser behind TLS
would, and the Redis/PostgreSQL guards (a missing service fails in CI, skips only locally).

Everything here talks to 127.0.0.1 only, and every process it starts is stopped by its owner
(a context manager / fixture finaliser), even when a test fails."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PROD_SECRET = "proof-" + "k3y9Zq7Wm2Lp4Xr8Tn6Vb1Hc5Jd0Fg" * 2

# Redis databases owned by the proof suites (CI's suite uses db 1, dev tools db 0).
REDIS_DB_SECURITY = 5
REDIS_DB_TOPOLOGY = 6
REDIS_DB_E2E = 7
REDIS_DB_BENCH = 8

_CLEAN_ENV_DROP = {"DEBUG", "SECRET_KEY", "REDIS_URL", "ALLOWED_HOSTS", "DATABASE_URL",
                   "SECURE_SSL_REDIRECT", "MEDIA_ROOT", "DJANGO_SETTINGS_MODULE",
                   "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "BIBARYS_BENCH_CEILING", "BENCH"}


def in_ci() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("BIBARYS_REQUIRE_POSTGRES"))


def missing_service(message: str):
    """A service the test needs is not there: fail in CI (it starts them), skip locally."""
    if in_ci():
        pytest.fail(message + " (CI must provide it)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url(db: int) -> str:
    host = os.environ.get("PROOF_REDIS_HOST", "127.0.0.1")
    return f"redis://{host}:6379/{db}"


def require_redis(db: int) -> str:
    """The URL of our own Redis database, flushed; fails in CI / skips locally when Redis is down."""
    import redis

    url = redis_url(db)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()
    except redis.RedisError as error:
        missing_service(f"Redis is not reachable at {url}: {error}")
    return url


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def rate_window_settle(value: str, period: int = 60, need: float = 20.0) -> None:
    """Wait, if need be, until the rate-limit window django-ratelimit counts `value` in (a
    client address, a user id) has at least `need` seconds left. Its windows are fixed (each
    value's shifted by a CRC of it), so a burst that straddled a window's end would be counted
    in two windows and let twice the limit through: a test of the limit must fit in one."""
    import zlib

    now = time.time()
    # django_ratelimit.core._get_window: the window is named by its last whole second `last`
    # and counts while int(time.time()) <= last.
    second = int(now)
    last = second - second % period + zlib.crc32(value.encode()) % period
    if last < second:
        last += period
    left = last + 1 - now
    if left < need:
        time.sleep(left + 0.5)


def postgres_base_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def require_postgres_database(name: str) -> str:
    """A fresh PostgreSQL database `name` next to the suite's own, dropped and re-created."""
    import psycopg2
    from psycopg2 import sql

    base = postgres_base_url() or "postgres://postgres@127.0.0.1:5432/postgres"
    parsed = urllib.parse.urlsplit(base)
    admin_url = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    try:
        conn = psycopg2.connect(admin_url, connect_timeout=3)
    except psycopg2.Error as error:
        missing_service(f"PostgreSQL is not reachable: {error}")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    return urllib.parse.urlunsplit(parsed._replace(path="/" + name))


def drop_postgres_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(urllib.parse.urlunsplit(parsed._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    conn.close()


def clean_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _CLEAN_ENV_DROP}
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def production_env(*, database_url: str, redis: str, **overrides) -> dict:
    """The settings the store runs with in production, on plain-HTTP loopback."""
    return clean_env(
        DEBUG="0", SECRET_KEY=PROD_SECRET, DATABASE_URL=database_url, REDIS_URL=redis,
        ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", **overrides,
    )


def manage(*args, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


_collected_static = False


def collectstatic(env: dict) -> None:
    """Production settings serve the hashed manifest that collectstatic writes (once a run)."""
    global _collected_static
    if not _collected_static:
        manage("collectstatic", "--no-input", "-v", "0", env=env)
        _collected_static = True


def sqlite_database(directory: Path) -> str:
    return f"sqlite:///{directory / 'db.sqlite3'}"


class Server:
    """A gunicorn serving bibarys on a free loopback port, stopped (its whole process group) by
    stop() or the end of a `with` block."""

    def __init__(self, env: dict, *, workers: int = 1, threads: int = 1, name: str = "app",
                 log_dir: Path | None = None, extra_args: tuple = ()):
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.threads = threads
        self.name = name
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="proof-log-"))
        self.log_path = self.log_dir / f"gunicorn-{name}-{self.port}.log"
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Server":
        cmd = [PYTHON, "-m", "gunicorn", "bibarys.wsgi:application",
               "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
               "--threads", str(self.threads), "--timeout", "60", "--graceful-timeout", "3",
               "--log-level", "warning", *self.extra_args]
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.log()}")
            try:
                status = request("GET", self.url + "/healthz", timeout=2).status
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {self.name} did not answer in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-8000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------------------------
# A small HTTP client: real sockets, cookies kept by hand (production cookies are Secure; behind
# the TLS proxy a browser would send them, so we send them over loopback too).


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    url: str = ""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def headers_all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.header("Location") or ""


def request(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30) -> Response:
    parsed = urllib.parse.urlsplit(url)
    assert parsed.hostname in ("127.0.0.1", "localhost"), "proof tests talk to loopback only"
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        path = parsed.path or "/"
        if parsed.query:
            path += "?" + parsed.query
        conn.request(method, path, body=body, headers=headers or {})
        raw = conn.getresponse()
        return Response(raw.status, raw.getheaders(), raw.read(), url)
    finally:
        conn.close()


@dataclass
class Client:
    """One visitor: a cookie jar, a language, and (for production settings) the proxy's
    X-Forwarded-Proto: https so the app treats the request as the TLS request it would be."""

    base: str
    https: bool = True
    language: str | None = None
    cookies: dict = field(default_factory=dict)

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Host": urllib.parse.urlsplit(self.base).netloc, "User-Agent": "proof-client"}
        if self.https:
            headers["X-Forwarded-Proto"] = "https"
        if self.language:
            headers["Accept-Language"] = self.language
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep(self, response: Response) -> None:
        for line in response.headers_all("Set-Cookie"):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if 'expires=Thu, 01 Jan 1970' in line or "Max-Age=0" in line:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def with_base(self, base: str) -> "Client":
        """The same visitor (same cookies) talking to another app server."""
        return Client(base=base, https=self.https, language=self.language, cookies=self.cookies)

    def get(self, path: str, headers: dict | None = None) -> Response:
        response = request("GET", self.base + path, headers=self._headers(headers))
        self._keep(response)
        return response

    def post(self, path: str, data: dict | list | None = None, headers: dict | None = None,
             *, csrf: bool = True) -> Response:
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf and "csrftoken" in self.cookies:
            fields.append(("csrfmiddlewaretoken", self.cookies["csrftoken"]))
        body = urllib.parse.urlencode(fields).encode()
        scheme = "https" if self.https else "http"
        extra = {"Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"{scheme}://{urllib.parse.urlsplit(self.base).netloc}{path}"}
        extra.update(headers or {})
        response = request("POST", self.base + path, body=body, headers=self._headers(extra))
        self._keep(response)
        return response

    def upload(self, path: str, files: dict, data: dict | None = None,
               headers: dict | None = None) -> Response:
        """A multipart/form-data POST, as a browser sends a form with a file:
        files = {field: (filename, bytes)}."""
        boundary = f"----proof{secrets.token_hex(12)}"
        fields = dict(data or {})
        if "csrftoken" in self.cookies:
            fields["csrfmiddlewaretoken"] = self.cookies["csrftoken"]
        parts = [(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                  f"{value}\r\n").encode() for name, value in fields.items()]
        for name, (filename, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                         f"\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        scheme = "https" if self.https else "http"
        extra = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                 "Referer": f"{scheme}://{urllib.parse.urlsplit(self.base).netloc}{path}"}
        extra.update(headers or {})
        response = request("POST", self.base + path, body=body, headers=self._headers(extra))
        self._keep(response)
        return response

    def login(self, username: str, password: str) -> Response:
        self.get("/accounts/login/")
        return self.post("/accounts/login/", {"username": username, "password": password})


def csrf_from_html(html: str) -> str | None:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else None


@contextmanager
def temp_dir(prefix: str = "proof-"):
    with tempfile.TemporaryDirectory(prefix=prefix) as directory:
        yield Path(directory)


class Canary:
    """A loopback HTTP server that only counts who knocks: a PDF renderer (or anything else)
    that fetches a URL it was given in user data shows up here."""

    def __init__(self):
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def worker_pids(server: "Server") -> list[int]:
    """The gunicorn workers (children of the master) of a running Server."""
    pids = []
    for task in Path(f"/proc/{server.process.pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids.extend(int(pid) for pid in children)
    return pids


def peak_rss_mb(pid: int) -> float:
    """The highest resident memory a process has had (VmHWM), in megabytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
