"""Units groceries are sold in, and how a quantity may be written for each."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy


class Unit(models.TextChoices):
    PIECE = "pcs", _("piece")
    KG = "kg", _("kilogram")
    LITRE = "l", _("litre")


# Short labels shown after a number: "3 pcs", "1.250 kg".
UNIT_SHORT = {
    Unit.PIECE: pgettext_lazy("unit", "pcs"),
    Unit.KG: pgettext_lazy("unit", "kg"),
    Unit.LITRE: pgettext_lazy("unit", "l"),
}

# A piece product takes whole numbers; weight and volume take steps of 0.001.
UNIT_STEP = {Unit.PIECE: Decimal("1"), Unit.KG: Decimal("0.001"), Unit.LITRE: Decimal("0.001")}


def quantity_fits_unit(quantity: Decimal, unit: str) -> bool:
    step = UNIT_STEP[Unit(unit)]
    return quantity % step == 0


# The one message for a quantity that does not fit its unit, wherever it is typed (the cart, a
# stock document, a return, the import), and its nameless form for a product's own settings.
PIECES_ONLY = _("A piece product counts in whole pieces.")


def unit_step_message(name, unit: str) -> str:
    """Why `name`'s quantity does not fit its unit: whole pieces, or at most 3 decimal places."""
    if unit == Unit.PIECE:
        return gettext("%(name)s is sold by the piece: enter a whole number.") % {"name": name}
    return gettext("%(name)s is weighed to the gram: use at most 3 decimal places.") % {
        "name": name}
