"""Reading the rows: a table of text (inventory.importers.files) → checked ImportRows, every
problem with its line number. Never touches the database; inventory.services.products_import
plans and writes the result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bibarys.fields import parse_decimal
from bibarys.limits import limit_for
from bibarys.units import quantity_fits_unit
from catalog.validators import ean_checksum_ok

from .columns import (
    COLUMN_NAMES, COLUMNS, FORMULA_STARTS, NUMBER_COLUMNS, ImportFileError, export_language,
    map_headers, parse_unit, sku_key,
)
from .files import HugeNumberCell, UnreadableCell, read_table

MAX_ERRORS_SHOWN = 200


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
    start, mapping = _header(table)
    result.columns = [c for c in COLUMNS if c in mapping]
    header = table[start]
    seen_sku, seen_barcode = {}, {}
    for offset, raw in enumerate(table[start + 1:], start=start + 2):
        if not any(cell.strip() for cell in raw):
            continue
        problems, invalid = [], set()

        def cell(column, raw=raw, problems=problems, invalid=invalid):
            return _cell(raw, column, mapping, header, problems, invalid)

        row = ImportRow(line=offset, sku=cell("sku")[:64], name=cell("name")[:200],
                        name_ru=cell("name_ru")[:200], name_en=cell("name_en")[:200],
                        barcode=cell("barcode"), category=cell("category")[:120],
                        invalid=invalid)
        _check_row(row, cell, problems)
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


def _header(table) -> tuple[int, dict[str, int]]:
    """The header row's index (blank lines above it skipped: 1C puts a title there sometimes)
    and its columns; a file without the columns the import needs, or without rows, is refused."""
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
    if not any(any(str(cell).strip() for cell in raw) for raw in table[start + 1:]):
        raise ImportFileError(_("The file names its columns but has no products below them."))
    return start, mapping


def _cell(raw, column, mapping, header, problems, invalid) -> str:
    """The text of a row's cell in `column` ("" when the file has no such column); a cell that
    cannot be read is reported once on the row's problems and reads as empty."""
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


def _check_row(row: ImportRow, cell, problems: list) -> None:
    """The row's own rules: a name, a SKU or a barcode, a valid EAN, a known unit, numbers its
    columns hold (none negative, a price above zero), whole quantities of a piece product."""
    invalid = row.invalid
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


def parse_file(data: bytes, filename: str = "") -> ParsedFile:
    return parse_table(read_table(data, filename))
