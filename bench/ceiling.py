"""The ceiling page of the benchmark: the least a Django page can do on the same server settings
(one query for 24 products, a 24-item template, the full middleware stack). Every figure in
BENCHMARKS.md is also shown as a ratio to it. Mounted at /bench/ceiling/ only when
BIBARYS_BENCH_CEILING=1 (bibarys/urls.py)."""

from pathlib import Path

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.utils.translation import get_language

from bibarys.cache import cache_shop_page
from catalog.models import Product

_TEMPLATE = engines["django"].from_string(
    (Path(__file__).resolve().parent / "ceiling.html").read_text()
)


def ceiling(request):
    products = list(Product.objects.order_by("pk").values("slug", "name", "price", "quantity")[:24])
    html = _TEMPLATE.render({"products": products, "title": "Bibarys", "lang": get_language()})
    return HttpResponse(html)


@cache_shop_page
def ceiling_cached(request):
    """The same page through the anonymous page cache: what a cache hit costs."""
    return ceiling(request)


urlpatterns = [
    path("ceiling/", ceiling, name="ceiling"),
    path("ceiling-cached/", ceiling_cached, name="ceiling_cached"),
]
