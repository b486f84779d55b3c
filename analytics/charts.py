"""Charts drawn on the server as SVG: the same markup goes into the page and into the PDF.

Each chart has a viewBox and width 100%, so it scales with its box; the page picks a narrow or a
wide drawing by screen width so that its labels stay about 11 px on a phone. Labels are escaped;
numbers use the language's grouping (bibarys.money)."""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bibarys.money import format_decimal, format_money

GREEN = "#16a34a"
GREEN_SOFT = "#bbf7d0"
BLUE = "#2563eb"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
FONT = "DejaVu Sans, Segoe UI, system-ui, sans-serif"


NICE_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_ceiling(value: float, ticks: int = 4) -> float:
    """The top of an axis of `ticks` equal steps, each a round number (1, 1.5, 2, 2.5, 3, 4, 5,
    6 or 8 × 10^k), at or above value."""
    if value <= 0:
        return float(ticks)
    raw = value / ticks
    exponent = math.floor(math.log10(raw))
    for step in NICE_STEPS:
        candidate = step * 10 ** exponent
        if candidate >= raw:
            return float(candidate * ticks)
    return float(10 ** (exponent + 1) * ticks)


def axis_label(value: float) -> str:
    """A compact axis number: whole tenge with grouping below 10 000, then k and M."""
    value = Decimal(str(value))
    if abs(value) >= 1_000_000:
        return format_decimal(value / 1_000_000, 1).rstrip("0").rstrip(",.") + "M"
    if abs(value) >= 10_000:
        return format_decimal(value / 1_000, 0) + "k"
    return format_decimal(value, 0)


def bucket_label(day, granularity: str) -> str:
    if granularity == "month":
        return date_format(day, "m.Y")
    return date_format(day, "d.m")


def _svg_open(width: int, height: int, title: str, css: str = "") -> list[str]:
    return [
        f'<svg class="chart {escape(css)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="{FONT}" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]


def sales_chart(points, *, granularity: str, title: str, revenue_label: str,
                profit_label: str, width: int = 360, height: int = 220,
                css: str = "") -> SafeString:
    """Revenue as bars and profit as a line, one bucket (day, week, month) per bar."""
    left, right, top, bottom = 46, 8, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(p.revenue) for p in points] + [float(p.profit) for p in points]
    top_value = nice_ceiling(max(values, default=0))
    low_value = min(0.0, min(values, default=0))
    span = top_value - low_value or 1.0

    def y(value) -> float:
        return top + plot_h - (float(value) - low_value) / span * plot_h

    out = _svg_open(width, height, title, css)
    # Legend.
    out.append(f'<rect x="{left}" y="6" width="10" height="10" fill="{GREEN}"/>')
    out.append(f'<text x="{left + 14}" y="15" fill="{INK}">{escape(revenue_label)}</text>')
    legend2 = left + 26 + 7.5 * len(revenue_label)
    out.append(f'<line x1="{legend2}" y1="11" x2="{legend2 + 14}" y2="11" stroke="{BLUE}" '
               f'stroke-width="2"/>')
    out.append(f'<text x="{legend2 + 18}" y="15" fill="{INK}">{escape(profit_label)}</text>')
    # Grid and the value axis (tenge).
    for i in range(5):
        value = low_value + span * i / 4
        gy = y(value)
        out.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{left - 4}" y="{gy + 4:.1f}" text-anchor="end" fill="{MUTED}" '
                   f'font-size="11">{escape(axis_label(value))}</text>')
    count = max(len(points), 1)
    slot = plot_w / count
    bar_w = max(1.0, slot * 0.7)
    every = max(1, math.ceil(count / max(1, plot_w // 38)))  # a label per ~38 units
    zero_y = y(0)
    line = []
    for i, point in enumerate(points):
        x = left + slot * i + (slot - bar_w) / 2
        by = y(point.revenue)
        label = f"{bucket_label(point.start, granularity)}: {format_money(point.revenue)}"
        out.append(f'<rect x="{x:.1f}" y="{by:.1f}" width="{bar_w:.1f}" '
                   f'height="{max(0.0, zero_y - by):.1f}" fill="{GREEN}" rx="1">'
                   f"<title>{escape(label)}</title></rect>")
        line.append(f"{left + slot * i + slot / 2:.1f},{y(point.profit):.1f}")
        if i % every == 0:
            out.append(f'<text x="{left + slot * i + slot / 2:.1f}" y="{height - bottom + 14}" '
                       f'text-anchor="middle" fill="{MUTED}" font-size="11">'
                       f"{escape(bucket_label(point.start, granularity))}</text>")
    if len(line) > 1:
        out.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{BLUE}" '
                   f'stroke-width="2" stroke-linejoin="round"/>')
    elif line:
        cx, cy = line[0].split(",")
        out.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{BLUE}"/>')
    out.append(f'<line x1="{left}" y1="{zero_y:.1f}" x2="{width - right}" y2="{zero_y:.1f}" '
               f'stroke="{MUTED}" stroke-width="1"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every label above went through escape()


def _shorten(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hbar_chart(rows, *, title: str, width: int = 360, empty: str = "",
               css: str = "") -> SafeString:
    """Horizontal bars: rows of (label, value, value text). The label sits above its bar, so
    long product names fit on a phone."""
    rows = list(rows)
    row_h, top = 34, 4
    height = max(40, top + row_h * len(rows) + 4)
    out = _svg_open(width, height, title, css)
    if not rows:
        out.append(f'<text x="{width / 2}" y="24" text-anchor="middle" fill="{MUTED}">'
                   f"{escape(empty)}</text></svg>")
        return mark_safe("".join(out))
    top_value = max((float(value) for _, value, _ in rows), default=0) or 1.0
    value_w = 96
    bar_space = width - value_w - 4
    for i, (label, value, value_text) in enumerate(rows):
        y = top + i * row_h
        bar = max(2.0, float(value) / top_value * bar_space) if float(value) > 0 else 0
        out.append(f'<text x="0" y="{y + 11}" fill="{INK}">{escape(_shorten(label, 52))}</text>')
        out.append(f'<rect x="0" y="{y + 16}" width="{bar_space:.1f}" height="10" '
                   f'fill="{GRID}" rx="2"/>')
        out.append(f'<rect x="0" y="{y + 16}" width="{bar:.1f}" height="10" fill="{GREEN}" rx="2">'
                   f"<title>{escape(label)}: {escape(value_text)}</title></rect>")
        out.append(f'<text x="{width}" y="{y + 25}" text-anchor="end" fill="{INK}" '
                   f'font-weight="bold">{escape(value_text)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))
