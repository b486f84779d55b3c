"""The product import's plan: what importing checked rows (inventory.importers) would do, read
from the database as it is now. Writes nothing; inventory.services.import_write applies it."""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bibarys.money import format_money, format_quantity
from bibarys.units import UNIT_SHORT, quantity_fits_unit
from catalog.models import Category, Product, ProductBarcode

from ..importers import sku_key
from ..models import GoodsReceipt, Stocktake
from .ledger import BULK_CHUNK


@dataclass
class FieldChange:
    """One column of an existing product that the import changes: the preview shows old → new."""

    field: str
    old: object
    new: object

    @property
    def label(self) -> str:
        return {"name": pgettext("product", "Name"), "name_ru": _("Name in Russian"),
                "name_en": _("Name in English"), "category": _("Category"),
                "unit": _("Unit"), "price": _("Price"), "cost_price": _("Cost"),
                "barcode": _("Barcode")}[self.field]

    def _shown(self, value) -> str:
        if self.field in ("price", "cost_price"):
            return format_money(value)
        if self.field == "unit":
            return str(UNIT_SHORT.get(value, value))
        return str(value)

    @property
    def shown_old(self) -> str:
        return self._shown(self.old)

    @property
    def shown_new(self) -> str:
        return self._shown(self.new)


@dataclass
class ProductChange:
    line: int
    product: Product
    fields: list[FieldChange]


@dataclass
class StockAdjustment:
    """An existing product's on-hand quantity set to the file's (the user asked for it)."""

    line: int
    product: Product
    on_hand: Decimal
    counted: Decimal

    @property
    def difference(self) -> Decimal:
        return self.counted - self.on_hand


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    received_lines: int = 0
    adjusted_lines: int = 0
    errors: list = field(default_factory=list)  # [(line, message)]
    receipt: GoodsReceipt | None = None
    stocktake: Stocktake | None = None
    dry_run: bool = False
    # The plan, as the preview lists it and the confirm must find it again.
    new_products: list = field(default_factory=list)  # [ImportRow]
    changes: list[ProductChange] = field(default_factory=list)
    adjustments: list[StockAdjustment] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    # Existing products whose quantity in the file differs from on hand, left alone because
    # the user did not ask to set stock.
    quantities_ignored: int = 0
    # On hand of every existing product whose quantity the file sets, as the plan saw it.
    stock_seen: dict = field(default_factory=dict)  # {product pk: Decimal}

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def digest(self) -> str:
        """A fingerprint of everything the import would write: the confirm compares it with
        the preview's, so it applies exactly what the user saw, or nothing."""
        plan = {
            "new": [row.line for row in self.new_products],
            "changes": [[c.line, c.product.pk, [[f.field, str(f.old), str(f.new)]
                                                 for f in c.fields]] for c in self.changes],
            "adjustments": [[a.line, a.product.pk, str(a.on_hand), str(a.counted)]
                            for a in self.adjustments],
            "stock": sorted([pk, str(q)] for pk, q in self.stock_seen.items()),
            "categories": self.new_categories,
            "unchanged": self.unchanged,
        }
        return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()


class ImportOutdated(ValidationError):
    """What the preview showed is no longer what the import would do (a sale or a write-off
    moved stock the file sets, someone edited a product): nothing is written."""

    def __init__(self, message: str, stock_changed=()):
        self.stock_changed = list(stock_changed)  # [(product, on hand at preview, now)]
        super().__init__(message, code="import_outdated")


def chunks(items, size=BULK_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def category_key(name: str) -> str:
    # Compared in Python: SQLite lowers only ASCII letters (as catalog's category names do).
    return " ".join(name.split()).casefold()


IMPORT_FIELDS = ("pk", "sku", "name", "name_ru", "name_en", "unit", "price", "cost_price",
                 "quantity", "seller_id", "category_id", "category__name")


def products_import_plan(*, rows, rejected=(), by, set_quantities: bool,
                         ) -> tuple[ImportResult, dict[str, Category]]:
    """What importing `rows` would do, read from the database as it is now. Writes nothing.
    `rejected`: rows the file check refused; they are checked here too (their errors only), so
    the user sees every problem of the file at once. Returns the plan and the store's
    categories by their key (the write finds each row's category there)."""
    everything = sorted([(row, True) for row in rows] + [(row, False) for row in rejected],
                        key=lambda item: item[0].line)
    planner = _Planner(by=by, rows=[row for row, _accepted in everything])
    for row, accepted in everything:
        planner.plan_row(row, accepted=accepted, set_quantities=set_quantities)
    return planner.finish(), planner.categories


def _usable(row, column) -> bool:
    return bool(getattr(row, column)) and column not in row.invalid


class _Planner:
    """The store as the plan needs it, read once for the whole file (every SKU, the file's
    barcodes, the products they name, the categories), and the plan made row by row."""

    def __init__(self, *, by, rows):
        self.by = by
        self.by_admin = getattr(by, "is_admin", False)
        self.result = ImportResult()
        self.new_categories: dict[str, str] = {}
        self.matched_on: dict[int, int] = {}  # product pk → the line that matched it
        # Every SKU of the store by its key: SKUs match in any letter case, which no database
        # lookup does for Cyrillic on SQLite. Two columns of each product, read once.
        keys = {sku_key(row.sku) for row in rows if _usable(row, "sku")}
        keys |= {sku_key(row.barcode) for row in rows if _usable(row, "barcode")}
        self.sku_index: dict[str, list[int]] = {}
        if keys:
            for pk, sku in Product.objects.values_list("pk", "sku").iterator(chunk_size=5000):
                key = sku_key(sku)
                if key in keys:
                    self.sku_index.setdefault(key, []).append(pk)
        self.barcode_owner = {}
        for chunk in chunks({row.barcode for row in rows if _usable(row, "barcode")}):
            self.barcode_owner.update(ProductBarcode.objects.filter(code__in=chunk).values_list(
                "code", "product_id"))
        wanted = ({pk for pks in self.sku_index.values() for pk in pks}
                  | set(self.barcode_owner.values()))
        self.products: dict[int, Product] = {}
        for chunk in chunks(sorted(wanted)):
            for product in Product.objects.filter(pk__in=chunk).select_related(
                    "category").only(*IMPORT_FIELDS):
                self.products[product.pk] = product
        self.categories: dict[str, Category] = {}
        for category in Category.objects.order_by("pk").only("pk", "name"):
            self.categories.setdefault(category_key(category.name), category)

    def mine(self, product) -> bool:
        return self.by_admin or product.seller_id == self.by.pk

    def category_for(self, row, problems):
        """The category a row names, or None when an admin's import will create it."""
        category = self.categories.get(category_key(row.category))
        if category is None:
            if not self.by_admin:  # categories are the admin's (DOMAIN.md)
                problems.append(_("there is no category “%(name)s”: ask an admin to create it")
                                % {"name": row.category})
            elif category_key(row.category) not in self.new_categories:
                self.new_categories[category_key(row.category)] = " ".join(row.category.split())
        return category

    def plan_row(self, row, *, accepted: bool, set_quantities: bool) -> None:
        """Match the row to a product of the store (SKU in any letter case, then barcode) and
        plan it as a new product or as changes to that one; its problems go to the errors."""
        problems = []
        product, via = None, ""
        if _usable(row, "sku"):
            candidates = self.sku_index.get(sku_key(row.sku), [])
            exact = [pk for pk in candidates if self.products[pk].sku == row.sku]
            if exact or len(candidates) == 1:
                product, via = self.products[(exact or candidates)[0]], "sku"
            elif candidates:
                if any(self.mine(self.products[pk]) for pk in candidates):
                    problems.append(_("SKU %(sku)s matches several products that differ only "
                                      "in letter case: write it exactly") % {"sku": row.sku})
                else:
                    problems.append(_("this SKU is taken"))
                self.result.errors.append((row.line, "; ".join(problems)))
                return
        barcode = row.barcode if _usable(row, "barcode") else ""
        if product is None and barcode in self.barcode_owner:
            product, via = self.products[self.barcode_owner[barcode]], "barcode"
        if product is not None and not self.mine(product):
            # Anything not yours gives no hint that it exists: no name, no stock, no owner.
            problems.append(_("this SKU is taken") if via == "sku"
                            else _("this barcode is taken"))
            self.result.errors.append((row.line, "; ".join(problems)))
            return
        if barcode in self.barcode_owner and product is not None \
                and self.barcode_owner[barcode] != product.pk:
            if self.mine(self.products[self.barcode_owner[barcode]]):
                problems.append(_("barcode %(code)s belongs to another product")
                                % {"code": barcode})
            else:
                problems.append(_("this barcode is taken"))
        if product is None:
            self._plan_new(row, accepted, barcode, problems)
        else:
            self._plan_existing(row, accepted, product, barcode, problems, set_quantities)

    def _plan_new(self, row, accepted: bool, barcode: str, problems: list) -> None:
        if not row.category:
            if "category" not in row.invalid:
                problems.append(_("a new product needs a category"))
        else:
            self.category_for(row, problems)
        if row.price is None and "price" not in row.invalid:
            problems.append(_("a new product needs a price"))
        if not row.sku and barcode and sku_key(barcode) in self.sku_index:
            problems.append(_("SKU %(sku)s is taken") % {"sku": barcode})
        if problems:
            self.result.errors.append((row.line, "; ".join(problems)))
        elif accepted:
            self.result.new_products.append(row)

    def _plan_existing(self, row, accepted: bool, product: Product, barcode: str,
                       problems: list, set_quantities: bool) -> None:
        result = self.result
        if product.pk in self.matched_on:
            problems.append(_("the same product as on line %(line)s")
                            % {"line": self.matched_on[product.pk]})
        self.matched_on.setdefault(product.pk, row.line)
        fields = self._field_changes(row, product, barcode, problems)
        adjustment = None
        if row.quantity is not None and "quantity" not in row.invalid:
            if set_quantities:
                result.stock_seen[product.pk] = product.quantity
                if row.quantity != product.quantity:
                    if not quantity_fits_unit(row.quantity, row.unit or product.unit):
                        problems.append(_("a piece product takes whole quantities"))
                    adjustment = StockAdjustment(line=row.line, product=product,
                                                 on_hand=product.quantity, counted=row.quantity)
            elif row.quantity != product.quantity and accepted:
                result.quantities_ignored += 1
        if problems:
            result.errors.append((row.line, "; ".join(problems)))
            return
        if not accepted:
            return
        if fields:
            result.changes.append(ProductChange(line=row.line, product=product, fields=fields))
        if adjustment:
            result.adjustments.append(adjustment)
        if not fields and not adjustment:
            result.unchanged += 1

    def _field_changes(self, row, product: Product, barcode: str,
                       problems: list) -> list[FieldChange]:
        """The columns of an existing product the row changes (an empty cell changes none)."""
        fields = []
        if row.name and row.name != product.name:
            fields.append(FieldChange("name", product.name, row.name))
        for column in ("name_ru", "name_en"):  # an empty cell keeps the product's own
            if getattr(row, column) and getattr(row, column) != getattr(product, column):
                fields.append(FieldChange(column, getattr(product, column),
                                          getattr(row, column)))
        if row.category and category_key(row.category) != category_key(product.category.name):
            category = self.category_for(row, problems)
            fields.append(FieldChange("category", product.category.name,
                                      category.name if category else row.category))
        if row.unit and row.unit != product.unit:
            if not quantity_fits_unit(product.quantity, row.unit):
                problems.append(_("the unit cannot become pieces while %(qty)s is on hand")
                                % {"qty": format_quantity(product.quantity, product.unit)})
            fields.append(FieldChange("unit", product.unit, row.unit))
        if row.price is not None and row.price != product.price:
            fields.append(FieldChange("price", product.price, row.price))
        if row.cost is not None and row.cost != product.cost_price:
            fields.append(FieldChange("cost_price", product.cost_price, row.cost))
        if barcode and barcode not in self.barcode_owner:
            fields.append(FieldChange("barcode", "", barcode))
        return fields

    def finish(self) -> ImportResult:
        result = self.result
        result.errors.sort(key=lambda error: error[0])
        result.new_categories = list(self.new_categories.values())
        result.created = len(result.new_products)
        result.updated = len(result.changes)
        result.received_lines = sum(1 for row in result.new_products if row.quantity)
        result.adjusted_lines = len(result.adjustments)
        return result
