"""Codes at the till: barcodes, SKUs, PLUs and scale labels in every documented layout, with
the check digit verified."""

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from catalog.models import ProductBarcode
from catalog.tests.factories import ProductFactory
from catalog.validators import ean_checksum_ok
from till.scan import LabelError, ScaleLabel, parse_scale_label, scan_lookup

D = Decimal


def ean13(first12: str) -> str:
    """A 12-digit body with its EAN-13 check digit."""
    for check in "0123456789":
        if ean_checksum_ok(first12 + check):
            return first12 + check
    raise AssertionError


@pytest.mark.parametrize("layout, body, expected", [
    # docs/till.md: the common layouts after the prefix 20–29.
    ("PPPPPWWWWW", "2100123" "00750", ScaleLabel(plu=123, weight=D("0.750"))),
    ("PPPPWWWWWX", "22" "0042" "01250" "0", ScaleLabel(plu=42, weight=D("1.250"))),
    ("XPPPPWWWWW", "27" "9" "0042" "00500", ScaleLabel(plu=42, weight=D("0.500"))),
    ("PPPPPMMMMM", "20" "00123" "00899", ScaleLabel(plu=123, price=D("899.00"))),
    ("PPPPMMMMMM", "29" "0007" "012345", ScaleLabel(plu=7, price=D("12345.00"))),
])
def test_scale_label_layouts(layout, body, expected):
    assert parse_scale_label(ean13(body), layout) == expected


def test_scale_label_with_a_wrong_check_digit_is_refused():
    code = ean13("210012300750")
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(LabelError):
        parse_scale_label(wrong, "PPPPPWWWWW")


def test_codes_outside_20_to_29_are_no_scale_labels():
    assert parse_scale_label(ean13("460123456789"), "PPPPPWWWWW") is None
    assert parse_scale_label("2100123", "PPPPPWWWWW") is None


@pytest.mark.parametrize("layout", ["PPPPP", "PPPPPWWWWM", "WWWWWWWWWW", "PPPPPQQQQQ"])
def test_a_wrong_layout_setting_says_so(layout):
    with pytest.raises(ImproperlyConfigured):
        parse_scale_label(ean13("210012300750"), layout)


def test_a_wrong_layout_setting_fails_the_system_check(settings):
    from till.scan import check_scale_label_setting

    assert check_scale_label_setting() == []
    settings.TILL_SCALE_LABEL = "PPPPPWWWW"
    [error] = check_scale_label_setting()
    assert error.id == "till.E001"


@pytest.mark.django_db
class TestScanLookup:
    def test_a_barcode_finds_its_product(self):
        product = ProductFactory()
        ProductBarcode.objects.create(product=product, code="4870001234564")
        found = scan_lookup(" 4870001234564 ")
        assert found.product == product and found.quantity == 1 and not found.error

    def test_an_sku_finds_its_product_in_any_case(self):
        product = ProductFactory(sku="BREAD-1")
        assert scan_lookup("bread-1").product == product

    def test_a_plu_typed_finds_the_weighed_product(self):
        apples = ProductFactory(unit="kg", plu=123)
        assert scan_lookup("123").product == apples

    def test_a_scale_label_sells_the_weight(self, settings):
        settings.TILL_SCALE_LABEL = "PPPPPWWWWW"
        apples = ProductFactory(unit="kg", plu=123, price=D("899.00"))
        found = scan_lookup(ean13("210012300750"))
        assert found.product == apples and found.quantity == D("0.750")

    def test_a_price_label_sells_price_over_unit_price(self, settings):
        settings.TILL_SCALE_LABEL = "PPPPPMMMMM"
        ProductFactory(unit="kg", plu=123, price=D("1000.00"))
        found = scan_lookup(ean13("200012300450"))
        assert found.quantity == D("0.450")

    def test_a_misread_label_is_refused_with_a_reason(self):
        ProductFactory(unit="kg", plu=123)
        code = ean13("210012300750")
        with translation.override("en"):
            found = scan_lookup(code[:-1] + str((int(code[-1]) + 1) % 10))
        assert found.product is None and "check digit" in found.error

    def test_a_label_of_an_unknown_plu(self):
        found = scan_lookup(ean13("210099900750"))
        assert found.product is None and "999" in found.error

    def test_an_unknown_code(self):
        ProductFactory(is_active=False, sku="OLD-1")
        for code in ("0000000000000", "OLD-1", "nothing"):
            found = scan_lookup(code)
            assert found.product is None and found.error
