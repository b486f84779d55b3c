"""Where the shop's pages are kept and when a kept page is still current: which views are cached,
the key of a page, the content and stock versions (each process trusts what it read for a
moment), a worker's own memory of recent pages, and the catalog's remembered page counts."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.urls import Resolver404, get_urlconf, resolve


PAGE_TTL = 300
VERSION_KEY = "bibarys:catalog-version"  # the content version
STOCK_KEY = "bibarys:stock-version"
MARK = "bibarys_page_cache"


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


STOCK_LOG_KEY = "bibarys:stock-log:{}"
STOCK_LOG_SECONDS = 120  # how long each stock version remembers which products it moved


def bump_stock_version(product_ids=None) -> None:
    """A new stock version; with `product_ids`, it remembers for a while which products moved,
    so a cached page of other products needs no check at all (_log_says_unchanged)."""
    try:
        version = cache.incr(STOCK_KEY)
    except ValueError:  # not there yet (or the cache was emptied)
        version = 1
        cache.set(STOCK_KEY, version, timeout=None)
    if product_ids is not None:
        cache.set(STOCK_LOG_KEY.format(version), sorted(product_ids), STOCK_LOG_SECONDS)
    forget_version()


# The versions (content, stock) as this process last read them, and when (time.monotonic()).
# Reading them from Redis on every hit cost more than the rest of the hit under load (a round
# trip and a context switch to Redis on the same cores; BENCHMARKS.md, "Figures behind the
# code"), so a process trusts what it read for PAGE_CACHE_VERSION_SECONDS (a quarter of a second; 0 in
# tests). A change made in this process shows here at once (the bumps forget them); one made
# by another server shows here within that time.
_seen: tuple = (None, 0.0)

# Which products moved at which stock version, as this process read the versions' logs: a
# cached page whose products did not move since it was drawn is served without a query. The log
# is complete from _log_from on (a version whose log was missing — expired, or a bump that named
# no products — starts it again).
_moved_at: dict[int, int] = {}
_log_from: int | None = None
_LOG_LIMIT = 100_000  # products remembered before the log starts afresh
_LOG_READ = 2_000     # versions read in one go; a process further behind starts afresh


def _read_stock_log(old: int | None, new: int) -> None:
    global _log_from
    if old is None or new - old > _LOG_READ or len(_moved_at) > _LOG_LIMIT:
        _moved_at.clear()
        _log_from = new
        return
    if new <= old:
        return
    keys = [STOCK_LOG_KEY.format(version) for version in range(old + 1, new + 1)]
    found = cache.get_many(keys)
    for version in range(old + 1, new + 1):
        ids = found.get(STOCK_LOG_KEY.format(version))
        if ids is None:
            _log_from = version  # unknown what moved here: nothing older can rely on the log
            continue
        for pk in ids:
            _moved_at[pk] = version


def _log_says_unchanged(ids, since: int) -> bool | None:
    """True: none of `ids` moved after stock version `since`; False: one did; None: this
    process's log does not reach back that far."""
    if _log_from is None or since < _log_from:
        return None
    return all(_moved_at.get(pk, 0) <= since for pk in ids)


def current_version() -> tuple[int, int]:
    """(content version, stock version)."""
    global _seen
    versions, read_at = _seen
    now = time.monotonic()
    if versions is None or now - read_at >= settings.PAGE_CACHE_VERSION_SECONDS:
        found = cache.get_many([VERSION_KEY, STOCK_KEY])
        content = found.get(VERSION_KEY)
        versions = (catalog_version() if content is None else content, found.get(STOCK_KEY, 0))
        _read_stock_log(_last_stock, versions[1])
        _set_last_stock(versions[1])
        _seen = (versions, now)
    return versions


_last_stock: int | None = None


def _set_last_stock(version: int) -> None:
    global _last_stock
    _last_stock = version


def forget_version() -> None:
    global _seen
    _seen = (None, 0.0)


# What a page shows of each product's stock ("in stock", "only 3 left", "out of stock") is read
# back, at a hit after a stock change, by the function the catalog registers here
# (catalog/page_slots.py): product ids → {id: state}. bibarys, the lowest layer, knows no product.
_stock_reader = None


def register_stock_reader(reader) -> None:
    global _stock_reader
    _stock_reader = reader


def stock_state(quantity, threshold) -> str:
    """What a product's page or card says of its stock: out, only N left, or in stock."""
    if quantity <= 0:
        return "out"
    if quantity <= threshold:
        return f"few:{quantity.normalize() if hasattr(quantity, 'normalize') else quantity}"
    return "in"


_SHOWN_ATTR = "_bibarys_stock_shown"


def recording_stock(request) -> None:
    """The page drawn for the cache from `request` records the stock it shows (stock_shown)."""
    setattr(request, _SHOWN_ATTR, {})


def stock_shown(request, product) -> None:
    """A template showed `product`'s stock (its availability, its add-to-cart button)."""
    shown = getattr(request, _SHOWN_ATTR, None)
    if shown is not None:
        shown[product.pk] = stock_state(product.quantity, product.low_stock_threshold)


def page_stock_dependent(request) -> None:
    """Which products the page lists depends on stock ("in stock only", its count): the page
    cannot be checked product by product, and keeps the PAGE_CACHE_STOCK_SECONDS rule."""
    if getattr(request, _SHOWN_ATTR, None) is not None:
        setattr(request, _SHOWN_ATTR, None)
        request._bibarys_stock_dependent = True


def recorded_stock(request):
    """(ids, states) the page drawn from `request` showed, or None (a stock-dependent page)."""
    if getattr(request, "_bibarys_stock_dependent", False):
        return None
    shown = getattr(request, _SHOWN_ATTR, None)
    if shown is None:
        return None
    ids = tuple(sorted(shown))
    return ids, tuple(shown[pk] for pk in ids)


def _stock_still_shown(stock) -> bool:
    """The products a page showed are in the same state (one query for a page's 24 ids)."""
    if stock is None or _stock_reader is None:
        return False
    ids, states = stock
    if not ids:
        return True
    now = _stock_reader(ids)
    return tuple(now.get(pk) for pk in ids) == states


def _fresh(entry, versions: tuple[int, int]) -> bool:
    """An entry (content version, stock version, drawn at (time.time()), the stock it showed,
    …) may be served: of the current content, and of the current stock, or showing the same
    stock of its products as they have now (read back in one query), or — a page whose list
    depends on stock — drawn less than PAGE_CACHE_STOCK_SECONDS ago."""
    if entry[0] != versions[0]:
        return False
    if entry[1] == versions[1]:
        return True
    if entry[3] is not None:
        # Its products did not move since it was drawn (this process's log): no query. They
        # moved, or the log does not reach back: what it shows is read back and compared.
        if entry[1] < versions[1] and _log_says_unchanged(entry[3][0], entry[1]):
            return True
        return _stock_still_shown(entry[3])
    return time.time() - entry[2] < settings.PAGE_CACHE_STOCK_SECONDS


def _at_stock(entry, versions):
    """The entry as checked at the current stock version (so the next hit needs no query)."""
    return (entry[0], versions[1], *entry[2:])


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
        for part in entry[4:]:
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
        entry, size = item
        # Checked outside the lock: a stock check may read the database.
        if not _fresh(entry, versions):
            with self._lock:
                if self._items.get(key) is item:
                    self._size -= self._items.pop(key)[1]
            return None
        if entry[1] != versions[1]:
            entry = _at_stock(entry, versions)
        with self._lock:
            if key in self._items:
                self._items[key] = (entry, size)
                self._items.move_to_end(key)
        return entry

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
        if entry[1] != versions[1]:
            entry = _at_stock(entry, versions)
        _recent.put(key, entry)
    return versions, entry


def _store(key: str, versions: tuple[int, int], stock, *rest) -> tuple:
    """Keep a page: its versions, when it was drawn, the stock it showed (recorded_stock) and
    what the middleware needs to answer with it."""
    entry = (*versions, time.time(), stock, *rest)
    cache.set(key, entry, PAGE_TTL)
    _recent.put(key, entry)
    return entry


def catalog_changed() -> None:
    """The catalog's content changed in the current transaction: the cached pages are dropped
    now and again when it commits (a page drawn in between may still show the old rows)."""
    from django.db import transaction

    bump_catalog_version()
    transaction.on_commit(bump_catalog_version)


def stock_changed(product_ids=None) -> None:
    """Stock of `product_ids` moved in the current transaction (a sale, a receipt, a count):
    bumped now and again when it commits, as catalog_changed; a cached page of those products
    checks what it shows, any other is served as it is."""
    from django.db import transaction

    ids = None if product_ids is None else sorted(product_ids)
    bump_stock_version(ids)
    transaction.on_commit(lambda: bump_stock_version(ids))


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
            found = (*versions, time.time(), None, super().count)
            cache.set(key, found, PAGE_TTL)
        return found[4]
