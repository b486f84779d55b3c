"""REMOTE_ADDR behind the reverse proxy: believed only from TRUSTED_PROXIES."""

import pytest
from django.test import RequestFactory

from bibarys.middleware import TrustedProxyMiddleware, _trusted_networks


def _remote_addr(settings, proxies, peer, forwarded=None):
    settings.TRUSTED_PROXIES = proxies
    _trusted_networks.cache_clear()
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=peer, headers=headers)
    seen = {}
    TrustedProxyMiddleware(lambda r: seen.setdefault("addr", r.META["REMOTE_ADDR"]))(request)
    return seen["addr"]


@pytest.mark.parametrize("proxies, peer, forwarded, expected", [
    # No trusted proxies: the header is ignored (the default, and direct exposure).
    ([], "203.0.113.9", "198.51.100.1", "203.0.113.9"),
    # The proxy is trusted: the client it saw.
    (["10.0.0.5"], "10.0.0.5", "198.51.100.1", "198.51.100.1"),
    # A client who forges the header in front of the proxy: the proxy appends the real address.
    (["10.0.0.5"], "10.0.0.5", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
    # Two trusted hops (CDN network then nginx).
    (["10.0.0.0/24"], "10.0.0.5", "198.51.100.1, 10.0.0.7", "198.51.100.1"),
    # A peer that is not trusted cannot choose its address.
    (["10.0.0.5"], "198.51.100.77", "10.9.9.9", "198.51.100.77"),
    # Garbage after the trusted hops is not believed.
    (["10.0.0.5"], "10.0.0.5", "not-an-ip", "10.0.0.5"),
])
def test_client_address_is_taken_from_x_forwarded_for_only_via_a_trusted_peer(
        settings, proxies, peer, forwarded, expected):
    assert _remote_addr(settings, proxies, peer, forwarded) == expected
