from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .view_helpers import safe_next


@never_cache
@require_GET
def healthz(request):
    """Liveness for the load balancer: 200 when the database answers, 503 naming what failed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", whatever its class
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def ratelimited(request, exception=None):
    """django-ratelimit's answer: 429 with a message in the visitor's language."""
    back = safe_next(request, target=request.headers.get("referer", ""))
    response = render(
        request, "errors/429.html",
        {"message": _("Too many attempts. Please wait a minute and try again."),
         "back_url": back}, status=429,
    )
    # How long until the window that blocked the request ends (bibarys.ratelimits.Limited).
    response["Retry-After"] = str(getattr(exception, "retry_after", 60))
    return response


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No request context: the failure may be in the database the context processors read.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
