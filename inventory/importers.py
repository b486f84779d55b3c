"""Reading product lists the way stores really keep them (1C exports, Excel sheets) and writing
them back out.

Reading never touches the database: `read_table` turns the bytes of a CSV or XLSX file into rows
of text, `parse_table` maps the headers (Kazakh, Russian or English) and checks every row.
`inventory.services.products_import` plans and writes the result.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bibarys.fields import parse_decimal
from bibarys.limits import limit_for
from bibarys.units import Unit, quantity_fits_unit
from catalog.validators import ean_checksum_ok

MAX_UPLOAD_BYTES = 20 * 1024 * 1024          # the file as sent
MAX_XLSX_UNCOMPRESSED = 150 * 1024 * 1024   # all members of the zip once inflated
MAX_XLSX_RATIO = 200                        # a sheet of text inflates ~10-20x; bombs 1000x
MAX_ROWS = 100_000
MAX_ERRORS_SHOWN = 200

# The names in Russian and English last: a file laid out as before keeps its columns' places.
# The columns that hold numbers (their bounds: bibarys.limits, the model fields').
NUMBER_COLUMNS = {"price", "cost", "quantity"}
COLUMNS = ("sku", "name", "barcode", "category", "unit", "price", "cost", "quantity", "name_ru",
           "name_en")

# The column names the export writes, per language, and the import reads in any language:
# a file exported on a Kazakh page imports on an English one. Written out here, not through
# gettext, because the import must know every language's names whatever the page's language.
# A new column (a name per language, say) is one more row here and in COLUMNS.
COLUMN_NAMES = {
    "sku": {"en": "sku", "kk": "артикул", "ru": "артикул"},
    "name": {"en": "name", "kk": "атауы", "ru": "наименование"},
    "barcode": {"en": "barcode", "kk": "штрихкод", "ru": "штрихкод"},
    "category": {"en": "category", "kk": "санат", "ru": "категория"},
    "unit": {"en": "unit", "kk": "өлшем бірлігі", "ru": "единица измерения"},
    "price": {"en": "price", "kk": "сату бағасы", "ru": "цена продажи"},
    "cost": {"en": "cost", "kk": "өзіндік құны", "ru": "себестоимость"},
    "quantity": {"en": "quantity", "kk": "қалдық", "ru": "остаток"},
    "name_ru": {"en": "name_ru", "kk": "атауы (орысша)", "ru": "наименование (рус.)"},
    "name_en": {"en": "name_en", "kk": "атауы (ағылшынша)", "ru": "наименование (англ.)"},
}
# How each language's export writes a unit (each one a word UNIT_ALIASES reads back).
EXPORT_UNITS = {
    "en": {Unit.PIECE: "pcs", Unit.KG: "kg", Unit.LITRE: "l"},
    "kk": {Unit.PIECE: "дана", Unit.KG: "кг", Unit.LITRE: "л"},
    "ru": {Unit.PIECE: "шт", Unit.KG: "кг", Unit.LITRE: "л"},
}

# Other header words as stores write them (1C, hand-made sheets), lower-cased, without spaces
# around; the import reads these and every name of COLUMN_NAMES.
HEADER_ALIASES = {
    "name": {"name", "product", "product name", "title", "атауы", "тауар", "тауар атауы",
             "наименование", "название", "товар", "номенклатура"},
    # The name in Russian and in English (optional; "name" is the store's language, Kazakh).
    "name_ru": {"name_ru", "name ru", "name (ru)", "name (russian)", "атауы (орысша)",
                "орысша атауы", "наименование (рус)", "наименование (рус.)",
                "название (рус)", "название на русском"},
    "name_en": {"name_en", "name en", "name (en)", "name (english)", "атауы (ағылшынша)",
                "ағылшынша атауы", "наименование (англ)", "наименование (англ.)",
                "название (англ)", "название на английском"},
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
_HEADER_LOOKUP.update({name: column for column, names in COLUMN_NAMES.items()
                       for name in names.values()})


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, too big, a zip bomb, no header)."""


@dataclass
class ImportRow:
    line: int
    sku: str = ""
    name: str = ""
    name_ru: str = ""
    name_en: str = ""
    barcode: str = ""
    category: str = ""
    unit: str = ""
    price: Decimal | None = None
    cost: Decimal | None = None
    quantity: Decimal | None = None
    # Columns whose cell could not be read (a bad number, an unknown unit): the later checks
    # (inventory.services.products_import) leave them out instead of reporting them twice.
    invalid: set = field(default_factory=set, repr=False, compare=False)

    @property
    def unit_label(self) -> str:
        """The unit as the preview shows it, in the visitor's language ("дана", "шт", "pcs")."""
        from bibarys.units import UNIT_SHORT

        return str(UNIT_SHORT.get(self.unit, self.unit)) if self.unit else ""

    def to_json(self) -> dict:
        data = asdict(self)
        del data["invalid"]  # only rows without problems are ever stored
        for key in ("price", "cost", "quantity"):
            data[key] = None if data[key] is None else str(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict) -> ImportRow:
        data = dict(data)
        data.pop("invalid", None)
        for key in ("price", "cost", "quantity"):
            data[key] = None if data.get(key) is None else Decimal(data[key])
        return cls(**data)


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    columns: list[str] = field(default_factory=list)
    # The rows with problems, as far as they could be read: the later checks run on them too,
    # so a file is fixed in one round, not one per kind of check.
    rejected: list[ImportRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def merge_errors(*lists) -> list[tuple[int, str]]:
    """[(line, message)] from several checks as one list by line, one entry per line."""
    merged: dict[int, list[str]] = {}
    for errors in lists:
        for line, message in errors:
            if message not in merged.setdefault(line, []):
                merged[line].append(message)
    return [(line, "; ".join(messages)) for line, messages in sorted(merged.items())]


class UnreadableCell(str):
    """A spreadsheet cell whose value cannot be used, kept with the reason: it reads as the
    empty string (or what it shows), and parse_table reports it on its row when the column is
    one it reads, instead of the value passing for an empty cell or failing the whole file."""

    coordinate: str = ""

    def __new__(cls, coordinate: str, shown: str = ""):
        cell = super().__new__(cls, shown)
        cell.coordinate = coordinate
        return cell

    def problem(self, column: str) -> str:
        raise NotImplementedError


class FormulaCell(UnreadableCell):
    """A formula whose value cannot be used: no value saved with it (a file written by a
    program, not by Excel) or an Excel error (#REF!)."""

    error: str = ""

    def __new__(cls, coordinate: str, error: str = ""):
        cell = super().__new__(cls, coordinate, error)
        cell.error = error
        return cell

    def problem(self, column: str) -> str:
        names = {"cell": self.coordinate, "column": column}
        if self.error:
            return (_("cell %(cell)s (%(column)s) holds the Excel error %(error)s")
                    % {**names, "error": self.error})
        return (_("cell %(cell)s (%(column)s) is a formula without a saved value: formulas "
                  "are not read, paste the values instead") % names)


class HugeNumberCell(UnreadableCell):
    """A number cell beyond what a spreadsheet holds exactly (15 significant digits: 1E+30, a
    barcode typed as a number past 15 digits), or not a number at all (INF, NaN)."""

    @property
    def finite(self) -> bool:
        try:
            return Decimal(str(self)).is_finite()
        except InvalidOperation:
            return False

    def problem(self, column: str) -> str:
        return (_("cell %(cell)s (%(column)s) holds the number %(value)s, beyond the 15 "
                  "digits a spreadsheet keeps exactly: check the cell, or type it as text")
                % {"cell": self.coordinate, "column": column, "value": str(self)})


# ---------------------------------------------------------------------------------------------
# Bytes to a table of text


# Byte-order marks, longest first (a UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# C0 control characters that no CSV holds (tab, line feed and carriage return aside): bytes of
# another kind of file, or of an encoding guessed wrong.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SNIFF_BYTES = 64 * 1024


def _decode(data: bytes) -> str:
    """The text of a CSV file as stores save it: UTF-8 with or without a BOM ("CSV UTF-8"),
    UTF-16 with a BOM (Excel's "Unicode text", tab-separated), else Windows-1251 (1C and
    Russian Excel's plain "CSV"). Anything else (random bytes, a picture or a PDF renamed to
    .csv, UTF-16 without its mark) is refused with a word on how to save the file."""
    unreadable = ImportFileError(_(
        "The file's text encoding could not be recognised. Save it from Excel as "
        "“CSV UTF-8” or “Unicode text”, or upload the XLSX file itself."))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise unreadable from None
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1251")
            except UnicodeDecodeError:
                raise unreadable from None
    if _CONTROL.search(text):
        raise unreadable
    return text


def _delimiter_candidates(text: str):
    first = next((line for line in text[:SNIFF_BYTES].splitlines() if line.strip()), "")
    return first, sorted(";\t,", key=first.count, reverse=True)


def _sniff_delimiter(text: str) -> str:
    """The separator that makes the most known column names of the header row (so that
    decimal commas in a `;` file or commas in a product name never decide), else the one the
    first lines use most consistently."""
    first, candidates = _delimiter_candidates(text)
    if not first:
        return ","
    known = {delimiter: len(map_headers(next(csv.reader([first], delimiter=delimiter))))
             for delimiter in candidates}
    best = max(candidates, key=known.get)  # stable: ties go to the commonest character
    if known[best]:
        return best
    sample = "\n".join(text[:SNIFF_BYTES].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";\t,").delimiter
    except csv.Error:
        return candidates[0] if first.count(candidates[0]) else ","


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _collect_rows(reader)
    except csv.Error:
        # A cell longer than the csv module takes (128 KiB) or a stray NUL: not a price list.
        raise ImportFileError(_("Line %(line)s of the file cannot be read as CSV.")
                              % {"line": reader.line_num or 1}) from None


_BLANK: tuple = ()


def _collect_rows(rows) -> list:
    """The rows that hold values, each at its own index (so line numbers stay the sheet's);
    blank rows between them are one shared empty tuple, blank rows at the end are dropped. Only
    rows with values count towards MAX_ROWS: a formatted but empty cell far below the data (or
    a CSV ending in empty separators) is not a reason to refuse an 80-row file."""
    table, blanks, filled = [], 0, 0
    for row in rows:
        # A row of nothing but uncalculated formulas (a template's formulas filled down below
        # the data) is blank too; in a row with data they are reported by parse_table.
        if not any(str(cell).strip() for cell in row):
            blanks += 1
            continue
        filled += 1
        if filled > MAX_ROWS + 1:  # the header and MAX_ROWS rows of data
            raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
        table.extend([_BLANK] * blanks)
        blanks = 0
        table.append(row)
    return table


def check_xlsx_archive(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl inflates anything: the declared uncompressed size of
    the members and their compression ratio must be sensible."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # BadZipFile, and NotImplementedError, EOFError... for a hostile one
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


EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number, and so does a float


def _cell_text(value, coordinate: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # a TRUE/FALSE cell: bool is an int, but not a number here
        return str(value).upper()
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) >= 10 ** EXACT_DIGITS:
            return HugeNumberCell(coordinate, f"{value:.6g}".upper())
        # Excel keeps barcodes and whole prices as floats: 4870001000016.0 → "4870001000016".
        if isinstance(value, int) or value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _sheet_has_formulas(workbook, sheet) -> bool:
    """Whether the sheet's XML holds any formula (an <f> element), read as a stream."""
    tail = b""
    with workbook._archive.open(sheet._worksheet_path) as source:
        while chunk := source.read(1024 * 1024):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _open_xlsx(data: bytes, *, data_only: bool):
    from openpyxl import load_workbook  # uses defusedxml when it is installed (it is)

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # a broken or hostile workbook: say so, never a 500
        raise ImportFileError(_("The Excel file cannot be read.")) from error


def _first_sheet(workbook):
    sheet = workbook.worksheets[0]
    # Rows only as wide as their cells, whatever the sheet's <dimension> claims: a file saying
    # A1:XFD1048576 would otherwise have every row padded to 16 384 cells.
    sheet.reset_dimensions()
    return sheet


def _read_xlsx(data: bytes) -> list[list[str]]:
    """The first sheet's values as Excel saved them (a formula reads as its saved value).

    A formula cell without a saved value (or with an Excel error) must not pass for an empty
    cell: then an empty price would leave the product "unchanged". When the sheet holds
    formulas at all, the same sheet is streamed a second time without data_only, next to the
    first, to see which cells they are. Both passes are read-only streams: memory stays
    bounded by the row, not the sheet."""
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.utils import get_column_letter

    check_xlsx_archive(data)
    workbook = _open_xlsx(data, data_only=True)
    formulas = None
    try:
        sheet = _first_sheet(workbook)
        if _sheet_has_formulas(workbook, sheet):
            formulas = _open_xlsx(data, data_only=False)
            formula_rows = _first_sheet(formulas).iter_rows()
        else:
            formula_rows = None

        def rows():
            if formula_rows is None:  # the usual case, and the fast one
                # Read-only rows come one per sheet row, gaps filled: numbered from 1.
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield [_cell_text(value, f"{get_column_letter(column)}{number}")
                           for column, value in enumerate(values, start=1)]
                return
            for cells, formula_cells in zip(sheet.iter_rows(), formula_rows, strict=True):
                row = []
                for cell, formula in zip(cells, formula_cells, strict=True):
                    value = cell.value
                    # An empty text result is saved as t="str" with an empty value; a formula
                    # never calculated has no type and no value.
                    if getattr(formula, "data_type", None) == "f" and (
                            value is None and cell.data_type != "str"
                            or value in ERROR_CODES):
                        row.append(FormulaCell(formula.coordinate, value or ""))
                    else:
                        row.append(_cell_text(value, getattr(cell, "coordinate", "")))
                yield row

        return _collect_rows(rows())
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(_("The Excel file cannot be read.")) from error
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()


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


def _column_limit(column: str):
    """The bounds of the product column an import column fills (bibarys/limits.py)."""
    from catalog.models import Product

    name = {"price": "price", "cost": "cost_price", "quantity": "quantity"}[column]
    return limit_for(Product._meta.get_field(name)).narrowed(min_value=0)


def _number(text: str, *, places: int, limit=None):
    """A cell's number; ValueError when it is none (or has too many decimals), ValidationError
    (with the limit named) when its column cannot hold it."""
    number = parse_decimal(text)
    if number is None:
        return None
    if limit is not None and number >= 0:  # a negative number is told so by the caller
        problem = limit.error(number)
        if problem is not None and problem.code != "places":
            raise problem
    try:
        rounded = number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # -1e30: more digits than a Decimal holds
        if limit is not None:
            raise limit.error(number) from None
        raise ValueError("range") from None
    if number != rounded:
        raise ValueError("places")
    return rounded


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
            "Known headers: %(headers)s.") % {"headers": ", ".join(
                COLUMN_NAMES[column][export_language(get_language())] for column in COLUMNS)})
    result.columns = [c for c in COLUMNS if c in mapping]
    if not any(any(str(cell).strip() for cell in raw) for raw in table[start + 1:]):
        raise ImportFileError(_("The file names its columns but has no products below them."))
    header = table[start]
    seen_sku, seen_barcode = {}, {}
    for offset, raw in enumerate(table[start + 1:], start=start + 2):
        if not any(cell.strip() for cell in raw):
            continue
        problems, invalid = [], set()

        def cell(column, raw=raw, problems=problems, invalid=invalid):
            index = mapping.get(column)
            value = raw[index] if index is not None and index < len(raw) else ""
            if isinstance(value, HugeNumberCell) and column in NUMBER_COLUMNS and value.finite:
                # Too large for any of our number columns too: the limits' one message says
                # so, naming the limit, as for the same number typed as text.
                value = str(value)
            if isinstance(value, UnreadableCell):
                if column not in invalid:
                    invalid.add(column)
                    problems.append(value.problem(header[index].strip()))
                return ""
            text = value.strip()
            # Our own export quotes cells a spreadsheet would run: take the quote off again.
            if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
                text = text[1:]
            return text

        row = ImportRow(line=offset, sku=cell("sku")[:64], name=cell("name")[:200],
                        name_ru=cell("name_ru")[:200], name_en=cell("name_en")[:200],
                        barcode=cell("barcode"), category=cell("category")[:120],
                        invalid=invalid)
        if not row.name and "name" not in invalid:
            problems.append(_("the name is empty"))
        if not row.sku and not row.barcode and not {"sku", "barcode"} & invalid:
            problems.append(_("give a SKU or a barcode"))
        if row.barcode and not ean_checksum_ok(row.barcode):
            problems.append(_("barcode %(code)s is not a valid EAN") % {"code": row.barcode})
            invalid.add("barcode")
        unit = parse_unit(cell("unit"))
        if unit is None:
            problems.append(_("unknown unit “%(unit)s” (use pcs, kg or l)")
                            % {"unit": cell("unit")})
            invalid.add("unit")
        else:
            row.unit = unit
        for column, places, label in (("price", 2, _("price")), ("cost", 2, _("cost")),
                                      ("quantity", 3, _("quantity"))):
            try:
                value = _number(cell(column), places=places, limit=_column_limit(column))
            except ValueError:
                problems.append(_("%(column)s “%(value)s” is not a number with at most "
                                  "%(places)s decimals")
                                % {"column": label, "value": cell(column), "places": places})
                invalid.add(column)
                continue
            except ValidationError as error:  # outside what the column holds: named
                problems.append(_("%(column)s “%(value)s”: %(problem)s") % {
                    "column": label, "value": cell(column)[:40], "problem": error.messages[0]})
                invalid.add(column)
                continue
            if value is not None and value < 0:
                problems.append(_("%(column)s cannot be negative") % {"column": label})
                invalid.add(column)
                continue
            setattr(row, column, value)
        if row.price is not None and row.price == 0:
            problems.append(_("the price must be greater than zero"))
            invalid.add("price")
        if row.quantity is not None and row.unit and not quantity_fits_unit(row.quantity,
                                                                             row.unit):
            problems.append(_("a piece product takes whole quantities"))
            invalid.add("quantity")
        if row.sku:
            # The same key as products_import matches existing SKUs with: letter case aside.
            key = sku_key(row.sku)
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
            result.rejected.append(row)
        else:
            result.rows.append(row)
    return result


def sku_key(sku: str) -> str:
    """SKUs are matched in any letter case ("bb-000001" is BB-000001), Cyrillic included:
    compared in Python, since SQLite's lower() folds only ASCII."""
    return sku.strip().casefold()


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


def export_language(language: str | None) -> str:
    """The export's language for a page language ("ru", "kk", "en-us" → "en")."""
    code = (language or "en").split("-")[0].lower()
    return code if code in EXPORT_UNITS else "en"


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
