"""One place for the rate limits of the store's sensitive POSTs, read from settings so that
production can tune them by environment (RATELIMIT_LOGIN, _SIGNUP, _CHECKOUT, _REVIEW, _TOPUP,
_PASSWORD_RESET).

Counts live in the default cache (Redis in production), so all app servers share them. A
blocked request gets bibarys.views.ratelimited: 429 with a message in the visitor's language.

    from bibarys.ratelimits import limit

    @limit("CHECKOUT")
    @require_POST
    def checkout_confirm(request): ...
"""

from django.conf import settings
from django_ratelimit.decorators import ratelimit

DEFAULTS = {
    "LOGIN": "5/m",
    "SIGNUP": "10/h",
    "CHECKOUT": "10/m",
    "REVIEW": "10/h",
    "TOPUP": "10/m",
    "PASSWORD_RESET": "5/h",
}

# Login and sign-up are counted per client address; the rest per signed-in user (per address
# for an anonymous visitor), so shoppers behind one mobile carrier's NAT do not block each other.
KEYS = {"LOGIN": "ip", "SIGNUP": "ip", "PASSWORD_RESET": "ip"}


def rate_for(name: str) -> str:
    return getattr(settings, f"RATELIMIT_{name}", None) or DEFAULTS[name]


def limit(name: str, *, method: str = "POST", key: str | None = None):
    """The django-ratelimit decorator for the limit `name` (a key of DEFAULTS)."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown rate limit {name!r}; known: {sorted(DEFAULTS)}")
    return ratelimit(
        group=f"bibarys.{name.lower()}",
        key=key or KEYS.get(name, "user_or_ip"),
        rate=lambda group, request: rate_for(name),
        method=method,
        block=True,
    )
