"""Input validation for checkout and order management (no business rules: those live in
orders.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import normalize_kz_phone
from bibarys.fields import LocalDecimalField
from bibarys.limits import limit_for

from .card_payments import online_payments
from .models import Order, OrderReturn, OrderReturnLine, OrderStatus
from .returns import ReturnItem


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(label=_("How do you get the order?"),
                                 choices=Order.Delivery.choices, widget=forms.RadioSelect,
                                 initial=Order.Delivery.PICKUP)
    address = forms.CharField(label=_("Delivery address"), max_length=255, required=False,
                              help_text=_("Street, house, flat; needed for delivery."),
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    phone = forms.CharField(label=_("Phone"), max_length=32,
                            help_text=_("For example +7 701 234 56 78"),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                          "inputmode": "tel"}))
    note = forms.CharField(label=_("Note for the store"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def clean_phone(self):
        phone = normalize_kz_phone(self.cleaned_data.get("phone", ""))
        if not phone:
            raise forms.ValidationError(_("Enter a phone number so we can reach you."),
                                        code="required")
        return phone

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("delivery") == Order.Delivery.COURIER and not (
                cleaned.get("address") or "").strip():
            self.add_error("address", _("Enter the delivery address."))
        if cleaned.get("delivery") == Order.Delivery.PICKUP:
            cleaned["address"] = ""
        return cleaned


class ReviewForm(forms.Form):
    payment = forms.ChoiceField(label=_("Payment"), choices=Order.Payment.choices,
                                widget=forms.RadioSelect)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    # The total the review page showed (rendered by the template from the cart, not from here).
    expected_total = forms.DecimalField(required=False, max_digits=14, decimal_places=2,
                                        widget=forms.HiddenInput)

    def __init__(self, *args, delivery: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.delivery = delivery
        # Online: the wallet, cash on pickup, and the card when the shop has a card gateway.
        online = online_payments()
        self.fields["payment"].choices = [(value, label) for value, label
                                          in Order.Payment.choices if value in online]

    def clean_payment(self):
        payment = self.cleaned_data["payment"]
        if payment == Order.Payment.CASH and self.delivery != Order.Delivery.PICKUP:
            raise forms.ValidationError(_("Cash is accepted on pickup only."), code="cash")
        return payment


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=OrderStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class ManageFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + list(OrderStatus.choices))
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    shopper = forms.CharField(label=_("Shopper"), max_length=150, required=False,
                              widget=forms.TextInput(attrs={"type": "search",
                                                            "placeholder": _("Name or login")}))
    number = forms.IntegerField(label=_("Order №"), required=False, min_value=1,
                                max_value=2_000_000_000)


class SellerLinesFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + list(OrderStatus.choices))


class ReturnForm(forms.Form):
    """What comes back of an order: per line a quantity (up to what may still be returned) and
    whether it is spoiled; how the money goes back (the ways `refund_methods` allows); a reason.
    The rules (never more than sold and not yet returned) are the service's; the form only reads
    numbers, and says next to the line when one is not a number."""

    refund = forms.ChoiceField(label=_("Money back"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, lines, returnable: dict, refunds: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if returnable.get(line.pk, 0) > 0]
        self.returnable = returnable
        labels = dict(OrderReturn.Refund.choices)
        self.fields["refund"].choices = [(value, labels[value]) for value in refunds]
        if len(refunds) == 1:
            self.fields["refund"].initial = refunds[0]
        for line in self.lines:
            # A text box with a decimal keyboard, read as the store writes numbers (0,5 kg):
            # a number box drops the decimal comma (bibarys/fields.py).
            self.fields[f"qty_{line.pk}"] = LocalDecimalField(
                label=line.display_name, required=False,
                limit=limit_for(OrderReturnLine._meta.get_field("quantity")))
            self.fields[f"spoiled_{line.pk}"] = forms.BooleanField(label=_("Spoiled"),
                                                                   required=False)

    def rows(self):
        """Per returnable line: the line, what may still come back, its two fields."""
        return [{"line": line, "left": self.returnable[line.pk],
                 "quantity": self[f"qty_{line.pk}"], "spoiled": self[f"spoiled_{line.pk}"]}
                for line in self.lines]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(f"qty_{line.pk}") for line in self.lines):
            raise forms.ValidationError(_("Choose what comes back."), code="empty")
        return cleaned

    def items(self):
        return [ReturnItem(line.pk, self.cleaned_data[f"qty_{line.pk}"],
                           bool(self.cleaned_data.get(f"spoiled_{line.pk}")))
                for line in self.lines if self.cleaned_data.get(f"qty_{line.pk}")]
