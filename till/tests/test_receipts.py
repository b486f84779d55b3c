"""Receipts and X/Z reports, as pages and PDFs: every element a receipt must carry, the reports'
figures against shift_totals and sums done by hand, and who may read which paper."""

import io
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime
from pypdf import PdfReader

from accounts.tests.factories import UserFactory
from bibarys.money import format_money, format_quantity
from orders.returns import ReturnItem
from orders.services import OrderItem
from orders.tests.factories import product_in_stock
from till.models import Till
from till.receipts import receipt_order_id
from till.selectors import shift_totals
from till.services import PaymentPart, shift_cash, shift_close, shift_open, till_return, till_sell

pytestmark = pytest.mark.django_db
D = Decimal


def kk(text_or_value, unit=None):
    """What a kk page shows for a sum or a quantity, with plain spaces (as `flat` leaves it)."""
    with translation.override("kk"):
        shown = (format_quantity(text_or_value, unit) if unit
                 else format_money(text_or_value))
    return shown.replace("\xa0", " ")


def flat(text: str) -> str:
    return text.replace("\xa0", " ").replace("&nbsp;", " ")


def pdf_text(content: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _store(settings):
    settings.STORE_NAME = "Бибарыс дүкені"
    settings.STORE_BIN = "123456789012"
    settings.STORE_ADDRESS = "Алматы, Абай даңғылы, 10"


@pytest.fixture
def till():
    return Till.objects.create(name="Касса 1")


@pytest.fixture
def shift(till, cashier):
    return shift_open(till=till, by=cashier, opening_float="5000")


@pytest.fixture
def milk(seller):
    return product_in_stock("10", seller=seller, price=D("450.00"), cost_price=D("300.00"),
                            name="Сүт 3,2%")


@pytest.fixture
def apples(seller):
    return product_in_stock("20", seller=seller, price=D("899.00"), cost_price=D("600.00"),
                            unit="kg", name="Алма Апорт")


def sell(shift, by, items, payments, total, tendered=None):
    return till_sell(shift=shift, by=by, items=[OrderItem(p.pk, D(q)) for p, q in items],
                     payments=[PaymentPart(m, D(a)) for m, a in payments],
                     expected_total=D(total), idempotency_key=uuid.uuid4(), tendered=tendered)


def give_back(shift, by, order, product, quantity, refund="cash"):
    line = order.lines.get(product=product)
    return till_return(shift=shift, by=by, order=order, refund=refund,
                       items=[ReturnItem(line_id=line.pk, quantity=D(quantity))],
                       idempotency_key=uuid.uuid4())


# The receipt ---------------------------------------------------------------------------------


def test_a_split_sale_receipt_shows_every_required_element(shift, cashier, milk, apples):
    order = sell(shift, cashier, [(milk, "2"), (apples, "0.5")],
                 [("card", "1000"), ("cash", "349.50")], "1349.50", tendered="500")
    response = client_for(cashier).get(reverse("till:receipt", args=[order.pk]))
    assert response.status_code == 200
    page = flat(response.content.decode())
    for text in ["Бибарыс дүкені", "123456789012", "Алматы, Абай даңғылы, 10", "Касса 1",
                 shift.number, cashier.display_name, order.number,
                 localtime(order.created_at).strftime("%d.%m.%Y %H:%M"),
                 "Сүт 3,2%", kk("2", "pcs"), kk("450.00"), kk("900.00"),
                 "Алма Апорт", kk("0.5", "kg"), kk("899.00"), kk("449.50"),
                 kk("1349.50"),                       # total
                 kk("1000.00"), kk("349.50"),         # card part, cash part
                 kk("500.00"), kk("150.50"),          # tendered, change
                 'id="fiscal"', "data:image/svg+xml;base64,", f"{order.pk:06d}",
                 "css/receipt.css", "css/receipt-80.css"]:
        assert text in page, text
    assert response.context["payment"] == order.get_payment_display()
    assert [p["amount"] for p in response.context["payments"]] == [D("1000.00"), D("349.50")]
    assert response.context["change"] == D("150.50")
    # No fiscal backend: the block says the store's register prints the fiscal receipt.
    assert response.context["fiscal"] is None
    narrow = client_for(cashier).get(reverse("till:receipt", args=[order.pk]) + "?paper=58")
    assert "css/receipt-58.css" in narrow.content.decode()
    assert "slip-58" in narrow.content.decode()


def test_a_return_receipt_names_the_sale_the_lines_and_the_refund(shift, cashier, milk):
    order = sell(shift, cashier, [(milk, "3")], [("cash", "1350")], "1350.00", tendered="2000")
    returned = give_back(shift, cashier, order, milk, "1")
    response = client_for(cashier).get(reverse("till:return_receipt", args=[returned.pk]))
    assert response.status_code == 200
    page = flat(response.content.decode())
    for text in [returned.number, order.number, "Сүт 3,2%", kk("1", "pcs"), kk("450.00"),
                 "Касса 1", shift.number, cashier.display_name, "123456789012", 'id="fiscal"']:
        assert text in page, text
    assert response.context["total"] == D("450.00")
    assert response.context["payments"][0]["amount"] == D("450.00")


def test_receipt_and_report_pdfs_render_with_their_figures(shift, cashier, milk):
    order = sell(shift, cashier, [(milk, "2")], [("cash", "900")], "900.00", tendered="1000")
    client = client_for(cashier)
    response = client.get(reverse("till:receipt_pdf", args=[order.pk]) + "?paper=58")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "58mm" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in ["Бибарыс дүкені", "123456789012", "Сүт 3,2%", kk("900.00"), kk("100.00"),
                     order.number, "Касса 1"]:
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(response.content))
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 58
    report = client.get(reverse("till:shift_report_pdf", args=[shift.pk]))
    assert report.status_code == 200
    assert kk("5900.00") in pdf_text(report.content)  # float 5000 + cash sale 900


# X and Z reports -----------------------------------------------------------------------------


def test_x_and_z_reports_show_shift_totals_and_the_hand_counted_sums(shift, cashier, milk):
    cash_sale = sell(shift, cashier, [(milk, "3")], [("cash", "1350")], "1350.00",
                     tendered="2000")
    sell(shift, cashier, [(milk, "4")], [("card", "1000"), ("kaspi", "500"), ("cash", "300")],
         "1800.00", tendered="300")
    shift_cash(shift=shift, by=cashier, kind="in", amount="2000", reason="Ұсақ ақша")
    shift_cash(shift=shift, by=cashier, kind="out", amount="500", reason="Иесіне")
    give_back(shift, cashier, cash_sale, milk, "1")
    # By hand: 5000 + 1350 + 300 − 450 + 2000 − 500 = 7700.00 in the drawer.
    client = client_for(cashier)
    x = client.get(reverse("till:shift_report", args=[shift.pk]))
    assert x.status_code == 200 and x.context["kind"] == "x"
    totals = shift_totals(shift)
    assert x.context["expected_cash"] == totals.expected_cash == D("7700.00")
    rows = {row["method"].value: row for row in x.context["methods"]}
    assert (rows["cash"]["sales"], rows["cash"]["refunds"], rows["cash"]["net"]) == (
        D("1650.00"), D("450.00"), D("1200.00"))
    assert (rows["card"]["sales"], rows["kaspi"]["sales"]) == (D("1000.00"), D("500.00"))
    page = flat(x.content.decode())
    for shown in [kk("7700.00"), kk("1650.00"), kk("450.00"), kk("3150.00"), kk("2700.00"),
                  kk("2000.00"), kk("500.00"), "Ұсақ ақша", "Иесіне"]:
        assert shown in page, shown
    assert x.context["counted_cash"] is None

    shift_close(shift=shift, by=cashier, denominations={"5000": 1, "2000": 1, "500": 1,
                                                        "100": 1, "50": 1})
    z = client.get(reverse("till:shift_report", args=[shift.pk]))
    assert z.context["kind"] == "z"
    assert (z.context["expected_cash"], z.context["counted_cash"], z.context["variance"]) == (
        D("7700.00"), D("7650.00"), D("-50.00"))
    assert [(row["face"], row["count"]) for row in z.context["denominations"]] == [
        (D("5000"), 1), (D("2000"), 1), (D("500"), 1), (D("100"), 1), (D("50"), 1)]
    page = flat(z.content.decode())
    assert kk("7650.00") in page and kk("-50.00") in page
    assert z.context["totals"].sales_count == 2 and z.context["totals"].returns_count == 1


# Who may read which paper --------------------------------------------------------------------


def test_a_cashier_reads_own_papers_and_another_cashiers_answer_404(shift, cashier, milk,
                                                                    admin_user, shopper):
    order = sell(shift, cashier, [(milk, "2")], [("cash", "900")], "900.00")
    returned = give_back(shift, cashier, order, milk, "1")
    other = UserFactory(role="cashier", username="cashier_b")
    urls = [reverse("till:receipt", args=[order.pk]),
            reverse("till:receipt_pdf", args=[order.pk]),
            reverse("till:return_receipt", args=[returned.pk]),
            reverse("till:shift_report", args=[shift.pk]),
            reverse("till:shift_report_pdf", args=[shift.pk])]
    for url in urls:
        assert client_for(cashier).get(url).status_code == 200, url
        assert client_for(admin_user).get(url).status_code == 200, url
        assert client_for(other).get(url).status_code == 404, url
        assert client_for(shopper).get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url
    # An online order's number is no till receipt.
    assert client_for(admin_user).get(reverse("till:receipt", args=[order.pk + 999])
                                      ).status_code == 404


def test_receipt_numbers_typed_or_scanned_name_the_order():
    assert receipt_order_id("000123") == 123
    assert receipt_order_id("№000123") == 123
    assert receipt_order_id(" 45 ") == 45
    assert receipt_order_id("") is None
    assert receipt_order_id("0") is None
    assert receipt_order_id("12a") is None


def test_a_receipt_reads_the_same_number_of_queries_for_1_line_as_for_6(shift, cashier, seller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    goods = [product_in_stock("10", seller=seller, price=D("100.00")) for _ in range(6)]
    one = sell(shift, cashier, [(goods[0], "1")], [("cash", "100")], "100.00")
    six = sell(shift, cashier, [(p, "1") for p in goods], [("card", "100"), ("cash", "500")],
               "600.00")
    client = client_for(cashier)
    counts = []
    for order in (one, six):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("till:receipt", args=[order.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
