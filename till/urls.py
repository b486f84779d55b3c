from django.urls import path

from . import returns_views

app_name = "till"

urlpatterns = [
    # returns: take goods back by receipt (till/returns_views.py)
    path("returns/", returns_views.return_find, name="return_find"),
    path("returns/<int:pk>/", returns_views.return_order, name="return_order"),
    path("returns/done/<int:pk>/", returns_views.return_done, name="return_done"),
]
