"""{% fiscal_registers_away as away %}: the dashboard's warning of a cloud register that has
not answered for FISCAL_OFFLINE_WARN_HOURS (the law allows 72 hours offline)."""

from django import template

import uuid

from fiscal.backends import is_enabled
from fiscal.selectors import registers_away

register = template.Library()


@register.simple_tag
def fiscal_registers_away() -> list[dict]:
    return registers_away()



@register.simple_tag
def fiscal_enabled() -> bool:
    return is_enabled()


@register.simple_tag
def fiscal_form_key() -> str:
    """A fresh key for a form that asks the register once, however often it is clicked."""
    return str(uuid.uuid4())
