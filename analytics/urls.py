from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.reports, name="reports"),
    path("reports/<slug:name>.<slug:fmt>", views.report, name="report"),
    path("orders/<int:pk>/invoice.pdf", views.order_invoice, name="order_invoice"),
]
