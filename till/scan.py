"""What a code typed or scanned at the till means (docs/till.md): a product's barcode, its SKU,
its PLU, or a label printed by the store's scale.

A scale label is an EAN-13 whose first two digits are 20–29 (numbers GS1 leaves to the store).
The ten digits after the prefix follow ONE store setting, `TILL_SCALE_LABEL`: P = a digit of the
PLU, W = of the weight in grams, M = of the price in tenge, X = ignored. The 13th digit is the
EAN check digit, verified: a misread label is refused, never sold as something else."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from bibarys.money import TIYN
from bibarys.units import Unit
from catalog.models import Product, ProductBarcode
from catalog.validators import ean_checksum_ok

GRAM = Decimal("0.001")
SCALE_PREFIXES = {str(n) for n in range(20, 30)}


@dataclass(frozen=True)
class ScaleLabel:
    """A scale label read: the PLU and either the weight (kg) or the price (tenge)."""

    plu: int
    weight: Decimal | None = None
    price: Decimal | None = None


class LabelError(ValueError):
    """A code that looks like a scale label but cannot be one (its check digit is wrong)."""


def label_layout(layout: str | None = None) -> str:
    layout = (layout if layout is not None else settings.TILL_SCALE_LABEL).upper()
    if (len(layout) != 10 or set(layout) - set("PWMX") or "P" not in layout
            or ("W" in layout) == ("M" in layout)):
        raise ImproperlyConfigured(
            "TILL_SCALE_LABEL: ten letters of P (PLU), W (grams) or M (tenge), X (ignored), "
            f"with a PLU and either a weight or a price; got {layout!r}")
    return layout


@checks.register()
def check_scale_label_setting(app_configs=None, **kwargs):
    """A wrong TILL_SCALE_LABEL is said at start-up, not at the first weighed product's scan."""
    try:
        label_layout()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="till.E001")]
    return []


def is_scale_code(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and code[:2] in SCALE_PREFIXES


def parse_scale_label(code: str, layout: str | None = None) -> ScaleLabel | None:
    """The label inside `code`, None when `code` is no scale label; LabelError when it is one
    with a wrong check digit."""
    code = code.strip()
    if not is_scale_code(code):
        return None
    if not ean_checksum_ok(code):
        raise LabelError(_("The label's check digit is wrong: scan it again or type the weight."))
    layout = label_layout(layout)
    fields = {"P": "", "W": "", "M": ""}
    for letter, digit in zip(layout, code[2:12]):
        if letter in fields:
            fields[letter] += digit
    plu = int(fields["P"])
    if fields["W"]:
        return ScaleLabel(plu=plu, weight=(Decimal(int(fields["W"])) * GRAM).quantize(GRAM))
    return ScaleLabel(plu=plu, price=Decimal(int(fields["M"])).quantize(TIYN))


@dataclass(frozen=True)
class ScanResult:
    """A code found: the product and how much of it one scan adds. Or not found: `error` says
    why (unknown code, a misread label)."""

    product: Product | None = None
    quantity: Decimal = Decimal("1")
    error: str = ""


def _sellable():
    return Product.objects.active().only("id", "name", "name_ru", "name_en", "unit", "price",
                                         "sku", "plu")


def label_quantity(label: ScaleLabel, product: Product) -> Decimal:
    """How much a label sells: its weight, or its price over the price per unit (to the gram)."""
    if label.weight is not None:
        return label.weight
    return (label.price / product.price).quantize(GRAM, rounding=ROUND_HALF_UP)


def scan_lookup(code: str) -> ScanResult:
    """The product a scanned or typed code names: a barcode, a scale label, an SKU, a PLU."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        return ScanResult(error=_("Unknown code: %(code)s") % {"code": code[:64]})
    if code.isdigit():
        by_barcode = _sellable().filter(
            pk__in=ProductBarcode.objects.filter(code=code).values("product_id")).first()
        if by_barcode is not None:
            return ScanResult(product=by_barcode)
        try:
            label = parse_scale_label(code)
        except LabelError as error:
            return ScanResult(error=str(error))
        if label is not None:
            product = _sellable().filter(plu=label.plu).first()
            if product is None:
                return ScanResult(error=_("No product has PLU %(plu)s.") % {"plu": label.plu})
            quantity = label_quantity(label, product)
            if product.unit == Unit.PIECE or quantity <= 0:
                return ScanResult(error=_("This label does not fit %(name)s.")
                                  % {"name": product.display_name})
            return ScanResult(product=product, quantity=quantity)
    product = _sellable().filter(sku__iexact=code).first()
    if product is None and code.isdigit() and len(code) <= 5:
        product = _sellable().filter(plu=int(code)).first()
    if product is None:
        return ScanResult(error=_("Unknown code: %(code)s") % {"code": code})
    return ScanResult(product=product)
