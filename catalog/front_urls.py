"""The shop's front page at /, named `home` outside the catalog namespace. Included by
bibarys.urls by its dotted path (bibarys, the lowest layer, imports no app)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
