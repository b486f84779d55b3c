"""Numbers as people in Kazakhstan type them: `1 234,5`, `1234.5`, `0,750`. A browser's
<input type=number> drops a decimal comma (Chromium turns `0,5` into `05`), so money and
quantities are text boxes with a decimal keyboard, read back here."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from . import limits


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
    return limits._places(value)


class LocalDecimalField(forms.Field):
    """A decimal that accepts a comma, spaces in thousands, and a phone's decimal keyboard.
    Its bounds come from the column it fills (`limit=limits.limit_for(...)`, bibarys/limits.py),
    narrowed by `min_value`/`max_value` when the store's rule is stricter; without a column, the
    narrowest one of that precision. `money=True` shows its bounds in errors as money
    (`100,00 ₸`, `₸100.00`)."""

    widget = forms.TextInput

    def __init__(self, *, places: int | None = None, min_value=Decimal("0"), max_value=None,
                 money: bool | None = None, limit: limits.Limit | None = None, **kwargs):
        if limit is None:
            places = 3 if places is None else places
            limit = limits.default_limit(places, money=bool(money))
        if money is not None and money != limit.money:
            limit = limits.Limit(limit.min_value, limit.max_value, limit.places, money)
        if places is not None and places != limit.places:
            limit = limits.Limit(limit.min_value, limit.max_value, min(places, limit.places),
                                 limit.money)
        self.limit = limit.narrowed(min_value=min_value, max_value=max_value)
        self.places, self.money = self.limit.places, self.limit.money
        self.min_value, self.max_value = self.limit.min_value, self.limit.max_value
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def _show(self, value) -> str:
        return self.limit.show(value)

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
        # Range first, then precision: 1e30 is "at most 9 999 999 999,99 ₸", not "too many
        # decimals"; the same message the import, the admin and the services give.
        problem = self.limit.error(number)
        if problem is not None:
            raise problem
        return number.quantize(Decimal(1).scaleb(-self.places))
