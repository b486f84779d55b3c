"""VAT in the reports: the VAT report (PDF, XLSX, admins only), the sales report's and the
invoice's VAT by rate, and the registration threshold on the dashboard. Sums by hand."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.tests.factories import CategoryFactory
from orders.models import Order
from orders.returns import ReturnItem, order_return
from orders.services import OrderItem, order_place
from orders.tests.factories import product_in_stock

from .factories import ProductFactory, make_order
from .test_reports import as_decimal, flat, pdf_text, url, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold_and_returned(settings, cashier):
    """A mixed-rate counter sale, then 2 of its 3 milks returned.

    Milk 3 × 450,00 = 1 350,00 at 16 % → VAT 186,21; Apples 985,97 at 16 % → 136,00;
    Bread 999,99 at 0 %; Flour 500,00 exempt. Sales: 16 % 2 335,97 / VAT 322,21.
    Returned: 2 milks = 900,00, VAT 186,21 × 900 / 1 350 = 124,14.
    Due: 16 % 1 435,97 / VAT 198,07 / without VAT 1 237,90."""
    settings.VAT_PAYER, settings.VAT_DEFAULT_RATE = True, "16"
    settings.STORE_BIN = "123456789012"
    settings.VAT_CERTIFICATE_SERIES, settings.VAT_CERTIFICATE_NUMBER = "60001", "1234567"
    zero, exempt = CategoryFactory(slug="zero", vat_rate="0"), CategoryFactory(slug="ex",
                                                                              vat_rate="exempt")
    basket = [(product_in_stock("10", name="Milk", price=Decimal("450.00")), "3"),
              (product_in_stock("10", name="Bread", price=Decimal("999.99"), category=zero), "1"),
              (product_in_stock("10", name="Apples", price=Decimal("799.00"), unit="kg",
                                category=exempt, vat_rate="16"), "1.234"),
              (product_in_stock("10", name="Flour", price=Decimal("500.00"),
                                vat_rate="exempt"), "1")]
    order = order_place(user=None, items=[OrderItem(product_id=p.pk, quantity=Decimal(q))
                                          for p, q in basket],
                        payment=Order.Payment.CASH, channel=Order.Channel.COUNTER, by=cashier,
                        idempotency_key=uuid.uuid4())
    milk = order.lines.get(product_name="Milk")
    order_return(order=order, items=[ReturnItem(line_id=milk.pk, quantity=Decimal("2"))],
                 by=cashier, refund="cash", idempotency_key=uuid.uuid4())
    return order


def today_query():
    day = timezone.localdate().isoformat()
    return f"?from={day}&to={day}"


def rows(sheet):
    return [[cell for cell in row] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_vat_report_xlsx_has_sales_returns_and_due_by_rate(sold_and_returned, admin_client):
    book = xlsx(admin_client.get(url("vat", "xlsx") + today_query(), HTTP_ACCEPT_LANGUAGE="en").content)
    sales = {row[0]: [as_decimal(v) for v in row[1:]] for row in rows(book["Sales"])}
    assert sales["16 %"] == [Decimal("2013.76"), Decimal("322.21"), Decimal("2335.97")]
    assert sales["0 %"] == [Decimal("999.99"), Decimal("0.00"), Decimal("999.99")]
    assert sales["Exempt from VAT"] == [Decimal("500.00"), Decimal("0.00"), Decimal("500.00")]
    assert sales["Total"] == [Decimal("3513.75"), Decimal("322.21"), Decimal("3835.96")]
    returns = {row[0]: [as_decimal(v) for v in row[1:]] for row in rows(book["Returns"])}
    assert returns["16 %"] == [Decimal("775.86"), Decimal("124.14"), Decimal("900.00")]
    due = {row[0]: [as_decimal(v) for v in row[1:]] for row in rows(book["Due"])}
    assert due["16 %"] == [Decimal("1237.90"), Decimal("198.07"), Decimal("1435.97")]
    assert due["Total"][1] == Decimal("198.07")
    about = {row[0]: row[1] for row in rows(book["Report"])}
    assert about["BIN"] == "123456789012"


def test_the_vat_report_pdf_prints_the_same_sums_and_the_stores_details(sold_and_returned,
                                                                        admin_client):
    response = admin_client.get(url("vat", "pdf") + today_query(), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    # (the certificate's series and number may wrap under the longer Russian label)
    for figure in ("322,21", "124,14", "198,07", "1 435,97", "123456789012", "60001", "1234567"):
        assert figure in text


def test_the_vat_report_is_for_admins_only(sold_and_returned, seller_client, admin_client):
    assert seller_client.get(url("vat", "pdf") + today_query()).status_code == 403
    assert reverse("analytics:report", kwargs={"name": "vat", "fmt": "pdf"}) not in \
        seller_client.get(reverse("analytics:reports")).content.decode()
    assert reverse("analytics:report", kwargs={"name": "vat", "fmt": "pdf"}) in \
        admin_client.get(reverse("analytics:reports")).content.decode()


def test_the_sales_report_shows_vat_by_rate(sold_and_returned, admin_client):
    book = xlsx(admin_client.get(url("sales", "xlsx") + today_query(), HTTP_ACCEPT_LANGUAGE="en").content)
    vat = {row[0]: [as_decimal(v) for v in row[1:]] for row in rows(book["VAT by rate"])}
    assert vat["16 %"] == [Decimal("2013.76"), Decimal("322.21"), Decimal("2335.97")]
    text = flat(pdf_text(admin_client.get(url("sales", "pdf") + today_query()).content))
    assert "322,21" in text and "2 013,76" in text


def test_the_invoice_shows_vat_by_rate_and_the_stores_bin(sold_and_returned, admin_client):
    invoice = reverse("analytics:order_invoice", kwargs={"pk": sold_and_returned.pk})
    text = flat(pdf_text(admin_client.get(invoice).content))
    assert "322,21" in text and "2 013,76" in text and "123456789012" in text


def test_a_store_that_is_not_a_payer_sees_its_turnover_against_the_threshold(settings,
                                                                             admin_client):
    settings.VAT_PAYER, settings.MCI, settings.VAT_THRESHOLD_MCI = False, 4325, 10000
    product = ProductFactory(price=Decimal("1000.00"))
    # 36 000 000 ₸ of 43 250 000 ₸ = 83,2 %: above the 80 % warning.
    make_order(lines=[(product, "36000", "1000.00", "0")])
    # Sold 13 months ago: outside the 12 months and the calendar year.
    make_order(lines=[(product, "9000", "1000.00", "0")],
               at=timezone.now() - datetime.timedelta(days=400))
    page = admin_client.get(reverse("analytics:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "an-vat-threshold alert alert-warning" in html
    assert "83.2 %" in html and '<progress max="100" value="83"' in html
    assert "43,250,000.00" in html


def test_a_small_store_is_not_warned_and_a_payer_sees_no_threshold(settings, admin_client):
    settings.VAT_PAYER = False
    product = ProductFactory(price=Decimal("1000.00"))
    make_order(lines=[(product, "1000", "1000.00", "0")])  # 1 000 000 ₸: 2,3 %
    html = admin_client.get(reverse("analytics:dashboard"), HTTP_ACCEPT_LANGUAGE="en"
                            ).content.decode()
    assert "an-vat-threshold" in html and "alert-warning" not in html.split(
        "an-vat-threshold")[1][:40]
    settings.VAT_PAYER = True
    assert "an-vat-threshold" not in admin_client.get(reverse("analytics:dashboard")
                                                      ).content.decode()
