"""Signed-in shoppers: one stored page with slots where one shopper's page differs from another's
(the name in the header, the cart badge, the wishlist hearts, the review box), filled for each
shopper from one SQL query."""

from __future__ import annotations

import copy
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.middleware.csrf import rotate_token
from django.utils.html import escape
from .anonymous import _SKIP_HEADERS, _storable, _with_tokens, compact, strip_tokens
from .store import _current, _marked, _page_key, _store, recorded_stock, recording_stock


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
            recording_stock(draw)
            response = self.get_response(draw)
            recording = getattr(draw, _SLOT_ATTR, None)
            if recording is None or not _storable(response):  # the view declined, an error…
                return self.get_response(request)
            parts = recording.split(strip_tokens(compact(response.content)))
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
            cached = _store(key, versions, recorded_stock(draw), parts, recording.variants,
                            headers)
            state = "miss"
        parts, variants, headers = cached[4:]
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
