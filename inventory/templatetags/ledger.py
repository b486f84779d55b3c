"""Reading ledger rows in the reader's language.

A movement keeps the text it was written with (`reason`, frozen like the rest of the ledger) and a
machine reference such as `receipt:5` or `order:12`. The movement history shows the reference as
a document name and number in the reader's language, and a write-off's reason from its line
(a choice), so a page in Kazakh does not show the English a seller's session happened to use."""

from django import template
from django.utils.translation import gettext_lazy as _

from inventory.models import MovementKind

register = template.Library()

DOCUMENTS = {
    "receipt": (_("Goods receipt"), 5),
    "writeoff": (_("Write-off"), 5),
    "stocktake": (_("Stocktake"), 5),
    "order": (_("Order"), 6),
    "correction": (_("Correction"), None),
}

# Reasons the system writes for these kinds: the document name says it all.
SYSTEM_WORDED = {MovementKind.SALE, MovementKind.COUNT}


@register.filter
def document_label(reference: str) -> str:
    prefix, _sep, number = (reference or "").partition(":")
    if prefix not in DOCUMENTS:
        return reference or ""
    name, digits = DOCUMENTS[prefix]
    if digits is None or not number.isdigit():
        return str(name)
    return f"{name} №{int(number):0{digits}d}"


@register.simple_tag
def movement_reason(movement) -> str:
    """What to show as the reason of one movement (see the module docstring)."""
    line = (getattr(movement, "writeoff_line", None)
            if movement.kind == MovementKind.WRITE_OFF else None)
    if line is not None:
        reason = str(line.get_reason_display())
        return f"{reason}: {line.comment}" if line.comment else reason
    if movement.kind in SYSTEM_WORDED:
        return ""
    return movement.reason  # a supplier's name, a reason someone typed
