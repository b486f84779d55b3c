"""The till's JSON doors: the catalog snapshot the browser keeps for offline selling (ETag, a
constant number of queries), and the pay endpoint the browser's queue sends each sale to (one
sale per key however often it is sent, the server's messages on refusal, 409 for a closed shift,
only the shift's own cashier)."""

import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import ProductBarcode
from inventory.checks import stock_problems
from orders.models import Order
from orders.tests.factories import product_in_stock
from till.models import Till, TillPayment
from till.selectors import shift_totals
from till.services import shift_close, shift_open

pytestmark = pytest.mark.django_db
D = Decimal
PAY = "/till/api/pay/"
CATALOG = "/till/api/catalog/"


@pytest.fixture
def shift(cashier):
    return shift_open(till=Till.objects.create(name="Касса 1"), by=cashier, opening_float="5000")


@pytest.fixture
def cashier_client(cashier):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cashier)
    client.get("/till/offline/")  # sets the CSRF cookie, as the till page does
    return client


@pytest.fixture
def milk(seller):
    product = product_in_stock("10", seller=seller, price=D("450.00"), cost_price=D("300.00"),
                               name="Сүт", name_ru="Молоко", sku="MILK-1")
    ProductBarcode.objects.create(product=product, code="4870000000017")
    return product


@pytest.fixture
def apples(seller):
    return product_in_stock("20", seller=seller, price=D("899.00"), cost_price=D("600.00"),
                            unit="kg", name="Алма", sku="APL-1")


def _post(client, body):
    return client.post(PAY, json.dumps(body), content_type="application/json",
                       HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


def _sale(shift, milk, apples, key=None, **overrides):
    body = {"key": str(key or uuid.uuid4()), "shift": shift.pk,
            "lines": [{"product": milk.pk, "quantity": "2"},
                      {"product": apples.pk, "quantity": "0.5"}],
            "payments": [{"method": "cash", "amount": "1349.50"}], "tendered": "2000",
            "total": "1349.50"}
    body.update(overrides)
    return body


def test_pay_rings_up_the_sale_and_a_resent_key_returns_the_same_sale(cashier_client, shift,
                                                                       milk, apples):
    body = _sale(shift, milk, apples)
    first = _post(cashier_client, body)
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["total"] == "1349.50" and data["change"] == "650.50"
    again = _post(cashier_client, body)  # the answer was lost: the queue sends it again
    assert again.status_code == 200 and again.json() == data
    assert Order.objects.filter(channel=Order.Channel.COUNTER).count() == 1
    milk.refresh_from_db()
    assert milk.quantity == D("8")
    assert shift_totals(shift).expected_cash == D("6349.50")
    assert TillPayment.objects.filter(order_id=data["order"]).count() == 1
    assert list(stock_problems()) == []


def test_pay_needs_the_csrf_header(cashier_client, shift, milk, apples):
    response = cashier_client.post(PAY, json.dumps(_sale(shift, milk, apples)),
                                   content_type="application/json")
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_pay_refuses_a_short_sale_with_the_servers_message_and_sells_nothing(
        cashier_client, shift, milk, apples):
    body = _sale(shift, milk, apples, lines=[{"product": milk.pk, "quantity": "11"}],
                 total="4950.00", payments=[{"method": "card", "amount": "4950.00"}],
                 tendered=None)
    response = _post(cashier_client, body)
    assert response.status_code == 400
    assert any("Сүт" in message or "left" in message for message in response.json()["errors"])
    assert not Order.objects.exists()
    milk.refresh_from_db()
    assert milk.quantity == D("10")


def test_pay_refuses_a_total_the_prices_no_longer_give(cashier_client, shift, milk, apples):
    response = _post(cashier_client, _sale(shift, milk, apples, total="1300.00"))
    assert response.status_code == 400 and response.json()["errors"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("body", [
    "not json", "[]", {"lines": []},
    {"lines": [{"product": "x", "quantity": "1"}]},
    {"lines": [{"product": 1, "quantity": 1.5}]},
    {"lines": [{"product": 1, "quantity": "1"}], "total": "abc"},
    {"lines": [{"product": 1, "quantity": "1"}], "total": "1", "key": "not-a-uuid", "shift": 0},
])
def test_pay_answers_bad_input_with_400_and_a_message(cashier_client, shift, milk, body):
    if isinstance(body, dict) and "shift" in body:
        body["shift"] = shift.pk
    raw = body if isinstance(body, str) else json.dumps(body)
    response = cashier_client.post(PAY, raw, content_type="application/json",
                                   HTTP_X_CSRFTOKEN=cashier_client.cookies["csrftoken"].value)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not Order.objects.exists()


def test_pay_in_a_closed_shift_is_409_but_a_sale_already_made_there_is_still_its_own(
        cashier_client, cashier, shift, milk, apples):
    made = _sale(shift, milk, apples)
    assert _post(cashier_client, made).status_code == 200
    shift_close(shift=shift, by=cashier, counted_cash="6349.50")
    late = _post(cashier_client, _sale(shift, milk, apples))
    assert late.status_code == 409 and late.json()["errors"]
    assert _post(cashier_client, made).status_code == 200  # the lost answer, asked again
    assert Order.objects.count() == 1


def test_pay_into_another_cashiers_shift_is_404(shift, milk, apples, seller):
    other = Client()
    other.force_login(seller)
    response = other.post(PAY, json.dumps(_sale(shift, milk, apples)),
                          content_type="application/json")
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_the_till_doors_answer_json_to_strangers(client, shopper_client):
    assert client.get(CATALOG).status_code == 401
    assert client.post(PAY, "{}", content_type="application/json").status_code in (401, 403)
    assert shopper_client.get(CATALOG).status_code == 403
    assert shopper_client.get(CATALOG)["Content-Type"] == "application/json"


def test_the_catalog_snapshot_has_what_the_till_sells_and_a_stable_etag(
        cashier_client, milk, apples, seller):
    product_in_stock("1", seller=seller, is_active=False, sku="OLD-1")
    cashier_client.cookies["django_language"] = "ru"
    response = cashier_client.get(CATALOG)
    assert response.status_code == 200
    data = response.json()
    products = {p["sku"]: p for p in data["products"]}
    assert set(products) == {"MILK-1", "APL-1"}
    assert products["MILK-1"] == {"id": milk.pk, "name": "Молоко", "price": "450.00",
                                  "unit": "pcs", "sku": "MILK-1",
                                  "barcodes": ["4870000000017"],
                                  **({"plu": milk.plu} if hasattr(milk, "plu") else {})}
    assert products["APL-1"]["name"] == "Алма" and products["APL-1"]["unit"] == "kg"
    etag = response["ETag"]
    assert data["version"] in etag
    assert cashier_client.get(CATALOG, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A sale moves stock, not the snapshot: the till's copy stays current.
    milk.price = D("460.00")
    milk.save()
    changed = cashier_client.get(CATALOG, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    ProductBarcode.objects.create(product=apples, code="4870000000024")
    assert cashier_client.get(CATALOG, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_the_catalog_snapshot_costs_the_same_queries_for_many_products(cashier_client, seller):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert cashier_client.get(CATALOG).status_code == 200
        return len(queries)

    product_in_stock("1", seller=seller)
    few = count()
    for n in range(15):
        product = product_in_stock("1", seller=seller)
        ProductBarcode.objects.create(product=product, code=f"48700000{n:04d}0"[:12] + "0")
    assert count() == few


def test_the_service_worker_is_served_for_the_till_scope(cashier_client):
    response = cashier_client.get(reverse("till:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/till/"
    body = response.content.decode()
    assert '"/till/offline/"' in body and "till/offline.js" in body
    assert "respondWith" in body and 'method !== "GET"' in body
    assert "till/sell.js" in body and "css/till.css" in body  # the selling page works offline


def _sell_page(client, shift):
    import re

    page = client.get(reverse("till:sell", args=[shift.pk])).content.decode()
    key = re.search(r'id="till-sale"[^>]*data-key="([^"]+)"', page).group(1)
    return page, key


def test_the_selling_page_carries_the_offline_piece_and_its_hooks(cashier_client, shift):
    page, _key = _sell_page(cashier_client, shift)
    assert "till/offline.js" in page and "data-till-offline-sell" in page
    for hook in ('data-catalog-url="/till/api/catalog/"', 'data-pay-url="/till/api/pay/"',
                 'data-sw-url="/till/sw.js"', "data-till-status", "data-till-queue",
                 'data-scale-label="PPPPPWWWWW"', "data-rendered="):
        assert hook in page, hook


def test_a_sale_paid_by_the_queue_clears_the_selling_pages_draft_of_it(cashier_client, shift,
                                                                        milk, apples):
    token = cashier_client.cookies["csrftoken"].value
    cashier_client.post(reverse("till:scan", args=[shift.pk]),
                        {"code": "4870000000017", "csrfmiddlewaretoken": token})
    page, key = _sell_page(cashier_client, shift)
    assert f'data-product-id="{milk.pk}"' in page
    # Paid offline with the draft's key, sent later by the queue.
    body = _sale(shift, milk, apples, key=key, lines=[{"product": milk.pk, "quantity": "1"}],
                 payments=[{"method": "card", "amount": "450.00"}], tendered=None,
                 total="450.00")
    assert _post(cashier_client, body).status_code == 200
    page, new_key = _sell_page(cashier_client, shift)
    assert new_key != key and f'data-product-id="{milk.pk}"' not in page
    # Another sale's key leaves the draft being built alone.
    cashier_client.post(reverse("till:scan", args=[shift.pk]),
                        {"code": "4870000000017", "csrfmiddlewaretoken": token})
    other = _sale(shift, milk, apples, lines=[{"product": milk.pk, "quantity": "1"}],
                  payments=[{"method": "card", "amount": "450.00"}], tendered=None,
                  total="450.00")
    assert _post(cashier_client, other).status_code == 200
    page, still = _sell_page(cashier_client, shift)
    assert still == new_key and f'data-product-id="{milk.pk}"' in page


DRAFT = "/till/api/draft/"


def _hand_back(client, body):
    return client.post(DRAFT, json.dumps(body), content_type="application/json",
                       HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


def test_the_sale_built_without_the_server_becomes_the_selling_pages_draft(cashier_client, shift,
                                                                            milk, apples):
    key = str(uuid.uuid4())
    response = _hand_back(cashier_client, {"shift": shift.pk, "key": key, "lines": [
        {"product": milk.pk, "quantity": "3.000"}, {"product": apples.pk, "quantity": "0.750"}]})
    assert response.status_code == 200, response.content
    page, drawn = _sell_page(cashier_client, shift)
    assert drawn == key
    assert f'data-product-id="{milk.pk}" data-quantity="3"' in page
    assert f'data-product-id="{apples.pk}" data-quantity="0.750"' in page
    # A sale dropped line by line without the server: the page's draft is empty too.
    assert _hand_back(cashier_client, {"shift": shift.pk, "key": key, "lines": []}
                      ).status_code == 200
    page, drawn = _sell_page(cashier_client, shift)
    assert drawn == key and f'data-product-id="{milk.pk}"' not in page


@pytest.mark.parametrize("lines", [
    [{"product": "milk", "quantity": "1"}],
    [{"product": 0, "quantity": "1"}],
    [{"product": "MILK", "quantity": "1.5"}],  # half a bottle
    [{"product": "MILK", "quantity": 1}],  # a number, not the text the page keeps
    [{"product": "MILK", "quantity": "-1"}],
    "nonsense",
])
def test_a_bad_sale_handed_back_is_400_and_the_draft_stays(cashier_client, shift, milk, lines):
    token = cashier_client.cookies["csrftoken"].value
    cashier_client.post(reverse("till:scan", args=[shift.pk]),
                        {"code": "4870000000017", "csrfmiddlewaretoken": token})
    _page, key = _sell_page(cashier_client, shift)
    if isinstance(lines, list):
        lines = [{**line, "product": milk.pk if line["product"] == "MILK" else line["product"]}
                 for line in lines]
    response = _hand_back(cashier_client, {"shift": shift.pk, "key": str(uuid.uuid4()),
                                           "lines": lines})
    assert response.status_code == 400 and response.json()["errors"]
    page, still = _sell_page(cashier_client, shift)
    assert still == key and f'data-product-id="{milk.pk}"' in page


def test_a_sale_handed_back_to_another_cashiers_shift_is_404(shift, milk, seller):
    from accounts.models import User

    other = User.objects.create_user(username="other_cashier", password="x", role="cashier")
    client = Client(enforce_csrf_checks=True)
    client.force_login(other)
    client.get("/till/offline/")
    response = _hand_back(client, {"shift": shift.pk, "key": str(uuid.uuid4()),
                                   "lines": [{"product": milk.pk, "quantity": "1"}]})
    assert response.status_code == 404
