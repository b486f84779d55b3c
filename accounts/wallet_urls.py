"""Wallet pages (top-up, admin credit), in the `accounts` namespace under /accounts/wallet/."""

from django.urls import path  # noqa: F401

urlpatterns = []
