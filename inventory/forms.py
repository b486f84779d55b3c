"""Input of the inventory pages. Validation only: the services do the work."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibarys.fields import LocalDecimalField as BaseLocalDecimalField
from catalog.models import Category, Product

from .models import OTHER_NEEDS_COMMENT, MovementKind, WriteOffReason

MAX_QUANTITY = Decimal("1000000")


def _date_input():
    """A browser date picker: its value must be ISO (2026-11-26) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LocalDecimalField(BaseLocalDecimalField):
    """A quantity or a cost as people type it (bibarys.fields), at most MAX_QUANTITY unless
    told otherwise."""

    def __init__(self, *, max_value=MAX_QUANTITY, **kwargs):
        super().__init__(max_value=max_value, **kwargs)


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
    unit_cost = LocalDecimalField(label=_("Unit cost, ₸"), places=2, money=True,
                                  max_value=Decimal("9999999"))

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
    # No reason is preselected: the person writing goods off says why, every time.
    reason = forms.ChoiceField(label=_("Reason"),
                               choices=[("", _("— choose —"))] + WriteOffReason.choices,
                               error_messages={"required": _("Choose a reason.")})
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].user = user

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("reason") == WriteOffReason.OTHER and "comment" in cleaned
                and not cleaned["comment"].strip()):
            self.add_error("comment", OTHER_NEEDS_COMMENT)
        return cleaned


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
    # Off by default: a file exported earlier carries the stock of that moment, and setting it
    # back would undo every sale and write-off since (the import is mostly for prices).
    set_quantities = forms.BooleanField(
        label=_("Set on-hand stock of existing products to the file's quantities (posts a "
                "stocktake)"),
        required=False,
        help_text=_("Leave it off to change prices and names only: the stock of existing "
                    "products stays as it is. New products always get the file's quantity as "
                    "an opening goods receipt."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Role, User

        if getattr(user, "is_admin", False):
            self.fields["seller"].queryset = User.objects.filter(
                role__in=[Role.SELLER, Role.ADMIN], is_active=True).order_by("username")
        else:
            del self.fields["seller"]
