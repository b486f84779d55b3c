from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import get_format

register = template.Library()

STATUS_BADGES = {
    "new": "badge-info",
    "confirmed": "badge-info",
    "ready": "badge-warning",
    "completed": "badge-success",
    "cancelled": "badge-muted",
}


@register.filter
def input_qty(value):
    """A quantity for a quantity box: no trailing zeros, the language's decimal separator
    (1,25 in kk and ru, 1.25 in en; the cart reads either back)."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number.normalize():f}".replace(".", get_format("DECIMAL_SEPARATOR"))


@register.filter
def status_badge(status):
    """The badge class for an order status."""
    return STATUS_BADGES.get(str(status), "")


@register.filter
def product_url(product):
    """The product's shop page, or "" while the catalog has none (apps land one at a time)."""
    from django.urls import NoReverseMatch

    try:
        return product.get_absolute_url()
    except NoReverseMatch:
        return ""


@register.filter
def wallet_details(entry):
    """What a wallet entry was for, in the reader's language: the entries the store writes
    itself (order payments, refunds, demo top-ups) are described from their reference, not
    from the text stored in whichever language was active when they were written."""
    from django.utils.translation import gettext as _

    reference = entry.reference or ""
    if reference.startswith("order:") and reference[6:].isdigit():
        number = f"№{int(reference[6:]):06d}"
        if entry.kind == "refund":
            return _("Refund for order %(number)s") % {"number": number}
        if entry.kind == "payment":
            return _("Order %(number)s") % {"number": number}
    if reference == "demo:welcome":
        return _("Welcome top-up (demo)")
    if reference.startswith("topup:demo-"):
        return _("Demo payment (no real money)")
    return entry.reason
