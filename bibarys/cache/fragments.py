"""Fragments of a page (a product card) kept in the shared cache by keys that hold what they
show, each returned with the current page's CSRF token."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from .anonymous import _PLACEHOLDER, strip_tokens
from .store import PAGE_TTL


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
