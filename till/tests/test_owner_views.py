"""The owner's list of shifts (admin only, by till and period, the same queries for 2 shifts as
for 12) and the PLU list for label scales as CSV."""

import csv
import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import ProductBarcode
from orders.services import OrderItem
from orders.tests.factories import product_in_stock
from till.models import Shift, Till
from till.services import PaymentPart, shift_close, shift_open, till_sell

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("till:shift_list")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def closed_shift(till, cashier, product, *, counted, sales=1, opened=None):
    """A shift on `till` with `sales` cash sales of one `product`, closed with `counted`."""
    shift = shift_open(till=till, by=cashier, opening_float="1000")
    for _ in range(sales):
        till_sell(shift=shift, by=cashier, items=[OrderItem(product.pk, D("1"))],
                  payments=[PaymentPart("cash", product.price)], expected_total=product.price,
                  idempotency_key=uuid.uuid4())
    shift = shift_close(shift=shift, by=cashier, counted_cash=counted)
    if opened is not None:
        Shift.objects.filter(pk=shift.pk).update(opened_at=opened, closed_at=opened)
    return shift


@pytest.fixture
def tills():
    return Till.objects.create(name="Касса 1"), Till.objects.create(name="Касса 2")


@pytest.fixture
def bread(seller):
    return product_in_stock("100", seller=seller, price=D("250.00"), cost_price=D("150.00"))


def test_the_shift_list_shows_each_shifts_figures_and_variance(admin_client, tills, cashier,
                                                               bread):
    short = closed_shift(tills[0], cashier, bread, counted="1450", sales=2)   # expected 1500
    over = closed_shift(tills[1], cashier, bread, counted="1300.50")           # expected 1250
    response = admin_client.get(URL)
    assert response.status_code == 200
    rows = {shift.pk: shift for shift in response.context["page_obj"].object_list}
    assert (rows[short.pk].sales_total, rows[short.pk].variance) == (D("500.00"), D("-50.00"))
    assert (rows[over.pk].sales_total, rows[over.pk].variance) == (D("250.00"), D("50.50"))
    assert response.context["variance_total"] == D("0.50")
    page = response.content.decode()
    assert reverse("till:shift_report", args=[short.pk]) in page and "Касса 2" in page


def test_the_shift_list_filters_by_till_and_period(admin_client, tills, cashier, bread):
    now = timezone.now()
    old = closed_shift(tills[0], cashier, bread, counted="1250",
                       opened=now - datetime.timedelta(days=40))
    recent = closed_shift(tills[0], cashier, bread, counted="1250")
    elsewhere = closed_shift(tills[1], cashier, bread, counted="1250")

    def shown(query):
        return {s.pk for s in admin_client.get(URL, query).context["page_obj"].object_list}

    assert shown({}) == {old.pk, recent.pk, elsewhere.pk}
    assert shown({"till": tills[0].pk}) == {old.pk, recent.pk}
    today = timezone.localdate().isoformat()
    assert shown({"date_from": today}) == {recent.pk, elsewhere.pk}
    assert shown({"till": tills[0].pk, "date_to": (timezone.localdate()
                                                   - datetime.timedelta(days=30)).isoformat()}
                 ) == {old.pk}
    # A period backwards is told next to its field, and filters nothing away.
    bad = admin_client.get(URL, {"date_from": today, "date_to": "2020-01-01"})
    assert bad.status_code == 200 and bad.context["form"].errors["date_to"]
    assert {s.pk for s in bad.context["page_obj"].object_list} == {old.pk, recent.pk,
                                                                   elsewhere.pk}


def test_the_shift_list_query_count_does_not_grow_with_shifts(admin_client, tills, bread):
    cashiers = [UserFactory(role="cashier", username=f"c{i}") for i in range(12)]
    for cashier in cashiers[:2]:
        closed_shift(tills[0], cashier, bread, counted="1250")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(URL)
    for cashier in cashiers[2:]:
        closed_shift(tills[1], cashier, bread, counted="1250", sales=2)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(URL)
    assert len(response.context["page_obj"].object_list) == 12
    assert len(many) == len(few)


def test_the_owners_pages_are_the_admins_alone(client, cashier, seller, shopper):
    for url in (URL, reverse("till:plu_csv")):
        for user in (cashier, seller, shopper):
            assert client_for(user).get(url).status_code == 403, (url, user.role)
        assert Client().get(url).status_code == 302


def test_the_plu_csv_lists_each_active_product_with_a_plu_by_plu(admin_client, seller):
    apples = product_in_stock("5", seller=seller, name="Алма; Апорт", unit="kg",
                              price=D("899.00"), plu=12)
    product_in_stock("5", seller=seller, name="Қияр", unit="kg", price=D("650.50"), plu=3)
    product_in_stock("5", seller=seller, name="Сүт", price=D("450.00"))         # no PLU
    product_in_stock("5", seller=seller, name="Ескі", unit="kg", plu=7, is_active=False)
    ProductBarcode.objects.create(product=apples, code="4870000000012")
    response = admin_client.get(reverse("till:plu_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["plu", "name", "price", "unit", "sku", "barcode"]
    assert [row[:4] for row in rows[1:]] == [["3", "Қияр", "650.50", "kg"],
                                           ["12", "Алма; Апорт", "899.00", "kg"]]
    assert rows[2][4] == apples.sku and rows[2][5] == "4870000000012"
