"""Wallet pages (top-up, admin credit), in the `accounts` namespace under /accounts/wallet/."""

from django.urls import path

from . import wallet_views

urlpatterns = [
    path("", wallet_views.wallet, name="wallet"),
    path("top-up/", wallet_views.wallet_topup, name="wallet_topup"),
    # No trailing slash: Freedom Pay signs with the script's name, the path's last part.
    path("card/result", wallet_views.card_payment_result, name="card_payment_result"),
    path("card/back/", wallet_views.card_payment_return, name="card_payment_return"),
    path("credit/<int:pk>/", wallet_views.wallet_credit, name="wallet_credit"),
]
