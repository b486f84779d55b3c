"""A cashier's whole shift at the till, in Chromium, at phone and desktop size, in Kazakh and
Russian: open with a float, twenty scans (a second scan adds one more, a weighed product by its
scale label, an unknown code flashes, a name found with ↓ Enter), a split payment with the change
shown, its receipt printed, a return by the receipt's number with the cash back out of the drawer,
the X figures, cash out, and a close with a variance. The selling screen is looked at on a tablet
too. No console error, no page wider than the screen.

`BIBARYS_README_SHOTS=1` also writes the README's till screenshots (docs/screenshots/)."""

import json
import os
import time
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from tests import support
from tests.e2e.conftest import DEMO_PASSWORD, db_query, untranslated_on
from tests.e2e.flows import ean13

pytestmark = pytest.mark.e2e
SCANS = 20  # 19 pieces by barcode or SKU and one weighed product by its scale label
TABLET = {"width": 820, "height": 1180}
README_SHOTS = support.ROOT / "docs" / "screenshots"

# The demo has no till or cashier until till/demo.py lands: made here through the services,
# with a weighed product given a PLU for its scale labels.
SETUP = """
import json
from accounts.models import User
from catalog.models import Product
from till.models import Till
name, username, plu = {args}
till = Till.objects.create(name=name)
User.objects.create_user(username=username, password={password!r}, role="cashier")
weighed = (Product.objects.filter(is_active=True, unit="kg", quantity__gte=5, plu__isnull=True)
           .order_by("id").first())
Product.objects.filter(pk=weighed.pk).update(plu=int(plu))
pieces = list(Product.objects.filter(is_active=True, unit="pcs", quantity__gte=10,
                                     barcodes__isnull=False).distinct().order_by("id")
              .values("pk", "sku", "price", "name")[:5])
for p in pieces:
    p["barcode"] = Product.objects.get(pk=p["pk"]).barcodes.first().code
    p["price"] = str(p["price"])
print(json.dumps({{"till": till.pk, "weighed": {{"pk": weighed.pk, "price": str(weighed.price)}},
                  "pieces": pieces}}))
"""


def _setup(server, name, username, plu):
    if not hasattr(server, "env"):
        pytest.skip("needs the harness's own server (to add a till and a cashier)")
    script = SETUP.format(args=repr((name, username, str(plu))), password=DEMO_PASSWORD)
    result = support.manage("shell", "-c", script, env=server.env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _in_language(ui, language):
    """The page speaks the cashier's language: no English text of our catalogs left on it."""
    assert ui.page.get_attribute("html", "lang") == language
    left = untranslated_on(ui.page.inner_text("body"), language)
    assert not left, f"untranslated on {ui.page.url}: {left}"


def _scan(ui, code):
    with ui.page.expect_response(lambda r: "/scan/" in r.url or "/add/" in r.url):
        ui.page.fill("#till-scan", code)
        ui.page.press("#till-scan", "Enter")
    ui.htmx_settled()


def _readme_shot(ui, name, locator=None):
    """A README screenshot, when asked for (BIBARYS_README_SHOTS=1): the committed pictures
    change only when someone means them to."""
    if os.environ.get("BIBARYS_README_SHOTS") != "1":
        return
    path = README_SHOTS / f"{name}.png"
    if locator is not None:
        locator.screenshot(path=str(path), caret="initial")
    else:
        ui.page.screenshot(path=str(path), caret="initial")


def _fits(ui, size, label):
    """The page at another screen size: nothing wider than it."""
    before = ui.page.viewport_size
    ui.page.set_viewport_size(size)
    ui.settled(label)
    ui.page.set_viewport_size(before)


def _money(text: str) -> Decimal:
    return Decimal(text.replace("\xa0", "").replace(" ", "").replace("₸", "").replace(",", "."))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_cashiers_shift(make_ui, e2e_server, viewport, language):
    stamp = f"{int(time.time() * 10) % 10**6:06d}"
    plu = 90000 + int(stamp[-3:]) * 4 + ["phone", "desktop"].index(viewport) * 2 + (
        language == "ru")
    data = _setup(e2e_server, f"Касса {stamp}{viewport[0]}{language}",
                  f"cashier_{viewport}_{language}_{stamp}", plu)
    pieces = data["pieces"]
    assert len(pieces) >= 3, "the demo needs three products in pieces with a barcode"
    milk, bread, third = pieces[:3]
    weighed_price = Decimal(data["weighed"]["price"])

    ui = make_ui(f"till-{language}", viewport)
    ui.login(f"cashier_{viewport}_{language}_{stamp}")
    ui.context.add_cookies([{"name": "django_language", "value": language, "url": ui.base}])

    # 1. Open a shift with a 5 000 ₸ float.
    ui.go("/till/", "shift-open")
    _in_language(ui, language)
    ui.page.select_option("#id_till", str(data["till"]))
    ui.page.fill("#id_opening_float", "5000")
    ui.submit("till-opened")
    assert "/till/shift/" in ui.page.url
    shift = int(ui.page.url.rstrip("/").split("/")[-1])
    expect(ui.page.locator("#till-scan")).to_be_focused()

    # 2. Twenty scans: a barcode twice (one line of 2), an SKU, a scale label of 0,750 kg, and
    #    the rest by barcode, round the products in pieces.
    _scan(ui, milk["barcode"])
    _scan(ui, milk["barcode"])
    expect(ui.page.locator("#till-lines > li")).to_have_count(1)
    expect(ui.page.locator("#till-lines > li").first).to_have_attribute("data-quantity", "2")
    _scan(ui, bread["sku"])
    label = ean13("21" + f"{plu:05d}" + "00750")
    _scan(ui, label)
    expect(ui.page.locator("#till-lines > li")).to_have_count(3)
    weighed_line = ui.page.locator(f"#till-lines > li[data-product-id='{data['weighed']['pk']}']")
    expect(weighed_line).to_have_attribute("data-quantity", "0.750")
    counts = {milk["pk"]: 2, bread["pk"]: 1}
    for n in range(SCANS - 4):
        product = pieces[n % len(pieces)]
        _scan(ui, product["barcode"])
        counts[product["pk"]] = counts.get(product["pk"], 0) + 1
    assert sum(counts.values()) + 1 == SCANS
    expect(ui.page.locator("#till-lines > li")).to_have_count(len(pieces) + 1)
    for product in pieces:
        expect(ui.page.locator(f"#till-lines > li[data-product-id='{product['pk']}']")
               ).to_have_attribute("data-quantity", str(counts[product["pk"]]))
    expect(ui.page.locator("#till-scan")).to_be_focused()
    ui.shot("scanned")
    _in_language(ui, language)

    # 3. An unknown code flashes and adds nothing; the box stays ready for the next scan.
    _scan(ui, "0000000000000")
    expect(ui.page.locator("#till-flash")).to_be_visible()
    expect(ui.page.locator("#till")).to_have_class("till till-unknown")
    expect(ui.page.locator("#till-lines > li")).to_have_count(len(pieces) + 1)

    # 4. A name typed shows matches: ↓ Enter adds the first.
    with ui.page.expect_response(lambda r: "/search/" in r.url):
        ui.page.fill("#till-scan", third["sku"])
    expect(ui.page.locator("#till-results [role=option]").first).to_be_visible()
    ui.page.press("#till-scan", "ArrowDown")
    with ui.page.expect_response(lambda r: "/add/" in r.url):
        ui.page.press("#till-scan", "Enter")
    ui.htmx_settled()
    counts[third["pk"]] += 1
    expect(ui.page.locator(f"#till-lines > li[data-product-id='{third['pk']}']")
           ).to_have_attribute("data-quantity", str(counts[third["pk"]]))
    ui.check()

    # 5. The total, then a split payment: 300 by card, 200 by Kaspi, the rest in cash.
    total = (sum(Decimal(p["price"]) * counts[p["pk"]] for p in pieces)
             + (weighed_price * Decimal("0.750")).quantize(Decimal("0.01"), ROUND_HALF_UP))
    shown = Decimal(ui.page.get_attribute("#till-total", "data-total"))
    assert shown == total
    ui.page.check("#till-pay input[name=method][value=split]")
    ui.page.fill("#id_card_amount", "300")
    ui.page.fill("#id_kaspi_amount", "200")
    ui.page.check("#id_kaspi_confirmed")
    cash_due = total - 500
    tendered = (cash_due // 1000 + 1) * 1000
    ui.page.fill("#id_tendered", str(tendered))
    expect(ui.page.locator("#till-change")).not_to_be_empty()
    ui.shot("paying")
    _fits(ui, TABLET, "paying-tablet")
    if viewport == "desktop" and language == "kk":
        ui.page.set_viewport_size({"width": 1024, "height": 768})
        ui.page.evaluate("window.scrollTo(0, 0)")
        _readme_shot(ui, "till-tablet")
        ui.page.set_viewport_size({"width": 1366, "height": 768})
    _in_language(ui, language)
    ui.submit("paid", ui.page.locator("#till-pay-button"))
    expect(ui.page.locator("#till-last-sale")).to_be_visible()
    expect(ui.page.locator("#till-lines > li")).to_have_count(0)
    order = int(ui.page.get_attribute("#till-last-sale", "data-order"))
    paid = dict(db_query(e2e_server, "SELECT method, amount FROM till_tillpayment "
                                     "WHERE order_id = ? AND shift_id = ?", (order, shift)))
    assert {k: Decimal(str(v)) for k, v in paid.items()} == {
        "card": Decimal("300"), "kaspi": Decimal("200"), "cash": cash_due}

    # 6. Its receipt, as the printer gets it.
    ui.page.click("#till-last-sale a")
    ui.settled("receipt")
    _in_language(ui, language)
    size = ui.page.viewport_size
    ui.page.emulate_media(media="print")
    ui.page.set_viewport_size({"width": 302, "height": 900})  # 80 mm paper at 96 dpi
    ui.shot("receipt-print")
    if viewport == "desktop" and language == "kk":
        _readme_shot(ui, "till-receipt-printed", ui.page.locator("article.slip"))
    ui.page.emulate_media(media="screen")
    ui.page.set_viewport_size(size)
    ui.go(f"/till/shift/{shift}/", "back-to-till")

    # 7. A return by the receipt's number: one of the first product, the cash out of the drawer.
    number = db_query(e2e_server, "SELECT id FROM orders_order WHERE id = ?", (order,))[0][0]
    ui.go("/till/returns/", "return-find")
    _in_language(ui, language)
    ui.page.fill("#id_number", f"{number:06d}")
    ui.submit("return-order")
    _in_language(ui, language)
    ui.page.locator(".return-lines input[name^=qty_]").first.fill("1")
    ui.page.check("input[name=refund][value=cash]")
    ui.submit("returned", ui.page.locator(".return-form button[type=submit]"))
    _in_language(ui, language)
    [(refund,)] = db_query(e2e_server, "SELECT CAST(total AS TEXT) FROM orders_orderreturn "
                                       "WHERE order_id = ?", (order,))
    refund = Decimal(refund)
    assert refund > 0
    assert Decimal(str(db_query(e2e_server, "SELECT amount FROM till_tillpayment WHERE "
                                            "shift_id = ? AND amount < 0", (shift,))[0][0])) == -refund

    # 8. The X figures (the refund in them), and 1 000 ₸ taken out for the owner.
    ui.go(f"/till/shift/{shift}/report/", "x-report")
    _in_language(ui, language)
    assert _money(ui.page.locator("#shift-expected").inner_text()) == 5000 + cash_due - refund
    ui.page.select_option("#id_cash-kind", "out")
    ui.page.fill("#id_cash-amount", "1000")
    ui.page.fill("#id_cash-reason", "Иесіне / Владельцу")
    ui.submit("cash-out", ui.page.locator("#shift-cash-form button[type=submit]"))
    expected = Decimal("5000") + cash_due - refund - 1000
    assert _money(ui.page.locator("#shift-expected").inner_text()) == expected

    # 9. Close: the drawer counted 10 ₸ short by sum.
    ui.page.click("#shift-close-link")
    ui.settled("close")
    _in_language(ui, language)
    ui.page.fill("#id_counted_cash", str(expected - 10).replace(".", ","))
    ui.submit("closed", ui.page.locator("#shift-close-form button[type=submit]"))
    expect(ui.page.locator("#shift-variance [data-variance]")).to_have_attribute(
        "data-variance", "-10.00")
    [(variance, closed)] = db_query(e2e_server, "SELECT variance, closed_at FROM till_shift "
                                                "WHERE id = ?", (shift,))
    assert Decimal(str(variance)) == Decimal("-10") and closed
    _in_language(ui, language)
    _fits(ui, TABLET, "closed-tablet")
