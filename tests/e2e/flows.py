"""Small helpers the browser flows share: reading the demo data the flows start from, numbers as
the pages print them, and test files (photos) made on the spot."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from tests.e2e.conftest import db_query


def money(text: str) -> Decimal:
    """`₸1,234.50` (en) → Decimal('1234.50')."""
    match = re.search(r"-?[\d,]+(?:\.\d+)?", text.replace("\u00a0", " "))
    assert match, f"no amount in {text!r}"
    return Decimal(match.group(0).replace(",", ""))


def number(text: str) -> Decimal:
    """A quantity as the English pages print it: `17 pcs`, `1,250`, `2.5 kg` → Decimal."""
    match = re.search(r"-?[\d,]+(?:\.\d+)?", text)
    assert match, f"no number in {text!r}"
    return Decimal(match.group(0).replace(",", ""))


def shop_product(server, *, skip: int = 0, min_quantity: int = 10):
    """An active piece product with a barcode and plenty of stock: (pk, name as an English page
    shows it, slug, barcode, category slug, category name)."""
    rows = db_query(server, """
        SELECT p.id, COALESCE(NULLIF(p.name_en, ''), p.name), p.slug, MIN(b.code), c.slug, c.name
          FROM catalog_product p
          JOIN catalog_productbarcode b ON b.product_id = p.id
          JOIN catalog_category c ON c.id = p.category_id
         WHERE p.unit = 'pcs' AND p.is_active AND CAST(p.quantity AS REAL) >= ?
         GROUP BY p.id ORDER BY p.id LIMIT 1 OFFSET ?""", (min_quantity, skip))
    assert rows, "the demo catalog has no piece product with stock and a barcode"
    return rows[0]


def reviewable(server, *, reviewed: bool = False):
    """(username, product slug, product name) of a demo shopper with a completed order of a
    product they have not reviewed yet (or, with reviewed=True, have reviewed: they edit it)."""
    rows = db_query(server, f"""
        SELECT DISTINCT u.username, p.slug, p.name
          FROM orders_orderline l
          JOIN orders_order o ON o.id = l.order_id
          JOIN accounts_user u ON u.id = o.user_id
          JOIN catalog_product p ON p.id = l.product_id
         WHERE o.status = 'completed' AND p.is_active AND u.is_active AND u.role = 'shopper'
           AND u.username LIKE 'shopper%'
           AND {'' if reviewed else 'NOT'} EXISTS (
               SELECT 1 FROM catalog_review r
                WHERE r.user_id = u.id AND r.product_id = p.id
                  {'AND NOT r.is_hidden' if reviewed else ''})
         ORDER BY u.username, p.id LIMIT 1""")
    assert rows, f"no demo shopper has a completed order to review (reviewed={reviewed})"
    return rows[0]


def png(path: Path, colour: tuple[int, int, int], size: int = 240) -> Path:
    """A small real PNG drawn with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size // 5, size // 5, size * 4 // 5, size * 4 // 5), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def ean13(body12: str) -> str:
    digits = [int(d) for d in body12]
    check = (10 - (sum(digits[0::2]) + 3 * sum(digits[1::2])) % 10) % 10
    return body12 + str(check)
