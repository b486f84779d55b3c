"""Excel workbooks of the reports (openpyxl, write-only so that a big stock list streams).

One sheet per section; the header row bold and frozen; numbers stored as numbers with number
formats (money with 2 places, quantities with up to 3); column widths set. A text cell that a
spreadsheet would read as a formula (= + - @, tab, carriage return) is prefixed with an
apostrophe, so a product called "=HYPERLINK(…)" stays text."""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from .templatetags.analytics_tags import unit_short

MONEY_FORMAT = '#,##0.00 "₸"'
QUANTITY_FORMAT = "#,##0.0##"  # a fraction: 1.25, 0.5 (whole numbers get INTEGER_FORMAT)
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = '0.0" %"'
DATE_FORMAT = "dd.mm.yyyy"
FORMATS = {"money": MONEY_FORMAT, "qty": QUANTITY_FORMAT, "int": INTEGER_FORMAT,
           "percent": PERCENT_FORMAT, "date": DATE_FORMAT}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BAD_TITLE_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def safe_text(value) -> str:
    """Text that no spreadsheet will run as a formula."""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class ReportWorkbook:
    def __init__(self):
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)

    def sheet(self, title: str, columns: list[tuple[str, str, int]]):
        """A new sheet with a bold header row; columns are (header, kind, width)."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        sheet = self.book.create_sheet(str(title).translate(BAD_TITLE_CHARS)[:31])
        sheet.freeze_panes = "A2"
        for index, (_header, _kind, width) in enumerate(columns, start=1):
            from openpyxl.utils import get_column_letter

            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for name, kind, _width in columns:
            cell = WriteOnlyCell(sheet, value=safe_text(name))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEF2EF")
            if kind in ("money", "qty", "int", "percent"):
                cell.alignment = Alignment(horizontal="right")
            header.append(cell)
        sheet.append(header)
        sheet._kinds = [kind for _name, kind, _width in columns]
        return sheet

    def row(self, sheet, values, *, bold: bool = False, kinds: list[str] | None = None):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        cells = []
        for value, kind in zip(values, kinds or sheet._kinds):
            if value is None or value == "":
                cell = WriteOnlyCell(sheet, value=None)
            elif kind == "text":
                cell = WriteOnlyCell(sheet, value=safe_text(value))
            elif kind == "date":
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
            else:
                number = Decimal(value)
                cell = WriteOnlyCell(sheet, value=number)
                cell.number_format = FORMATS[kind]
                if kind == "qty" and number == number.to_integral_value():
                    cell.number_format = INTEGER_FORMAT  # 8, not "8." as #,##0.### shows it
            if bold:
                cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def about_sheet(book: ReportWorkbook, report: dict):
    """The first sheet: which store, which report, which period, whose products."""
    sheet = book.sheet(_("Report"), [(_("Field"), "text", 22), (_("Value"), "text", 48)])
    period = report["period"]
    viewer = report["viewer"]
    book.row(sheet, [_("Store"), settings.STORE_NAME])
    book.row(sheet, [_("Report"), str(report["title"])])
    if report["name"] == "stock":
        book.row(sheet, [_("As of"), report["generated_at"].strftime("%d.%m.%Y %H:%M")])
    else:
        book.row(sheet, [_("Period"), f"{period.first:%d.%m.%Y} — {period.last:%d.%m.%Y}"])
    book.row(sheet, [_("Scope"), _("The whole store") if report["store_wide"]
                     else f"{_('Seller')}: {viewer.display_name}"])
    book.row(sheet, [_("Generated"), report["generated_at"].strftime("%d.%m.%Y %H:%M")])
    return sheet


def sales_workbook(report: dict) -> bytes:
    book = ReportWorkbook()
    about_sheet(book, report)
    totals = report["totals"]
    sheet = book.sheet(_("Totals"), [(_("Figure"), "text", 30), (_("Value"), "money", 20)])
    book.row(sheet, [_("Revenue"), totals["revenue"]])
    book.row(sheet, [_("Cost of goods"), totals["cost"]])
    book.row(sheet, [_("Profit"), totals["profit"]], bold=True)
    book.row(sheet, [_("Average check"), totals["average_check"]])
    book.row(sheet, [_("Orders"), totals["orders"]], kinds=["text", "int"])
    book.row(sheet, [_("Items sold"), totals["items"]], kinds=["text", "qty"])

    by_day = book.sheet(_("By day"), [(_("Day"), "date", 14), (_("Orders"), "int", 10),
                                      (_("Revenue"), "money", 18), (_("Cost"), "money", 18),
                                      (_("Profit"), "money", 18)])
    for p in report["by_day"]:
        book.row(by_day, [p.start, p.orders, p.revenue, p.cost, p.profit])
    book.row(by_day, [_("Total"), totals["orders"], totals["revenue"], totals["cost"],
                      totals["profit"]], bold=True, kinds=["text", "int", "money", "money",
                                                           "money"])

    by_product = book.sheet(_("By product"), [
        (_("Product"), "text", 40), ("SKU", "text", 16), (_("Unit"), "text", 8),
        (_("Quantity"), "qty", 12), (_("Revenue"), "money", 18), (_("Cost"), "money", 18),
        (_("Profit"), "money", 18), (_("Margin, %"), "percent", 11)])
    for row in report["by_product"]:
        book.row(by_product, [row["name"], row["sku"], unit_short(row["unit"]), row["quantity"],
                              row["revenue"], row["cost"], row["profit"], row["margin"]])
    book.row(by_product, [_("Total"), None, None, None, totals["revenue"], totals["cost"],
                          totals["profit"], None], bold=True)

    for key, title, name_header in (("by_category", _("By category"), _("Category")),
                                    ("by_seller", _("By seller"), _("Seller"))):
        sheet = book.sheet(title, [(name_header, "text", 34), (_("Orders"), "int", 10),
                                   (_("Revenue"), "money", 18), (_("Cost"), "money", 18),
                                   (_("Profit"), "money", 18)])
        for row in report[key]:
            book.row(sheet, [row["name"], row["orders"], row["revenue"], row["cost"],
                             row["profit"]])
        book.row(sheet, [_("Total"), None, totals["revenue"], totals["cost"],
                         totals["profit"]], bold=True)

    # Online and in store, and by payment type: revenue, returns taken in the period, net.
    for key, title, name_header in (("channels", _("By channel"), _("Channel")),
                                    ("payments", _("By payment type"), _("Payment"))):
        if report.get(key) is None:
            continue
        sheet = book.sheet(title, [(name_header, "text", 24), (_("Sales"), "int", 10),
                                   (_("Revenue"), "money", 18), (_("Returns"), "money", 18),
                                   (_("Net"), "money", 18)])
        for row in [*report[key], report[f"{key}_total"]]:
            book.row(sheet, [str(row["label"]), row["count"], row["revenue"], row["returns"],
                             row["net"]], bold=row["key"] == "total")
    vat_sheet(book, _("VAT by rate"), report["vat"])
    return book.save()


def vat_columns():
    return [(_("VAT rate"), "text", 22), (_("Sum without VAT"), "money", 18),
            (_("VAT"), "money", 16), (_("Sum with VAT"), "money", 18)]


def vat_sheet(book: ReportWorkbook, title: str, summary) -> None:
    sheet = book.sheet(title, vat_columns())
    for row in summary.rows:
        book.row(sheet, [row.label, row.net, row.vat, row.gross])
    book.row(sheet, [_("Total"), summary.net, summary.vat, summary.gross], bold=True)


def vat_workbook(report: dict) -> bytes:
    book = ReportWorkbook()
    about = about_sheet(book, report)
    details = report["store_vat"]
    book.row(about, [_("BIN"), details["bin"]])
    book.row(about, [_("VAT payer"), _("yes") if details["payer"] else _("no")])
    if details["payer"]:
        book.row(about, [_("VAT registration certificate"),
                         " ".join(filter(None, [details["certificate_series"],
                                                details["certificate_number"],
                                                details["certificate_date"]]))])
    vat_sheet(book, _("Sales"), report["sales"])
    vat_sheet(book, _("Returns"), report["returns"])
    vat_sheet(book, _("Due"), report["net"])
    by_day = book.sheet(_("By day"), [(_("Day"), "date", 14)] + vat_columns())
    for row in report["by_day"]:
        book.row(by_day, [row["day"], row["label"], row["net"], row["vat"], row["gross"]])
    return book.save()


def stock_workbook(report: dict) -> bytes:
    book = ReportWorkbook()
    about_sheet(book, report)
    sheet = book.sheet(_("Stock"), [
        (_("Product"), "text", 40), ("SKU", "text", 16), (_("Category"), "text", 22),
        (_("On hand"), "qty", 12), (_("Unit"), "text", 8), (_("Cost price"), "money", 16),
        (_("Value at cost"), "money", 18), (_("Low stock"), "text", 12)])
    for p in report["products"].iterator(chunk_size=2000):
        book.row(sheet, [p.display_name, p.sku, p.category.name, p.quantity, unit_short(p.unit), p.cost_price,
                         p.value, _("yes") if p.is_low_stock else ""])
    book.row(sheet, [_("Total"), None, None, None, None, None, report["totals"]["value"], None],
             bold=True)
    return book.save()


def receipts_workbook(report: dict) -> bytes:
    book = ReportWorkbook()
    about_sheet(book, report)
    sheet = book.sheet(_("Receipts"), [
        (_("Receipt"), "text", 12), (_("Date"), "date", 12), (_("Supplier"), "text", 32),
        (_("Supplier's number"), "text", 18), (_("Lines"), "int", 8), (_("Total"), "money", 18)])
    for r in report["receipts"]:
        book.row(sheet, [r["number"], r["date"], r["supplier"], r["supplier_number"], r["lines"],
                         r["total"]])
    totals = report["totals"]
    book.row(sheet, [_("Total"), None, None, None, totals["lines"], totals["total"]], bold=True)
    lines = book.sheet(_("Lines"), [
        (_("Receipt"), "text", 12), (_("Date"), "date", 12), (_("Product"), "text", 40),
        ("SKU", "text", 16), (_("Quantity"), "qty", 12), (_("Unit"), "text", 8),
        (_("Unit cost"), "money", 16), (_("Sum"), "money", 18)])
    for line in report["lines"]:
        book.row(lines, [line.document.number, line.document.date, line.product.display_name,
                         line.product.sku, line.quantity, unit_short(line.product.unit), line.unit_cost,
                         line.line_sum])
    return book.save()


def writeoffs_workbook(report: dict) -> bytes:
    book = ReportWorkbook()
    about_sheet(book, report)
    sheet = book.sheet(_("By reason"), [(_("Reason"), "text", 26), (_("Lines"), "int", 8),
                                        (_("Value at cost"), "money", 18)])
    for r in report["by_reason"]:
        book.row(sheet, [str(r["label"]), r["lines"], r["value"]])
    book.row(sheet, [_("Total"), report["totals"]["lines"], report["totals"]["value"]],
             bold=True)
    lines = book.sheet(_("Lines"), [
        (_("Write-off"), "text", 12), (_("Date"), "date", 12), (_("Product"), "text", 40),
        (_("Reason"), "text", 20), (_("Comment"), "text", 30), (_("Quantity"), "qty", 12),
        (_("Unit"), "text", 8), (_("Value at cost"), "money", 18)])
    for line in report["lines"]:
        book.row(lines, [line.document.number, line.document.date, line.product.display_name,
                         line.get_reason_display(), line.comment, line.quantity,
                         unit_short(line.product.unit), line.value])
    return book.save()


WRITERS = {"sales": sales_workbook, "stock": stock_workbook, "receipts": receipts_workbook,
           "writeoffs": writeoffs_workbook, "vat": vat_workbook}


def report_workbook(report: dict) -> bytes:
    return WRITERS[report["name"]](report)


