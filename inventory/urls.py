from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("receipts/", views.receipt_list, name="receipt_list"),
    path("receipts/new/", views.receipt_create, name="receipt_create"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("receipts/<int:pk>/edit/", views.receipt_edit, name="receipt_edit"),
    path("receipts/<int:pk>/lines/", views.receipt_line_add, name="receipt_line_add"),
    path("receipts/<int:pk>/lines/<int:line_pk>/remove/", views.receipt_line_remove,
         name="receipt_line_remove"),
    path("receipts/<int:pk>/post/", views.receipt_post, name="receipt_post"),
    path("receipts/<int:pk>/reverse/", views.receipt_reverse, name="receipt_reverse"),
    path("receipts/<int:pk>/delete/", views.receipt_delete, name="receipt_delete"),
    path("write-offs/", views.writeoff_list, name="writeoff_list"),
    path("write-offs/new/", views.writeoff_create, name="writeoff_create"),
    path("write-offs/<int:pk>/", views.writeoff_detail, name="writeoff_detail"),
    path("write-offs/<int:pk>/lines/", views.writeoff_line_add, name="writeoff_line_add"),
    path("write-offs/<int:pk>/lines/<int:line_pk>/remove/", views.writeoff_line_remove,
         name="writeoff_line_remove"),
    path("write-offs/<int:pk>/post/", views.writeoff_post, name="writeoff_post"),
    path("write-offs/<int:pk>/delete/", views.writeoff_delete, name="writeoff_delete"),
    path("stocktakes/", views.stocktake_list, name="stocktake_list"),
    path("stocktakes/new/", views.stocktake_create, name="stocktake_create"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake_detail"),
    path("stocktakes/<int:pk>/scan/", views.stocktake_scan, name="stocktake_scan"),
    path("stocktakes/<int:pk>/lines/<int:line_pk>/count/", views.stocktake_count,
         name="stocktake_count"),
    path("stocktakes/<int:pk>/post/", views.stocktake_post, name="stocktake_post"),
    path("stocktakes/<int:pk>/delete/", views.stocktake_delete, name="stocktake_delete"),
    path("stocktakes/<int:pk>/sheet.pdf", views.stocktake_sheet, name="stocktake_sheet"),
    path("products/<int:pk>/movements/", views.product_movements, name="product_movements"),
    path("products/<int:pk>/correct/", views.product_correct, name="product_correct"),
    path("products/search/", views.product_search, name="product_search"),
    path("low-stock/", views.low_stock, name="low_stock"),
    path("import/", views.import_products, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("export/", views.export_products, name="export"),
]
