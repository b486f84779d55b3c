from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def ean_checksum_ok(code: str) -> bool:
    """EAN-8, UPC-A (12) and EAN-13: weights 3,1,3,… from the right, excluding the check digit."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def validate_ean(value: str) -> None:
    if not ean_checksum_ok(value):
        raise ValidationError(
            _("%(code)s is not a valid EAN barcode (8 or 13 digits with a correct check digit)."),
            code="invalid_ean", params={"code": value},
        )
