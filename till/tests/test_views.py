"""The till's pages through the client: who may open them, the selling screen (scan, search,
lines, pay), cash in and out, and a shift opened and closed with a variance."""

import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.forms import ProductForm
from catalog.models import ProductBarcode
from orders.models import Order
from orders.tests.factories import product_in_stock
from till.models import CashMovement, Shift, Till, TillPayment
from till.services import shift_open
from till.tests.test_scan import ean13

pytestmark = pytest.mark.django_db
D = Decimal
HX = {"HTTP_HX_REQUEST": "true"}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def till():
    return Till.objects.create(name="Касса 1")


@pytest.fixture
def shift(till, cashier):
    return shift_open(till=till, by=cashier, opening_float="5000")


@pytest.fixture
def cashier_client(cashier):
    return client_for(cashier)


@pytest.fixture
def milk(seller):
    product = product_in_stock("50", seller=seller, price=D("450.00"), name="Сүт 1 л")
    ProductBarcode.objects.create(product=product, code="4870001234564")
    return product


@pytest.fixture
def apples(seller):
    return product_in_stock("20", seller=seller, price=D("899.00"), unit="kg", plu=123,
                            name="Алма")


def url(name, shift, *args):
    return reverse(f"till:{name}", args=[shift.pk, *args])


def scan(client, shift, code, **extra):
    return client.post(url("scan", shift), {"code": code}, **extra)


def sale_lines(client, shift):
    return client.get(url("sell", shift)).context["draft"].lines


# Who may open the till -------------------------------------------------------------------------


def test_anonymous_goes_to_login_and_a_shopper_is_refused(client, shopper_client, shift):
    for path in (reverse("till:home"), url("sell", shift), url("shift_detail", shift)):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert shopper_client.get(path).status_code == 403
    assert shopper_client.post(url("scan", shift), {"code": "1"}).status_code == 403


def test_another_cashiers_shift_answers_404(shift, milk):
    other = client_for(UserFactory(role="cashier", username="cashier_b"))
    for name in ("sell", "search", "shift_detail", "shift_close"):
        assert other.get(url(name, shift)).status_code == 404
    assert scan(other, shift, milk.sku).status_code == 404
    assert other.post(url("pay", shift), {"key": uuid.uuid4()}).status_code == 404
    assert other.post(url("shift_close", shift), {"counted_cash": "0"}).status_code == 404
    assert Shift.objects.get(pk=shift.pk).is_open


def test_the_till_sends_a_cashier_with_an_open_shift_to_it(cashier_client, shift):
    response = cashier_client.get(reverse("till:home"))
    assert response.status_code == 302 and response["Location"] == url("sell", shift)


# Scanning ---------------------------------------------------------------------------------------


def test_a_scan_adds_the_product_and_a_second_scan_one_more(cashier_client, shift, milk):
    scan(cashier_client, shift, "4870001234564")
    response = scan(cashier_client, shift, milk.sku, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="till-sale"' in html and "<html" not in html  # only the sale, for htmx
    [line] = sale_lines(cashier_client, shift)
    assert line.product == milk and line.quantity == 2
    page = cashier_client.get(url("sell", shift)).content.decode()
    assert re.search(r'id="till-total"[^>]*>900,00', page.replace("\xa0", " "))


def test_a_scale_label_adds_the_weight_and_a_plu_the_product(cashier_client, shift, apples,
                                                            settings):
    settings.TILL_SCALE_LABEL = "PPPPPWWWWW"
    scan(cashier_client, shift, ean13("210012300750"))
    [line] = sale_lines(cashier_client, shift)
    assert line.product == apples and line.quantity == D("0.750")
    assert line.line_total == D("674.25")


def test_an_unknown_code_flashes_and_adds_nothing(cashier_client, shift):
    response = scan(cashier_client, shift, "0000000000000", **HX)
    assert response.status_code == 200 and 'data-scan-result="unknown"' in response.content.decode()
    assert scan(cashier_client, shift, "nothing-like-it").status_code == 400
    assert sale_lines(cashier_client, shift) == []


def test_search_folds_kazakh_letters_like_the_shop(cashier_client, shift, milk):
    response = cashier_client.get(url("search", shift), {"code": "сут"})
    assert response.status_code == 200
    assert f'data-product-id="{milk.pk}"' in response.content.decode()
    assert "till-results-none" in cashier_client.get(url("search", shift),
                                                     {"code": "жоқ"}).content.decode()


def test_without_javascript_a_name_sent_shows_its_matches(cashier_client, shift, milk):
    response = scan(cashier_client, shift, "СҮТ")
    assert response.status_code == 200
    assert f'data-product-id="{milk.pk}"' in response.content.decode()
    assert sale_lines(cashier_client, shift) == []


def test_a_tile_adds_one_and_a_typed_weight_with_a_comma_sets_the_line(cashier_client, shift,
                                                                       apples, milk):
    page = cashier_client.get(url("sell", shift)).content.decode()
    assert f'data-product-id="{apples.pk}"' in page  # a weighed product has a quick-pick tile
    cashier_client.post(url("add", shift), {"product": apples.pk})
    cashier_client.post(url("line", shift, 0), {"quantity": "0,5"})
    [line] = sale_lines(cashier_client, shift)
    assert line.quantity == D("0.5")
    response = cashier_client.post(url("line", shift, 0), {"quantity": "0,0001"})
    assert response.status_code == 400 and 'class="errorlist" role="alert"' in response.content.decode()
    scan(cashier_client, shift, milk.sku)
    response = cashier_client.post(url("line", shift, 1), {"quantity": "1,5"})
    assert response.status_code == 400  # a piece product counts in whole pieces
    cashier_client.post(url("line", shift, 0), {"remove": "1"})
    assert [line.product for line in sale_lines(cashier_client, shift)] == [milk]


def test_the_till_page_reads_as_many_queries_for_one_line_as_for_twenty(cashier_client, shift,
                                                                        seller):
    products = [product_in_stock("5", seller=seller) for _ in range(20)]
    scan(cashier_client, shift, products[0].sku)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert cashier_client.get(url("sell", shift)).status_code == 200
        return len(captured)

    queries()  # the quick picks are kept in the cache from the first page on
    one = queries()
    for product in products[1:]:
        scan(cashier_client, shift, product.sku)
    assert len(sale_lines(cashier_client, shift)) == 20
    assert queries() == one


# Paying -----------------------------------------------------------------------------------------


def _pay_data(client, shift, **fields):
    context = client.get(url("sell", shift)).context
    draft = context["draft"]
    return {"key": draft.key, "expected_total": str(draft.total),
            "line": [line.posted for line in draft.lines], **fields}


def test_a_whole_sale_paid_split_and_its_retry_is_the_same_sale(cashier_client, shift, milk,
                                                                apples, settings):
    settings.TILL_SCALE_LABEL = "PPPPPWWWWW"
    scan(cashier_client, shift, milk.sku)
    scan(cashier_client, shift, milk.sku)
    scan(cashier_client, shift, ean13("210012300500"))  # 0,5 kg apples: 449,50
    data = _pay_data(cashier_client, shift, method="split", card_amount="500",
                     kaspi_amount="300", kaspi_confirmed="on", tendered="1000")
    assert data["expected_total"] == "1349.50"
    response = cashier_client.post(url("pay", shift), data)
    assert response.status_code == 302
    order = Order.objects.get(channel=Order.Channel.COUNTER)
    assert order.total == D("1349.50") and order.payment == Order.Payment.SPLIT
    paid = dict(TillPayment.objects.filter(order=order).values_list("method", "amount"))
    assert paid == {"card": D("500.00"), "kaspi": D("300.00"), "cash": D("549.50")}
    assert order.till_sale.change == D("450.50")
    page = cashier_client.get(url("sell", shift)).content.decode().replace("\xa0", " ")
    assert "450,50" in page and 'id="till-last-sale"' in page
    assert sale_lines(cashier_client, shift) == []  # the next customer starts empty
    milk.refresh_from_db()
    assert milk.quantity == D("48")
    # The same "Pay" again (a double tap, a retry): the same sale, nothing doubled.
    assert cashier_client.post(url("pay", shift), data).status_code == 302
    assert Order.objects.filter(channel=Order.Channel.COUNTER).count() == 1
    assert TillPayment.objects.count() == 3


def test_kaspi_must_be_confirmed_and_short_cash_is_refused(cashier_client, shift, milk):
    scan(cashier_client, shift, milk.sku)
    response = cashier_client.post(url("pay", shift), _pay_data(cashier_client, shift,
                                                                method="kaspi"))
    assert response.status_code == 400 and "Kaspi" in response.content.decode()
    response = cashier_client.post(url("pay", shift), _pay_data(cashier_client, shift,
                                                                method="cash", tendered="400"))
    assert response.status_code == 400 and 'id="id_tendered_error"' in response.content.decode()
    assert not Order.objects.exists()
    assert len(sale_lines(cashier_client, shift)) == 1  # the sale waits, untouched


def test_a_price_changed_since_the_page_was_drawn_sells_nothing(cashier_client, shift, milk):
    scan(cashier_client, shift, milk.sku)
    data = _pay_data(cashier_client, shift, method="card")
    type(milk).objects.filter(pk=milk.pk).update(price=D("500.00"))
    response = cashier_client.post(url("pay", shift), data)
    assert response.status_code == 400 and not Order.objects.exists()


# Shifts and cash --------------------------------------------------------------------------------


def test_a_shift_opened_and_closed_with_a_variance_through_the_pages(cashier_client, till,
                                                                    milk):
    response = cashier_client.post(reverse("till:home"),
                                   {"till": till.pk, "opening_float": "10 000"})
    shift = Shift.objects.get(till=till, closed_at__isnull=True)
    assert response["Location"] == url("sell", shift) and shift.opening_float == D("10000")
    scan(cashier_client, shift, milk.sku)
    cashier_client.post(url("pay", shift), _pay_data(cashier_client, shift, method="cash",
                                                     tendered="1000"))
    response = cashier_client.post(url("shift_detail", shift), {
        "cash-kind": "out", "cash-amount": "2000", "cash-reason": "Иесіне берілді"})
    assert response.status_code == 302
    assert CashMovement.objects.get(shift=shift).amount == D("2000")
    bad = cashier_client.post(url("shift_detail", shift), {
        "cash-kind": "out", "cash-amount": "99000", "cash-reason": "x"})
    assert bad.status_code == 400 and CashMovement.objects.count() == 1
    x_page = cashier_client.get(url("shift_detail", shift)).content.decode().replace("\xa0", " ")
    assert "8 450,00" in x_page  # expected: 10 000 + 450 − 2 000
    # Counted by denomination: 5000 + 2×1000 + 2×500 + 2×200 = 8 400, 50 short.
    response = cashier_client.post(url("shift_close", shift), {
        "d5000": "1", "d1000": "2", "d500": "2", "d200": "2", "counted_cash": ""})
    assert response.status_code == 302
    shift.refresh_from_db()
    assert not shift.is_open and shift.counted_cash == D("8400")
    assert shift.variance == D("-50.00") and shift.denominations["1000"] == 2
    z_page = cashier_client.get(url("shift_detail", shift)).content.decode().replace("\xa0", " ")
    assert 'data-variance="-50.00"' in z_page
    assert cashier_client.get(url("sell", shift)).status_code == 404  # no selling in it now


def test_closing_needs_a_count(cashier_client, shift):
    response = cashier_client.post(url("shift_close", shift), {"counted_cash": ""})
    assert response.status_code == 400 and Shift.objects.get(pk=shift.pk).is_open


# The product's PLU ------------------------------------------------------------------------------


def test_the_product_form_refuses_a_plu_another_product_has(seller, apples, milk):
    form = ProductForm({"name": "Алмұрт", "category": apples.category_id, "unit": "kg",
                        "price": "700", "cost_price": "0", "low_stock_threshold": "1",
                        "sku": "PEAR-1", "plu": "123", "is_active": "on"}, user=seller)
    assert not form.is_valid() and "plu" in form.errors
    form = ProductForm({**form.data, "plu": "124"}, user=seller)
    assert form.is_valid(), form.errors
    edit = ProductForm({**form.data, "plu": "123", "sku": apples.sku}, user=seller, product=apples)
    assert edit.is_valid(), edit.errors
