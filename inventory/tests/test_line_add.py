"""Adding a product that is already on a draft receipt or write-off adds to it (a second scan, an
invoice listing one product in two batches) instead of replacing the line; write-off reasons are
chosen, never assumed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.periods import Period
from analytics.selectors import receipts_total, writeoffs_by_reason
from inventory.models import MovementKind, ReceiptLine, StockMovement, WriteOffLine
from inventory.selectors import receipts_for
from inventory.services import (
    receipt_create, receipt_line_add, receipt_line_set, receipt_post, writeoff_create,
    writeoff_line_add, writeoff_post,
)

from .factories import ProductFactory, stock_up
from .helpers import assert_ledger_holds

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)
D = Decimal


def _receipt(seller):
    return receipt_create(by=seller, supplier="ТОО Алматы Сүт", date=DAY)


# Goods receipt: services -----------------------------------------------------------------------


def test_receipt_line_add_adds_the_quantity_of_a_second_scan(seller):
    kefir = ProductFactory(seller=seller)
    receipt = _receipt(seller)
    first = receipt_line_add(receipt=receipt, by=seller, product=kefir, quantity=D(12),
                             unit_cost=D("250.00"))
    second = receipt_line_add(receipt=receipt, by=seller, product=kefir, quantity=D(6),
                              unit_cost=D("250.00"))
    assert (first.merged, second.merged, second.averaged) == (False, True, False)
    line = ReceiptLine.objects.get(document=receipt)
    assert (line.quantity, line.unit_cost) == (D(18), D("250.00"))


def test_receipt_line_add_averages_two_batches_keeping_their_value(seller):
    kefir = ProductFactory(seller=seller)
    receipt = _receipt(seller)
    receipt_line_add(receipt=receipt, by=seller, product=kefir, quantity=D(10),
                     unit_cost=D("100.00"))
    added = receipt_line_add(receipt=receipt, by=seller, product=kefir, quantity=D(5),
                             unit_cost=D("130.00"))
    line = ReceiptLine.objects.get(document=receipt)
    assert added.averaged
    assert (line.quantity, line.unit_cost) == (D(15), D("110.00"))
    assert line.quantity * line.unit_cost == D(10) * D(100) + D(5) * D(130)


def test_receipt_line_add_rounds_an_inexact_average_half_up_and_posts_what_it_shows(seller):
    kefir = ProductFactory(seller=seller)
    receipt = _receipt(seller)
    receipt_line_add(receipt=receipt, by=seller, product=kefir, quantity=D(1),
                     unit_cost=D("100.00"))
    receipt_line_add(receipt=receipt, by=seller, product=kefir, quantity=D(2),
                     unit_cost=D("101.00"))
    line = ReceiptLine.objects.get(document=receipt)
    assert line.unit_cost == D("100.67")  # 302 / 3 = 100.666…
    assert line.total == D("302.01")
    # The receipt list, the page and the receipts report tell the same sum; posting books it.
    assert receipts_for(seller).get(pk=receipt.pk).total == D("302.01")
    receipt_post(receipt=receipt, by=seller)
    kefir.refresh_from_db()
    assert kefir.quantity == D(3) and kefir.cost_price == D("100.67")
    assert receipts_total(seller, Period(DAY, DAY))["total"] == D("302.01")
    assert_ledger_holds(kefir)


def test_receipt_average_on_a_half_tiyn_rounds_half_up(seller):
    salt = ProductFactory(seller=seller)
    receipt = _receipt(seller)
    receipt_line_add(receipt=receipt, by=seller, product=salt, quantity=D(1), unit_cost=D("0.03"))
    receipt_line_add(receipt=receipt, by=seller, product=salt, quantity=D(1), unit_cost=D("0.02"))
    line = ReceiptLine.objects.get(document=receipt)
    assert (line.quantity, line.unit_cost) == (D(2), D("0.03"))  # 0.025, half-up: not 0.02


def test_receipt_line_total_rounds_half_up_like_the_reports(seller):
    apples = ProductFactory(seller=seller, unit="kg")
    receipt = _receipt(seller)
    receipt_line_add(receipt=receipt, by=seller, product=apples, quantity=D("0.005"),
                     unit_cost=D("1.00"))
    assert ReceiptLine.objects.get(document=receipt).total == D("0.01")


def test_receipt_line_set_still_sets_the_quantity(seller):
    kefir = ProductFactory(seller=seller)
    receipt = _receipt(seller)
    receipt_line_add(receipt=receipt, by=seller, product=kefir, quantity=D(12), unit_cost=D(10))
    receipt_line_set(receipt=receipt, by=seller, product=kefir, quantity=D(4), unit_cost=D(10))
    assert ReceiptLine.objects.get(document=receipt).quantity == D(4)


# Goods receipt: the page -----------------------------------------------------------------------


def test_adding_a_product_twice_on_the_receipt_page_adds_and_says_so(seller, seller_client):
    kefir = ProductFactory(seller=seller, sku="KEF-1", name="Айран")
    receipt = _receipt(seller)
    url = reverse("inventory:receipt_line_add", args=[receipt.pk])
    seller_client.post(url, {"product": "KEF-1", "quantity": "1", "unit_cost": "100"})
    response = seller_client.post(url, {"product": "KEF-1", "quantity": "2",
                                        "unit_cost": "101"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#lines")
    line = receipt.lines.get()
    assert line.quantity == D(3)
    text = response.content.decode()
    notice = ("Айран was already on this receipt: the line now holds 3\xa0pcs at the average "
              "unit cost of ₸100.67, ₸302.01 in all.")
    assert notice in text
    # Shown with the line form (where #lines opens the page), once.
    assert text.index(notice) > text.index('id="lines"')
    assert notice not in seller_client.get(reverse("inventory:receipt_detail",
                                                   args=[receipt.pk])).content.decode()
    # Same cost: no word about an average.
    response = seller_client.post(url, {"product": "KEF-1", "quantity": "1",
                                        "unit_cost": "100,67"}, follow=True)
    assert ("Айран was already on this receipt: the line now holds 4\xa0pcs."
            in response.content.decode())
    assert kefir.receipt_lines.get().quantity == D(4)


# Write-off -------------------------------------------------------------------------------------


def test_writeoff_line_add_adds_to_the_line_with_the_same_reason(seller):
    milk = ProductFactory(seller=seller)
    writeoff = writeoff_create(by=seller, date=DAY)
    writeoff_line_add(writeoff=writeoff, by=seller, product=milk, quantity=D(2), reason="spoiled",
                      comment="шкаф 2")
    added = writeoff_line_add(writeoff=writeoff, by=seller, product=milk, quantity=D(3),
                              reason="spoiled", comment="шкаф 3")
    line = WriteOffLine.objects.get(document=writeoff)
    assert added.merged
    assert (line.quantity, line.comment) == (D(5), "шкаф 2; шкаф 3")


def test_writeoff_keeps_a_line_per_reason_and_posts_each(seller):
    milk = ProductFactory(seller=seller, cost_price=D("0"))
    stock_up(milk, 10, unit_cost="200.00")
    writeoff = writeoff_create(by=seller, date=DAY)
    writeoff_line_add(writeoff=writeoff, by=seller, product=milk, quantity=D(3), reason="spoiled")
    added = writeoff_line_add(writeoff=writeoff, by=seller, product=milk, quantity=D(2),
                              reason="damaged")
    assert not added.merged
    assert writeoff.lines.count() == 2
    writeoff_post(writeoff=writeoff, by=seller)
    milk.refresh_from_db()
    assert milk.quantity == D(5)
    moves = StockMovement.objects.filter(reference=writeoff.reference,
                                         kind=MovementKind.WRITE_OFF)
    assert sorted(m.quantity for m in moves) == [D(-3), D(-2)]
    by_reason = {row["reason"]: row["value"] for row in writeoffs_by_reason(seller,
                                                                             Period(DAY, DAY))}
    assert by_reason == {"spoiled": D("600.00"), "damaged": D("400.00")}
    assert_ledger_holds(milk)


def test_writeoff_page_adds_twice_and_tells_of_a_second_reason(seller, seller_client):
    milk = ProductFactory(seller=seller, sku="MILK", name="Сүт")
    stock_up(milk, 10)
    writeoff = writeoff_create(by=seller, date=DAY)
    url = reverse("inventory:writeoff_line_add", args=[writeoff.pk])
    seller_client.post(url, {"product": "MILK", "quantity": "1", "reason": "expired"})
    response = seller_client.post(url, {"product": "MILK", "quantity": "2", "reason": "expired"},
                                  follow=True)
    assert ("Сүт was already on this write-off as “Expired”: the line now holds 3\xa0pcs."
            in response.content.decode())
    response = seller_client.post(url, {"product": "MILK", "quantity": "1", "reason": "damaged"},
                                  follow=True)
    assert ("Сүт is already on this write-off with another reason: “Damaged” has a line of its "
            "own." in response.content.decode())
    assert sorted(writeoff.lines.values_list("reason", "quantity")) == [
        ("damaged", D(1)), ("expired", D(3))]


def test_writeoff_shows_short_when_two_reasons_together_exceed_stock(seller, seller_client):
    milk = ProductFactory(seller=seller, sku="MILK")
    stock_up(milk, 4)
    writeoff = writeoff_create(by=seller, date=DAY)
    writeoff_line_add(writeoff=writeoff, by=seller, product=milk, quantity=D(3), reason="spoiled")
    writeoff_line_add(writeoff=writeoff, by=seller, product=milk, quantity=D(2), reason="damaged")
    text = seller_client.get(reverse("inventory:writeoff_detail", args=[writeoff.pk])
                             ).content.decode()
    assert text.count('class="row-danger"') == 2


def test_posted_writeoff_page_values_lines_at_the_cost_kept_when_posted(seller, seller_client):
    milk = ProductFactory(seller=seller, cost_price=D("0"))
    stock_up(milk, 10, unit_cost="100.00")
    writeoff = writeoff_create(by=seller, date=DAY)
    writeoff_line_add(writeoff=writeoff, by=seller, product=milk, quantity=D(2), reason="spoiled")
    writeoff_post(writeoff=writeoff, by=seller)
    stock_up(milk, 8, unit_cost="300.00")  # the moving average is now 200
    text = seller_client.get(reverse("inventory:writeoff_detail", args=[writeoff.pk])
                             ).content.decode()
    assert "₸200.00" in text and "₸400.00" not in text


# Write-off reason ------------------------------------------------------------------------------


def test_writeoff_reason_starts_empty_and_must_be_chosen(seller, seller_client):
    milk = ProductFactory(seller=seller, sku="MILK")
    stock_up(milk, 3)
    writeoff = writeoff_create(by=seller, date=DAY)
    page = seller_client.get(reverse("inventory:writeoff_detail", args=[writeoff.pk]))
    text = page.content.decode()
    select = text[text.index('<select name="reason"'):]
    select = select[:select.index("</select>")]
    assert '<option value="" selected>— choose —</option>' in select
    assert "selected" not in select.replace('<option value="" selected>', "")
    assert select.startswith('<select name="reason" required')

    response = seller_client.post(reverse("inventory:writeoff_line_add", args=[writeoff.pk]),
                                  {"product": "MILK", "quantity": "1", "reason": ""})
    assert response.status_code == 400
    assert response.context["line_form"].errors["reason"] == ["Choose a reason."]
    assert 'id="id_reason_error"' in response.content.decode()
    assert not writeoff.lines.exists()


def test_writeoff_reason_other_needs_a_comment(seller, seller_client):
    milk = ProductFactory(seller=seller, sku="MILK")
    stock_up(milk, 3)
    writeoff = writeoff_create(by=seller, date=DAY)
    url = reverse("inventory:writeoff_line_add", args=[writeoff.pk])
    response = seller_client.post(url, {"product": "MILK", "quantity": "1", "reason": "other",
                                        "comment": "  "})
    assert response.status_code == 400
    assert response.context["line_form"].errors["comment"] == [
        "Say what happened: the reason “Other” needs a comment."]
    assert 'id="id_comment_error"' in response.content.decode()
    assert not writeoff.lines.exists()
    response = seller_client.post(url, {"product": "MILK", "quantity": "1", "reason": "other",
                                        "comment": "упаковка вздулась"})
    assert response.status_code == 302
    assert writeoff.lines.get().comment == "упаковка вздулась"


def test_writeoff_services_refuse_other_without_comment(seller):
    from django.core.exceptions import ValidationError

    milk = ProductFactory(seller=seller)
    writeoff = writeoff_create(by=seller, date=DAY)
    with pytest.raises(ValidationError) as error:
        writeoff_line_add(writeoff=writeoff, by=seller, product=milk, quantity=D(1),
                          reason="other")
    assert "comment" in error.value.message_dict
