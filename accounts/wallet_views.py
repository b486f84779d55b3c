"""Wallet pages: balance and history, the demo top-up, an admin's credit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bibarys.fields import parse_decimal
from bibarys.money import format_money
from bibarys.ratelimits import limit
from bibarys.view_helpers import safe_next

from .audit import client_ip
from .card_payments import (
    card_gateway,
    card_payment_check,
    card_payment_notified,
    card_payment_start,
    card_return_urls,
)
from .models import CardPayment, User
from .payments import payment_gateway
from .permissions import admin_required
from .services import wallet_for
from .wallet_forms import CreditForm, TopUpForm
from .wallet_services import TOPUP_MAX, TOPUP_UNAVAILABLE
from .wallet_services import wallet_credit as credit_service
from .wallet_services import wallet_topup as topup_service

PRESETS = (1000, 5000, 10000, 20000)


@login_required
@require_GET
def wallet(request):
    """The balance and the whole ledger of the visitor's wallet, newest first."""
    account = wallet_for(request.user)
    gateway = payment_gateway()
    page = Paginator(account.entries.order_by("-created_at", "-id"), 20).get_page(
        request.GET.get("page"))
    return render(request, "accounts/wallet.html",
                  {"wallet": account, "page_obj": page, "gateway": gateway})


def _suggested_amount(raw):
    """What checkout suggests topping up (?amount=904.80), shown as the page's language writes
    it (904,80 in kk and ru); anything else (not a number, 0, more than a top-up takes) leaves
    the box empty."""
    try:
        amount = parse_decimal((raw or "")[:20])
    except ValueError:
        return ""
    return amount if amount is not None and 0 < amount <= TOPUP_MAX else ""


@login_required
@limit("TOPUP")
@require_http_methods(["GET", "POST"])
def wallet_topup(request):
    """Top up the wallet through the payment gateway (a clearly marked demo for now)."""
    gateway = payment_gateway()
    if gateway is None:  # nothing is free: without a gateway there is no top-up at all
        if request.method == "POST":
            messages.error(request, TOPUP_UNAVAILABLE)
            return redirect("accounts:wallet_topup")
        return render(request, "accounts/wallet_topup.html",
                      {"gateway": None, "wallet": wallet_for(request.user)})
    form = TopUpForm(request.POST or None,
                     initial={"amount": _suggested_amount(request.GET.get("amount")),
                              "next": safe_next(request, target=request.GET.get("next", ""))})
    if request.method == "POST" and form.is_valid() and getattr(gateway, "redirects", False):
        try:
            payment = card_payment_start(
                user=request.user, amount=form.cleaned_data["amount"],
                purpose=CardPayment.Purpose.TOPUP, gateway=gateway, request=request,
                **card_return_urls(request))
        except ValidationError as exc:
            form.add_error("amount", exc)
        else:
            return redirect(payment.redirect_url)  # the provider's own payment page
    elif request.method == "POST" and form.is_valid():
        try:
            entry = topup_service(user=request.user, amount=form.cleaned_data["amount"],
                                  gateway=gateway, request=request)
        except ValidationError as exc:
            form.add_error("amount", exc)
        else:
            messages.success(request, _("%(amount)s added to your wallet. Balance: %(balance)s.")
                             % {"amount": format_money(entry.amount),
                                "balance": format_money(entry.balance_after)})
            return redirect(safe_next(request, target=form.cleaned_data.get("next", ""))
                            or "accounts:wallet")
    return render(request, "accounts/wallet_topup.html",
                  {"form": form, "gateway": gateway, "presets": PRESETS,
                   "wallet": wallet_for(request.user)})


@admin_required
@require_http_methods(["GET", "POST"])
def wallet_credit(request, pk):
    """An admin credits a user's wallet with a reason (recorded in the audit log)."""
    target = get_object_or_404(User, pk=pk)
    form = CreditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = credit_service(user=target, amount=form.cleaned_data["amount"],
                                   reason=form.cleaned_data["reason"], by=request.user,
                                   request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(amount)s credited to %(user)s. Balance: %(balance)s.")
                             % {"amount": format_money(entry.amount),
                                "user": target.display_name,
                                "balance": format_money(entry.balance_after)})
            try:
                return redirect(reverse("accounts:user_detail", kwargs={"pk": target.pk}))
            except NoReverseMatch:
                return redirect("accounts:wallet_credit", pk=target.pk)
    account = wallet_for(target)
    try:
        back_url = reverse("accounts:user_detail", kwargs={"pk": target.pk})
    except NoReverseMatch:
        back_url = ""
    return render(request, "accounts/wallet_credit.html",
                  {"form": form, "target": target, "wallet": account, "back_url": back_url,
                   "entries": account.entries.select_related("created_by")[:10]})


@csrf_exempt  # the provider's server posts here; its signature is what is checked
@require_POST
def card_payment_result(request):
    """The provider's notification of a payment's outcome (Freedom Pay's Result URL): public,
    signed by the provider, answered with its signed XML (ok or rejected)."""
    gateway = card_gateway()
    if gateway is None:
        return HttpResponse(status=404)
    accepted, why = card_payment_notified(params=request.POST.dict(), path=request.path,
                                          gateway=gateway, ip=client_ip(request))
    return HttpResponse(gateway.notification_answer(path=request.path, accepted=accepted,
                                                    description=why),
                        content_type="application/xml; charset=utf-8")


@login_required
@require_GET
def card_payment_return(request):
    """Where the shopper comes back from the provider's page: the money shows once the
    provider's notification has arrived (usually before the shopper is back)."""
    payment = CardPayment.objects.filter(user=request.user).order_by("-created_at", "-id").first()
    if payment is not None:
        payment = card_payment_check(payment=payment)  # a late notification: ask the provider
    if payment is None or payment.status == CardPayment.Status.CREATED:
        messages.info(request, _("The payment is being confirmed by the bank. It shows here "
                                 "as soon as the bank confirms it."))
    elif payment.status == CardPayment.Status.PAID:
        messages.success(request, _("Payment of %(amount)s received.")
                         % {"amount": format_money(payment.amount)})
    elif payment.status == CardPayment.Status.FAILED:
        messages.error(request, _("The card payment did not go through. Nothing was charged."))
    if payment is not None and payment.purpose == CardPayment.Purpose.ORDER:
        return redirect("orders:order_list")
    return redirect("accounts:wallet")
