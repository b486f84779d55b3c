"""The product import: plan the checked rows again under the products' locks and write them,
exactly as previewed or not at all. The plan is import_plan's; reading the file is
inventory.importers'."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.audit import audit_record

from bibarys.cache import catalog_changed
from bibarys.money import format_quantity
from bibarys.units import Unit
from catalog.models import Product, ProductBarcode
from catalog.services import category_create
from catalog.signals import products_recategorised

from ..models import GoodsReceipt, ReceiptLine, Stocktake, StocktakeLine
from .import_plan import ImportOutdated, ImportResult, category_key, chunks, products_import_plan
from .ledger import BULK_CHUNK, lock_products_bulk, update_column
from .receipts import receipt_post_in_transaction
from .stocktakes import stocktake_post_in_transaction


def products_import(*, rows, by, seller, filename: str = "", dry_run: bool = False,
                    set_quantities: bool = False, expected_digest: str | None = None,
                    expected_stock: dict | None = None, rejected=(),
                    request=None) -> ImportResult:
    """Create or update products from checked import rows (inventory.importers.parse_table).

    Existing products are matched by SKU (in any letter case), then by barcode, and updated.
    A seller matches only their own products and uses only existing categories; an admin's
    import creates the categories it names, through catalog's service (audited).

    Quantities: a new product's quantity arrives as an opening goods receipt (posted). An
    existing product's stock is left alone (re-importing an exported price list must not undo
    the sales and write-offs made since the export) unless `set_quantities`: then the file's
    quantity is a count and the difference is posted as a stocktake named after the file.

    `expected_digest` / `expected_stock`: the preview's ImportResult.digest and stock_seen. The
    plan is made again under the products' locks and must be the same, otherwise
    ImportOutdated (saying whose stock moved) and nothing is written. One bad row imports
    nothing: every problem comes back with its line number. `rejected` (dry run only): rows
    the file check refused, checked here too so every problem is reported in one round.

    The confirm button's (and the command's) service: the write is durable, never inside
    another transaction; the receipt and the stocktake it posts are composed into it.
    """
    if dry_run:
        result, _categories = products_import_plan(
            rows=rows, rejected=rejected, by=by, set_quantities=set_quantities)
        result.dry_run = True
        return result
    if rejected:
        raise ValueError("rows with problems are never imported")

    try:
        with transaction.atomic(durable=True):
            first, _categories = products_import_plan(rows=rows, by=by,
                                                      set_quantities=set_quantities)
            # Lock what will change (primary-key order, as every stock writer does), then plan
            # again from the locked rows: no sale slips between the check and the write.
            lock_products_bulk([c.product.pk for c in first.changes] + list(first.stock_seen))
            result, categories = products_import_plan(rows=rows, by=by,
                                                      set_quantities=set_quantities)
            if result.errors:
                return result
            if expected_digest is not None and result.digest != expected_digest:
                raise _outdated(result, expected_stock)
            _write(result=result, categories=categories, by=by, seller=seller,
                   filename=filename, set_quantities=set_quantities, request=request)
    except IntegrityError:
        # A product with one of the file's SKUs or barcodes appeared since the plan.
        raise ImportOutdated(_("The products changed since the preview.")) from None
    return result


def _write(*, result: ImportResult, categories, by, seller, filename: str,
           set_quantities: bool, request) -> None:
    """Write a plan made under the products' locks (products_import)."""
    # Categories the file names that do not exist yet (an admin's import only), one by one
    # through catalog's service so that each is audited like one made on the categories page.
    for name in result.new_categories:
        categories[category_key(name)] = category_create(by=by, name=name, request=request)
    created = _create_products(result, categories, seller)
    price_changes = _update_products(result, categories)
    _post_opening_stock(result, created, by=by, filename=filename, request=request)
    _post_counted_stock(result, by=by, filename=filename, request=request)
    audit_record(actor=by, action="products.import", obj=seller, request=request, changes={
        "file": filename, "created": result.created, "updated": result.updated,
        "received_lines": result.received_lines, "adjusted_lines": result.adjusted_lines,
        "set_quantities": set_quantities, "categories": result.new_categories[:100],
        "price": dict(list(price_changes.items())[:100]),
    })
    catalog_changed()


def _create_products(result: ImportResult, categories, seller) -> list[Product]:
    """New products, with quantity zero (their stock arrives through the ledger), and the
    barcodes of the new and the changed ones. Returns the new products in the plan's order."""
    new_rows = result.new_products
    slugs = _unique_slugs([
        (f"{slugify(row.name, allow_unicode=True)[:150]}-"
         f"{slugify(row.sku or row.barcode, allow_unicode=True)[:60]}").strip("-")
        for row in new_rows], Product)
    created = Product.objects.bulk_create([
        Product(name=row.name, name_ru=row.name_ru, name_en=row.name_en, slug=slug,
                sku=row.sku or row.barcode,
                category=categories[category_key(row.category)], seller=seller,
                unit=row.unit or Unit.PIECE, price=row.price,
                cost_price=row.cost or Decimal("0"))
        for row, slug in zip(new_rows, slugs)
    ], batch_size=BULK_CHUNK)
    if created and created[0].pk is None:
        lookup = dict(Product.objects.filter(sku__in=[p.sku for p in created]).values_list(
            "sku", "pk"))
        for product in created:
            product.pk = product.id = lookup[product.sku]
    new_barcodes = [(change.product.pk, f.new) for change in result.changes
                    for f in change.fields if f.field == "barcode"]
    new_barcodes += [(product.pk, row.barcode) for product, row in zip(created, new_rows)
                     if row.barcode]
    ProductBarcode.objects.bulk_create(
        [ProductBarcode(product_id=pk, code=code) for pk, code in new_barcodes],
        batch_size=BULK_CHUNK)
    return created


def _update_products(result: ImportResult, categories) -> dict:
    """Changed fields of existing products. One executemany per changed column, each with only
    the products whose column changed (bulk_update's CASE per row is what made 50 000-row
    price updates slow). Returns {sku: [old price, new price]} for the audit entry."""
    columns: dict[str, list[Product]] = {}
    price_changes = {}
    for change in result.changes:
        product = change.product
        for item in change.fields:
            if item.field == "barcode":
                continue
            value = item.new
            if item.field == "category":
                value = categories[category_key(value)]
            elif item.field == "price":
                price_changes[product.sku] = [str(item.old), str(item.new)]
            setattr(product, item.field, value)
            columns.setdefault(item.field, []).append(product)
    for name in sorted(columns):
        update_column(columns[name], name)
    if "category" in columns:
        products_recategorised.send(sender=Product,
                                    product_ids=[p.pk for p in columns["category"]])
    return price_changes


def _post_opening_stock(result: ImportResult, created, *, by, filename: str, request) -> None:
    """Opening stock of the new products: one posted goods receipt."""
    opening = [(product, row) for product, row in zip(created, result.new_products)
               if row.quantity]
    if not opening:
        return
    receipt = GoodsReceipt.objects.create(
        created_by=by, supplier=_("Opening balance (import)"),
        supplier_number=filename[:64], date=timezone.localdate(),
        note=_("Imported from %(file)s") % {"file": filename[:200]})
    ReceiptLine.objects.bulk_create([
        ReceiptLine(document=receipt, product_id=product.pk, quantity=row.quantity,
                    unit_cost=row.cost or Decimal("0"))
        for product, row in opening], batch_size=BULK_CHUNK)
    result.receipt = receipt_post_in_transaction(receipt=receipt, by=by, request=request)


def _post_counted_stock(result: ImportResult, *, by, filename: str, request) -> None:
    """On-hand stock set to the file's quantities (asked for on the upload form): the
    differences, counted under the lock, as a posted stocktake."""
    if not result.adjustments:
        return
    stocktake = Stocktake.objects.create(
        created_by=by, note=_("Imported from %(file)s") % {"file": filename[:200]})
    now = timezone.now()
    StocktakeLine.objects.bulk_create([
        StocktakeLine(document=stocktake, product_id=a.product.pk, expected=a.on_hand,
                      counted=a.counted, book_at_count=a.on_hand, counted_at=now)
        for a in result.adjustments], batch_size=BULK_CHUNK)
    result.stocktake = stocktake_post_in_transaction(stocktake=stocktake, by=by,
                                                     request=request)


def _outdated(result: ImportResult, expected_stock: dict | None) -> ImportOutdated:
    moved = {int(pk): (Decimal(before), result.stock_seen[int(pk)])
             for pk, before in (expected_stock or {}).items()
             if int(pk) in result.stock_seen and result.stock_seen[int(pk)] != Decimal(before)}
    names = Product.objects.only("name", "unit").in_bulk(sorted(moved)[:10])
    changed = [(names[pk], *moved[pk]) for pk in sorted(moved)[:10] if pk in names]
    if not changed:
        return ImportOutdated(_("The products changed since the preview."))
    shown = ", ".join(
        f"{product.name} ({format_quantity(before, product.unit)} → "
        f"{format_quantity(now, product.unit)})" for product, before, now in changed[:10])
    if len(moved) > len(changed):
        shown += ", …"
    return ImportOutdated(_("On-hand stock changed since the preview: %(products)s.")
                          % {"products": shown}, stock_changed=changed)


def _unique_slugs(wanted: list[str], model) -> list[str]:
    """Make each slug unique against the table and against each other."""
    taken = set()
    for chunk in chunks(set(wanted)):
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    result = []
    for slug in wanted:
        candidate, n = slug, 2
        while candidate in taken:
            candidate = f"{slug[:200]}-{n}"
            n += 1
        taken.add(candidate)
        result.append(candidate)
    return result
