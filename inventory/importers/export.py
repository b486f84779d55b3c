"""Writing the product list back out (CSV or XLSX), in the page's language; the import reads
every language's file back (inventory.importers.columns)."""

import csv
from decimal import Decimal

from bibarys.units import Unit

from .columns import COLUMN_NAMES, COLUMNS, EXPORT_UNITS, FORMULA_STARTS, export_language


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading quote; numbers (even
    negative ones) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_rows(products, language: str = "en") -> list[list]:
    """[header, *rows], the header in `language`; the import reads every language back."""
    language = export_language(language)
    rows = [[COLUMN_NAMES[column][language] for column in COLUMNS]]
    units = EXPORT_UNITS[language]
    for product in products:
        barcode = product.first_barcode or ""
        places = Decimal("1") if product.unit == Unit.PIECE else Decimal("0.001")
        rows.append([
            neutralise(product.sku), neutralise(product.name), neutralise(barcode),
            neutralise(product.category.name), units.get(product.unit, product.unit),
            product.price, product.cost_price, product.quantity.quantize(places),
            neutralise(product.name_ru), neutralise(product.name_en),
        ])
    return rows


def write_csv(rows, stream, language: str = "en") -> None:
    """As the store's Excel opens it by a double click: UTF-8 with a BOM (Kazakh letters come
    out right); in Kazakh and Russian, `;` between cells and a decimal comma (the list
    separator and decimal mark of Windows set to those languages), in English `,` and a point."""
    comma = export_language(language) != "en"
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";" if comma else ",")
    for row in rows:
        writer.writerow([_csv_number(value, comma) if isinstance(value, Decimal) else value
                         for value in row])


def _csv_number(value: Decimal, comma: bool) -> str:
    text = format(value, "f")
    return text.replace(".", ",") if comma else text


def write_xlsx(rows, stream) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("products")
    for row in rows:
        sheet.append(row)
    workbook.save(stream)
