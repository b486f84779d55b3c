"""The reports: what each one contains, built from the selectors, for the PDF and XLSX writers."""

from django.utils.translation import gettext_lazy as _

REPORT_INFO = {
    "sales": {"title": _("Sales"),
              "help": _("Totals, by day, by product, by category and by seller, with the chart.")},
    "stock": {"title": _("Stock"),
              "help": _("Products with on-hand quantity, cost and value at cost; low stock "
                        "marked. As of now, whatever the period.")},
    "receipts": {"title": _("Goods receipts"),
                 "help": _("Goods receipts posted in the period, with their lines.")},
    "writeoffs": {"title": _("Write-offs"),
                  "help": _("Write-offs in the period by reason, valued at cost.")},
}
