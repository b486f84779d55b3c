"""Middleware of the deployment: the client's address behind a reverse proxy, no-store for pages
drawn for a signed-in user, and a query counter for the benchmark (mounted only when BENCH is
set)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.db import connections
from django.utils.cache import patch_cache_control


@lru_cache(maxsize=1)
def _trusted_networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


class TrustedProxyMiddleware:
    """Behind nginx every request comes from the proxy's address, so a per-IP rate limit would
    count the whole store as one visitor. When (and only when) the direct peer is one of
    TRUSTED_PROXIES, the client is the right-most X-Forwarded-For address that is not itself a
    trusted proxy; a header sent by anyone else is ignored, so it cannot be forged to dodge a
    limit. With TRUSTED_PROXIES empty (the default) nothing changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        networks = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
        if networks:
            peer = request.META.get("REMOTE_ADDR", "")
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded and _is_trusted(peer, networks):
                hops = [h.strip() for h in forwarded.split(",") if h.strip()]
                client = None
                for hop in reversed(hops):
                    try:
                        ipaddress.ip_address(hop)
                    except ValueError:
                        break  # garbage in the chain: stop at what the trusted hops vouched for
                    client = hop
                    if not _is_trusted(hop, networks):
                        break
                if client:
                    request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


class SignedInNoStoreMiddleware:
    """Every response to a signed-in user (a page with their name and cart, a staff list, an
    export of people or sales) is `Cache-Control: private, no-store`: no shared proxy and no
    browser cache keeps it for the next person at the same computer. Anonymous shop pages are
    not touched (their own cache headers stay). It sits outside the shopper page cache, which
    records a page before this header is added and keeps none marked private."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class QueryCountMiddleware:
    """BENCH=1 only: answers with `X-Bench-Queries: <n>`, the number of SQL queries the request
    ran, so the benchmark can report queries per request of the real server."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
            # Streaming and lazily rendered responses have run their queries by now.
        response["X-Bench-Queries"] = str(count[0])
        return response
