"""A full-page cache for what shoppers see most: the front page, the catalog list and product
pages, for anonymous visitors and for signed-in shoppers.

    from bibarys.cache import cache_shop_page

    @cache_shop_page
    def product_list(request): ...

The decorator only marks the view; two middlewares do the work.

AnonymousPageCacheMiddleware (early in MIDDLEWARE, right after whitenoise): a hit skips
sessions, auth, messages, the view and its templates.

The key is the path with its query string, the language and whether htmx asked for a
fragment; each entry remembers the catalog version it was drawn at (catalog.selectors'
catalog_version(), bumped by every product, price, review and stock change). A hit takes the
current version (read from Redis at most every PAGE_CACHE_VERSION_SECONDS, a quarter of a
second, by each process: current_version) and the entry from this process's memory (_Recent)
or, failing that, from Redis, and counts only when their versions agree, so a change shows on
every server within that quarter of a second, at once in the process that made it; the next
visitor's page overwrites the stale entry.

Only a first-time anonymous visitor is served from the cache: no session cookie (an anonymous
cart, a pending message or a login belong to one visitor) and no messages cookie. The stored
page keeps the headers of the full answer (CSP, X-Frame-Options, Vary, Content-Language) but no
cookie and no CSRF token of anyone: tokens are put back per visitor on every hit.

ShopperPageCacheMiddleware (after auth and messages): the same for a signed-in shopper. Such a
page differs from shopper to shopper only in a few places the templates mark as slots
(`{% shopper_slot "wish" product.pk %}…{% endshopper_slot %}`, see SLOTS): the name in the
header, the cart badge, the wishlist hearts, the review box. When a page is drawn for the cache
each slot is drawn in every variant it can take (empty / in the wishlist, …) and the page keeps a
placeholder; every answer, the first one included, is the stored page with each slot's variant
chosen for this shopper (a query or two: the cart count, the hearts of this page's products).
So the stored page holds nothing of the shopper who happened to draw it. Staff, a page with a
pending message, and a page the view declines (`page_cache_skip`, e.g. a product the shopper
reviewed) are drawn the ordinary way."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import translation
from django.utils.html import escape

PAGE_TTL = 300
VERSION_KEY = "bibarys:catalog-version"
MARK = "bibarys_page_cache"

# Where our templates put the CSRF token: the hidden form field and <body hx-headers>.
_TOKEN_PATTERNS = [
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")'),
    re.compile(rb'("x-csrftoken": ")[A-Za-z0-9]+(")'),
]
_PLACEHOLDER = b"@@BIBARYS_CSRF@@"
_SKIP_HEADERS = {"set-cookie", "content-length", "x-page-cache", "x-bench-queries"}


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


def catalog_version() -> int:
    """The catalog's version (catalog.selectors keeps it under VERSION_KEY)."""
    from catalog.selectors import catalog_version as version

    return version()


def bump_catalog_version() -> None:
    from catalog.selectors import bump_catalog_version as bump

    bump()
    forget_version()


# The version as this process last read it, and when (time.monotonic()). Reading it from Redis
# on every hit cost more than the rest of the hit under load (a round trip and a context
# switch to Redis on the same cores: 2,100 against 2,900–3,300 req/s), so a process trusts
# what it read for PAGE_CACHE_VERSION_SECONDS (a quarter of a second; 0 in tests). A change
# made in this process shows here at once (bump_catalog_version forgets it); one made by
# another server shows here within that time.
_seen: tuple = (None, 0.0)


def current_version():
    global _seen
    version, read_at = _seen
    now = time.monotonic()
    if version is None or now - read_at >= settings.PAGE_CACHE_VERSION_SECONDS:
        version = catalog_version()
        _seen = (version, now)
    return version


def forget_version() -> None:
    global _seen
    _seen = (None, 0.0)


class _Recent:
    """The pages this process served lately, beside the shared cache: a hit then reads only
    the version from Redis (a few bytes) instead of moving and unpickling a 60–120 KB page.
    An entry counts only under the version it was drawn at, like the shared one, and versions
    are never reused (catalog.selectors), so this holds nothing the shared cache would not."""

    BUDGET = 32 * 1024 * 1024  # bytes of pages per process; the least recently used go first

    def __init__(self):
        self._items: OrderedDict = OrderedDict()  # key → (entry, size)
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def _size_of(entry) -> int:
        size = 0
        for part in entry[1:]:
            if isinstance(part, bytes):
                size += len(part)
            elif isinstance(part, list):  # a shopper page's text parts
                size += sum(len(p) for p in part if isinstance(p, bytes))
            elif isinstance(part, dict):  # its slots' variants
                size += sum(len(v) for variants in part.values() for v in variants)
        return size

    def get(self, key: str, version):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0][0] != version:
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
    """(the catalog version, the page stored under `key` at that version or None)."""
    version = current_version()
    entry = _recent.get(key, version)
    if entry is None:
        entry = cache.get(key)
        if entry is None or entry[0] != version:
            return version, None
        _recent.put(key, entry)
    return version, entry


def _store(key: str, entry) -> None:
    cache.set(key, entry, PAGE_TTL)
    _recent.put(key, entry)


def catalog_changed() -> None:
    """The catalog changed in the current transaction: the cached pages are dropped now and
    again when it commits (a page drawn in between may still show the old rows)."""
    from django.db import transaction

    bump_catalog_version()
    transaction.on_commit(bump_catalog_version)


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
        version, cached = _current(key)
        if cached is not None:
            _version, content, headers = cached
            self.csrf.process_request(request)
            response = HttpResponse(_with_tokens(content, request), status=200)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return self.csrf.process_response(request, response)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:  # signed in by this very request
            return response
        if _storable(response):
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
            response.content = compact(response.content)
            if response.has_header("Content-Length"):  # set by CommonMiddleware, inside this one
                response["Content-Length"] = str(len(response.content))
            _store(key, (version, strip_tokens(response.content), headers))
            response["X-Page-Cache"] = "miss"
        return response


def _storable(response) -> bool:
    extra_cookies = set(response.cookies) - {settings.CSRF_COOKIE_NAME}
    return (response.status_code == 200 and not response.streaming and not extra_cookies
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
        version, cached = _current(key)
        if cached is not None:
            _version, parts, variants, headers = cached
            try:
                content = _fill(parts, variants, request)
            except SlotDeclined:
                return self.get_response(request)
            response = HttpResponse(content, status=200)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        setattr(request, _SLOT_ATTR, Recording())
        response = self.get_response(request)
        recording = getattr(request, _SLOT_ATTR, None)
        setattr(request, _SLOT_ATTR, None)
        if recording is None or response.streaming:  # the view declined
            return response
        variants = recording.variants
        parts = recording.split(strip_tokens(compact(response.content)))
        if _storable(response) and not _holds_user(parts, request.user):
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
            _store(key, (version, parts, variants, headers))
            response["X-Page-Cache"] = "miss"
        try:
            response.content = _fill(parts, variants, request)
        except SlotDeclined:
            return self.get_response(request)
        return response


def _holds_user(parts: list, user) -> bool:
    """A last guard: the page drawn for the cache must not show this shopper's login, or
    their name as a whole text or attribute, outside a slot (a template change that forgot
    one). A product may well be called "Aliya's cake"; a leaked name stands alone."""
    text = b"".join(parts[0::2])
    if len(user.username) >= 4 and escape(user.username).encode() in text:
        return True
    for value in {user.first_name, user.get_full_name()}:
        value = escape(value).encode()
        if value and (b">" + value + b"<" in text or b'"' + value + b'"' in text):
            return True
    return False


class CatalogCountPaginator(Paginator):
    """A paginator whose COUNT(*) is remembered per catalog version and `key` (the filters
    that decide which rows there are): on 100,000 products the count costs more than the
    page itself, and it changes only when the catalog does (every change bumps the version)."""

    def __init__(self, object_list, per_page, *, key: str, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.key = key

    @cached_property
    def count(self) -> int:
        digest = hashlib.sha256(self.key.encode()).hexdigest()
        key = f"bibarys:count:{catalog_version()}:{digest}"
        found = cache.get(key)
        if found is None:
            found = super().count
            cache.set(key, found, PAGE_TTL)
        return found


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
