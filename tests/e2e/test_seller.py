"""A seller's day in the back office, in Chromium: a new product with photos, a goods receipt,
a write-off, a stocktake with the scanner, the product's stock history and own analytics."""

import datetime
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_languages, db_query
from tests.e2e.flows import ean13, number, png

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_seller_product_receipt_writeoff_stocktake(make_ui, e2e_server, tmp_path, viewport):
    stamp = f"{int(time.time() * 10) % 10**7:07d}"
    sku = f"E2E-{viewport[0].upper()}{stamp}"
    barcode = ean13("21" + stamp + ("1" if viewport == "phone" else "2") + "00")
    name = f"Құрт сүзбелі {stamp} / Курт творожный {stamp}"
    (category_pk, category_name), = db_query(
        e2e_server, "SELECT id, name FROM catalog_category WHERE slug = 'bakery'")
    today = datetime.date.today().isoformat()

    ui = make_ui("seller", viewport, user="seller1")

    # 1. A new product with two photos.
    ui.go("/catalog/manage/new/", "product-new")
    ui.page.fill("#id_name", name)
    ui.page.select_option("#id_category", str(category_pk))
    ui.page.select_option("#id_unit", "pcs")
    ui.page.fill("#id_price", "450")
    ui.page.fill("#id_cost_price", "300")
    ui.page.fill("#id_sku", sku)
    ui.page.fill("#id_low_stock_threshold", "5")
    ui.page.fill("#id_barcodes", barcode)
    ui.page.fill("#id_description", "Үйде жасалған. <script>alert(1)</script>")
    # Six chosen at once: the first five are kept, and the page says so before any upload.
    six = [png(tmp_path / f"p{n}.png", (30 * n, 90, 120)) for n in range(6)]
    ui.page.set_input_files("#id_photos", six)
    expect(ui.page.locator("#new-photo-preview [role=alert]")).to_contain_text("first 5")
    expect(ui.page.locator("#new-photo-preview img")).to_have_count(5)
    assert ui.page.eval_on_selector("#id_photos", "input => input.files.length") == 5
    ui.page.set_input_files("#id_photos", [png(tmp_path / "front.png", (190, 120, 40)),
                                           png(tmp_path / "back.png", (40, 120, 190))])
    expect(ui.page.locator("#new-photo-preview [role=alert]")).to_have_count(0)
    ui.page.locator("#new-photo-preview img").first.wait_for()  # the preview before upload
    ui.submit("product-created", ui.page.get_by_role("button", name="Create product"))
    assert "/catalog/manage/" in ui.page.url and "/new/" not in ui.page.url
    assert ui.page.locator(".photo-admin-list li").count() == 2
    pk = int(ui.page.url.rstrip("/").split("/")[-1])
    for image in ui.page.locator(".photo-admin-list img").all():  # the thumbnails really load
        assert image.evaluate("img => img.naturalWidth") > 0

    # 2. A goods receipt of 20 pieces at 300 ₸.
    ui.go("/inventory/receipts/new/", "receipt-new")
    ui.page.fill("#id_supplier", "ТОО «Алматы Сүт»")
    ui.page.fill("#id_supplier_number", f"N-{stamp}")
    ui.page.fill("#id_date", today)
    ui.submit("receipt-draft")
    ui.page.fill("#id_product", sku)
    ui.page.fill("#id_quantity", "20")
    ui.page.fill("#id_unit_cost", "300")
    ui.submit("receipt-line", ui.page.get_by_role("button", name="Add line"))
    assert ui.page.locator("table.doc-table tbody tr", has_text=sku).count() == 1
    ui.submit("receipt-posted", ui.page.get_by_role("button", name="Post receipt"))
    assert ui.page.get_by_role("button", name="Post receipt").count() == 0
    assert "Posted" in ui.page.locator("h1").inner_text()

    # 3. Three spoiled pieces written off.
    ui.go("/inventory/write-offs/new/", "writeoff-new")
    ui.page.fill("#id_date", today)
    ui.submit("writeoff-draft")
    ui.page.fill("#id_product", barcode)  # a barcode finds the product as well as the SKU
    ui.page.fill("#id_quantity", "3")
    ui.page.select_option("#id_reason", "spoiled")
    ui.page.fill("#id_comment", "Қаптамасы жарылған")
    ui.submit("writeoff-line", ui.page.get_by_role("button", name="Add line"))
    ui.submit("writeoff-posted", ui.page.get_by_role("button", name="Post write-off"))
    assert "Posted" in ui.page.locator("h1").inner_text()

    # 4. A stocktake of the category: the scanner types the barcode and Enter, twice.
    ui.go("/inventory/stocktakes/new/", "stocktake-new")
    ui.page.select_option("#id_category", str(category_pk))
    ui.submit("stocktake-draft", ui.page.get_by_role("button", name="Start counting"))
    scan = ui.page.locator("#scan-code")
    expect(scan).to_be_focused()
    for counted in ("1", "2"):
        scan.fill(barcode)
        scan.press("Enter")
        expect(ui.page.locator("#scan-result .scan-ok")).to_contain_text(f"counted {counted}")
        expect(scan).to_be_focused()  # ready for the next scan
        expect(scan).to_have_value("")
    ui.htmx_settled()
    ui.settled("stocktake-scanned")
    if viewport == "phone":  # the scan card and its answer, for the README
        ui.page.locator("#scan-result").scroll_into_view_if_needed()
        ui.shot("stocktake-phone")
    ui.submit("stocktake-posted", ui.page.get_by_role("button", name="Post the count"))
    assert "Posted" in ui.page.locator("h1").inner_text()

    # 5. The product's stock history: receipt +20, write-off −3, count −15 → 2 on hand.
    ui.go(f"/catalog/manage/{pk}/", "product-edit")
    with ui.page.expect_navigation():
        ui.page.get_by_role("link", name="Stock history").click()
    ui.settled("movements")
    assert number(ui.page.locator(".stat", has_text="On hand").locator(".stat-value").inner_text()) == 2
    rows = ui.page.locator("table tbody tr")
    assert rows.count() == 3
    changes = sorted(number(rows.nth(i).locator("td.num").first.inner_text()) for i in range(3))
    assert changes == [-15, -3, 20], changes

    # 6. Own analytics.
    ui.go("/analytics/dashboard/", "dashboard")
    assert "Your products only" in ui.page.locator(".an-scope").inner_text()
    ui.page.select_option("#an-period", "today")
    ui.page.wait_for_url("**period=today**")
    ui.htmx_settled()
    ui.settled("dashboard-period")
    assert ui.page.input_value("#an-from") == ui.page.input_value("#an-to")  # one day
    assert "Your products only" in ui.page.locator(".an-scope").inner_text()

    ui.switch_language("ru")
    if viewport == "desktop":  # the same words at both sizes: read them once
        check_languages(ui)
    ui.check()
