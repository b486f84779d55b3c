"""Reading product lists the way stores really keep them (1C exports, Excel sheets) and writing
them back out.

Reading never touches the database: `read_table` turns the bytes of a CSV or XLSX file into rows
of text, `parse_table` maps the headers (Kazakh, Russian or English) and checks every row.
`inventory.services.products_import` plans and writes the result.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from bibarys.fields import parse_decimal
from bibarys.units import Unit, quantity_fits_unit
from catalog.validators import ean_checksum_ok

MAX_UPLOAD_BYTES = 20 * 1024 * 1024          # the file as sent
MAX_XLSX_UNCOMPRESSED = 150 * 1024 * 1024   # all members of the zip once inflated
MAX_XLSX_RATIO = 200                        # a sheet of text inflates ~10-20x; bombs 1000x
MAX_ROWS = 100_000
MAX_ERRORS_SHOWN = 200

COLUMNS = ("sku", "name", "barcode", "category", "unit", "price", "cost", "quantity")

# Header words as stores write them, lower-cased, without spaces around. The export writes the
# English ones.
HEADER_ALIASES = {
    "name": {"name", "product", "product name", "title", "атауы", "тауар", "тауар атауы",
             "наименование", "название", "товар", "номенклатура"},
    "sku": {"sku", "article", "code", "артикул", "код", "код товара"},
    "barcode": {"barcode", "ean", "ean13", "штрихкод", "штрих-код", "штрих код", "штрихкоды"},
    "category": {"category", "group", "санат", "санаты", "категория", "группа"},
    "unit": {"unit", "uom", "өлшем бірлігі", "өлшем", "единица", "единица измерения", "ед.",
             "ед", "ед. изм.", "ед.изм."},
    "price": {"price", "sale price", "бағасы", "баға", "сату бағасы", "цена", "цена продажи",
              "розничная цена"},
    "cost": {"cost", "cost price", "өзіндік құны", "өзіндік құн", "себестоимость",
             "закупочная цена", "цена закупки"},
    "quantity": {"quantity", "qty", "stock", "on hand", "саны", "қалдық", "количество",
                 "остаток", "кол-во"},
}
UNIT_ALIASES = {
    Unit.PIECE: {"piece", "pieces", "pcs", "pc", "шт", "шт.", "штука", "штук", "дана", "дн",
                 "дн.", "ea", "each"},
    Unit.KG: {"kg", "кг", "кг.", "kilogram", "килограмм", "килограмм.", "kilo"},
    Unit.LITRE: {"l", "л", "л.", "litre", "liter", "литр", "lt", "ltr"},
}
_UNIT_LOOKUP = {alias: unit for unit, aliases in UNIT_ALIASES.items() for alias in aliases}
_HEADER_LOOKUP = {alias: column for column, aliases in HEADER_ALIASES.items()
                  for alias in aliases}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, too big, a zip bomb, no header)."""


@dataclass
class ImportRow:
    line: int
    sku: str = ""
    name: str = ""
    barcode: str = ""
    category: str = ""
    unit: str = ""
    price: Decimal | None = None
    cost: Decimal | None = None
    quantity: Decimal | None = None

    @property
    def unit_label(self) -> str:
        """The unit as the preview shows it, in the visitor's language ("дана", "шт", "pcs")."""
        from bibarys.units import UNIT_SHORT

        return str(UNIT_SHORT.get(self.unit, self.unit)) if self.unit else ""

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("price", "cost", "quantity"):
            data[key] = None if data[key] is None else str(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict) -> ImportRow:
        data = dict(data)
        for key in ("price", "cost", "quantity"):
            data[key] = None if data.get(key) is None else Decimal(data[key])
        return cls(**data)


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------------
# Bytes to a table of text


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1251, which is what 1C and Russian Excel
    save as "CSV"."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(";,\t", key=first.count) if first else ","


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError(_("This does not look like a CSV file."))
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for row in reader:
        rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return rows


def check_xlsx_archive(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl inflates anything: the declared uncompressed size of
    the members and their compression ratio must be sensible."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileError(_("This does not look like an Excel (XLSX) file.")) from None
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > MAX_XLSX_RATIO \
                    and info.file_size > 1024 * 1024:
                raise ImportFileError(_("The spreadsheet is compressed suspiciously well; "
                                        "it was refused."))
        if total > MAX_XLSX_UNCOMPRESSED:
            raise ImportFileError(_("The spreadsheet is too large once unpacked."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel keeps barcodes and whole prices as floats: 4870001000016.0 → "4870001000016".
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    check_xlsx_archive(data)
    from openpyxl import load_workbook  # uses defusedxml when it is installed (it is)

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a broken or hostile workbook: say so, never a 500
        raise ImportFileError(_("The Excel file cannot be read.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(_("The file has more than %(max)s rows.")
                                      % {"max": MAX_ROWS})
        return rows
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(_("The Excel file cannot be read.")) from error
    finally:
        workbook.close()


def read_table(data: bytes, filename: str = "") -> list[list[str]]:
    """The rows of the first sheet (XLSX) or of the CSV text, as strings."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)s MB.")
                              % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if not data:
        raise ImportFileError(_("The file is empty."))
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith(".xls"):
        raise ImportFileError(_("Old Excel files (.xls) are not supported: save as .xlsx or CSV."))
    return _read_csv(data)


# ---------------------------------------------------------------------------------------------
# A table to checked rows


def _header_key(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").strip().lower().split()).rstrip(":*")


def map_headers(header: list[str]) -> dict[str, int]:
    mapping = {}
    for index, text in enumerate(header):
        column = _HEADER_LOOKUP.get(_header_key(text))
        if column and column not in mapping:
            mapping[column] = index
    return mapping


def parse_unit(text: str) -> str | None:
    key = " ".join(text.strip().lower().split())
    if not key:
        return ""
    unit = _UNIT_LOOKUP.get(key)
    return unit.value if unit else None


def _number(text: str, *, places: int):
    number = parse_decimal(text)
    if number is None:
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError("places")
    return number.quantize(Decimal(1).scaleb(-places))


def parse_table(table: list[list[str]]) -> ParsedFile:
    """Check every row; collect every problem with its line number (as a spreadsheet counts)."""
    result = ParsedFile()
    # Skip blank lines above the header (1C puts a title there sometimes).
    start = 0
    while start < len(table) and not any(cell.strip() for cell in table[start]):
        start += 1
    if start >= len(table):
        raise ImportFileError(_("The file is empty."))
    mapping = map_headers(table[start])
    if "name" not in mapping or ("sku" not in mapping and "barcode" not in mapping):
        raise ImportFileError(_(
            "The first row must name the columns: at least name and SKU (or barcode). "
            "Known headers: %(headers)s.") % {"headers": ", ".join(COLUMNS)})
    result.columns = [c for c in COLUMNS if c in mapping]
    seen_sku, seen_barcode = {}, {}
    for offset, raw in enumerate(table[start + 1:], start=start + 2):
        if not any(cell.strip() for cell in raw):
            continue

        def cell(column, raw=raw):
            index = mapping.get(column)
            text = raw[index].strip() if index is not None and index < len(raw) else ""
            # Our own export quotes cells a spreadsheet would run: take the quote off again.
            if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
                text = text[1:]
            return text

        row = ImportRow(line=offset, sku=cell("sku")[:64], name=cell("name")[:200],
                        barcode=cell("barcode"), category=cell("category")[:120])
        problems = []
        if not row.name:
            problems.append(_("the name is empty"))
        if not row.sku and not row.barcode:
            problems.append(_("give a SKU or a barcode"))
        if row.barcode and not ean_checksum_ok(row.barcode):
            problems.append(_("barcode %(code)s is not a valid EAN") % {"code": row.barcode})
        unit = parse_unit(cell("unit"))
        if unit is None:
            problems.append(_("unknown unit “%(unit)s” (use pcs, kg or l)")
                            % {"unit": cell("unit")})
        else:
            row.unit = unit
        for column, places, label in (("price", 2, _("price")), ("cost", 2, _("cost")),
                                      ("quantity", 3, _("quantity"))):
            try:
                value = _number(cell(column), places=places)
            except ValueError:
                problems.append(_("%(column)s “%(value)s” is not a number with at most "
                                  "%(places)s decimals")
                                % {"column": label, "value": cell(column), "places": places})
                continue
            if value is not None and value < 0:
                problems.append(_("%(column)s cannot be negative") % {"column": label})
                continue
            setattr(row, column, value)
        if row.price is not None and row.price == 0:
            problems.append(_("the price must be greater than zero"))
        if row.quantity is not None and row.unit and not quantity_fits_unit(row.quantity,
                                                                             row.unit):
            problems.append(_("a piece product takes whole quantities"))
        if row.sku:
            key = row.sku.lower()
            if key in seen_sku:
                problems.append(_("SKU %(sku)s is also on line %(line)s")
                                % {"sku": row.sku, "line": seen_sku[key]})
            seen_sku.setdefault(key, offset)
        if row.barcode:
            if row.barcode in seen_barcode:
                problems.append(_("barcode %(code)s is also on line %(line)s")
                                % {"code": row.barcode, "line": seen_barcode[row.barcode]})
            seen_barcode.setdefault(row.barcode, offset)
        if problems:
            result.errors.append((offset, "; ".join(problems)))
        else:
            result.rows.append(row)
    return result


def parse_file(data: bytes, filename: str = "") -> ParsedFile:
    return parse_table(read_table(data, filename))


# ---------------------------------------------------------------------------------------------
# Export

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading quote; numbers (even
    negative ones) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_rows(products) -> list[list]:
    """[header, *rows] with the English headers the import reads back."""
    rows = [list(COLUMNS)]
    for product in products:
        barcode = product.first_barcode or ""
        places = Decimal("1") if product.unit == Unit.PIECE else Decimal("0.001")
        rows.append([
            neutralise(product.sku), neutralise(product.name), neutralise(barcode),
            neutralise(product.category.name), product.unit, product.price, product.cost_price,
            product.quantity.quantize(places),
        ])
    return rows


def write_csv(rows, stream) -> None:
    """UTF-8 with a BOM (so Excel opens Kazakh letters right), comma-separated."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow([format(v, "f") if isinstance(v, Decimal) else v for v in row])


def write_xlsx(rows, stream) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("products")
    for row in rows:
        sheet.append(row)
    workbook.save(stream)
