from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .wallet_services import CREDIT_MAX, TOPUP_MAX, TOPUP_MIN


class TopUpForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount, ₸"), min_value=TOPUP_MIN, max_value=TOPUP_MAX, max_digits=9,
        decimal_places=2, help_text=_("From 100 ₸ to 1 000 000 ₸."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CreditForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount, ₸"), min_value=Decimal("0.01"), max_value=CREDIT_MAX, max_digits=9,
        decimal_places=2, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255,
                             help_text=_("The shopper sees it in their wallet history."))
