"""Django admin's number fields bounded like every other door (bibarys/limits.py).

Every ModelAdmin and inline of the project mixes BoundedNumbers in: each DecimalField of its
form becomes a LocalDecimalField with its column's limit, so the admin reads `1 234,50` as the
store's pages do and refuses 1e20 with the same message naming the limit. Integer columns already
carry their range as validators (Django's IntegerField.validators)."""

from django.db import models
from django.utils.text import capfirst

from .fields import LocalDecimalField
from .limits import limit_for


class BoundedNumbers:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is None or not isinstance(db_field, models.DecimalField) or db_field.choices:
            return formfield
        return LocalDecimalField(
            limit=limit_for(db_field), min_value=None, required=formfield.required,
            label=formfield.label or capfirst(db_field.verbose_name),
            help_text=formfield.help_text, initial=formfield.initial,
            disabled=formfield.disabled)
