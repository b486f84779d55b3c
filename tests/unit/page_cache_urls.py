from django.http import HttpResponse
from django.template import engines
from django.urls import path

from bibarys.cache import cache_shop_page

TEMPLATE = engines["django"].from_string(
    '<body hx-headers=\'{"x-csrftoken": "{{ csrf_token }}"}\'>'
    '<form method="post" action="/echo/">{% csrf_token %}</form><p>{{ text }}</p></body>'
)
STATE = {"text": "first", "rendered": 0}


@cache_shop_page
def page(request):
    STATE["rendered"] += 1
    if request.GET.get("missing"):
        return HttpResponse("gone", status=404)
    if request.GET.get("touch"):
        request.session["anon_cart"] = [1]
    return HttpResponse(TEMPLATE.render({"text": STATE["text"]}, request))


WHO = engines["django"].from_string(
    "<p>Hello {{ user.username }} {{ user.email }} {{ request.COOKIES.promo }} "
    "{{ request.session.note }}</p>{% csrf_token %}")


@cache_shop_page
def whoami(request):
    """A page that (wrongly) shows the visitor outside any slot."""
    STATE["rendered"] += 1
    return HttpResponse(WHO.render({}, request))


@cache_shop_page
def varies(request):
    STATE["rendered"] += 1
    response = HttpResponse(TEMPLATE.render({"text": STATE["text"]}, request))
    response["Vary"] = request.GET.get("on", "User-Agent")
    return response


def echo(request):
    return HttpResponse("ok")


def plain(request):
    STATE["rendered"] += 1
    return HttpResponse(TEMPLATE.render({"text": STATE["text"]}, request))


urlpatterns = [path("page/", page), path("echo/", echo), path("plain/", plain),
               path("whoami/", whoami), path("varies/", varies)]
