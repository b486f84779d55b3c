"""A full-page cache for what anonymous shoppers see most: the catalog list and product pages.

    from bibarys.cache import cache_anonymous_page

    @cache_anonymous_page
    def product_list(request): ...

The key is the path with its query string, the language, whether htmx asked for a fragment,
and the catalog version (catalog.selectors.catalog_version(), bumped by every product, price,
review and stock change), so a change shows at once and old entries simply age out.

Only a first-time anonymous visitor is served from the cache: no session cookie (an anonymous
cart or a pending message belong to one visitor) and no messages cookie. The cached HTML holds
no CSRF token of anyone: tokens are replaced by the visitor's own on every hit."""

from __future__ import annotations

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

PAGE_TTL = 300
VERSION_KEY = "bibarys:catalog-version"

# Where our templates put the CSRF token: the hidden form field and <body hx-headers>.
_TOKEN_PATTERNS = [
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")'),
    re.compile(rb'("x-csrftoken": ")[A-Za-z0-9]+(")'),
]
_PLACEHOLDER = b"@@BIBARYS_CSRF@@"


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


def _cacheable_request(request) -> bool:
    if request.method != "GET":
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def page_key(request) -> str:
    raw = "|".join([
        request.path,
        request.META.get("QUERY_STRING", ""),
        get_language() or "",
        "htmx" if request.headers.get("HX-Request") else "page",
        request.headers.get("HX-Target", ""),
        str(catalog_version()),
    ])
    return "bibarys:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _strip_tokens(content: bytes) -> bytes:
    for pattern in _TOKEN_PATTERNS:
        content = pattern.sub(rb"\g<1>" + _PLACEHOLDER + rb"\g<2>", content)
    return content


def _with_token(content: bytes, request) -> bytes:
    if _PLACEHOLDER not in content:
        return content
    parts = content.split(_PLACEHOLDER)
    # A fresh mask for each place, as Django would render them.
    out = [parts[0]]
    for part in parts[1:]:
        out.append(get_token(request).encode())
        out.append(part)
    return b"".join(out)


def cache_anonymous_page(view):
    """Serve anonymous first-time visitors from the page cache (see the module docstring)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        cached = cache.get(key)
        if cached is not None:
            content, content_type, language = cached
            response = HttpResponse(_with_token(content, request), content_type=content_type)
            if language:
                response["Content-Language"] = language
            response["X-Page-Cache"] = "hit"
            patch_vary_headers(response, ("Cookie", "Accept-Language", "HX-Request"))
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        extra_cookies = set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        if (response.status_code == 200 and not response.streaming and not extra_cookies
                and not response.has_header("Cache-Control")):
            cache.set(key, (_strip_tokens(response.content), response["Content-Type"],
                            response.get("Content-Language", "")), PAGE_TTL)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapped
