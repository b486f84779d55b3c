"""The document posts, the reversal, the correction and the import are a page's action on their
own (atomic(durable=True)): run inside another transaction they refuse, instead of leaving their
locks and their all-or-nothing to a caller that may commit half. Callers that compose a posting
(the import, the demo) use *_post_in_transaction, which needs the caller's transaction."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from inventory import services
from inventory.importers import ImportRow
from inventory.models import DocumentStatus

from .factories import CategoryFactory, ProductFactory, stock_up

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


def _receipt(seller, product):
    receipt = services.receipt_create(by=seller, supplier="ТОО Тест", date=DAY)
    services.receipt_line_set(receipt=receipt, by=seller, product=product,
                              quantity=Decimal("2"), unit_cost=Decimal("100"))
    return receipt


def _writeoff(seller, product):
    writeoff = services.writeoff_create(by=seller, date=DAY)
    services.writeoff_line_set(writeoff=writeoff, by=seller, product=product,
                               quantity=Decimal("1"), reason="spoiled")
    return writeoff


def test_the_pages_services_refuse_to_run_inside_another_transaction(seller, admin_user):
    milk = ProductFactory(seller=seller)
    stock_up(milk, 5)
    posted = _receipt(seller, milk)
    services.receipt_post(receipt=posted, by=seller)
    calls = [
        lambda: services.receipt_post(receipt=_receipt(seller, milk), by=seller),
        lambda: services.receipt_reverse(receipt=posted, by=seller, reason="ошибка"),
        lambda: services.writeoff_post(writeoff=_writeoff(seller, milk), by=seller),
        lambda: services.stocktake_post(stocktake=services.stocktake_start(by=seller),
                                        by=seller),
        lambda: services.stock_correct(product=milk, quantity=Decimal("1"), by=admin_user,
                                       reason="пересчёт"),
        lambda: services.products_import(
            rows=[ImportRow(line=2, sku="NEW-1", name="Нан", category="Нан",
                            price=Decimal("250"))], by=admin_user, seller=admin_user),
    ]
    for call in calls:
        with pytest.raises(RuntimeError, match="durable"):
            with transaction.atomic():
                call()
    milk.refresh_from_db()
    assert milk.quantity == Decimal("7")  # the stock-up and the first receipt only


def test_the_composed_posts_run_in_the_callers_transaction_and_need_one(seller):
    milk = ProductFactory(seller=seller)
    stock_up(milk, 5)
    receipt, writeoff = _receipt(seller, milk), _writeoff(seller, milk)
    with transaction.atomic():
        services.receipt_post_in_transaction(receipt=receipt, by=seller)
        services.writeoff_post_in_transaction(writeoff=writeoff, by=seller)
    receipt.refresh_from_db()
    writeoff.refresh_from_db()
    milk.refresh_from_db()
    assert (receipt.status, writeoff.status) == (DocumentStatus.POSTED, DocumentStatus.POSTED)
    assert milk.quantity == Decimal("6")


def test_the_import_posts_its_opening_receipt_inside_its_own_transaction(admin_user):
    CategoryFactory(name="Нан")
    result = services.products_import(
        rows=[ImportRow(line=2, sku="BREAD-1", name="Нан", category="Нан",
                        price=Decimal("250"), quantity=Decimal("3"))],
        by=admin_user, seller=admin_user)
    assert result.receipt is not None and result.receipt.status == DocumentStatus.POSTED
    assert result.receipt.lines.get().product.quantity == Decimal("3")


def test_one_writer_tells_a_shortage_the_same_for_one_line_and_many(seller):
    milk = ProductFactory(seller=seller)
    stock_up(milk, 3)
    with pytest.raises(services.InsufficientStock) as one:
        services.stock_move(product=milk, quantity=Decimal("-5"), kind="sale")
    with pytest.raises(services.InsufficientStock) as many:
        services.stock_apply(changes=[services.StockChange(milk.pk, Decimal("-2")),
                                      services.StockChange(milk.pk, Decimal("-3"))],
                             kind="sale")
    for error in (one.value, many.value):
        (shortage,) = error.shortages
        assert (shortage.requested, shortage.available) == (Decimal("5"), Decimal("3"))
    milk.refresh_from_db()
    assert milk.quantity == Decimal("3")
