from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("", include("catalog.front_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("accounts.login_urls")),
    path("accounts/", include("accounts.urls")),
    path("catalog/", include("catalog.urls")),
    path("inventory/", include("inventory.urls")),
    path("orders/", include("orders.urls")),
    path("till/", include("till.urls")),
    path("fiscal/", include("fiscal.urls")),
    path("analytics/", include("analytics.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# `make bench` only: the ceiling page every benchmark figure is compared with (bench/ceiling.py).
if settings.BENCH_CEILING:
    urlpatterns += [path("bench/", include(("bench.ceiling", "bench")))]

handler403 = "bibarys.views.permission_denied"
handler404 = "bibarys.views.page_not_found"
handler500 = "bibarys.views.server_error"
