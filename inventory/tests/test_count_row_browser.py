"""A wrong count on the stocktake page, in Chromium: the error sits under the field, wraps, and the
field and its Save button stay in sight and in place, on a phone (390px) and a desktop."""

import os
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from inventory.services import stocktake_start

from .factories import ProductFactory

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium"),
]


def _measure(page, line_pk):
    return page.evaluate("""(pk) => {
      const row = document.getElementById('line-' + pk);
      const box = s => { const r = row.querySelector(s).getBoundingClientRect();
                         return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
      return {viewport: innerWidth, page: document.documentElement.scrollWidth,
              input: box('.count-input'), button: box('.count-save'), error: box('.field-error'),
              text: row.querySelector('.field-error').textContent};
    }""", line_pk)


@pytest.mark.django_db(transaction=True)
def test_a_wrong_count_keeps_the_field_and_button_usable(live_server, seller):
    from playwright.sync_api import sync_playwright

    ProductFactory(seller=seller, name="Қазы «Ет-Нан» шұжығы, жоғары сорт, вакуумдық қаптамада",
                   quantity=Decimal(4))
    stocktake = stocktake_start(by=seller)
    line = stocktake.lines.get()
    client = Client()
    client.force_login(seller)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    url = live_server.url + reverse("inventory:stocktake_detail", args=[stocktake.pk])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
        try:
            for width in (390, 1366):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                                      "url": live_server.url}])
                page = context.new_page()
                page.goto(url)
                before = page.locator(f"#count-{line.pk}").bounding_box()
                page.fill(f"#count-{line.pk}", "1,5")
                page.click(f"#line-{line.pk} .count-save")
                page.wait_for_selector(f"#line-{line.pk} .field-error")
                m = _measure(page, line.pk)
                assert "whole number" in m["text"]
                assert m["page"] <= m["viewport"], f"{width}px: the page got wider"
                for part in ("input", "button", "error"):
                    assert 0 <= m[part]["left"] and m[part]["right"] <= m["viewport"], (
                        f"{width}px: the {part} leaves the screen: {m}")
                # Under the field, no wider than the field and button together (so it wraps).
                assert m["error"]["top"] >= m["input"]["bottom"] - 1
                assert m["error"]["left"] >= m["input"]["left"] - 1
                assert m["error"]["right"] <= m["button"]["right"] + 1
                # The field did not jump sideways.
                assert abs(m["input"]["left"] - before["x"]) <= 2, f"{width}px: {before} → {m}"
                context.close()
        finally:
            browser.close()
