"""A signed-out user is told why: a blocked user's next click on a page still open leads to the
login page with a word that the account was blocked, not silently into an anonymous cart."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# The one word an ended session keeps (accounts.staff_services.user_sessions_end).
SIGNED_OUT_KEY = "bibarys_signed_out"
SIGNED_OUT_BLOCKED = "blocked"


def _refused_blocked_user(request) -> bool:
    """A session the block did not reach (it ended after the session was read, or the cache
    held a copy): it still names the user, whom the backend now refuses as inactive."""
    from .models import User

    if "_auth_user_id" not in request.session or request.user.is_authenticated:
        return False
    try:
        return User.objects.filter(pk=int(request.session["_auth_user_id"]),
                                   is_active=False, closed_at__isnull=True).exists()
    except (TypeError, ValueError):
        return False


class SignedOutNoticeMiddleware:
    """After SessionMiddleware, AuthenticationMiddleware and MessageMiddleware; before the
    shopper page cache, so a cached page does not answer the click either. Costs nothing for a
    request without a session cookie, and no query for a session that is still signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        reason = request.session.get(SIGNED_OUT_KEY)
        if reason is None and _refused_blocked_user(request):
            reason = SIGNED_OUT_BLOCKED
        if reason != SIGNED_OUT_BLOCKED:
            return self.get_response(request)
        request.session.flush()  # the marked (or refused) session goes; a fresh one begins
        messages.warning(request, _(
            "You were signed out because your account has been blocked. If you think this is "
            "a mistake, contact the store."))
        login_url = reverse(settings.LOGIN_URL)
        if request.path == login_url:
            return self.get_response(request)
        if request.headers.get("HX-Request") == "true":  # an htmx click: the whole page goes
            response = HttpResponse(status=200)
            response["HX-Redirect"] = login_url
            return response
        return redirect(login_url)
