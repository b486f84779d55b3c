from django.urls import path

from . import api

app_name = "till"

urlpatterns = [
    # offline: the browser's offline piece (till/api.py, static/till/offline.js)
    path("api/catalog/", api.catalog, name="api_catalog"),
    path("api/pay/", api.pay, name="api_pay"),
    path("sw.js", api.service_worker, name="service_worker"),
    path("offline/", api.offline_page, name="offline"),
]
