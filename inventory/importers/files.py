"""Reading the file: the bytes of a CSV or XLSX file → a table of text (rows of cells), the way
stores save them (1C exports, Excel sheets). Never touches the database."""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .columns import ImportFileError, map_headers

MAX_UPLOAD_BYTES = 20 * 1024 * 1024          # the file as sent
MAX_XLSX_UNCOMPRESSED = 150 * 1024 * 1024   # all members of the zip once inflated
MAX_XLSX_RATIO = 200                        # a sheet of text inflates ~10-20x; bombs 1000x
MAX_ROWS = 100_000


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
