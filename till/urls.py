from django.urls import path

from . import views

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
]
