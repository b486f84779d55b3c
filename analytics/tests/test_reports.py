"""Reports as PDF and XLSX: the same totals as the database, Kazakh letters, escaped user text,
nothing fetched from outside, formulas neutralised, seller scope, 400 on bad dates, audit."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import AuditEntry
from analytics import selectors
from analytics.pdf import make_fetcher, render_pdf
from analytics.reports import build_report

from .conftest import D
from .factories import ProductFactory, local_time, make_order

pytestmark = pytest.mark.django_db

NOVEMBER = "?from=2026-11-01&to=2026-11-10"
HOSTILE = '<img src="file:///etc/hostname">'


def url(name, fmt):
    return reverse("analytics:report", kwargs={"name": name, "fmt": fmt})


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    # pypdf may turn the no-break spaces of "9 302,45 ₸" into spaces.
    return text.replace("\xa0", " ")


def xlsx(content: bytes):
    return load_workbook(io.BytesIO(content))


def as_decimal(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_sales_pdf_has_the_exact_totals_and_kazakh_letters(shop, admin_client):
    response = admin_client.get(url("sales", "pdf") + NOVEMBER)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = flat(pdf_text(response.content))
    assert "9 302,45 ₸" in text       # revenue = the database's sum
    assert "6 616,19 ₸" in text       # cost
    assert "2 686,26 ₸" in text       # profit
    assert "2 325,61 ₸" in text       # average check
    assert "Айран «Қымыз» 1 л" in text and "Сүт өнімдері" in text
    assert "Bibarys" in text and "01.11.2026" in text and "10.11.2026" in text
    assert "1 / " in text  # page numbers


def test_kazakh_letters_all_render_in_the_pdf(shop, admin_user):
    product = ProductFactory(seller=shop["seller_a"], name="әғқңөұүһі ӘҒҚҢӨҰҮҺІ")
    make_order(at=local_time(D(2026, 11, 3)), lines=[(product, "1", "100", "50")])
    from analytics.periods import Period

    report = build_report("sales", admin_user, Period(D(2026, 11, 1), D(2026, 11, 10)))
    text = pdf_text(render_pdf("analytics/pdf/sales.html", report))
    assert "әғқңөұүһі ӘҒҚҢӨҰҮҺІ" in text


def test_user_text_is_literal_and_nothing_is_fetched(shop, admin_user):
    product = ProductFactory(seller=shop["seller_a"], name=HOSTILE)
    make_order(at=local_time(D(2026, 11, 3)), lines=[(product, "1", "100", "50")])
    from analytics.periods import Period

    fetcher = make_fetcher()
    report = build_report("sales", admin_user, Period(D(2026, 11, 1), D(2026, 11, 10)))
    text = pdf_text(render_pdf("analytics/pdf/sales.html", report, fetcher=fetcher))
    assert HOSTILE in text.replace("\n", "")
    assert not [u for u in fetcher.requested if "hostname" in u]
    assert fetcher.refused == []
    # Only the bundled fonts were read.
    assert fetcher.requested and all(u.startswith("file://") and u.endswith(".ttf")
                                     for u in fetcher.requested)


@pytest.mark.parametrize("bad", ["http://example.com/x.png", "https://example.com/a.css",
                                 "file:///etc/hostname", "file:///etc/passwd",
                                 "ftp://example.com/x", "https://bibarys.invalid/static/../manage.py",
                                 "https://bibarys.invalid/media/x.png"])
def test_the_fetcher_refuses_anything_but_static_and_data(bad):
    fetcher = make_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(bad)
    assert fetcher.refused == [bad]


def test_the_fetcher_refuses_file_urls_leaving_static(settings):
    from pathlib import Path

    static = Path(settings.STATICFILES_DIRS[0]).resolve()
    fetcher = make_fetcher()
    for leaving in (f"file://{static}/../manage.py", f"file://{static}/%2e%2e/manage.py",
                    f"file://{static.parent}/bibarys/settings.py"):
        with pytest.raises(ValueError):
            fetcher.fetch(leaving)


def test_the_fetcher_allows_static_files_and_data_urls(settings):
    from pathlib import Path

    static = Path(settings.STATICFILES_DIRS[0]).resolve()
    fetcher = make_fetcher()
    assert fetcher.fetch((static / "fonts" / "DejaVuSans.ttf").as_uri()).status == 200
    assert fetcher.fetch("https://bibarys.invalid/static/css/app.css").status == 200
    response = fetcher.fetch("data:text/plain;base64,aGk=")
    assert response.status == 200


def test_sales_xlsx_numbers_equal_the_database(shop, admin_client, admin_user):
    response = admin_client.get(url("sales", "xlsx") + NOVEMBER)
    assert response.status_code == 200
    book = xlsx(response.content)
    assert book.sheetnames[:3] == ["Есеп", "Жиыны", "Күндер бойынша"] or len(book.sheetnames) == 6
    totals = book.worksheets[1]
    header = [c.value for c in totals[1]]
    assert header[0] and totals["A1"].font.bold
    values = [row for row in totals.iter_rows(min_row=2, values_only=True)]
    assert as_decimal(values[0][1]) == Decimal("9302.45")
    assert isinstance(values[0][1], (int, float))
    assert totals["B2"].number_format == '#,##0.00 "₸"'
    assert as_decimal(values[1][1]) == Decimal("6616.19")
    assert as_decimal(values[2][1]) == Decimal("2686.26")
    by_day = book.worksheets[2]
    days = list(by_day.iter_rows(min_row=2, values_only=True))
    assert [d[0].date() for d in days[:-1]] == [D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 5),
                                                D(2026, 11, 10)]
    assert sum(as_decimal(d[2]) for d in days[:-1]) == Decimal("9302.45")
    by_product = book.worksheets[3]
    rows = {r[0]: r for r in by_product.iter_rows(min_row=2, values_only=True)}
    assert as_decimal(rows["Сиыр еті"][4]) == Decimal("3752.45")
    assert Decimal(str(rows["Сиыр еті"][3])) == Decimal("1.255")
    assert by_product.column_dimensions["A"].width == 40
    # Whole quantities show as 8, not "8." (what #,##0.### shows in Excel and LibreOffice).
    formats = {r[0].value: r[3].number_format for r in by_product.iter_rows(min_row=2)
               if r[3].value is not None}
    assert formats["Сиыр еті"] == "#,##0.0##"
    assert {f for name, f in formats.items() if name != "Сиыр еті" and name} <= {"#,##0"}


def test_xlsx_neutralises_formulas(shop, admin_client):
    product = ProductFactory(seller=shop["seller_a"], name='=HYPERLINK("http://evil","x")')
    other = ProductFactory(seller=shop["seller_a"], name="@SUM(A1:A9)")
    make_order(at=local_time(D(2026, 11, 3)), lines=[(product, "1", "100", "50"),
                                                      (other, "1", "90", "50")])
    book = xlsx(admin_client.get(url("sales", "xlsx") + NOVEMBER).content)
    sheet = book.worksheets[3]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in names
    assert "'@SUM(A1:A9)" in names
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type != "f"


def test_seller_reports_hold_only_their_products(shop, seller_client):
    text = flat(pdf_text(seller_client.get(url("sales", "pdf") + NOVEMBER).content))
    assert "5 702,45 ₸" in text
    assert "Сүзбе" not in text and "9 302,45" not in text
    book = xlsx(seller_client.get(url("sales", "xlsx") + NOVEMBER).content)
    products = [r[0] for r in book.worksheets[3].iter_rows(min_row=2, values_only=True)]
    assert "Сүзбе" not in products
    sellers = [r[0] for r in book.worksheets[5].iter_rows(min_row=2, values_only=True)]
    assert len(sellers) == 2  # seller A and the total row


def test_stock_report_values_at_cost(shop, admin_client, seller_client):
    from catalog.models import Product

    Product.objects.filter(pk=shop["a_milk"].pk).update(quantity=Decimal("12"))
    Product.objects.filter(pk=shop["a_meat"].pk).update(quantity=Decimal("2.5"))
    # 12 × 320 = 3840; 2.5 × 2100.55 = 5251.375 → 5251.38; B milk 0.
    book = xlsx(seller_client.get(url("stock", "xlsx")).content)
    rows = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert as_decimal(rows[-1][6]) == Decimal("9091.38")
    assert {r[0] for r in rows[:-1]} == {"Айран «Қымыз» 1 л", "Сиыр еті"}
    text = flat(pdf_text(admin_client.get(url("stock", "pdf")).content))
    assert "9 091,38 ₸" in text and "Сүзбе" in text


def test_receipts_and_writeoffs_reports(shop, admin_client, seller_client):
    from inventory import services
    from inventory.models import WriteOffReason

    seller = shop["seller_a"]
    receipt = services.receipt_create(by=seller, supplier="ТОО «Әлем»", date=D(2026, 11, 4))
    services.receipt_line_set(receipt=receipt, by=seller, product=shop["a_milk"],
                              quantity=Decimal("10"), unit_cost=Decimal("310.50"))
    services.receipt_post(receipt=receipt, by=seller)
    writeoff = services.writeoff_create(by=seller, date=D(2026, 11, 6))
    services.writeoff_line_set(writeoff=writeoff, by=seller, product=shop["a_milk"],
                               quantity=Decimal("2"), reason=WriteOffReason.EXPIRED)
    services.writeoff_post(writeoff=writeoff, by=seller)
    cost = selectors.stock_products(seller).get(pk=shop["a_milk"].pk).cost_price
    text = flat(pdf_text(admin_client.get(url("receipts", "pdf") + NOVEMBER).content))
    assert "3 105,00 ₸" in text and "ТОО «Әлем»" in text
    book = xlsx(seller_client.get(url("writeoffs", "xlsx") + NOVEMBER).content)
    rows = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert as_decimal(rows[0][2]) == (2 * cost).quantize(Decimal("0.01"))
    text = flat(pdf_text(seller_client.get(url("writeoffs", "pdf") + NOVEMBER).content))
    assert "Мерзімі өткен" in text or "Expired" in text
    # Seller B sees neither.
    client = Client()
    client.force_login(shop["seller_b"])
    text = flat(pdf_text(client.get(url("receipts", "pdf") + NOVEMBER).content))
    assert "ТОО «Әлем»" not in text


@pytest.mark.parametrize("query", ["?from=2026-11-31&to=2026-12-01", "?from=11/01/2026&to=x",
                                   "?from=2026-11-10&to=2026-11-01", "?from=2026-11-01",
                                   "?from=0001-01-01&to=9999-12-31"])
def test_bad_dates_answer_400_with_a_message(admin_client, query):
    response = admin_client.get(url("sales", "pdf") + query)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_huge_ranges_work(shop, admin_client):
    response = admin_client.get(url("sales", "xlsx") + "?from=2000-01-01&to=2199-12-31")
    assert response.status_code == 200


def test_unknown_report_or_format_is_404(admin_client):
    assert admin_client.get("/analytics/reports/secrets.pdf").status_code == 404
    assert admin_client.get("/analytics/reports/sales.docx").status_code == 404


def test_shopper_gets_no_report(shopper_client):
    assert shopper_client.get(url("sales", "pdf")).status_code == 403
    assert shopper_client.get(reverse("analytics:reports")).status_code == 403


def test_every_download_is_audited(shop, admin_client, admin_user):
    admin_client.get(url("sales", "xlsx") + NOVEMBER)
    entry = AuditEntry.objects.get(action="report.download")
    assert entry.actor == admin_user
    assert entry.changes == {"report": "sales", "format": "xlsx", "from": "2026-11-01",
                             "to": "2026-11-10", "scope": "store"}


def test_invoice_for_its_shopper_and_admins_only(shop, shopper_client, admin_client,
                                                 seller_client):
    order = shop["orders"]["o1"]
    invoice = reverse("analytics:order_invoice", kwargs={"pk": order.pk})
    response = shopper_client.get(invoice)
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    assert order.number in text and "2 700,00 ₸" in text and "Сүзбе" in text
    assert admin_client.get(invoice).status_code == 200
    assert seller_client.get(invoice).status_code == 404
    stranger = Client()
    from accounts.tests.factories import UserFactory

    stranger.force_login(UserFactory(role="shopper", username="stranger"))
    assert stranger.get(invoice).status_code == 404
    assert AuditEntry.objects.filter(action="report.download",
                                     object_id=str(order.pk)).count() == 2


def test_report_totals_equal_the_selectors(shop, admin_user):
    from analytics.periods import Period

    period = Period(D(2026, 11, 1), D(2026, 11, 10))
    report = build_report("sales", admin_user, period)
    assert sum(r["revenue"] for r in report["by_product"]) == report["totals"]["revenue"]
    assert sum(r["revenue"] for r in report["by_category"]) == report["totals"]["revenue"]
    assert sum(r["revenue"] for r in report["by_seller"]) == report["totals"]["revenue"]
    assert sum(p.cost for p in report["by_day"]) == report["totals"]["cost"]
    assert datetime.date(2026, 11, 3) not in [p.start for p in report["by_day"]]


# The ru PDF said "Счёт" under a button "Накладная (PDF)".
@pytest.mark.parametrize("lang", ["kk", "en", "ru"])
def test_invoice_pdf_is_named_like_the_order_page_button(shop, shopper_client, lang):
    from django.utils import translation

    order = shop["orders"]["o1"]
    invoice = reverse("analytics:order_invoice", kwargs={"pk": order.pk})
    text = flat(pdf_text(shopper_client.get(invoice, HTTP_ACCEPT_LANGUAGE=lang).content))
    with translation.override(lang):
        button = translation.gettext("Invoice (PDF)")  # templates/orders/order_detail.html
    name = button.removesuffix(" (PDF)")
    assert name != button
    assert f"{name} {order.number}" in text
