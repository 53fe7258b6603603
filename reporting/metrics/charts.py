"""Charts drawn on the server as inline SVG: no script, no third-party library.

The console's CSP (`default-src 'none'; style-src 'self'`) forbids inline
styles, so the SVG carries no `style` attribute and no colours of its own:
each mark has a class (`chart-bar`, `series-0` …) that static/css/vigil.css
colours. Every chart is an `<svg role="img">` labelled by its `<title>` and
`<desc>`, and every bar or point has its own `<title>` with its exact
figure, which screen readers and hover tooltips show. Every label is
escaped; the charts take plain strings and numbers only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SERIES_CLASSES = 8  # series-0 … series-7 in vigil.css


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]  # one per category of the x axis


def _number(value: float) -> str:
    """A coordinate, short and locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_ticks(maximum: int, *, count: int = 5) -> list[int]:
    """Round tick values from 0 to at least `maximum` (steps of 1, 2 or 5 times a power of 10)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def _open_svg(chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    return [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img"'
        f' viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def bar_chart(chart_id: str, title: str, bars: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars, one per (label, count), with the count at the end of each bar."""
    label_width, bar_area, row, top = 190, 330, 26, 10
    width = label_width + bar_area + 60
    height = top + row * max(len(bars), 1) + 30
    ticks = nice_ticks(max((count for _label, count in bars), default=0))
    scale = bar_area / ticks[-1]
    description = "; ".join(f"{label}: {count}" for label, count in bars) or "No data"
    parts = _open_svg(chart_id, title, description, width, height)
    axis_y = top + row * max(len(bars), 1)
    for tick in ticks:
        x = label_width + tick * scale
        parts.append(
            f'<line class="chart-grid" x1="{_number(x)}" y1="{top}"'
            f' x2="{_number(x)}" y2="{axis_y}"/>'
            f'<text class="chart-tick" x="{_number(x)}" y="{axis_y + 16}"'
            f' text-anchor="middle">{tick}</text>'
        )
    for index, (label, count) in enumerate(bars):
        y = top + index * row
        bar_width = count * scale
        parts.append(
            f'<g class="chart-row"><title>{escape(label)}: {count}</title>'
            f'<text class="chart-label" x="{label_width - 8}" y="{y + row / 2 + 4:.0f}"'
            f' text-anchor="end">{escape(label)}</text>'
            f'<rect class="chart-bar series-{index % SERIES_CLASSES}" x="{label_width}"'
            f' y="{y + 4}" width="{_number(bar_width)}" height="{row - 8}"/>'
            f'<text class="chart-value" x="{_number(label_width + bar_width + 6)}"'
            f' y="{y + row / 2 + 4:.0f}">{count}</text></g>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{label_width}" y1="{top}" x2="{label_width}" y2="{axis_y}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label above went through escape()


def stacked_bar_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    y_label: str = "Cases",
) -> Markup:
    """Vertical bars per category of the x axis (months), stacked by series, with a legend."""
    left, right, top, bottom = 48, 12, 12, 44
    slot = max(28, min(60, 640 // max(len(categories), 1)))
    plot_width = slot * max(len(categories), 1)
    plot_height = 200
    legend_rows = math.ceil(len(series) / 4)
    # Wide enough for the plot and for a row of the legend (4 entries of 150).
    width = max(left + plot_width + right, left + min(len(series), 4) * 150)
    height = top + plot_height + bottom + legend_rows * 20
    stack_totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ticks = nice_ticks(max(stack_totals, default=0))
    scale = plot_height / ticks[-1]
    base_y = top + plot_height
    totals_text = "; ".join(
        f"{category}: {total}" for category, total in zip(categories, stack_totals, strict=True)
    )
    parts = _open_svg(chart_id, title, totals_text or "No data", width, height)
    for tick in ticks:
        y = base_y - tick * scale
        parts.append(
            f'<line class="chart-grid" x1="{left}" y1="{_number(y)}" x2="{left + plot_width}"'
            f' y2="{_number(y)}"/><text class="chart-tick" x="{left - 6}" y="{_number(y + 4)}"'
            f' text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<text class="chart-axis-label" x="12" y="{top + plot_height / 2:.0f}"'
        f' text-anchor="middle" transform="rotate(-90 12 {top + plot_height / 2:.0f})">'
        f"{escape(y_label)}</text>"
    )
    bar_width = slot * 0.7
    for index, category in enumerate(categories):
        x = left + index * slot + (slot - bar_width) / 2
        y = float(base_y)
        parts.append(f"<g><title>{escape(category)}: {stack_totals[index]}</title>")
        for number, one in enumerate(series):
            value = one.values[index]
            if value <= 0:
                continue
            bar_height = value * scale
            y -= bar_height
            parts.append(
                f'<rect class="chart-bar series-{number % SERIES_CLASSES}" x="{_number(x)}"'
                f' y="{_number(y)}" width="{_number(bar_width)}" height="{_number(bar_height)}">'
                f"<title>{escape(category)}, {escape(one.label)}: {value}</title></rect>"
            )
        parts.append(
            f'<text class="chart-tick" x="{_number(x + bar_width / 2)}" y="{base_y + 16}"'
            f' text-anchor="middle">{escape(_short_month(category))}</text></g>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{left}" y1="{base_y}" x2="{left + plot_width}"'
        f' y2="{base_y}"/>'
    )
    legend_top = base_y + 30
    for number, one in enumerate(series):
        x = left + (number % 4) * 150
        y = legend_top + (number // 4) * 20
        parts.append(
            f'<rect class="chart-bar series-{number % SERIES_CLASSES}" x="{x}" y="{y}"'
            f' width="12" height="12"/><text class="chart-legend" x="{x + 18}"'
            f' y="{y + 11}">{escape(one.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label above went through escape()


def _short_month(category: str) -> str:
    """2025-03 → 03/25 under a bar; anything else as it is."""
    if len(category) == 7 and category[4] == "-":
        return f"{category[5:]}/{category[2:4]}"
    return category


def monthly_series(
    months: Sequence[str],
    values: Sequence[str],
    by_month: Mapping[str, Mapping[str, int]],
    labels: Mapping[str, str] | None = None,
) -> list[Series]:
    """One series per value, one figure per month, for `stacked_bar_chart`."""
    return [
        Series(
            (labels or {}).get(value, value),
            [by_month.get(month, {}).get(value, 0) for month in months],
        )
        for value in values
    ]
