"""PDFs fetch nothing outside the app and carry nothing but the page.

A product's name and description, a receipt's supplier and an order's address and note all
hold `<img src="http://127.0.0.1:PORT/x">` (and CSS/link variants) pointing at a loopback canary
server. Rendering the sales, stock, receipts, write-offs and invoice PDFs must leave the canary
with 0 hits: the templates escape the markup, and even real markup handed to WeasyPrint meets
analytics.pdf's static-only URL fetcher. pypdf then checks that no PDF embeds a file, a script
or an action."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import support

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _bait(url: str) -> str:
    return (f'<img src="{url}/img"> <link rel="attachment" href="{url}/att">'
            f'<style>@import url({url}/css); body{{background:url({url}/bg)}}</style>'
            f'<a rel="attachment" href="{url}/a">x</a><iframe src="{url}/frame"></iframe>')


@pytest.fixture
def canary():
    with support.Canary() as server:
        yield server


@pytest.fixture
def baited_world(canary, seller, shopper):
    """Products, a receipt, a write-off and an order whose every free text is bait."""
    from catalog.tests.factories import ProductFactory
    from inventory.tests.factories import stock_up
    from orders.models import Order
    from orders.services import OrderItem, order_place
    from orders.tests.factories import fund

    bait = _bait(canary.url)
    product = ProductFactory(seller=seller, name="Айран " + bait[:150], description=bait,
                             price=Decimal("350.00"))
    stock_up(product, "20", unit_cost="200.00")  # supplier "ТОО Тест"
    import datetime

    from inventory.services import writeoff_create, writeoff_line_set, writeoff_post

    writeoff = writeoff_create(by=seller, date=datetime.date.today(), note=bait[:200])
    writeoff_line_set(writeoff=writeoff, by=seller, product=product, quantity=Decimal("1"),
                      reason="spoiled", comment=bait[:200])
    writeoff_post(writeoff=writeoff, by=seller)
    fund(shopper, "10000")
    order = order_place(user=shopper, payment=Order.Payment.WALLET,
                        idempotency_key=uuid.uuid4(), items=[OrderItem(product.pk, Decimal("2"))],
                        delivery=Order.Delivery.COURIER, address=bait[:250],
                        phone="+77012345678", note=bait[:500])
    return {"product": product, "order": order}


def _assert_clean_pdf(content: bytes, what: str) -> None:
    from pypdf import PdfReader

    assert content.startswith(b"%PDF"), what
    reader = PdfReader(io.BytesIO(content))
    assert reader.attachments == {}, f"{what} embeds files: {list(reader.attachments)}"
    root = reader.trailer["/Root"]
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    for key in ("/EmbeddedFiles", "/JavaScript"):
        assert key not in names, f"{what} has {key}"
    for key in ("/OpenAction", "/AA"):
        assert key not in root, f"{what} has {key}"
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            assert annotation.get("/Subtype") != "/FileAttachment", f"{what} p{number}"
            action = annotation.get("/A")
            if action is not None:
                assert action.get_object().get("/S") not in ("/Launch", "/JavaScript"), what


@pytest.mark.parametrize("report", ["sales", "stock", "receipts", "writeoffs"])
def test_reports_fetch_nothing_outside_and_embed_nothing(admin_client, seller_client, canary,
                                                         baited_world, report):
    for client in (admin_client, seller_client):
        response = client.get(reverse("analytics:report", kwargs={"name": report, "fmt": "pdf"}))
        assert response.status_code == 200, (report, response.status_code)
        _assert_clean_pdf(response.content, report)
    assert canary.hits == [], f"the {report} PDF fetched {canary.hits}"


def test_invoice_fetches_nothing_outside_and_embeds_nothing(shopper_client, admin_client, canary,
                                                            baited_world):
    url = reverse("analytics:order_invoice", kwargs={"pk": baited_world["order"].pk})
    for client in (shopper_client, admin_client):
        response = client.get(url)
        assert response.status_code == 200
        _assert_clean_pdf(response.content, "invoice")
    assert canary.hits == [], f"the invoice fetched {canary.hits}"


def test_the_bait_would_be_fetched_without_the_static_only_fetcher(canary):
    """The control: WeasyPrint's default fetcher does fetch the canary, so a zero above means
    the app stopped it, not that the canary was deaf."""
    from weasyprint import HTML

    HTML(string=f'<img src="{canary.url}/control">', base_url=canary.url).write_pdf()
    assert canary.hits == ["/control"]


def test_real_markup_reaching_weasyprint_meets_the_static_only_fetcher(canary):
    """Defence in depth: even if a template forgot to escape, live tags fetch nothing and
    attachments are refused."""
    from weasyprint import HTML

    from analytics.pdf import BASE_URL, make_fetcher

    fetcher = make_fetcher()
    content = HTML(string="<p>x</p>" + _bait(canary.url), base_url=BASE_URL,
                   url_fetcher=fetcher).write_pdf()
    assert canary.hits == []
    assert any(url.startswith(canary.url) for url in fetcher.refused), fetcher.refused
    _assert_clean_pdf(content, "raw markup")
