"""The sign-in page at /accounts/login/, named `login` outside the accounts namespace (Django's
LOGIN_URL and `redirect_to_login` use that name). Included by bibarys.urls by its dotted path."""

from django.urls import path

from .views import login_view

urlpatterns = [
    path("login/", login_view, name="login"),
]
