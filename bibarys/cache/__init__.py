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
- the STOCK version (STOCK_KEY here, bumped by every stock movement: stock_changed) and what
  the page said of each product's stock ("in stock", "only 3 left", "out of stock"), recorded
  while it was drawn (`{% stock_shown %}` in catalog/_availability.html, and every card of
  catalog_tags.product_cards). A store that sells moves the version many times a second; an
  entry of an older stock version is served as long as its products still are in the states it
  shows (read back in one query by the reader the catalog registers, catalog/page_slots.py), so
  a sale that changes what a page says shows at once and any other sale costs the page nothing.
  A page whose very list follows stock ("in stock only", its count: page_stock_dependent) is
  served for PAGE_CACHE_STOCK_SECONDS (2 s) after it was drawn instead. A product card is kept
  by its own quantity as well, so a page drawn again draws only the cards of what was sold.
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
reviewed) are drawn the ordinary way.

The package: store (keys, versions, a worker's memory), anonymous, shoppers (the slots),
fragments; callers import from `bibarys.cache`."""

from .store import (cache_shop_page, catalog_version, bump_catalog_version, stock_version,
                    bump_stock_version, current_version, forget_version, catalog_changed,
                    stock_changed, CatalogCountPaginator, PAGE_TTL, VERSION_KEY, STOCK_KEY, MARK,
                    _page_key, _Recent, register_stock_reader, stock_state, stock_shown,
                    page_stock_dependent, recording_stock, recorded_stock)
from .anonymous import strip_tokens, compact, AnonymousPageCacheMiddleware, KEYED_VARY
from .shoppers import (Slot, SlotDeclined, register_slot, sql_marks, Recording, recording_slots,
                       page_cache_skip, ShopperPageCacheMiddleware, VALUE, SLOTS)
from .fragments import fragment_key, cached_fragments

__all__ = [
    "cache_shop_page", "catalog_version", "bump_catalog_version", "stock_version",
    "bump_stock_version", "current_version", "forget_version", "catalog_changed",
    "stock_changed", "register_stock_reader", "stock_state", "stock_shown",
    "page_stock_dependent", "recording_stock", "recorded_stock", "CatalogCountPaginator", "PAGE_TTL", "VERSION_KEY", "STOCK_KEY", "MARK",
    "_page_key", "_Recent", "strip_tokens", "compact", "AnonymousPageCacheMiddleware",
    "KEYED_VARY", "Slot", "SlotDeclined", "register_slot", "sql_marks", "Recording",
    "recording_slots", "page_cache_skip", "ShopperPageCacheMiddleware", "VALUE", "SLOTS",
    "fragment_key", "cached_fragments",
]
