"""One place for the rate limits of the store's sensitive requests, read from settings so that
production can tune them by environment (RATELIMIT_LOGIN, _LOGIN_ACCOUNT, _SIGNUP, _CHECKOUT,
_REVIEW, _TOPUP, _PASSWORD_RESET).

Counts live in the default cache (Redis in production), so all app servers share them. A
blocked request raises `Limited`; django-ratelimit's middleware hands it to
bibarys.views.ratelimited: 429 with a `Retry-After` and a message in the visitor's language.

    from bibarys.ratelimits import limit, password_door, posted_username

    @limit("CHECKOUT")
    @require_POST
    def checkout_confirm(request): ...

    login_view = password_door(account=posted_username)(LoginView.as_view())

Every view that checks a password or a secret (a login form, a password change, a reset link,
any code typed in later) is a *door*: `password_door` gives all of them the same two shared
counts, one per client address (RATELIMIT_LOGIN) and one per account (RATELIMIT_LOGIN_ACCOUNT),
so guesses spread over several doors, or over many addresses at one account, meet one limit.
tests/security/test_password_doors.py walks the URL patterns and fails on a door without it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

DEFAULTS = {
    "LOGIN": "5/m",
    "LOGIN_ACCOUNT": "10/15m",
    "SIGNUP": "10/h",
    "CHECKOUT": "10/m",
    "REVIEW": "10/h",
    "TOPUP": "10/m",
    "PASSWORD_RESET": "5/h",
}

# Login and sign-up are counted per client address; the rest per signed-in user (per address
# for an anonymous visitor), so shoppers behind one mobile carrier's NAT do not block each other.
KEYS = {"LOGIN": "ip", "SIGNUP": "ip", "PASSWORD_RESET": "ip"}

# The counts every door shares (the login's group name is kept: it is the same count as before).
DOOR_ADDRESS_GROUP = "bibarys.login"
DOOR_ACCOUNT_GROUP = "bibarys.login_account"


class Limited(Ratelimited):
    """Over a limit; `retry_after` is the number of seconds until its window ends."""

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = max(1, int(retry_after))


def rate_for(name: str) -> str:
    return getattr(settings, f"RATELIMIT_{name}", None) or DEFAULTS[name]


def _count(request, checks) -> None:
    """Count this request in each (group, key, rate); raise Limited if any is over its limit."""
    waits = []
    for group, key, rate in checks:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        if usage is not None and usage["should_limit"]:
            waits.append(usage["time_left"] if usage["time_left"] > 0 else 60)
    if waits:
        raise Limited(max(waits))


def limit(name: str, *, method: str = "POST", key: str | None = None):
    """Limit the view's `method` requests by the limit `name` (a key of DEFAULTS)."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown rate limit {name!r}; known: {sorted(DEFAULTS)}")
    check = [(f"bibarys.{name.lower()}", key or KEYS.get(name, "user_or_ip"),
              lambda group, request: rate_for(name))]

    def decorator(view):
        @functools.wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == method:
                _count(request, check)
            return view(request, *args, **kwargs)

        limited.rate_limits = (*getattr(view, "rate_limits", ()), name)
        return limited

    return decorator


# Who a door's attempt is about: a function of (request, view kwargs) giving the account's key,
# or None when the attempt names no account (it is then counted per address only).
AccountKey = Callable[..., "str | None"]


def posted_username(request, kwargs) -> str | None:
    """A login form's account: the username typed, as the user model compares it."""
    name = (request.POST.get("username") or "").strip().casefold()[:150]
    return f"name:{name}" if name else None


def signed_in_user(request, kwargs) -> str | None:
    """A password change: the signed-in user's own account."""
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


def reset_link_user(request, kwargs) -> str | None:
    """A password-reset link: the account its uidb64 names (the token is the guess)."""
    from django.utils.http import urlsafe_base64_decode

    try:
        return f"user:{int(urlsafe_base64_decode(kwargs.get('uidb64', '')).decode())}"
    except (ValueError, TypeError, UnicodeDecodeError):
        return f"uid:{str(kwargs.get('uidb64', ''))[:64]}"


def reset_link_guess(request, kwargs) -> bool:
    """A reset link is a guess when it carries a token in the address (GET checks it and
    redirects); the set-password step that follows uses the token already checked."""
    return kwargs.get("token", "set-password") != "set-password"


def posts(request, kwargs) -> bool:
    return request.method == "POST"


def password_door(*, account: AccountKey, attempt: Callable[..., bool] = posts):
    """Mark and limit a view that checks a password or a secret: each attempt (by default a
    POST) counts once per client address and once per account it names, in counts that every
    door shares."""

    def decorator(view):
        @functools.wraps(view)
        def door(request, *args, **kwargs):
            if attempt(request, kwargs):
                checks = [(DOOR_ADDRESS_GROUP, "ip", lambda g, r: rate_for("LOGIN"))]
                who = account(request, kwargs)
                if who:
                    checks.append((DOOR_ACCOUNT_GROUP, lambda g, r: who,
                                   lambda g, r: rate_for("LOGIN_ACCOUNT")))
                _count(request, checks)
            return view(request, *args, **kwargs)

        door.password_door = account.__name__
        return door

    return decorator
