from django import forms
from django.utils.translation import gettext_lazy as _

from bibarys.fields import LocalDecimalField
from bibarys.money import TIYN, format_money

from .wallet_services import CREDIT_MAX, TOPUP_MAX, TOPUP_MIN


class TopUpForm(forms.Form):
    amount = LocalDecimalField(label=_("Amount, ₸"), min_value=TOPUP_MIN, max_value=TOPUP_MAX,
                               places=2, money=True)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the page's language: "From 100,00 ₸ to 1 000 000,00 ₸" / "From ₸100.00 to …".
        self.fields["amount"].help_text = _("From %(min)s to %(max)s.") % {
            "min": format_money(TOPUP_MIN), "max": format_money(TOPUP_MAX)}


class CreditForm(forms.Form):
    amount = LocalDecimalField(label=_("Amount, ₸"), min_value=TIYN,
                               max_value=CREDIT_MAX, places=2, money=True)
    reason = forms.CharField(label=_("Reason"), max_length=255,
                             help_text=_("The shopper sees it in their wallet history."))
