"""Issue 16, point 5: the faults the audit found in the stock documents, each through the pages.

- a weighed product scanned again adds the typed weight to its count, as a piece adds one;
- a stocktake posted with uncounted lines says how many, not that the books match the shelves;
- a draft receipt, write-off or stocktake can be deleted (confirmed, audited) by whoever may post
  it, never once posted;
- a receipt line merged from additions at different costs says, on the line, that its unit cost
  is an average."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditEntry
from inventory.models import GoodsReceipt, Stocktake, StocktakeLine, WriteOff
from inventory.services import (
    receipt_create, receipt_line_set, receipt_post, stocktake_count, stocktake_post,
    stocktake_start, writeoff_create, writeoff_line_set, writeoff_post,
)

from .factories import ProductFactory, stock_up
from .helpers import assert_ledger_holds

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)
D = Decimal


def _form(html: str, css_class: str) -> tuple[str, dict]:
    """The action and the hidden fields of the first form with this class, as a browser would
    send them."""
    for match in re.finditer(r"<form\b([^>]*)>(.*?)</form>", html, re.S):
        classes = re.search(r'class="([^"]*)"', match.group(1))
        if classes and css_class in classes.group(1).split():
            action = re.search(r'action="([^"]+)"', match.group(1)).group(1)
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                     match.group(2)))
            return action, fields
    raise AssertionError(f"no form .{css_class} in the page")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# A weighed product scanned twice ---------------------------------------------------------------


def test_weighed_product_scanned_again_adds_the_typed_weight(seller, seller_client):
    apples = ProductFactory(seller=seller, sku="APPLE-KG", unit="kg", name="Алма")
    stock_up(apples, "3")
    stocktake = stocktake_start(by=seller)
    scan = reverse("inventory:stocktake_scan", args=[stocktake.pk])
    for weight in ("0,5", "1,25"):
        panel = seller_client.post(scan, {"code": "APPLE-KG"}, HTTP_HX_REQUEST="true")
        action, hidden = _form(panel.content.decode(), "scan-weight")
        response = seller_client.post(action, {**hidden, "counted": weight},
                                      HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    line = StocktakeLine.objects.get(document=stocktake, product=apples)
    assert line.counted == D("1.750")
    assert "1.75" in response.content.decode()  # the panel tells the new count
    # The third scan shows what is counted so far and that the next weight adds to it.
    panel = seller_client.post(scan, {"code": "APPLE-KG"}, HTTP_HX_REQUEST="true").content
    assert "Counted so far: 1.75" in panel.decode()
    # The row's own field still sets the count (a correction of a typo).
    seller_client.post(reverse("inventory:stocktake_count", args=[stocktake.pk, line.pk]),
                       {"counted": "2"}, HTTP_HX_REQUEST="true")
    line.refresh_from_db()
    assert line.counted == D("2.000")


def test_weighed_product_scanned_again_adds_without_javascript(seller, seller_client):
    apples = ProductFactory(seller=seller, sku="APPLE-KG", unit="kg")
    stocktake = stocktake_start(by=seller)
    scan = reverse("inventory:stocktake_scan", args=[stocktake.pk])
    for weight in ("0,5", "1,25"):
        page = seller_client.post(scan, {"code": "APPLE-KG"}, follow=True)
        html = page.content.decode()
        assert 'name="counted"' in html and "autofocus" in html[html.index("scan-weight"):]
        action, hidden = _form(html, "scan-weight")
        response = seller_client.post(action, {**hidden, "counted": weight})
        assert response.status_code == 302
    assert StocktakeLine.objects.get(document=stocktake, product=apples).counted == D("1.750")


def test_a_bad_weight_after_a_scan_is_refused_in_the_scan_panel(seller, seller_client):
    apples = ProductFactory(seller=seller, sku="APPLE-KG", unit="kg")
    stocktake = stocktake_start(by=seller)
    panel = seller_client.post(reverse("inventory:stocktake_scan", args=[stocktake.pk]),
                               {"code": "APPLE-KG"}, HTTP_HX_REQUEST="true")
    action, hidden = _form(panel.content.decode(), "scan-weight")
    for bad in ("abc", "", "-1"):
        response = seller_client.post(action, {**hidden, "counted": bad}, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert response.status_code == 200
        # The weight field again, with the reason next to it (not a table row in the panel).
        assert 'class="field-error"' in body and "scan-weight" in body
        assert not body.lstrip().startswith("<tr")
    assert StocktakeLine.objects.get(document=stocktake, product=apples).counted is None


# A stocktake posted with lines left uncounted ----------------------------------------------------


def test_stocktake_posted_with_uncounted_lines_says_how_many(seller, seller_client):
    milk, bread, eggs = (ProductFactory(seller=seller) for _ in range(3))
    for product in (milk, bread, eggs):
        stock_up(product, 5)
    stocktake = stocktake_start(by=seller)
    stocktake_count(stocktake=stocktake, by=seller,
                    line=stocktake.lines.get(product=milk), counted=D(4))
    page = seller_client.get(reverse("inventory:stocktake_detail", args=[stocktake.pk]))
    assert "2 products are not counted yet" in page.content.decode()  # the Post dialog
    response = seller_client.post(reverse("inventory:stocktake_post", args=[stocktake.pk]))
    said = " ".join(_messages(response))
    assert "2 products were not counted: their stock on the books is unchanged" in said
    assert "books now match the shelves" not in said
    for product, on_hand in ((milk, 4), (bread, 5), (eggs, 5)):
        product.refresh_from_db()
        assert product.quantity == on_hand
    assert_ledger_holds(milk, bread, eggs)


def test_stocktake_counted_in_full_says_the_books_match(seller, seller_client):
    milk = ProductFactory(seller=seller)
    stock_up(milk, 5)
    stocktake = stocktake_start(by=seller)
    stocktake_count(stocktake=stocktake, by=seller, line=stocktake.lines.get(), counted=D(5))
    response = seller_client.post(reverse("inventory:stocktake_post", args=[stocktake.pk]))
    assert _messages(response) == [
        f"Stocktake {stocktake.number} is posted: the books now match the shelves."]


# Deleting a draft -----------------------------------------------------------------------------


def _draft(kind, user):
    product = ProductFactory(seller=user)
    stock_up(product, 5)
    if kind == "receipt":
        document = receipt_create(by=user, supplier="ТОО Алматы Сүт", date=DAY)
        receipt_line_set(receipt=document, by=user, product=product, quantity=D(2),
                         unit_cost=D(100))
    elif kind == "writeoff":
        document = writeoff_create(by=user, date=DAY)
        writeoff_line_set(writeoff=document, by=user, product=product, quantity=D(1),
                          reason="spoiled")
    else:
        document = stocktake_start(by=user)
        stocktake_count(stocktake=document, by=user, line=document.lines.get(), counted=D(3))
    return document, product


def _post(kind, document, user):
    {"receipt": receipt_post, "writeoff": writeoff_post, "stocktake": stocktake_post}[kind](
        **{kind: document, "by": user})


MODELS = {"receipt": GoodsReceipt, "writeoff": WriteOff, "stocktake": Stocktake}
KINDS = sorted(MODELS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_is_deleted_from_its_page_after_a_confirm_and_audited(kind, seller,
                                                                     seller_client):
    document, product = _draft(kind, seller)
    detail = seller_client.get(reverse(f"inventory:{kind}_detail", args=[document.pk]))
    url = reverse(f"inventory:{kind}_delete", args=[document.pk])
    html = detail.content.decode()
    button = html[html.index(f'action="{url}"'):]
    assert "data-confirm=" in button[:button.index("</form>")]  # the JavaScript dialog

    # Without JavaScript the first POST only asks, on a page of its own.
    ask = seller_client.post(url)
    assert ask.status_code == 200
    assert MODELS[kind].objects.filter(pk=document.pk).exists()
    action, hidden = _form(ask.content.decode(), "delete-confirm")
    assert (action, hidden.get("confirmed")) == (url, "1")
    assert not AuditEntry.objects.filter(action=f"{kind}.delete").exists()

    response = seller_client.post(url, hidden)
    assert response.status_code == 302
    assert response["Location"] == reverse(f"inventory:{kind}_list")
    assert not MODELS[kind].objects.filter(pk=document.pk).exists()
    entry = AuditEntry.objects.get(action=f"{kind}.delete")
    assert (entry.actor, entry.object_id) == (seller, str(document.pk))
    assert entry.changes["lines"] == 1
    assert_ledger_holds(product)


@pytest.mark.parametrize("kind", KINDS)
def test_an_admin_deletes_a_sellers_draft_and_another_seller_gets_404(kind, seller,
                                                                     other_seller, client,
                                                                     admin_client):
    document, _product = _draft(kind, seller)
    url = reverse(f"inventory:{kind}_delete", args=[document.pk])
    client.force_login(other_seller)
    assert client.post(url, {"confirmed": "1"}).status_code == 404
    assert client.post(url).status_code == 404  # not even the question
    assert MODELS[kind].objects.filter(pk=document.pk).exists()
    assert admin_client.post(url, {"confirmed": "1"}).status_code == 302
    assert not MODELS[kind].objects.filter(pk=document.pk).exists()
    assert AuditEntry.objects.get(action=f"{kind}.delete").actor.is_admin


@pytest.mark.parametrize("kind", KINDS)
def test_a_posted_document_is_not_deleted(kind, seller, seller_client):
    document, product = _draft(kind, seller)
    _post(kind, document, seller)
    url = reverse(f"inventory:{kind}_delete", args=[document.pk])
    for data in ({}, {"confirmed": "1"}):
        response = seller_client.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == reverse(f"inventory:{kind}_detail", args=[document.pk])
        assert "is posted and cannot be deleted" in " ".join(_messages(response))
    assert MODELS[kind].objects.get(pk=document.pk).is_posted
    assert not AuditEntry.objects.filter(action=f"{kind}.delete").exists()
    page = seller_client.get(reverse(f"inventory:{kind}_detail", args=[document.pk]))
    assert url not in page.content.decode()
    assert_ledger_holds(product)


def test_the_delete_service_refuses_a_posted_document(seller):
    from django.core.exceptions import ValidationError

    from inventory.services import stocktake_delete

    document, _product = _draft("stocktake", seller)
    _post("stocktake", document, seller)
    with pytest.raises(ValidationError):
        stocktake_delete(stocktake=document, by=seller)
    assert Stocktake.objects.filter(pk=document.pk).exists()


# A receipt line merged at an averaged cost ------------------------------------------------------


def test_a_receipt_line_merged_at_an_averaged_cost_says_so_on_the_line(seller, seller_client):
    kefir = ProductFactory(seller=seller, sku="KEF-1")
    milk = ProductFactory(seller=seller, sku="MILK-1")
    receipt = receipt_create(by=seller, supplier="ТОО Алматы Сүт", date=DAY)
    add = reverse("inventory:receipt_line_add", args=[receipt.pk])
    for sku, quantity, cost in (("KEF-1", "1", "100"), ("KEF-1", "2", "101"),
                                ("KEF-1", "1", "100,67"), ("MILK-1", "1", "300"),
                                ("MILK-1", "1", "300")):
        assert seller_client.post(add, {"product": sku, "quantity": quantity,
                                        "unit_cost": cost}).status_code == 302
    # Read later, by anyone, not only in the notice after the second scan.
    html = seller_client.get(reverse("inventory:receipt_detail", args=[receipt.pk])
                             ).content.decode()

    def row(product):
        line = receipt.lines.get(product=product)
        start = html.index(f'<tr id="line-{line.pk}"')
        return html[start:html.index("</tr>", start)]

    assert "average of 3 additions at different costs" in row(kefir)
    assert "average" not in row(milk)  # merged at one cost: the invoice's price
    receipt_post(receipt=receipt, by=seller)
    posted = seller_client.get(reverse("inventory:receipt_detail", args=[receipt.pk]))
    assert "average of 3 additions at different costs" in posted.content.decode()


# Walking through the pages as a seller ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["receipt", "writeoff"])
def test_a_fraction_of_a_piece_on_a_line_is_refused_next_to_the_quantity(kind, seller,
                                                                         seller_client):
    ayran = ProductFactory(seller=seller, sku="AYRAN-1", unit="pcs")
    stock_up(ayran, 5)
    document = (receipt_create(by=seller, supplier="ТОО Алматы Сүт", date=DAY)
                if kind == "receipt" else writeoff_create(by=seller, date=DAY))
    response = seller_client.post(reverse(f"inventory:{kind}_line_add", args=[document.pk]), {
        "product": "AYRAN-1", "quantity": "1,5", "unit_cost": "100", "reason": "damaged"})
    assert response.status_code == 400
    form = response.context["line_form"]
    assert form.errors["quantity"] == [f"{ayran.name} is sold by the piece: enter a whole number."]
    assert not form.non_field_errors()
    assert 'id="id_quantity_error"' in response.content.decode()
    assert not document.lines.exists()
