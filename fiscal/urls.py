from django.urls import path

from . import views

app_name = "fiscal"
urlpatterns = [
    path("shift/<int:shift_id>/x-report/", views.x_report, name="x_report"),
]
