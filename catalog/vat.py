"""VAT (ҚҚС / НДС) of what the store sells: the rates, a product's rate, the VAT inside a price.

Prices include VAT (docs/vat.md). A product's rate is its own, else its category's, else the
store's (VAT_DEFAULT_RATE); a store that is not a VAT payer (VAT_PAYER off) charges none, and
its sale lines keep no rate. The VAT of a sale line is computed once, when the order is placed
(orders.services.order_place), from the line's sum: sum × rate / (100 + rate), rounded half up
to the tiyn. Each line keeps its rate and VAT; a receipt's VAT by rate is the sum of its lines."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bibarys.money import money_round


class VatRate(models.TextChoices):
    STANDARD = "16", _("16 %")
    ZERO = "0", _("0 %")
    EXEMPT = "exempt", _("Exempt from VAT")


# What a sale line keeps when the store is not a VAT payer: no rate, no VAT.
NOT_A_PAYER = ""
PERCENT = {VatRate.STANDARD: Decimal("16"), VatRate.ZERO: Decimal("0"),
           VatRate.EXEMPT: Decimal("0")}


def store_is_vat_payer() -> bool:
    return settings.VAT_PAYER


def rate_for(*, product_rate: str = "", category_rate: str = "") -> str:
    """The rate a sale line takes: the product's, else its category's, else the store's; none
    (NOT_A_PAYER) for a store that does not pay VAT."""
    if not store_is_vat_payer():
        return NOT_A_PAYER
    return product_rate or category_rate or settings.VAT_DEFAULT_RATE


def vat_in(amount: Decimal, rate: str) -> Decimal:
    """The VAT inside `amount` (a price that includes it) at `rate`, half up to the tiyn:
    1 160,00 ₸ at 16 % holds 160,00 ₸; 999,99 ₸ holds 137,93 ₸ (137,9297…)."""
    percent = PERCENT.get(rate, Decimal("0"))
    if not percent:
        return Decimal("0.00")
    return money_round(amount * percent / (100 + percent))


def rate_label(rate: str) -> str:
    return str(VatRate(rate).label) if rate in VatRate.values else str(_("Without VAT"))


def rates_for(products) -> dict[int, str]:
    """Each product's sale rate by its pk, its categories' rates read in one query."""
    products = list(products)
    if not store_is_vat_payer():
        return {product.pk: NOT_A_PAYER for product in products}
    from .models import Category  # the models module imports VatRate from here

    wanted = {product.category_id for product in products if not product.vat_rate}
    categories = dict(Category.objects.filter(pk__in=wanted).values_list("pk", "vat_rate")
                      ) if wanted else {}
    return {product.pk: rate_for(product_rate=product.vat_rate,
                                 category_rate=categories.get(product.category_id, ""))
            for product in products}
