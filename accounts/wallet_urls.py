"""Wallet pages (top-up, admin credit), in the `accounts` namespace under /accounts/wallet/."""

from django.urls import path

from . import wallet_views

urlpatterns = [
    path("", wallet_views.wallet, name="wallet"),
    path("top-up/", wallet_views.wallet_topup, name="wallet_topup"),
    path("credit/<int:pk>/", wallet_views.wallet_credit, name="wallet_credit"),
]
