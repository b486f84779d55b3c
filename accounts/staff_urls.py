"""Admin pages for people: users and the audit log, in the `accounts` namespace under /accounts/staff/."""

from django.urls import path  # noqa: F401

urlpatterns = []
