"""The anonymous page cache (bibarys/cache.py): who is served from it, what it keeps, and that a
catalog change shows at once."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.template import engines
from django.test import RequestFactory

from bibarys.cache import bump_catalog_version, cache_anonymous_page

pytestmark = pytest.mark.django_db

TEMPLATE = engines["django"].from_string(
    '<body hx-headers=\'{"x-csrftoken": "{{ csrf_token }}"}\'>'
    '<form method="post">{% csrf_token %}</form><p>{{ text }}</p></body>'
)
rendered = []


@cache_anonymous_page
def page(request):
    rendered.append(request.path)
    return HttpResponse(TEMPLATE.render({"text": STATE["text"]}, request))


STATE = {"text": "first"}


def _get(path="/catalog/", user=None, cookies=None, **headers):
    request = RequestFactory().get(path, headers=headers)
    request.user = user or AnonymousUser()
    request.COOKIES.update(cookies or {})
    CsrfViewMiddleware(lambda r: None).process_request(request)
    response = page(request)
    return request, response


def setup_function():
    rendered.clear()
    STATE["text"] = "first"


def test_second_anonymous_visit_is_served_from_the_cache_with_its_own_csrf_token():
    _, first = _get()
    request, second = _get()
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert rendered == ["/catalog/"]
    tokens = re.findall(rb'value="([A-Za-z0-9]+)"', second.content)
    assert tokens and b"@@BIBARYS_CSRF@@" not in second.content
    # The token in the cached page belongs to this visitor's CSRF secret, not the first one's.
    from django.middleware.csrf import _unmask_cipher_token
    secret = request.META["CSRF_COOKIE"]
    assert _unmask_cipher_token(tokens[0].decode()) == secret
    assert get_token(request)


def test_query_string_and_language_are_part_of_the_key():
    _get("/catalog/?q=milk")
    _get("/catalog/?q=bread")
    _get("/catalog/?q=milk")
    assert rendered == ["/catalog/", "/catalog/"]
    _get("/catalog/", HTTP_HX_REQUEST="true")
    assert len(rendered) == 3


def test_signed_in_visitors_and_visitors_with_a_session_are_never_cached(shopper):
    _get()
    _get(user=shopper)
    _get(cookies={"sessionid": "abc"})
    _get(cookies={"messages": "x"})
    assert len(rendered) == 4


def test_a_catalog_change_shows_at_once():
    _, first = _get()
    STATE["text"] = "second"
    bump_catalog_version()
    _, after = _get()
    assert b"second" in after.content and after["X-Page-Cache"] == "miss"


def test_error_pages_are_not_cached():
    @cache_anonymous_page
    def missing(request):
        rendered.append("404")
        return HttpResponse("gone", status=404)

    for _ in range(2):
        request = RequestFactory().get("/catalog/x/")
        request.user = AnonymousUser()
        missing(request)
    assert rendered == ["404", "404"]
