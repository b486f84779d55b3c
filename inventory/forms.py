"""Input of the inventory pages. Validation only: the services do the work."""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product

from .models import MovementKind, WriteOffReason

MAX_QUANTITY = Decimal("1000000")


def parse_decimal(value) -> Decimal | None:
    """A number as people type it here: `1 234,5`, `1234.5`, `1 234,50` (spaces or non-breaking
    spaces between thousands, a comma or a point before the fraction)."""
    if value is None:
        return None
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        # 1,234.50 (English grouping) or 1.234,50 (European): the last mark is the decimal one.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def _date_input():
    """A browser date picker: its value must be ISO (2026-11-26) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LocalDecimalField(forms.Field):
    """A decimal that accepts a comma, spaces in thousands, and a phone's decimal keyboard."""

    widget = forms.TextInput

    def __init__(self, *, places: int = 3, min_value=Decimal("0"), max_value=MAX_QUANTITY,
                 **kwargs):
        self.places, self.min_value, self.max_value = places, min_value, max_value
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value):
        value = "" if value in self.empty_values else str(value)[:40]
        try:
            number = parse_decimal(value)
        except ValueError:
            raise ValidationError(_("Enter a number, e.g. 12 or 1,5."), code="invalid") from None
        if number is None:
            return None
        if number != number.quantize(Decimal(1).scaleb(-self.places)):
            raise ValidationError(_("Use at most %(places)s digits after the decimal mark.")
                                  % {"places": self.places}, code="places")
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(_("Enter %(min)s or more.") % {"min": self.min_value},
                                  code="min_value")
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(_("That is too large."), code="max_value")
        return number


class ProductLookupField(forms.CharField):
    """A product typed or scanned as its SKU or barcode (or picked from the suggestions),
    among the products the user manages."""

    def __init__(self, *, user=None, **kwargs):
        self.user = user
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "list": "product-suggestions",
                      "placeholder": _("SKU, barcode or name")})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        products = Product.objects.for_seller(self.user)
        product = (products.filter(sku__iexact=value).first()
                   or products.filter(barcodes__code=value).first())
        if product is None:
            matches = list(products.filter(name__iexact=value)[:2])
            if len(matches) == 1:
                product = matches[0]
        if product is None:
            raise ValidationError(
                _("No product with this SKU or barcode among your products."), code="unknown")
        return product


class ReceiptForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier"), max_length=200,
                               widget=forms.TextInput(attrs={"placeholder": _("ТОО Алматы Сүт")}))
    supplier_number = forms.CharField(label=_("Supplier's document number"), max_length=64,
                                      required=False)
    date = forms.DateField(label=_("Date"), widget=_date_input())
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate() + datetime.timedelta(days=1):
            raise ValidationError(_("The date cannot be in the future."))
        return date


class ReceiptLineForm(forms.Form):
    product = ProductLookupField(label=_("Product"))
    quantity = LocalDecimalField(label=_("Quantity"), min_value=Decimal("0.001"))
    unit_cost = LocalDecimalField(label=_("Unit cost, ₸"), places=2, max_value=Decimal("9999999"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].user = user


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reversal"), max_length=200)


class WriteOffForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=_date_input())
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    clean_date = ReceiptForm.clean_date


class WriteOffLineForm(forms.Form):
    product = ProductLookupField(label=_("Product"))
    quantity = LocalDecimalField(label=_("Quantity"), min_value=Decimal("0.001"))
    reason = forms.ChoiceField(label=_("Reason"), choices=WriteOffReason.choices)
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].user = user


class StocktakeForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(),
                                      required=False, empty_label=_("All my products"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class CountForm(forms.Form):
    counted = LocalDecimalField(label=_("Counted"), required=False)


class ScanForm(forms.Form):
    code = forms.CharField(label=_("Scan or type a barcode or SKU"), max_length=64)


class CorrectionForm(forms.Form):
    """An admin's correction of one product's stock: a signed change and why."""

    quantity = LocalDecimalField(label=_("Change (+ adds, − takes away)"), min_value=-MAX_QUANTITY)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(
        attrs={"placeholder": _("e.g. a receipt was typed with 10 instead of 1")}))

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise ValidationError(_("Enter a change other than zero."), code="zero")
        return quantity


class MovementFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds"))] + list(MovementKind.choices))
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=_date_input())


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}))
    seller = forms.ModelChoiceField(label=_("New products belong to"), required=False,
                                    queryset=None, empty_label=_("Me"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Role, User

        if getattr(user, "is_admin", False):
            self.fields["seller"].queryset = User.objects.filter(
                role__in=[Role.SELLER, Role.ADMIN], is_active=True).order_by("username")
        else:
            del self.fields["seller"]
