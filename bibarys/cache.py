"""A full-page cache for what anonymous shoppers see most: the catalog list and product pages.

    from bibarys.cache import cache_anonymous_page

    @cache_anonymous_page
    def product_list(request): ...

The decorator only marks the view; AnonymousPageCacheMiddleware (early in MIDDLEWARE, right after
whitenoise) does the work, so a hit skips sessions, auth, messages, the view and its templates.

The key is the path with its query string, the language and whether htmx asked for a
fragment; each entry remembers the catalog version it was drawn at (catalog.selectors'
catalog_version(), bumped by every product, price, review and stock change). A hit reads the
entry and the current version in one Redis round trip (get_many) and counts only when they
agree, so a change shows at once; the next visitor's page overwrites the stale entry.

Only a first-time anonymous visitor is served from the cache: no session cookie (an anonymous
cart, a pending message or a login belong to one visitor) and no messages cookie. The stored
page keeps the headers of the full answer (CSP, X-Frame-Options, Vary, Content-Language) but no
cookie and no CSRF token of anyone: tokens are put back per visitor on every hit."""

from __future__ import annotations

import hashlib
import re
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import Resolver404, resolve
from django.utils import translation

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


def cache_anonymous_page(view):
    """Mark a GET view whose anonymous answer depends only on the URL, the language and the
    catalog (see the module docstring)."""
    setattr(view, MARK, True)
    return view


def catalog_version() -> int:
    """The catalog's version: the catalog app's own counter when it has one."""
    try:
        from catalog.selectors import catalog_version as version
    except ImportError:
        version = None
    if version is not None:
        return version()
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump_catalog_version() -> None:
    try:
        from catalog.selectors import bump_catalog_version as bump
    except ImportError:
        bump = None
    if bump is not None:
        bump()
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def _strip_tokens(content: bytes) -> bytes:
    for pattern in _TOKEN_PATTERNS:
        content = pattern.sub(rb"\g<1>" + _PLACEHOLDER + rb"\g<2>", content)
    return content


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

    def _marked(self, request) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return getattr(match.func, MARK, False)

    def _key(self, request, language: str) -> str:
        raw = "|".join([
            request.path, request.META.get("QUERY_STRING", ""), language,
            request.headers.get("HX-Request", ""), request.headers.get("HX-Target", ""),
            request.headers.get("X-Forwarded-Proto", ""),
        ])
        return "bibarys:page:" + hashlib.sha256(raw.encode()).hexdigest()

    def __call__(self, request):
        cookies = request.COOKIES
        if (request.method != "GET" or settings.SESSION_COOKIE_NAME in cookies
                or "messages" in cookies or not self._marked(request)):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        key = self._key(request, language)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            version = catalog_version()
        cached = found.get(key)
        if cached is not None and cached[0] == version:
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
        extra_cookies = set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        if (response.status_code == 200 and not response.streaming and not extra_cookies
                and "no-cache" not in response.get("Cache-Control", "")
                and "private" not in response.get("Cache-Control", "")):
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
            cache.set(key, (version, _strip_tokens(response.content), headers), PAGE_TTL)
            response["X-Page-Cache"] = "miss"
        return response


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
        fresh = {keys[index]: _strip_tokens(html.encode()).decode()
                 for index, html in zip(missing, render_missing(missing))}
        cache.set_many(fresh, PAGE_TTL)
        found.update(fresh)
    placeholder = _PLACEHOLDER.decode()
    return [found[key].replace(placeholder, csrf_token) for key in keys]
