"""Reading product lists the way stores really keep them (1C exports, Excel sheets) and writing
them back out.

Reading never touches the database: `files.read_table` turns the bytes of a CSV or XLSX file
into rows of text, `rows.parse_table` maps the headers (Kazakh, Russian or English) and checks
every row; `columns` holds the column names and unit words both sides share, `export` writes the
list back out. `inventory.services.products_import` plans and writes the result.
"""

from .columns import (
    COLUMN_NAMES, COLUMNS, EXPORT_UNITS, FORMULA_STARTS, HEADER_ALIASES, NUMBER_COLUMNS,
    UNIT_ALIASES, ImportFileError, export_language, map_headers, parse_unit, sku_key,
)
from .export import export_rows, neutralise, write_csv, write_xlsx
from .files import (
    MAX_ROWS, MAX_UPLOAD_BYTES, MAX_XLSX_RATIO, MAX_XLSX_UNCOMPRESSED, FormulaCell,
    HugeNumberCell, UnreadableCell, check_xlsx_archive, read_table,
)
from .rows import MAX_ERRORS_SHOWN, ImportRow, ParsedFile, merge_errors, parse_file, parse_table

__all__ = [
    "COLUMNS", "COLUMN_NAMES", "EXPORT_UNITS", "FORMULA_STARTS", "HEADER_ALIASES",
    "MAX_ERRORS_SHOWN", "MAX_ROWS", "MAX_UPLOAD_BYTES", "MAX_XLSX_RATIO",
    "MAX_XLSX_UNCOMPRESSED", "NUMBER_COLUMNS", "UNIT_ALIASES", "FormulaCell", "HugeNumberCell",
    "ImportFileError", "ImportRow", "ParsedFile", "UnreadableCell", "check_xlsx_archive",
    "export_language", "export_rows", "map_headers", "merge_errors", "neutralise",
    "parse_file", "parse_table", "parse_unit", "read_table", "sku_key", "write_csv",
    "write_xlsx",
]
