"""Hostile files against the upload and import forms: refused with a message, nothing written,
and the memory a request may take stays bounded (tracemalloc's peak while the view runs)."""

from __future__ import annotations

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security import payloads

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MEMORY_BOUND_MB = 64


def _post_measured(client, url, data):
    tracemalloc.start()
    try:
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak / (1024 * 1024)


@pytest.mark.parametrize("name, make", [
    ("billion-laughs.xlsx", payloads.billion_laughs_xlsx),
    ("zip-bomb.xlsx", payloads.zip_bomb_xlsx),
    ("not-a-sheet.xlsx", payloads.not_an_image),
    ("polyglot.xlsx", payloads.polyglot_png_html),
])
def test_stock_import_refuses_hostile_spreadsheets(seller_client, name, make):
    from catalog.models import Product

    before = Product.objects.count()
    upload = SimpleUploadedFile(name, make(), content_type="application/vnd.openxmlformats-"
                                "officedocument.spreadsheetml.sheet")
    response, peak_mb = _post_measured(seller_client, "/inventory/import/", {"file": upload})
    assert response.status_code == 400, response.status_code
    assert Product.objects.count() == before, "a refused import wrote products"
    assert peak_mb < MEMORY_BOUND_MB, f"{name}: the request took {peak_mb:.0f} MB"
    # The reason is shown (in the visitor's language), not a blank refusal.
    html = response.content.decode()
    assert any(reason in html for reason in (
        "cannot be read", "does not look like an Excel", "compressed suspiciously",
        "too large once unpacked")), html[:2000]
