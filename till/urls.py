from django.urls import path

from . import api, owner_views, receipts, returns_views, views

app_name = "till"

urlpatterns = [
    # The selling screen and the shift pages (branch sell).
    path("", views.till_home, name="home"),
    path("shift/<int:pk>/", views.sell, name="sell"),
    path("shift/<int:pk>/scan/", views.scan, name="scan"),
    path("shift/<int:pk>/add/", views.add, name="add"),
    path("shift/<int:pk>/line/<int:index>/", views.line, name="line"),
    path("shift/<int:pk>/search/", views.search, name="search"),
    path("shift/<int:pk>/pay/", views.pay, name="pay"),
    path("shift/<int:pk>/report/", views.shift_detail, name="shift_detail"),
    path("shift/<int:pk>/close/", views.shift_close_view, name="shift_close"),
    # offline: the browser's offline piece (till/api.py, static/till/offline.js)
    path("api/catalog/", api.catalog, name="api_catalog"),
    path("api/pay/", api.pay, name="api_pay"),
    path("api/draft/", api.draft, name="api_draft"),
    path("sw.js", api.service_worker, name="service_worker"),
    path("offline/", api.offline_page, name="offline"),
    # paper: receipts, X and Z reports, the owner's list of shifts, the PLU list
    path("receipts/<int:order_id>/", receipts.receipt_view, name="receipt"),
    path("receipts/<int:order_id>/pdf/", receipts.receipt_view, {"as_pdf": True},
         name="receipt_pdf"),
    path("receipts/return/<int:return_id>/", receipts.return_receipt_view,
         name="return_receipt"),
    path("receipts/return/<int:return_id>/pdf/", receipts.return_receipt_view, {"as_pdf": True},
         name="return_receipt_pdf"),
    path("receipts/shift/<int:shift_id>/", receipts.shift_report_view, name="shift_report"),
    path("receipts/shift/<int:shift_id>/pdf/", receipts.shift_report_view, {"as_pdf": True},
         name="shift_report_pdf"),
    # The name the selling screen's shift page (branch sell) links its X report PDF by.
    path("receipts/shift/<int:shift_id>/x.pdf", receipts.shift_report_view, {"as_pdf": True},
         name="x_report_pdf"),
    path("owner/shifts/", owner_views.shift_list, name="shift_list"),
    path("owner/plu.csv", owner_views.plu_csv, name="plu_csv"),
    # returns: take goods back by receipt (till/returns_views.py)
    path("returns/", returns_views.return_find, name="return_find"),
    path("returns/<int:pk>/", returns_views.return_order, name="return_order"),
    path("returns/done/<int:pk>/", returns_views.return_done, name="return_done"),
]
