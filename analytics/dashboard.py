"""What the dashboard shows, put together from the selectors (a fixed number of queries)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _, gettext_lazy

from bibarys.money import format_decimal, format_money
from inventory import selectors as inventory_selectors
from orders.shortstock import open_shortfalls

from . import channels, charts, selectors
from .periods import Period, last_days

FIGURE_LABELS = {
    "revenue": gettext_lazy("Revenue"),
    "profit": gettext_lazy("Profit"),
    "orders": gettext_lazy("Orders"),
    "average_check": gettext_lazy("Average check"),
    "items": gettext_lazy("Items sold"),
    "new_shoppers": gettext_lazy("New shoppers"),
}
SELLER_LABELS = {
    "orders": gettext_lazy("Orders with your products"),
}
# Items sold adds pieces to one per weighed or poured line (selectors.ITEMS), never kilograms to
# pieces; the card says so, or a seller comparing it with the sold quantities in kg would be misled.
FIGURE_HINTS = {
    "items": gettext_lazy("Pieces; each weighed or poured line (kg, l) counts as one."),
}


def format_figure(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return format_money(value)
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 3
    return format_decimal(value, places)


def figure_cards(viewer, period: Period) -> list[dict]:
    cards = []
    store_wide = selectors.is_store_wide(viewer)
    for figure in selectors.dashboard_figures(viewer, period):
        label = (FIGURE_LABELS if store_wide else {**FIGURE_LABELS, **SELLER_LABELS})[figure.key]
        change = figure.change
        cards.append({
            "key": figure.key,
            "label": label,
            "hint": FIGURE_HINTS.get(figure.key, ""),
            "value": format_figure(figure.current, figure.kind),
            "previous": format_figure(figure.previous, figure.kind),
            "change": change,
            "change_text": (("+" if change > 0 else "") + format_decimal(change, 1) + "\xa0%")
            if change is not None else "",
            "direction": "up" if change and change > 0 else "down" if change and change < 0
            else "",
        })
    return cards


def sales_charts(series, *, granularity: str, title: str) -> dict:
    """The sales chart twice: narrow for phones, wide for desktops (CSS shows one)."""
    common = dict(granularity=granularity, title=title, revenue_label=_("Revenue"),
                  profit_label=_("Profit"))
    return {
        "narrow": charts.sales_chart(series, width=360, height=230, css="chart-narrow",
                                     **common),
        "wide": charts.sales_chart(series, width=760, height=250, css="chart-wide", **common),
    }


def money_rows(rows, key="revenue"):
    return [(row["name"], row[key], format_money(row[key])) for row in rows]


def quantity_rows(rows):
    from bibarys.money import format_quantity

    return [(row["name"], row["quantity"], format_quantity(row["quantity"], row["unit"]))
            for row in rows]


def dashboard_context(viewer, period: Period, group: str = "") -> dict:
    granularity = group or period.granularity
    series = selectors.sales_series(viewer, period, granularity)
    week = selectors.sales_series(viewer, last_days(7), "day")
    board = selectors.product_board(viewer, period)
    categories = board["category"]
    top_quantity = board["quantity"]
    top_revenue = board["revenue"]
    no_sales = _("No sales in this period.")
    best = board["best"]
    context = {
        "period": period,
        "granularity": granularity,
        "store_wide": selectors.is_store_wide(viewer),
        "cards": figure_cards(viewer, period),
        "period_chart": sales_charts(series, granularity=granularity,
                                     title=_("Revenue and profit")),
        "period_total": sum((p.revenue for p in series), Decimal("0.00")),
        "week_chart": charts.sales_chart(week, granularity="day", width=360, height=200,
                                         title=_("Sales of the last 7 days"),
                                         revenue_label=_("Revenue"), profit_label=_("Profit")),
        "week_total": sum((p.revenue for p in week), Decimal("0.00")),
        # Every category that sold, so that the bars add up to the period's revenue (a top-8
        # cut dropped the demo's ninth category and the bars no longer matched the figure).
        "category_chart": charts.hbar_chart(money_rows(categories),
                                            title=_("Revenue by category"), empty=no_sales),
        "category_rows": categories,
        "category_total": sum((row["revenue"] for row in categories), Decimal("0.00")),
        "top_quantity_chart": charts.hbar_chart(quantity_rows(top_quantity),
                                                title=_("Top 5 by quantity"), empty=no_sales),
        "top_revenue_chart": charts.hbar_chart(money_rows(top_revenue),
                                               title=_("Top 5 by revenue"), empty=no_sales),
        "best_margin": best,
        "worst_margin": board["worst"],
        "recent_orders": selectors.recent_orders(viewer),
        "recent_writeoffs": selectors.recent_writeoffs(viewer),
        "low_stock_products": inventory_selectors.low_stock(viewer, limit=10),
    }
    context.update(channels.channel_context(viewer, period))
    if context["store_wide"]:
        context["counts"] = selectors.store_counts()
        # Sold at the till beyond the books, until a receipt or a count covers it (docs/till.md).
        context["open_shortfalls"] = list(open_shortfalls())
    return context
