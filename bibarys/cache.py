"""A full-page cache for what shoppers see most: the front page, the catalog list and product
pages, for anonymous visitors and for signed-in shoppers.

    from bibarys.cache import cache_shop_page

    @cache_shop_page
    def product_list(request): ...

The decorator only marks the view; two middlewares do the work.

AnonymousPageCacheMiddleware (early in MIDDLEWARE, right after whitenoise): a hit skips
sessions, auth, messages, the view and its templates.

The key is the path with its query string, the language and whether htmx asked for a
fragment. Each entry remembers two versions it was drawn at, and when:
- the CONTENT version (catalog.selectors' catalog_version(): names, prices, photos,
  categories, reviews; catalog/signals.py bumps it on every save). An entry of another content
  version is never served: such a change shows at once.
- the STOCK version (STOCK_KEY here, bumped by every stock movement: stock_changed). A store
  that sells moves it many times a second, so an entry of an older stock version is still
  served for PAGE_CACHE_STOCK_SECONDS after it was drawn (2 s): the stock a page shows is at
  most that old, and a sale costs each page one new drawing per that time instead of one per
  sale. A product card is kept by its own quantity as well (catalog_tags.product_cards), so a
  page drawn again draws again only the cards of what was sold.
A hit takes the current versions (read from Redis at most every PAGE_CACHE_VERSION_SECONDS, a
quarter of a second, by each process: current_version) and the entry from this process's memory
(_Recent) or, failing that, from Redis; the next visitor's page overwrites a stale entry.

Only a first-time anonymous visitor is served from the cache: no session cookie (an anonymous
cart, a pending message or a login belong to one visitor) and no messages cookie. The page for
the cache is drawn from a copy of the request WITHOUT the visitor's cookies (but the language,
which the key holds): a fresh anonymous session, a CSRF token of nobody's. So the stored page
holds nothing of the visitor by construction; it keeps the headers of the full answer (CSP,
X-Frame-Options, Vary, Content-Language) but no cookie, and every answer, the first included,
is the stored page with this visitor's own CSRF token put in. An answer is stored only when
its Vary names nothing but what the key holds (KEYED_VARY).

ShopperPageCacheMiddleware (after auth and messages): the same for a signed-in shopper. Such a
page differs from shopper to shopper only in a few places the templates mark as slots
(`{% shopper_slot "wish" product.pk %}…{% endshopper_slot %}`, see SLOTS): the name in the
header, the cart badge, the wishlist hearts, the review box. The page for the cache is drawn
for a stand-in shopper (no name, no cart, no wishlist, no purchases, an empty session, a CSRF
token of nobody's), never for the shopper who asked: each slot is drawn in every variant it can
take (empty / in the wishlist, …) and the page keeps a placeholder; every answer, the first one
included, is the stored page with each slot's variant chosen for this shopper (a query or two:
the cart count, the hearts of this page's products). So the stored page holds nothing of any
shopper by construction: a template that forgot a slot shows the stand-in's nothing. Staff, a page with a
pending message, and a page the view declines (`page_cache_skip`, e.g. a product the shopper
reviewed) are drawn the ordinary way."""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from functools import cached_property, lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token, rotate_token
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import translation
from django.utils.html import escape

PAGE_TTL = 300
VERSION_KEY = "bibarys:catalog-version"  # the content version
STOCK_KEY = "bibarys:stock-version"
MARK = "bibarys_page_cache"

# Where our templates put the CSRF token: the hidden form field and <body hx-headers>.
_TOKEN_PATTERNS = [
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")'),
    re.compile(rb'("x-csrftoken": ")[A-Za-z0-9]+(")'),
]
_PLACEHOLDER = b"@@BIBARYS_CSRF@@"
_SKIP_HEADERS = {"set-cookie", "content-length", "x-page-cache", "x-bench-queries"}
# What a stored answer may vary on: what the key holds (the language, htmx's two headers, the
# scheme) and the cookies, which the page is drawn without (anonymous: only the language
# cookie, in the key as the language; a shopper: their session stands for what the slots show).
KEYED_VARY = {"accept-language", "cookie", "hx-request", "hx-target", "x-forwarded-proto"}


def cache_shop_page(view):
    """Mark a GET view whose answer depends only on the URL, the language, the catalog and, for
    a signed-in shopper, what the template's slots show (see the module docstring)."""
    setattr(view, MARK, True)
    return view


def _marked(request) -> bool:
    return _marked_path(get_urlconf() or settings.ROOT_URLCONF, request.path_info)


@lru_cache(maxsize=4096)
def _marked_path(urlconf: str, path: str) -> bool:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return False
    return getattr(match.func, MARK, False)


def _page_key(prefix: str, request, language: str) -> str:
    raw = "|".join([
        request.path, request.META.get("QUERY_STRING", ""), language,
        request.headers.get("HX-Request", ""), request.headers.get("HX-Target", ""),
        request.headers.get("X-Forwarded-Proto", ""),
    ])
    return prefix + hashlib.sha256(raw.encode()).hexdigest()


def _fresh_version() -> int:
    # A version never used before, even after the cache was emptied: every process also keeps
    # the pages it served in memory under the version they were drawn at.
    return time.time_ns() // 1000


def catalog_version() -> int:
    """The catalog's content version (names, prices, photos, categories, reviews)."""
    return cache.get_or_set(VERSION_KEY, _fresh_version, timeout=None)


def bump_catalog_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)
    forget_version()


def stock_version() -> int:
    return cache.get(STOCK_KEY) or 0


def bump_stock_version() -> None:
    try:
        cache.incr(STOCK_KEY)
    except ValueError:  # not there yet (or the cache was emptied)
        cache.set(STOCK_KEY, 1, timeout=None)
    forget_version()


# The versions (content, stock) as this process last read them, and when (time.monotonic()).
# Reading them from Redis on every hit cost more than the rest of the hit under load (a round
# trip and a context switch to Redis on the same cores; BENCHMARKS.md, "Figures behind the
# code"), so a process trusts what it read for PAGE_CACHE_VERSION_SECONDS (a quarter of a second; 0 in
# tests). A change made in this process shows here at once (the bumps forget them); one made
# by another server shows here within that time.
_seen: tuple = (None, 0.0)


def current_version() -> tuple[int, int]:
    """(content version, stock version)."""
    global _seen
    versions, read_at = _seen
    now = time.monotonic()
    if versions is None or now - read_at >= settings.PAGE_CACHE_VERSION_SECONDS:
        found = cache.get_many([VERSION_KEY, STOCK_KEY])
        content = found.get(VERSION_KEY)
        versions = (catalog_version() if content is None else content, found.get(STOCK_KEY, 0))
        _seen = (versions, now)
    return versions


def forget_version() -> None:
    global _seen
    _seen = (None, 0.0)


def _fresh(entry, versions: tuple[int, int]) -> bool:
    """An entry (content version, stock version, drawn at (time.time()), …) may be served: of
    the current content, and of the current stock or drawn less than
    PAGE_CACHE_STOCK_SECONDS ago."""
    return entry[0] == versions[0] and (
        entry[1] == versions[1] or time.time() - entry[2] < settings.PAGE_CACHE_STOCK_SECONDS)


class _Recent:
    """The pages this process served lately, beside the shared cache: a hit then reads only
    the versions from Redis (a few bytes) instead of moving and unpickling a 60–120 KB page.
    An entry counts only while it is fresh (_fresh), like the shared one, and content versions
    are never reused (catalog.selectors), so this holds nothing the shared cache would not."""

    BUDGET = 32 * 1024 * 1024  # bytes of pages per process; the least recently used go first

    def __init__(self):
        self._items: OrderedDict = OrderedDict()  # key → (entry, size)
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def _size_of(entry) -> int:
        size = 0
        for part in entry[3:]:
            if isinstance(part, bytes):
                size += len(part)
            elif isinstance(part, list):  # a shopper page's text parts
                size += sum(len(p) for p in part if isinstance(p, bytes))
            elif isinstance(part, dict):  # its slots' variants
                size += sum(len(v) for variants in part.values() for v in variants)
        return size

    def get(self, key: str, versions):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if not _fresh(item[0], versions):
                self._size -= self._items.pop(key)[1]
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: str, entry) -> None:
        size = self._size_of(entry)
        with self._lock:
            if key in self._items:
                self._size -= self._items.pop(key)[1]
            self._items[key] = (entry, size)
            self._size += size
            while self._size > self.BUDGET and self._items:
                self._size -= self._items.popitem(last=False)[1][1]


_recent = _Recent()


def _current(key: str):
    """(the versions now, the fresh page stored under `key` or None)."""
    versions = current_version()
    entry = _recent.get(key, versions)
    if entry is None:
        entry = cache.get(key)
        if entry is None or not _fresh(entry, versions):
            return versions, None
        _recent.put(key, entry)
    return versions, entry


def _store(key: str, versions: tuple[int, int], *rest) -> tuple:
    entry = (*versions, time.time(), *rest)
    cache.set(key, entry, PAGE_TTL)
    _recent.put(key, entry)
    return entry


def catalog_changed() -> None:
    """The catalog's content changed in the current transaction: the cached pages are dropped
    now and again when it commits (a page drawn in between may still show the old rows)."""
    from django.db import transaction

    bump_catalog_version()
    transaction.on_commit(bump_catalog_version)


def stock_changed() -> None:
    """Stock moved in the current transaction (a sale, a receipt, a count): cached pages show
    it within PAGE_CACHE_STOCK_SECONDS of the commit (bumped now and again when it commits, as
    catalog_changed)."""
    from django.db import transaction

    bump_stock_version()
    transaction.on_commit(bump_stock_version)


def strip_tokens(content: bytes) -> bytes:
    for pattern in _TOKEN_PATTERNS:
        content = pattern.sub(rb"\g<1>" + _PLACEHOLDER + rb"\g<2>", content)
    return content


_INDENT = re.compile(rb"\n[ \t\r\n]+")


def compact(content: bytes) -> bytes:
    """The page without its templates' indentation and blank lines (a fifth of a catalog
    page), which a browser renders the same: a run of white space with a line break in it is
    one space wherever white space is not kept (no <pre>, <textarea> or pre-wrap text here;
    a page with one is left as it is)."""
    if b"<pre" in content or b"<textarea" in content:
        return content
    return _INDENT.sub(b"\n", content)


def _with_tokens(content: bytes, request) -> bytes:
    if _PLACEHOLDER not in content:
        return content
    # One masked token for the whole page, as Django's csrf context processor renders it
    # (masking a token per form cost two thirds of a cache hit on a 24-product page).
    return content.replace(_PLACEHOLDER, get_token(request).encode())


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        cookies = request.COOKIES
        if (request.method != "GET" or settings.SESSION_COOKIE_NAME in cookies
                or cookies.get("messages") or not _marked(request)):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        key = _page_key("bibarys:page:", request, language)
        versions, cached = _current(key)
        state = "hit"
        if cached is None:
            response = self.get_response(_without_cookies(request))
            if not _storable(response):
                # Not a page for everyone (an error, a new session): drawn again for this
                # visitor, the ordinary way.
                return self.get_response(request)
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
            cached = _store(key, versions, strip_tokens(compact(response.content)), headers)
            state = "miss"
        content, headers = cached[3:]
        self.csrf.process_request(request)
        response = HttpResponse(_with_tokens(content, request), status=200)
        for name, value in headers:
            response[name] = value
        response["Content-Length"] = str(len(response.content))
        response["X-Page-Cache"] = state
        return self.csrf.process_response(request, response)


def _without_cookies(request):
    """A copy of the request without the visitor's cookies but the language (the key holds
    it): the inner middlewares give it a new anonymous session and a CSRF token nobody has."""
    draw = copy.copy(request)
    meta = {name: value for name, value in request.META.items() if name != "HTTP_COOKIE"}
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language and language.replace("-", "").isalnum():
        meta["HTTP_COOKIE"] = f"{settings.LANGUAGE_COOKIE_NAME}={language}"
    draw.META = meta
    if hasattr(request, "environ"):
        draw.environ = meta
    for cached in ("COOKIES", "headers"):  # drawn from META again on first use
        vars(draw).pop(cached, None)
    return draw


def _storable(response) -> bool:
    """A 200 that sets no cookie but the CSRF one, allows caching, and varies on nothing the
    key lacks (Vary: User-Agent, say, would hand one browser's page to every other)."""
    extra_cookies = set(response.cookies) - {settings.CSRF_COOKIE_NAME}
    vary = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return (response.status_code == 200 and not response.streaming and not extra_cookies
            and vary <= KEYED_VARY
            and "no-cache" not in response.get("Cache-Control", "")
            and "private" not in response.get("Cache-Control", ""))


# Signed-in shoppers -------------------------------------------------------------------------------

_SLOT_ATTR = "_bibarys_page_slots"
VALUE = "@@BIBARYS_VALUE@@"  # where a slot variant takes a value (a count, a name)


class Slot:
    """One kind of per-shopper place in a page.

    `variants()` gives the context changes the slot's template is drawn with, once per variant,
    when a page is drawn for the cache. On every answer, `query(request, keys)` (optional)
    gives a plain SELECT (no ORDER BY, no LIMIT) and its parameters for what this shopper's
    variants depend on, as rows of (tag, number); the queries of all slots on the page run as
    one (UNION ALL), so a page costs one round trip whatever its slots. `choose(request, keys, rows)` then says, for each key of
    this kind on the page (a product pk, or "" for a slot without one), which variant this
    shopper sees as (index, value): the variant's VALUE is replaced by the escaped value. It
    may raise SlotDeclined when no variant fits this shopper; the page is then drawn the
    ordinary way."""

    def __init__(self, variants, choose, query=None):
        self.variants = variants
        self.choose = choose
        self.query = query


class SlotDeclined(Exception):
    pass


SLOTS: dict[str, Slot] = {}


def register_slot(name: str, *, variants, choose, query=None) -> None:
    SLOTS[name] = Slot(variants, choose, query)


def sql_marks(values) -> str:
    """"%s, %s, %s" for an IN (…) of these values."""
    return ", ".join(["%s"] * len(values))


class _NameOnly:
    first_name = username = VALUE


# The shopper's name in the header (base.html).
register_slot("user", variants=lambda: [{"user": _NameOnly()}],
              choose=lambda request, keys, rows: {
                  key: (0, request.user.first_name or request.user.username) for key in keys})


class Recording:
    """A page being drawn for the shopper page cache: its slots' variants, and the placeholders
    that stand for them. A placeholder carries a nonce of this drawing, so text in the page (a
    product description, a review) cannot pose as one."""

    def __init__(self):
        self.nonce = secrets.token_hex(8)
        self.variants: dict[str, list[bytes]] = {}
        self._pattern = re.compile(
            rb"@@BIBARYS_SLOT:" + self.nonce.encode() + rb":([a-z]+):([0-9]*)@@")

    def slot(self, name: str, key, draw) -> str:
        """The placeholder of slot `name` (for `key`: a product pk, or None); `draw()` gives
        its variants' HTML the first time the page shows it."""
        name_key = f"{name}:{'' if key is None else int(key)}"
        if name_key not in self.variants:
            self.variants[name_key] = draw()
        return f"@@BIBARYS_SLOT:{self.nonce}:{name_key}@@"

    def split(self, content: bytes) -> list:
        """The page as [text, (name, key), text, (name, key), …, text]."""
        parts, start = [], 0
        for match in self._pattern.finditer(content):
            parts.append(content[start:match.start()])
            parts.append((match.group(1).decode(), match.group(2).decode()))
            start = match.end()
        parts.append(content[start:])
        return parts


def recording_slots(request) -> Recording | None:
    """The page being drawn for the shopper page cache, or None when the page is drawn the
    ordinary way."""
    return getattr(request, _SLOT_ATTR, None) if request is not None else None


def page_cache_skip(request) -> None:
    """The view's page holds something of this shopper no slot covers: draw it the ordinary
    way and keep it out of the cache."""
    if request is not None and getattr(request, _SLOT_ATTR, None) is not None:
        setattr(request, _SLOT_ATTR, None)


def _fill(parts: list, variants: dict, request) -> bytes:
    """The stored page for this shopper: every slot's variant chosen, the CSRF token put back."""
    wanted: dict[str, dict[str, None]] = {}
    for name, key in parts[1::2]:
        wanted.setdefault(name, {})[key] = None
    rows = _slot_rows(request, {name: list(keys) for name, keys in wanted.items()})
    chosen = {name: SLOTS[name].choose(request, list(keys), rows)
              for name, keys in wanted.items()}
    out = [parts[0]]
    for index in range(1, len(parts), 2):
        name, key = parts[index]
        which, value = chosen[name][key]
        html = variants[f"{name}:{key}"][which]
        if value is not None:
            html = html.replace(VALUE.encode(), escape(str(value)).encode())
        out.append(html)
        out.append(parts[index + 1])
    return _with_tokens(b"".join(out), request)


def _slot_rows(request, wanted: dict[str, list[str]]) -> list[tuple]:
    """Every slot's query for this shopper, in one round trip: [(tag, number), …]."""
    from django.db import connection

    queries = [SLOTS[name].query(request, keys) for name, keys in wanted.items()
               if SLOTS[name].query is not None]
    if not queries:
        return []
    # Plain SELECTs joined as they are (no ORDER BY or LIMIT in a slot's query): wrapping each
    # in a subquery cost PostgreSQL a third more planning.
    sql = " UNION ALL ".join(text for text, _params in queries)
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _text, params in queries for param in params])
        return cursor.fetchall()


class ShopperPageCacheMiddleware:
    """The page cache for signed-in shoppers (see the module docstring); after
    AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _eligible(request) -> bool:
        if request.method != "GET" or request.COOKIES.get("messages") or not _marked(request):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(user, "role", "") != "shopper":
            return False
        return "_messages" not in request.session

    def __call__(self, request):
        if not self._eligible(request):
            return self.get_response(request)
        key = _page_key("bibarys:shopper-page:", request, request.LANGUAGE_CODE)
        versions, cached = _current(key)
        state = "hit"
        if cached is None:
            draw = _stand_in(request)
            setattr(draw, _SLOT_ATTR, Recording())
            response = self.get_response(draw)
            recording = getattr(draw, _SLOT_ATTR, None)
            if recording is None or not _storable(response):  # the view declined, an error…
                return self.get_response(request)
            parts = recording.split(strip_tokens(compact(response.content)))
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
            cached = _store(key, versions, parts, recording.variants, headers)
            state = "miss"
        parts, variants, headers = cached[3:]
        try:
            content = _fill(parts, variants, request)
        except SlotDeclined:
            return self.get_response(request)
        response = HttpResponse(content, status=200)
        for name, value in headers:
            response[name] = value
        response["Content-Length"] = str(len(content))
        response["X-Page-Cache"] = state
        return response


def _stand_in(request):
    """A copy of the request made by a shopper who is nobody: no name, no cart, no wishlist, no
    purchase (a user id no row has), an empty session and a CSRF token of nobody's."""
    from importlib import import_module

    draw = copy.copy(request)
    draw.META = dict(request.META)
    if hasattr(request, "environ"):
        draw.environ = draw.META
    vars(draw).pop("headers", None)
    draw.user = get_user_model()(pk=0, username="", first_name="", last_name="", email="",
                                 role=request.user.role)
    draw.session = import_module(settings.SESSION_ENGINE).SessionStore()
    rotate_token(draw)
    return draw


class CatalogCountPaginator(Paginator):
    """A paginator whose COUNT(*) is remembered per content version and `key` (the filters
    that decide which rows there are): on 100,000 products the count costs more than the page
    itself. "In stock only" makes it depend on stock too, so a count is kept as fresh as a page
    (_fresh: PAGE_CACHE_STOCK_SECONDS past a stock change)."""

    def __init__(self, object_list, per_page, *, key: str, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.key = key

    @cached_property
    def count(self) -> int:
        versions = current_version()
        digest = hashlib.sha256(self.key.encode()).hexdigest()
        key = f"bibarys:count:{versions[0]}:{digest}"
        found = cache.get(key)
        if found is None or not _fresh(found, versions):
            found = (*versions, time.time(), super().count)
            cache.set(key, found, PAGE_TTL)
        return found[3]


# Fragments ---------------------------------------------------------------------------------------


def fragment_key(*parts) -> str:
    return "bibarys:fragment:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def cached_fragments(keys: list[str], render_missing, *, csrf_token: str) -> list[str]:
    """The HTML of each key, from the cache in one round trip; the missing ones come from
    `render_missing(indexes)` (their HTML in that order) and are stored for PAGE_TTL. Whoever
    rendered a fragment, it is returned with the CSRF token of the current page in its forms.
    The keys must hold everything the fragment's HTML depends on but that token."""
    found = cache.get_many(keys)
    missing = [index for index, key in enumerate(keys) if key not in found]
    if missing:
        fresh = {keys[index]: strip_tokens(html.encode()).decode()
                 for index, html in zip(missing, render_missing(missing))}
        cache.set_many(fresh, PAGE_TTL)
        found.update(fresh)
    placeholder = _PLACEHOLDER.decode()
    return [found[key].replace(placeholder, csrf_token) for key in keys]
