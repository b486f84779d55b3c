"""A shopper's day in the shop, in Chromium, on a phone and on a desktop."""

import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_languages, db_query
from tests.e2e.flows import money, number, reviewable, shop_product

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_shopper_signs_up_and_keeps_a_profile(make_ui, viewport):
    ui = make_ui("shopper", viewport)
    username = f"aru_{viewport}"

    ui.go("/", "home")
    ui.go("/accounts/signup/", "signup")
    # Bad input first: the form says what is wrong next to the field and nothing is created.
    ui.page.fill("#id_username", username)
    ui.page.fill("#id_password1", "short")
    ui.page.fill("#id_password2", "different")
    ui.submit("signup-errors")
    assert ui.page.locator(".field .error, .errorlist, .field-error").count() > 0

    ui.page.fill("#id_username", username)
    ui.page.fill("#id_first_name", "Ару")
    ui.page.fill("#id_email", f"{username}@example.kz")
    ui.page.fill("#id_phone", "+7 701 234 56 78")
    ui.page.fill("#id_password1", "Qazaq-dala-2026")
    ui.page.fill("#id_password2", "Qazaq-dala-2026")
    ui.submit("signed-up")
    assert "/accounts/signup/" not in ui.page.url

    ui.go("/accounts/profile/", "profile")
    assert ui.page.input_value("#id_first_name") == "Ару"
    ui.page.fill("#id_last_name", "<b>Сейіт</b>")
    ui.submit("profile-saved")
    # Markup typed into a field is kept as text, never rendered as HTML.
    assert ui.page.input_value("#id_last_name") == "<b>Сейіт</b>"
    assert ui.page.locator("main b").count() == 0

    if viewport == "desktop":  # the same words at both sizes: read them once
        check_languages(ui)
    ui.logout()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_shopper_finds_buys_cancels_and_reviews(make_ui, e2e_server, viewport):
    """Sign up, find a product by name, by barcode and by category, wishlist and cart it, change
    the quantity, check out in three steps paying from a topped-up wallet, follow the order and
    cancel it: the stock (read as admin on the product's page) and the balance come back.
    The review needs a purchase that stands: test_shopper_reviews_a_purchase below."""
    pk, name, slug, barcode, category_slug, category_name = shop_product(
        e2e_server, skip=0 if viewport == "phone" else 1)
    short_name = name
    admin = make_ui("buyer-stock", viewport, user="admin")  # reads the stock on its page

    def on_hand() -> Decimal:
        admin.page.goto(admin.url(f"/catalog/manage/{pk}/"))
        return number(admin.page.locator("dt:text-is('On hand') + dd").inner_text())

    stock_before = on_hand()

    ui = make_ui("buyer", viewport)
    username = f"buyer_{viewport}_{int(time.time()) % 100000}"
    ui.go("/accounts/signup/", "signup")
    ui.page.fill("#id_username", username)
    ui.page.fill("#id_first_name", "Айгерім")
    ui.page.fill("#id_email", f"{username}@example.kz")
    ui.page.fill("#id_password1", "Qazaq-dala-2026")
    ui.page.fill("#id_password2", "Qazaq-dala-2026")
    ui.submit("signed-up")
    assert "/accounts/signup/" not in ui.page.url

    # Search by name from the header, then by barcode in the catalog's live search (htmx, the
    # URL is pushed), then the category filter.
    ui.go("/catalog/", "catalog")
    results = ui.page.locator("#results")
    ui.page.fill("#header-q", short_name)
    with ui.page.expect_navigation():
        ui.page.press("#header-q", "Enter")
    ui.settled("search-name")
    assert "/catalog/" in ui.page.url and "q=" in ui.page.url
    assert results.locator("a.name", has_text=name).count() >= 1
    ui.page.fill("#id_q", barcode)
    expect(results.locator("a.name")).to_have_count(1)
    ui.htmx_settled()
    ui.settled("search-barcode")
    assert results.locator("a.name").inner_text() == name
    ui.go(f"/catalog/?category={category_slug}", "category")
    assert ui.page.locator("h1").inner_text() == category_name
    with ui.page.expect_navigation():
        ui.page.locator("#results a.name", has_text=name).first.click()
    ui.settled("product")
    assert ui.page.locator("h1.product-title").inner_text() == name
    assert barcode in ui.text()

    # Wishlist and cart from the product page (htmx answers in place).
    buy = ui.page.locator(".product-buy")
    buy.get_by_role("button", name="Add to wishlist").click()
    buy.locator(".wish-btn[aria-pressed=true]").wait_for()
    buy.get_by_role("button", name="Add to cart").click()
    buy.locator(".add-to-cart-note").wait_for()
    ui.htmx_settled()
    ui.settled("product-in-cart")
    assert "1" in ui.page.locator("#cart-badge").inner_text()
    ui.go("/catalog/wishlist/", "wishlist")
    assert ui.page.locator(".wish-name", has_text=name).count() == 1

    ui.go("/orders/cart/", "cart")
    quantity = ui.page.locator(f"#qty-{pk}")
    assert quantity.input_value() == "1"
    ui.page.locator(f"#cart-line-{pk}").get_by_role("button", name="More").click()
    expect(quantity).to_have_value("2")
    quantity.fill("3")
    quantity.press("Enter")
    expect(quantity).to_have_value("3")
    ui.htmx_settled()
    ui.settled("cart-three")
    total = money(ui.page.locator(".summary-total .num").inner_text())

    # Checkout: 1 delivery, 2 review and payment (top up from there), 3 done.
    with ui.page.expect_navigation():
        ui.page.get_by_role("link", name="Checkout").click()
    ui.settled("checkout-delivery")
    ui.page.locator("input[name=delivery][value=pickup]").check()
    ui.page.fill("#id_phone", "+7 701 234 56 78")
    ui.submit("checkout-review-empty-wallet")
    assert "/orders/checkout/review/" in ui.page.url
    assert "Not enough money" in ui.text()
    # htmx swapped step 2 in (the document is still the one loaded for step 1), with its
    # title, and the header's language switch comes back to step 2.
    loaded = ui.page.evaluate("performance.getEntriesByType('navigation')[0].name")
    assert loaded.endswith("/orders/checkout/"), loaded
    assert ui.page.title().startswith("Review and payment")
    # Back and forward again: htmx asks for the whole pages (history restores), header and all.
    ui.page.go_back()
    expect(ui.page.locator("#id_phone")).to_be_visible()
    expect(ui.page.locator("header.site-header")).to_have_count(1)
    ui.page.go_forward()
    expect(ui.page.get_by_text("Not enough money")).to_be_visible()
    expect(ui.page.locator("header.site-header")).to_have_count(1)
    ui.htmx_settled()
    ui.switch_language("ru")
    assert "/orders/checkout/review/" in ui.page.url
    ui.switch_language("en")
    with ui.page.expect_navigation():
        ui.page.get_by_role("link", name="Top up the wallet").click()
    ui.settled("topup")
    assert ui.page.input_value("#id_amount")  # the missing amount is suggested
    ui.page.fill("#id_amount", "50000")
    ui.submit("topped-up")
    assert "/orders/checkout/review/" in ui.page.url, "the top-up did not come back to checkout"
    balance_before = money(ui.page.locator(".choice", has_text="Balance").locator("strong").inner_text())
    assert balance_before == Decimal("50000")
    ui.page.locator("input[name=payment][value=wallet]").check()
    ui.shot("checkout-review")
    ui.submit("checkout-done")
    assert "/orders/checkout/done/" in ui.page.url
    number_text = ui.page.locator(".order-number").inner_text()
    assert on_hand() == stock_before - 3

    with ui.page.expect_navigation():
        ui.page.get_by_role("link", name="Follow the order").click()
    ui.settled("order")
    assert number_text in ui.page.locator("h1").inner_text()
    assert ui.page.locator(".page-header .badge").inner_text() == "New"
    assert ui.page.locator("ol.history li").count() == 1
    assert money(ui.page.locator(".order-meta dt:text-is('Total') + dd").inner_text()) == total
    ui.go("/accounts/wallet/", "wallet-paid")
    assert money(ui.page.locator(".wallet-balance").inner_text()) == balance_before - total

    ui.go("/orders/my/", "orders")
    with ui.page.expect_navigation():
        ui.page.get_by_role("link", name=number_text).click()
    ui.settled("order-again")
    ui.submit("order-cancelled", ui.page.get_by_role("button", name="Cancel the order"))
    assert ui.page.locator(".page-header .badge").inner_text() == "Cancelled"
    history = ui.page.locator("ol.history li")
    assert history.count() == 2 and "Cancelled" in history.nth(1).inner_text() + history.nth(0).inner_text()
    assert ui.page.get_by_role("button", name="Cancel the order").count() == 0

    # Stock and money are back, read on their pages.
    assert on_hand() == stock_before
    ui.go("/accounts/wallet/", "wallet-refunded")
    assert money(ui.page.locator(".wallet-balance").inner_text()) == balance_before
    # The account page lists the wallet's operations: on a phone the table scrolls in its card.
    ui.go("/accounts/profile/", "profile-with-wallet")
    expect(ui.page.locator("#wallet tbody tr")).to_have_count(3)
    ui.go(f"/catalog/p/{slug}/", "product-after")
    assert ui.page.locator(".product-avail .avail").inner_text() != "Out of stock"

    ui.switch_language("kk")
    if viewport == "desktop":  # the same words at both sizes: read them once
        check_languages(ui)
    admin.check()
    ui.check()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_shopper_reviews_a_purchase(make_ui, e2e_server, viewport):
    # On the phone a first review, on the desktop an edit of one the shopper wrote before.
    username, slug, name = reviewable(e2e_server, reviewed=viewport == "desktop")
    ui = make_ui("review", viewport, user=username)
    ui.go(f"/catalog/p/{slug}/", "product")
    form = ui.page.locator("form.review-form")
    assert form.count() == 1, f"{username} bought {name} but sees no review form"
    assert form.locator("h3").inner_text() == (
        "Edit your review" if viewport == "desktop" else "Rate this product")
    form.locator("label[for$='_3']").click()  # the fourth star (0-based radios)
    text = f"Жақсы, свежий. <i>{viewport}</i>"
    form.locator("textarea").fill(text)
    ui.submit("reviewed", form.get_by_role("button", name="Save review"))
    assert "Thank you" in ui.text()
    review = ui.page.locator("li.review", has_text=text)
    assert review.count() == 1  # markup stays text
    assert ui.page.locator("li.review i").count() == 0
    assert ui.page.locator("form.review-form h3").inner_text() == "Edit your review"


@pytest.mark.parametrize("viewport", ["phone"])
def test_quantities_take_a_decimal_comma(make_ui, e2e_server, viewport):
    """Kazakh and Russian write 0,5 kg. The quantity boxes are text with a decimal keyboard: a
    browser's number box turned 0,5 into 05 (five kilograms) and silently refused 1,5 pieces."""
    # The page is read in Russian: the product's Russian name (the default one if it has none).
    (slug, name), = db_query(e2e_server, """
        SELECT slug, COALESCE(NULLIF(name_ru, ''), name) FROM catalog_product
         WHERE unit = 'kg' AND is_active AND CAST(quantity AS REAL) >= 5
         ORDER BY id LIMIT 1""")
    (piece_slug,), = db_query(e2e_server, """
        SELECT slug FROM catalog_product
         WHERE unit = 'pcs' AND is_active AND CAST(quantity AS REAL) >= 5
         ORDER BY id DESC LIMIT 1""")
    ui = make_ui("quantities", viewport, user="shopper5")
    ui.go("/orders/cart/", "cart-before")
    ui.switch_language("ru")
    remove = ui.page.locator(".cart-line-remove button")
    while remove.count():
        left = remove.count()
        remove.first.click()
        expect(remove).to_have_count(left - 1)

    ui.go(f"/catalog/p/{slug}/", "weighed-product")
    form = ui.page.locator("main .product-buy form.add-to-cart, main form.add-to-cart").first
    form.locator("input[name=quantity]").fill("0,5")
    form.locator("button[type=submit]").click()
    expect(ui.page.locator(".add-to-cart-note").first).to_contain_text("0,5")
    ui.shot("added-half-a-kilo")

    ui.go(f"/catalog/p/{piece_slug}/", "piece-product")
    ui.page.locator("main form.add-to-cart button[type=submit]").first.click()
    expect(ui.page.locator(".add-to-cart-note").first).to_be_visible()

    ui.go("/orders/cart/", "cart")
    weighed = ui.page.locator(".cart-line", has_text=name)
    expect(weighed.locator("input[name=quantity]")).to_have_value("0,5")
    weighed.locator("input[name=quantity]").fill("1,25")
    weighed.locator("input[name=quantity]").press("Enter")
    ui.htmx_settled()
    expect(ui.page.locator(".cart-line", has_text=name)
           .locator("input[name=quantity]")).to_have_value("1,25")
    rows = db_query(e2e_server, """
        SELECT l.quantity FROM orders_cartline l JOIN orders_cart c ON c.id = l.cart_id
          JOIN accounts_user u ON u.id = c.user_id JOIN catalog_product p ON p.id = l.product_id
         WHERE u.username = 'shopper5' AND p.slug = ?""", (slug,))
    assert Decimal(str(rows[0][0])) == Decimal("1.25")

    # 1,5 of a piece product: the shop says why, next to the line (the browser no longer
    # swallows it), and the line keeps its quantity.
    piece = ui.page.locator(".cart-line").filter(has_not_text=name).first
    piece.locator("input[name=quantity]").fill("1,5")
    piece.locator("input[name=quantity]").press("Enter")
    ui.htmx_settled()
    expect(ui.page.locator(".cart-line .errorlist")).to_contain_text("штучно")
    ui.shot("piece-refused")

    # The stepper by keyboard: after "+" the focus stays on "+" (the swapped cart keeps the
    # button's id), so a second press needs no tabbing back through the page.
    more = ui.page.locator(".cart-line", has_text=name).locator(
        "button[name=step][value='1']")
    more.focus()
    ui.page.keyboard.press("Enter")
    expect(ui.page.locator(".cart-line", has_text=name)
           .locator("input[name=quantity]")).to_have_value("1,35")
    focused = ui.page.evaluate("document.activeElement ? document.activeElement.id : ''")
    assert focused.startswith("qty-more-"), focused

    # The account menu by keyboard: Enter opens it, Escape closes it and leaves the focus on
    # its button.
    menu = ui.page.locator("header details.menu")
    menu.locator("summary").focus()
    ui.page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    ui.page.keyboard.press("Tab")
    ui.page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    assert ui.page.evaluate("document.activeElement.tagName") == "SUMMARY"
    ui.check()
