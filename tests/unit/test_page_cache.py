"""The anonymous page cache (bibarys/cache/) through the whole middleware stack: who is served
from it, what it keeps, and that a catalog change shows at once."""

import re
import time

import pytest
from django.test import Client

from bibarys.cache import bump_catalog_version
from tests.unit.page_cache_urls import STATE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.unit.page_cache_urls")]


@pytest.fixture(autouse=True)
def _state():
    STATE.update(text="first", rendered=0)


def test_second_anonymous_visit_is_a_hit_and_its_csrf_token_works_for_that_visitor():
    first = Client().get("/page/")
    visitor = Client(enforce_csrf_checks=True)
    second = visitor.get("/page/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert STATE["rendered"] == 1
    # The headers of the full answer are kept: CSP, clickjacking, language.
    assert "default-src 'self'" in second["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert second["Content-Language"] == first["Content-Language"]
    assert b"@@BIBARYS_CSRF@@" not in second.content
    token = re.search(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', second.content)
    header = re.search(rb'"x-csrftoken": "([A-Za-z0-9]+)"', second.content)
    assert token and header
    # Nobody else's token: the page's token is accepted with this visitor's own cookie.
    assert "csrftoken" in second.cookies
    posted = visitor.post("/echo/", {"csrfmiddlewaretoken": token.group(1).decode()})
    assert posted.status_code == 200
    stranger = Client(enforce_csrf_checks=True)
    stranger.get("/plain/")
    assert stranger.post("/echo/", {"csrfmiddlewaretoken": token.group(1).decode()}).status_code == 403


def test_query_string_language_and_htmx_are_part_of_the_key():
    client = Client()
    client.get("/page/?q=milk")
    client.get("/page/?q=bread")
    client.get("/page/?q=milk")
    assert STATE["rendered"] == 2
    Client().get("/page/?q=milk", HTTP_ACCEPT_LANGUAGE="ru")
    assert STATE["rendered"] == 3
    Client().get("/page/?q=milk", HTTP_HX_REQUEST="true")
    assert STATE["rendered"] == 4


def test_signed_in_visitors_and_visitors_with_a_session_never_get_the_anonymous_page(
        shopper, seller):
    Client().get("/page/")
    signed_in = Client()
    signed_in.force_login(shopper)
    # A shopper has a cache of their own (test_shopper_page_cache.py), never the anonymous one.
    assert signed_in.get("/page/")["X-Page-Cache"] == "miss"
    staff = Client()
    staff.force_login(seller)
    assert "X-Page-Cache" not in staff.get("/page/")
    with_messages = Client()
    with_messages.cookies["messages"] = "x"
    with_messages.get("/page/")
    assert STATE["rendered"] == 4


def test_an_answer_that_starts_a_session_is_not_stored():
    # Drawn without the visitor's cookies, found not storable, drawn again for the visitor.
    assert "X-Page-Cache" not in Client().get("/page/?touch=1")
    assert "X-Page-Cache" not in Client().get("/page/?touch=1")
    assert STATE["rendered"] == 4


def test_the_stored_page_is_drawn_without_the_visitors_cookies(settings):
    from django.core.cache import cache
    from django.test import RequestFactory

    from bibarys.cache import _page_key

    visitor = Client()
    visitor.cookies["promo"] = "ALIYA-PROMO-77"
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    visitor.get("/plain/")  # a CSRF cookie of the visitor's own
    secret = visitor.cookies["csrftoken"].value
    first = visitor.get("/whoami/")
    assert first["X-Page-Cache"] == "miss" and first["Content-Language"] == "ru"
    assert b"ALIYA-PROMO-77" not in first.content
    key = _page_key("bibarys:page:", RequestFactory().get("/whoami/"), "ru")
    stored = repr(cache.get(key)).encode()
    assert b"Hello" in stored and b"ALIYA-PROMO-77" not in stored and secret.encode() not in stored
    # The first answer already carries the visitor's own token: it posts with their cookie.
    token = re.search(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', first.content)
    visitor.cookies["csrftoken"] = secret
    client = Client(enforce_csrf_checks=True)
    client.cookies = visitor.cookies
    assert client.post("/echo/", {"csrfmiddlewaretoken": token.group(1).decode()}).status_code == 200


@pytest.mark.parametrize("vary, stored", [("User-Agent", False), ("Accept-Language, Cookie", True),
                                          ("*", False), ("HX-Request, Accept-Encoding", False)])
def test_an_answer_that_varies_on_what_the_key_lacks_is_never_stored(vary, stored):
    for _ in range(2):
        Client().get("/varies/", {"on": vary}, HTTP_USER_AGENT="Firefox")
    second = Client().get("/varies/", {"on": vary}, HTTP_USER_AGENT="Chrome")
    assert (second.get("X-Page-Cache") == "hit") is stored


def test_a_catalog_change_shows_at_once():
    Client().get("/page/")
    STATE["text"] = "second"
    bump_catalog_version()
    after = Client().get("/page/")
    assert b"second" in after.content and after["X-Page-Cache"] == "miss"


def test_error_pages_and_unmarked_views_are_not_cached():
    for _ in range(2):
        assert Client().get("/page/?missing=1").status_code == 404  # drawn twice: not stored
        Client().get("/plain/")
    assert STATE["rendered"] == 6


def test_stored_pages_lose_their_indentation_but_not_what_a_browser_shows():
    from bibarys.cache import compact

    page = b"<ul>\n    <li>Milk 1 l</li>\n\n    <li>Bread  <b>fresh</b></li>\n</ul>\n"
    assert compact(page) == b"<ul>\n<li>Milk 1 l</li>\n<li>Bread  <b>fresh</b></li>\n</ul>\n"
    kept = b"<form>\n  <textarea>line one\n    indented</textarea>\n</form>"
    assert compact(kept) == kept


def test_the_length_a_stored_page_declares_is_its_length():
    STATE["text"] = "indented\n      text"
    first = Client().get("/page/")
    assert first["X-Page-Cache"] == "miss" and b"indented\ntext" in first.content
    assert int(first["Content-Length"]) == len(first.content)


def test_each_process_keeps_pages_within_its_memory_budget():
    from bibarys.cache import _Recent

    recent = _Recent()
    recent.BUDGET = 250
    for n in range(5):
        recent.put(f"page{n}", (7, 1, time.time(), None, b"x" * 100, []))
    assert recent.get("page4", (7, 1)) and recent.get("page3", (7, 1))
    assert recent.get("page0", (7, 1)) is None and recent._size <= 250
    assert recent.get("page4", (8, 1)) is None  # drawn at another content version: dropped
    assert recent.get("page4", (7, 1)) is None and recent._size == 100


def test_a_process_trusts_the_version_it_read_for_a_moment_but_sees_its_own_changes_at_once(
        settings):
    from django.core.cache import cache

    from bibarys.cache import VERSION_KEY, forget_version

    settings.PAGE_CACHE_VERSION_SECONDS = 60
    forget_version()
    Client().get("/page/")
    STATE["text"] = "second"
    cache.incr(VERSION_KEY)  # another app server's change
    assert Client().get("/page/")["X-Page-Cache"] == "hit"  # within the window: the page read
    bump_catalog_version()  # a change made here
    after = Client().get("/page/")
    assert after["X-Page-Cache"] == "miss" and b"second" in after.content
    settings.PAGE_CACHE_VERSION_SECONDS = 0
    cache.incr(VERSION_KEY)
    assert Client().get("/page/")["X-Page-Cache"] == "miss"  # 0: every request asks Redis
    forget_version()
