import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from inventory.services import stock_move

from .factories import ProductFactory, stock_up

pytestmark = pytest.mark.django_db


def _check():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_stock", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_check_stock_passes_on_honest_books(seller):
    product = ProductFactory(seller=seller)
    stock_up(product, 10)
    stock_move(product=product, quantity=Decimal(-1), kind="correction", reason="broken jar")
    assert _check()[0] == 0


def test_check_stock_finds_a_quantity_changed_behind_the_ledger(seller):
    product = ProductFactory(seller=seller, sku="CORRUPT-1")
    stock_up(product, 10)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_product SET quantity = 7 WHERE id = %s", [product.pk])
    code, output = _check()
    assert code == 1
    assert "CORRUPT-1" in output and "movements sum to 10" in output


def test_check_stock_finds_a_receipt_movement_without_a_receipt_line(seller):
    product = ProductFactory(seller=seller)
    stock_move(product=product, quantity=Decimal(3), kind="receipt", reference="receipt:999")
    code, output = _check()
    assert code == 1 and "belongs to no document line" in output


def test_check_stock_after_seed_demo(db):
    call_command("seed_demo", "--products", "30", stdout=io.StringIO())
    code, output = _check()
    assert code == 0, output
