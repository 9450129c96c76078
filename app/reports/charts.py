"""Small server-rendered SVG charts: no script, no web fonts, no network, so the page works offline and prints.

Values may be suppressed ("<5", or "[c]" where a total would give a "<5" away): such a bar is drawn as a short
hatched stub labelled with the marker, so a reader sees that there is something without learning how much.
"""

from dataclasses import dataclass
from html import escape

STUB = 2.5  # how long a suppressed bar is drawn, in the chart's units


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


def _hidden(value: int | str) -> bool:
    return isinstance(value, str)  # a count is a number; a marker in its place means it was suppressed


def _number(value: int | str) -> float:
    return STUB if _hidden(value) else float(value)


def _scale_top(values: list[int | str]) -> float:
    # At least 5, so a suppressed stub (2.5) never looks bigger than it is: at most half the axis.
    return max([float(v) for v in values if not _hidden(v)] + [5.0])


def _bar(x: float, y: float, width: float, height: float, series: Series, value: int | str) -> str:
    fill = f"url(#hatch-{series.colour.lstrip('#')})" if _hidden(value) else series.colour
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" fill="{fill}" '
        f'stroke="{series.colour}" stroke-width="0.6"><title>{escape(series.name)}: {escape(str(value))}</title></rect>'
    )


def _hatches(series: list[Series]) -> str:
    patterns = "".join(
        f'<pattern id="hatch-{s.colour.lstrip("#")}" width="4" height="4" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="4" height="4" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="4" stroke="{s.colour}" stroke-width="2"/></pattern>'
        for s in series
    )
    return f"<defs>{patterns}</defs>"


def _legend(series: list[Series], y: float) -> str:
    items = []
    for index, s in enumerate(series):
        x = 10 + index * 170
        items.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{s.colour}"/>'
            f'<text x="{x + 18}" y="{y + 10}" class="legend">{escape(s.name)}</text>'
        )
    return "".join(items)


def horizontal_bars(title: str, rows: list[tuple[str, list[int | str]]], series: list[Series]) -> str:
    """One row per label, one bar per series in each row."""
    label_width, chart_width, bar_height, gap = 230.0, 400.0, 14.0, 10.0
    row_height = bar_height * len(series) + gap
    largest = _scale_top([v for _, values in rows for v in values])
    scale = (chart_width - 40) / largest
    height = 30 + row_height * len(rows) + (24 if len(series) > 1 else 0)
    parts = [_hatches(series)]
    for index, (label, values) in enumerate(rows):
        top = 10 + index * row_height
        short = label if len(label) <= 38 else label[:36] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{top + bar_height * len(series) / 2 + 4:.1f}" text-anchor="end" '
            f'class="label">{escape(short)}</text>'
        )
        for number, (s, value) in enumerate(zip(series, values, strict=True)):
            y = top + number * bar_height
            width = _number(value) * scale
            parts.append(_bar(label_width, y, width, bar_height - 2, s, value))
            parts.append(
                f'<text x="{label_width + width + 4:.1f}" y="{y + bar_height - 4:.1f}" class="value">'
                f"{escape(str(value))}</text>"
            )
    if len(series) > 1:
        parts.append(_legend(series, height - 20))
    return _svg(title, label_width + chart_width, height, "".join(parts))


def columns(title: str, labels: list[str], values: list[int | str], s: Series) -> str:
    """One column per label (months of the year, say)."""
    width, height, bottom = 640.0, 200.0, 170.0
    slot = (width - 40) / max(len(labels), 1)
    largest = _scale_top(values)
    scale = (bottom - 30) / largest
    parts = [_hatches([s]), f'<line x1="30" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#b1b4b6"/>']
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = 30 + index * slot + slot * 0.15
        bar_height = _number(value) * scale
        parts.append(_bar(x, bottom - bar_height, slot * 0.7, bar_height, s, value))
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{bottom + 16}" text-anchor="middle" class="label">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{bottom - bar_height - 4:.1f}" text-anchor="middle" '
            f'class="value">{escape(str(value))}</text>'
        )
    return _svg(title, width, height, "".join(parts))


def _svg(title: str, width: float, height: float, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>{body}</svg>'
    )
