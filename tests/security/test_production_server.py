"""The store as it runs in production: gunicorn, 4 workers, DEBUG off, Redis for the shared
rate-limit counts. Headers, cookie flags and brute-force limits are checked on the wire."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import support

pytestmark = pytest.mark.slow


def test_security_headers_on_every_page(prod_server):
    client = support.Client(prod_server.url)
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"):
        response = client.get(path)
        assert response.status in (200, 404), (path, response.status)
        hsts = response.header("Strict-Transport-Security") or ""
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts, (path, hsts)
        assert response.header("X-Frame-Options") == "DENY", path
        assert response.header("X-Content-Type-Options") == "nosniff", path
        assert response.header("Referrer-Policy") == "same-origin", path
        assert response.header("Cross-Origin-Opener-Policy") == "same-origin", path
        csp = response.header("Content-Security-Policy") or ""
        assert "default-src 'self'" in csp and "object-src 'none'" in csp, (path, csp)
        assert "frame-ancestors 'none'" in csp, (path, csp)
        assert "unsafe-eval" not in csp and "unsafe-inline" not in csp, (path, csp)


def _cookie_line(response, name):
    for line in response.headers_all("Set-Cookie"):
        if line.startswith(name + "="):
            return line
    raise AssertionError(f"no {name} cookie in {response.headers_all('Set-Cookie')}")


def _assert_flags(line: str):
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in line.split(";")[1:]}
    assert "secure" in flags, line
    assert "httponly" in flags, line
    assert flags.get("samesite", "").lower() in ("samesite=lax", "samesite=strict"), line


def test_session_and_csrf_cookies_are_secure_httponly_samesite(prod_server):
    support.flush_redis(prod_server.env["REDIS_URL"])
    client = support.Client(prod_server.url)
    login_page = client.get("/accounts/login/")
    _assert_flags(_cookie_line(login_page, "csrftoken"))
    response = client.post("/accounts/login/",
                           {"username": "proof_shopper", "password": "proof-pass-123"})
    assert response.status == 302, response.text[:500]
    _assert_flags(_cookie_line(response, "sessionid"))
    language = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    _assert_flags(_cookie_line(language, "django_language"))


def test_plain_static_files_are_served_hashed_and_cacheable(prod_server):
    page = support.Client(prod_server.url).get("/").text
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    assert css, "collectstatic's hashed CSS is not referenced"
    response = support.Client(prod_server.url).get(css.group(1))
    assert response.status == 200
    assert "max-age=315360000" in (response.header("Cache-Control") or "")


def _wrong_login(base: str, language: str = "kk") -> support.Response:
    client = support.Client(base, language=language)
    client.get("/accounts/login/")
    return client.post("/accounts/login/", {"username": "proof_shopper", "password": "wrong!"})


def test_forty_wrong_logins_let_through_no_more_than_the_limit_across_workers(prod_server):
    """RATELIMIT_LOGIN (5/m) per client address, counted in Redis so that all four workers share
    one count; 8 requests in flight at once so that every worker answers some of them."""
    support.flush_redis(prod_server.env["REDIS_URL"])
    support.rate_window_settle("127.0.0.1")
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: _wrong_login(prod_server.url).status, range(40)))
    let_through = statuses.count(200)
    assert statuses.count(429) >= 35, statuses
    assert 1 <= let_through <= 5, statuses
    assert set(statuses) <= {200, 429}, statuses

    # The right password does not get past the limit either, and the answer speaks Russian.
    client = support.Client(prod_server.url, language="ru")
    client.get("/accounts/login/")
    blocked = client.post("/accounts/login/",
                          {"username": "proof_shopper", "password": "proof-pass-123"})
    assert blocked.status == 429
    assert "Слишком много попыток" in blocked.text
    assert "sessionid" not in client.cookies
    kazakh = _wrong_login(prod_server.url, language="kk")
    assert kazakh.status == 429 and "Тым көп әрекет" in kazakh.text


def test_signup_is_rate_limited_per_client(prod_server):
    support.flush_redis(prod_server.env["REDIS_URL"])
    client = support.Client(prod_server.url, language="en")
    client.get("/accounts/signup/")
    statuses = []
    for n in range(14):
        response = client.post("/accounts/signup/", {
            "username": "", "password1": "x", "password2": "y"})  # invalid: nothing is written
        statuses.append(response.status)
    assert statuses.count(429) >= 4, statuses
    assert statuses.count(200) <= 10, statuses


def test_a_forged_x_forwarded_for_does_not_escape_the_login_limit(prod_server):
    """TRUSTED_PROXIES is empty here: a client that invents a new address for every attempt is
    still one client."""
    support.flush_redis(prod_server.env["REDIS_URL"])
    support.rate_window_settle("127.0.0.1")
    statuses = []
    for n in range(12):
        client = support.Client(prod_server.url)
        client.get("/accounts/login/")
        statuses.append(client.post(
            "/accounts/login/", {"username": "proof_shopper", "password": "wrong!"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"}).status)
    assert statuses.count(200) <= 5 and statuses.count(429) >= 7, statuses


def _wrong_admin_login(base: str) -> support.Response:
    client = support.Client(base)
    client.get("/admin/login/")
    return client.post("/admin/login/", {"username": "proof_shopper", "password": "wrong!",
                                         "next": "/admin/"})


def test_forty_wrong_guesses_at_django_admins_login_meet_the_same_limit(prod_server):
    """Django admin's login is a door like the shop's (tests/security/test_password_doors.py):
    the same count per client address across the four workers, 429 with Retry-After."""
    support.flush_redis(prod_server.env["REDIS_URL"])
    support.rate_window_settle("127.0.0.1")
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: _wrong_admin_login(prod_server.url), range(40)))
    statuses = [r.status for r in responses]
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(429) >= 35 and 1 <= statuses.count(200) <= 5, statuses
    # Until the address's minute ends, or the account's quarter-hour (forty guesses at one
    # account pass its own limit too).
    for response in responses:
        if response.status == 429:
            assert 1 <= int(response.header("Retry-After")) <= 15 * 60, response.header(
                "Retry-After")
    # One count for every door: the shop's login is closed to this address too.
    assert _wrong_login(prod_server.url).status == 429
