"""The one place that says how large a number may be before it is written.

Every bound is read from the model field that will hold the number: a DecimalField's own
`max_digits`/`decimal_places`, an integer column's range. Forms (bibarys.fields.LocalDecimalField),
the price-list import, the bulk actions, Django admin, management commands and the services all
ask here, and all refuse with the same message naming the limit in the user's language (money as
money: `9 999 999 999,99 ₸`). A sum made of bounded parts (a line total, an order total, a price
after a bulk change, a moving-average cost) is checked with `check_sum` before it is written.

Why: SQLite stores a DecimalField as a float and accepts 1e20; reading it back, Django's
converter raises InvalidOperation and every page that lists the row answers 500. PostgreSQL
refuses at write time ("numeric field overflow"), also a 500. Two more guards stand behind the
entry checks: `guard_model_save` (pre_save: no model instance out of range is saved, whatever
path it came by) and `install_sqlite_reader` (a row already out of range is read as the number it
is instead of breaking the page)."""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

from .money import format_decimal, format_money

MONEY_PLACES = 2


@dataclass(frozen=True)
class Limit:
    """What a column holds: at most `max_value` and at least `min_value`, `places` digits after
    the decimal mark (0 for an integer column). `money` shows the bounds as tenge."""

    min_value: Decimal
    max_value: Decimal
    places: int
    money: bool = False

    def narrowed(self, *, min_value=None, max_value=None) -> Limit:
        """The same column with a store rule on top (a price above zero, a top-up cap)."""
        low = self.min_value if min_value is None else max(self.min_value, Decimal(min_value))
        high = self.max_value if max_value is None else min(self.max_value, Decimal(max_value))
        return Limit(min_value=low, max_value=high, places=self.places, money=self.money)

    def show(self, value) -> str:
        if self.money:
            return format_money(value)
        return format_decimal(value, _places(value) if self.places else 0)

    def error(self, value) -> ValidationError | None:
        """Why `value` does not fit, or None when it does."""
        try:
            number = Decimal(value) if not isinstance(value, Decimal) else value
        except (InvalidOperation, TypeError, ValueError):
            return ValidationError(_("Enter a number, e.g. 12 or 1,5."), code="invalid")
        if not number.is_finite():
            return ValidationError(_("Enter a number, e.g. 12 or 1,5."), code="invalid")
        if number > self.max_value:
            return ValidationError(_("Enter %(max)s or less.") % {"max": self.show(self.max_value)},
                                   code="max_value")
        if number < self.min_value:
            return ValidationError(_("Enter %(min)s or more.") % {"min": self.show(self.min_value)},
                                   code="min_value")
        if _places(number) > self.places:
            if self.places == 0:
                return ValidationError(_("Enter a whole number."), code="places")
            return ValidationError(_("Use at most %(places)s digits after the decimal mark.")
                                   % {"places": self.places}, code="places")
        return None

    def check(self, value, *, field: str | None = None) -> Decimal:
        """`value` as a Decimal, or a ValidationError (keyed by `field` when given)."""
        problem = self.error(value)
        if problem is not None:
            raise ValidationError({field: problem}) if field else problem
        return Decimal(value)

    def fits(self, value) -> bool:
        return self.error(value) is None


def _places(value) -> int:
    """How many digits a decimal needs after the mark (5.000 → 0, 1.250 → 2)."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def limit_for(field, *, money: bool | None = None) -> Limit:
    """The bounds of a model field: `limit_for(Product._meta.get_field("price"))`, or the same
    as `limit_for("catalog.Product.price")`."""
    if isinstance(field, str):
        from django.apps import apps

        app_model, _dot, name = field.rpartition(".")
        field = apps.get_model(app_model)._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        largest = Decimal(10) ** (field.max_digits - places) - Decimal(1).scaleb(-places)
        return Limit(min_value=-largest, max_value=largest, places=places,
                     money=(places == MONEY_PLACES) if money is None else money)
    internal = field.get_internal_type()
    if internal in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[internal]
        return Limit(min_value=Decimal(low), max_value=Decimal(high), places=0,
                     money=bool(money))
    raise TypeError(f"{field!r} holds no number")


def default_limit(places: int, *, money: bool = False) -> Limit:
    """For a form field that names no column: the narrowest column of that precision the store
    has (a price's 12 digits for money, a quantity's 14 digits otherwise)."""
    if money or places == MONEY_PLACES:
        return limit_for("catalog.Product.price", money=money)
    return limit_for("catalog.Product.quantity")


def check_sum(value, model, name: str, *, what: str, field: str | None = None) -> Decimal:
    """A sum computed from bounded parts (price × quantity, an order total, a price after a bulk
    change) checked before it is written: the message says which sum and names its limit."""
    limit = limit_for(model._meta.get_field(name))
    try:
        fits = limit.min_value <= value <= limit.max_value
    except (InvalidOperation, TypeError):
        fits = False
    if not fits:
        message = _("%(what)s would be more than %(max)s, the most the store can record.") % {
            "what": what, "max": limit.show(limit.max_value)}
        raise ValidationError({field: message} if field else message, code="max_value")
    return value


# Behind the entry checks ------------------------------------------------------------------------


def model_errors(instance) -> dict[str, ValidationError]:
    """The number fields of `instance` that its columns cannot hold."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, (models.DecimalField, models.IntegerField)) or field.primary_key \
                or isinstance(field, (models.AutoField, models.BigAutoField)) or field.is_relation:
            continue
        value = getattr(instance, field.attname, None)
        if value is None or not isinstance(value, (int, Decimal)) or isinstance(value, bool):
            continue  # an expression (F() + 1) or a value Django itself will refuse
        problem = limit_for(field).error(value)
        if problem is not None:
            errors[field.name] = problem
    return errors


def guard_model_save(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: a number its column cannot hold is never written, whatever path brought it
    (a service that forgot to ask, a management command, a future till or API)."""
    if raw:
        return
    errors = model_errors(instance)
    if errors:
        raise ValidationError(errors)


def _safe_decimal_converter(original):
    def get_decimalfield_converter(self, expression):
        converter = original(self, expression)
        loose = decimal.Context(prec=15).create_decimal_from_float

        def tolerant(value, expression, connection):
            try:
                return converter(value, expression, connection)
            except (InvalidOperation, TypeError, ValueError):
                # Out of the column's range (planted before the bounds, or by hand): shown as
                # the number it is, so that its page opens and the seller can fix it.
                try:
                    return loose(value) if isinstance(value, (int, float)) else Decimal(str(value))
                except (InvalidOperation, TypeError, ValueError):
                    return None

        return tolerant

    get_decimalfield_converter._bibarys_tolerant = True
    return get_decimalfield_converter


def install_sqlite_reader(sender=None, connection=None, **kwargs) -> None:
    """connection_created: teach SQLite's decimal converter to read an out-of-range row instead
    of raising. Other databases are left alone (PostgreSQL never holds such a row)."""
    if connection is None or connection.vendor != "sqlite":
        return
    operations = type(connection.ops)
    current = operations.get_decimalfield_converter
    if not getattr(current, "_bibarys_tolerant", False):
        operations.get_decimalfield_converter = _safe_decimal_converter(current)


# Management commands ----------------------------------------------------------------------------


def count_option(low: int, high: int):
    """An argparse `type=` for a count option (`--products`, `--runs`): a whole number from `low`
    to `high`, refused with the same message naming the limit (CommandError, exit status 2)."""
    import argparse

    bounds = Limit(min_value=Decimal(low), max_value=Decimal(high), places=0)

    def parse(text: str) -> int:
        from .fields import parse_decimal

        try:
            number = parse_decimal(text)
        except ValueError:
            number = None
        if number is None:
            raise argparse.ArgumentTypeError(_("Enter a number, e.g. 12 or 1,5."))
        problem = bounds.error(number)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem.messages[0])
        return int(number)

    parse.__name__ = "count"
    return parse
