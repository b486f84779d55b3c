"""Numbers as people in Kazakhstan type them: `1 234,5`, `1234.5`, `0,750`. A browser's
<input type=number> drops a decimal comma (Chromium turns `0,5` into `05`), so money and
quantities are text boxes with a decimal keyboard, read back here."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from .money import format_decimal, format_money


def parse_decimal(value) -> Decimal | None:
    """A number as typed: spaces or non-breaking spaces between thousands, a comma or a point
    before the fraction. None when empty; ValueError when it is not a finite number."""
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


def _places(value) -> int:
    """How many digits a decimal needs after the mark (5.000 → 0, 1.250 → 2)."""
    return max(0, -Decimal(value).normalize().as_tuple().exponent)


class LocalDecimalField(forms.Field):
    """A decimal that accepts a comma, spaces in thousands, and a phone's decimal keyboard.
    `money=True` shows its bounds in errors as money (`100,00 ₸`, `₸100.00`)."""

    widget = forms.TextInput

    def __init__(self, *, places: int = 3, min_value=Decimal("0"), max_value=None,
                 money: bool = False, **kwargs):
        self.places, self.min_value, self.max_value = places, min_value, max_value
        self.money = money
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def _show(self, value) -> str:
        return format_money(value) if self.money else format_decimal(value, _places(value))

    def prepare_value(self, value):
        # A stored Decimal is shown with the language's decimal mark and without grouping:
        # 4700,50 (kk, ru) or 4700.50 (en); a threshold of 5.000 as 5.
        if isinstance(value, Decimal) and value.is_finite():
            places = 2 if self.money else _places(value)
            try:
                text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
            except InvalidOperation:  # more digits than a Decimal holds: shown as it is
                return str(value)
            return text.replace(".", get_format("DECIMAL_SEPARATOR"))
        return value

    def to_python(self, value):
        value = "" if value in self.empty_values else str(value)[:40]
        try:
            number = parse_decimal(value)
        except ValueError:
            raise ValidationError(_("Enter a number, e.g. 12 or 1,5."), code="invalid") from None
        if number is None:
            return None
        try:
            rounded = number.quantize(Decimal(1).scaleb(-self.places))
        except InvalidOperation:  # 1e30: more digits than a Decimal holds
            raise ValidationError(_("That is too large."), code="max_value") from None
        if number != rounded:
            raise ValidationError(_("Use at most %(places)s digits after the decimal mark.")
                                  % {"places": self.places}, code="places")
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(_("Enter %(min)s or more.") % {"min": self._show(self.min_value)},
                                  code="min_value")
        if self.max_value is not None and number > self.max_value:
            if self.money:
                raise ValidationError(_("Enter %(max)s or less.")
                                      % {"max": self._show(self.max_value)}, code="max_value")
            raise ValidationError(_("That is too large."), code="max_value")
        return number
