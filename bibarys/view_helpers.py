"""Small helpers every app's views share: where to go back to, and how an error reads."""

from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str = "", *, target: str | None = None) -> str:
    """The page to go back to: `target` (by default the request's `next`, from the form or the
    query) when it stays on this site, over https if the request came by https; otherwise
    `fallback`. Django's own check, so `//evil.example`, `https:evil` and `\\\\evil` stay out."""
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def error_text(error: ValidationError) -> str:
    """Every message of a service's ValidationError as one line for a flash message."""
    return " ".join(error.messages)
