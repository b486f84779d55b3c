"""VAT for the store's reports (docs/vat.md): the period's VAT by rate, sales less returns, the
VAT report (PDF, XLSX; admins), and the registration threshold of a store that is not a payer.

Every amount is a sum of what the sale lines keep (their rate and VAT, computed once when the
order was placed); a return gives back the returned share of its line's VAT."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.vat import rate_label, store_is_vat_payer
from orders.models import OrderReturnLine
from orders.vat import VatSummary, _summary, returned_vat_by_rate, vat_by_rate

from . import selectors
from .periods import Period


def returned_lines(viewer, period: Period):
    lines = OrderReturnLine.objects.filter(order_return__created_at__gte=period.start,
                                           order_return__created_at__lt=period.end)
    if not selectors.is_store_wide(viewer):
        lines = lines.filter(line__seller=viewer)
    return lines.select_related("line").only("amount", "quantity", "line__vat_rate",
                                             "line__vat_amount", "line__line_total")


def net_of_returns(sales: VatSummary, returned: VatSummary) -> VatSummary:
    return _summary([(row.rate, row.gross, row.vat) for row in sales.rows]
                    + [(row.rate, -row.gross, -row.vat) for row in returned.rows])


def period_vat(viewer, period: Period) -> dict:
    """The period's sales, returns and what is left, each by rate (three queries)."""
    sales = vat_by_rate(selectors.sale_lines(viewer, period))
    returned = returned_vat_by_rate(returned_lines(viewer, period))
    return {"sales": sales, "returns": returned, "net": net_of_returns(sales, returned)}


def vat_by_day(viewer, period: Period) -> list[dict]:
    """Each day of the period that sold, by rate: {day, rate, label, gross, vat, net}."""
    rows = (selectors.sale_lines(viewer, period)
            .annotate(day=TruncDate("order__created_at", tzinfo=timezone.get_current_timezone()))
            .values("day", "vat_rate").annotate(gross=Sum("line_total"), vat=Sum("vat_amount"))
            .order_by("day", "vat_rate"))
    return [{"day": row["day"], "rate": row["vat_rate"], "label": rate_label(row["vat_rate"]),
             "gross": row["gross"], "vat": row["vat"], "net": row["gross"] - row["vat"]}
            for row in rows]


def store_vat_details() -> dict:
    return {"payer": store_is_vat_payer(), "bin": settings.STORE_BIN,
            "certificate_series": settings.VAT_CERTIFICATE_SERIES,
            "certificate_number": settings.VAT_CERTIFICATE_NUMBER,
            "certificate_date": settings.VAT_CERTIFICATE_DATE}


def vat_threshold(today: datetime.date | None = None) -> dict | None:
    """For a store that is not a VAT payer: its turnover against the registration threshold
    (VAT_THRESHOLD_MCI × MCI; 10,000 × 4,325 ₸ = 43,250,000 ₸ in 2026), over the last 12 months
    and over the calendar year so far (the Tax Code counts the calendar year). None for a payer.
    Turnover: the sales (cancelled orders excluded), from the daily rollup."""
    if store_is_vat_payer():
        return None
    today = today or timezone.localdate()
    threshold = Decimal(settings.VAT_THRESHOLD_MCI) * Decimal(settings.MCI)
    store = _StoreWide()
    twelve_months = Period(today - datetime.timedelta(days=364), today)
    year = Period(today.replace(month=1, day=1), today)
    rows = []
    for key, period in (("12m", twelve_months), ("year", year)):
        turnover = selectors.sales_totals(store, period)["revenue"]
        percent = (turnover * 100 / threshold).quantize(Decimal("0.1")) if threshold else None
        rows.append({"key": key, "period": period, "turnover": turnover, "percent": percent})
    worst = max(row["percent"] or 0 for row in rows)
    return {"threshold": threshold, "mci": settings.MCI, "threshold_mci": settings.VAT_THRESHOLD_MCI,
            "rows": rows, "percent": worst, "bar": min(int(worst), 100),
            "warn": worst >= settings.VAT_THRESHOLD_WARN_PERCENT, "over": worst >= 100,
            "warn_percent": settings.VAT_THRESHOLD_WARN_PERCENT}


class _StoreWide:
    """The store's view for the threshold: every seller's sales, whoever reads the dashboard."""

    is_admin = True


def vat_report(viewer, period: Period) -> dict:
    """The VAT report of a period (admins): the store's details, sales, returns and net by
    rate, and each day by rate."""
    from .reports import _base  # reports imports this module for the sales report's VAT

    return {**_base("vat", viewer, period), "store_vat": store_vat_details(),
            **period_vat(viewer, period), "by_day": vat_by_day(viewer, period)}
