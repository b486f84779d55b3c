"""The till's forms: input validation only (views call the services with what these clean)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bibarys.fields import LocalDecimalField, parse_decimal
from bibarys.limits import limit_for
from bibarys.units import quantity_fits_unit

from .models import CashMovement, Shift, Till, TillPayment
from .services import PaymentPart

FLOAT = limit_for("till.Shift.opening_float")
AMOUNT = limit_for("till.CashMovement.amount")
PAID = limit_for("till.TillPayment.amount")
QUANTITY_MAX = Decimal("99999")
# Tenge notes and coins a drawer holds, largest first.
DENOMINATIONS = (20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1)


def quantity_parse(text, unit: str) -> Decimal:
    """A quantity as the cashier types it (0,5 or 2): positive, fitting the product's unit."""
    try:
        quantity = parse_decimal(str(text or "")[:20])
    except ValueError:
        quantity = None
    if quantity is None or quantity <= 0 or quantity > QUANTITY_MAX:
        raise ValidationError(_("Enter a quantity, e.g. 2 or 0,5."), code="quantity")
    if not quantity_fits_unit(quantity, unit):
        raise ValidationError(_("A piece product counts in whole pieces; a weight to the gram."),
                              code="quantity")
    return quantity


class ShiftOpenForm(forms.Form):
    till = forms.ModelChoiceField(label=_("Till"), queryset=Till.objects.none(),
                                  empty_label=None)
    opening_float = LocalDecimalField(label=_("Float: cash in the drawer, ₸"), limit=FLOAT,
                                      min_value=Decimal("0"), initial=Decimal("0"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        busy = Shift.objects.filter(closed_at__isnull=True).values("till_id")
        self.fields["till"].queryset = Till.objects.filter(is_active=True).exclude(pk__in=busy)


class ScanForm(forms.Form):
    code = forms.CharField(label=_("Scan or type a code"), max_length=64, strip=True)


class CashForm(forms.Form):
    kind = forms.ChoiceField(label=_("Cash in or out"), choices=CashMovement.Kind.choices)
    amount = LocalDecimalField(label=_("Amount, ₸"), limit=AMOUNT, min_value=Decimal("0.01"))
    reason = forms.CharField(label=_("Reason"), max_length=255)


class PayForm(forms.Form):
    """The whole sale as the till showed it: its lines ("product id:quantity"), its total, the
    idempotency key made when the sale started, and how it is paid."""

    METHODS = [*TillPayment.Method.choices, ("split", _("Split"))]

    key = forms.UUIDField(widget=forms.HiddenInput)
    expected_total = LocalDecimalField(widget=forms.HiddenInput, limit=PAID,
                                       min_value=Decimal("0"))
    method = forms.ChoiceField(label=_("Payment"), choices=METHODS, initial="cash",
                               widget=forms.RadioSelect)
    tendered = LocalDecimalField(label=_("Cash given, ₸"), limit=PAID, min_value=Decimal("0"),
                                 required=False)
    card_amount = LocalDecimalField(label=_("By card, ₸"), limit=PAID, min_value=Decimal("0"),
                                    required=False)
    kaspi_amount = LocalDecimalField(label=_("By Kaspi QR, ₸"), limit=PAID,
                                     min_value=Decimal("0"), required=False)
    kaspi_confirmed = forms.BooleanField(label=_("The Kaspi payment shows as received"),
                                         required=False)

    def __init__(self, *args, lines: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_lines = lines or []

    def clean(self):
        data = super().clean()
        lines = []
        for raw in self.raw_lines[:500]:
            product_id, _colon, quantity = str(raw).partition(":")
            try:
                lines.append((int(product_id), Decimal(quantity)))
            except (ValueError, ArithmeticError):
                raise ValidationError(_("This sale form has expired. Start the sale again."))
        data["lines"] = lines
        total, method = data.get("expected_total"), data.get("method")
        if total is None or method is None:
            return data
        zero = Decimal("0.00")
        card, kaspi = data.get("card_amount") or zero, data.get("kaspi_amount") or zero
        if method == "split":
            if card + kaspi > total:
                self.add_error("card_amount", _("Card and Kaspi come to more than the sale."))
            elif not card and not kaspi:
                self.add_error("card_amount", _("Enter what goes by card or Kaspi; cash takes "
                                                "the rest."))
            parts = [PaymentPart(m, a) for m, a in (("card", card), ("kaspi", kaspi)) if a]
            if total - card - kaspi > 0:
                parts.append(PaymentPart("cash", total - card - kaspi))
        else:
            kaspi = total if method == "kaspi" else zero
            parts = [PaymentPart(method, total)]
        if kaspi and not data.get("kaspi_confirmed"):
            self.add_error("kaspi_confirmed", _("Check the Kaspi payment arrived, then tick "
                                                "this box."))
        data["payments"] = parts
        return data


class CloseForm(forms.Form):
    """The drawer counted: by denomination (how many of each note and coin) or by sum."""

    counted_cash = LocalDecimalField(label=_("Counted cash, ₸"), limit=FLOAT,
                                     min_value=Decimal("0"), required=False,
                                     help_text=_("Or count by notes and coins below."))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for face in DENOMINATIONS:
            self.fields[f"d{face}"] = forms.IntegerField(
                label=f"{face:,}".replace(",", "\u00a0") + " ₸", min_value=0, max_value=100000,
                required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def denomination_fields(self):
        return [self[f"d{face}"] for face in DENOMINATIONS]

    def clean(self):
        data = super().clean()
        counts = {str(face): data.get(f"d{face}") or 0 for face in DENOMINATIONS}
        data["denominations"] = {face: n for face, n in counts.items() if n}
        if not data["denominations"] and data.get("counted_cash") is None \
                and not self.errors:
            self.add_error("counted_cash", _("Count the cash in the drawer."))
        return data
