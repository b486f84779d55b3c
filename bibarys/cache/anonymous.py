"""Anonymous visitors: one stored page per address, language and catalog version, the CSRF token
taken out when it is stored and the visitor's own put back on every answer."""

from __future__ import annotations

import copy
import re

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import translation
from .store import _current, _marked, _page_key, _store, recorded_stock, recording_stock


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
            draw = _without_cookies(request)
            recording_stock(draw)
            response = self.get_response(draw)
            if not _storable(response):
                # Not a page for everyone (an error, a new session): drawn again for this
                # visitor, the ordinary way.
                return self.get_response(request)
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
            cached = _store(key, versions, recorded_stock(draw),
                            strip_tokens(compact(response.content)), headers)
            state = "miss"
        content, headers = cached[4:]
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
