"""Server-side SVG charts for the portal: readable without JavaScript, no chart library to vendor.

Each chart is a complete `<svg>` with a `<title>` (for screen readers and tooltips) and every label
escaped, so a name containing markup is drawn as text. Colours: blocked in red, the rest in grey.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from markupsafe import Markup

from kyodaku.portal.activity import Count

BLOCKED, OTHER, AXIS = "#c5221f", "#c7ccd1", "#666"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>'
    )


def day_chart(days: Sequence[Count], title: str, width: int = 720, height: int = 180) -> Markup:
    """Columns per day: the total in grey, the blocked part in red over it."""
    left, bottom, top = 36, 22, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max((c.total for c in days), default=0) or 1
    step = plot_w / max(len(days), 1)
    out = [_open(width, height, title)]
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="{AXIS}">'
            f"{round(peak * frac)}</text>"
        )
    for i, c in enumerate(days):
        x = left + i * step + 1
        w = max(step - 2, 1)
        h_total, h_blocked = plot_h * c.total / peak, plot_h * c.blocked / peak
        out.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h_total:.1f}" width="{w:.1f}" height="{h_total:.1f}" '
            f'fill="{OTHER}"><title>{_e(c.key)}: {c.total}</title></rect>'
            f'<rect x="{x:.1f}" y="{top + plot_h - h_blocked:.1f}" width="{w:.1f}" height="{h_blocked:.1f}" '
            f'fill="{BLOCKED}"><title>{_e(c.key)}: {c.blocked} / {c.total}</title></rect>'
        )
        if i % 7 == 0 or (i == len(days) - 1 and i % 7 >= 3):  # the last day, unless crowded
            out.append(
                f'<text x="{x + w / 2:.1f}" y="{height - 6}" font-size="10" text-anchor="middle" '
                f'fill="{AXIS}">{_e(c.key[5:])}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(rows: Sequence[Count], title: str, width: int = 720) -> Markup:
    """Horizontal bars per key: blocked in red, the rest of the total in grey, the numbers at the end."""
    if not rows:
        return Markup("")
    left, right, row_h, top = 200, 90, 22, 6
    plot = width - left - right
    peak = max(c.total for c in rows) or 1
    height = top + row_h * len(rows) + 6
    out = [_open(width, height, title)]
    for n, c in enumerate(rows):
        y = top + n * row_h
        label = c.key if len(c.key) <= 30 else c.key[:29] + "…"
        out.append(
            f'<text x="{left - 6}" y="{y + 15}" font-size="11" text-anchor="end">{_e(label)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{plot * c.total / peak:.1f}" height="{row_h - 8}" '
            f'fill="{OTHER}"/><rect x="{left}" y="{y + 4}" width="{plot * c.blocked / peak:.1f}" '
            f'height="{row_h - 8}" fill="{BLOCKED}">'
            f"<title>{_e(c.key)}: {c.blocked} / {c.total}</title></rect>"
            f'<text x="{left + plot + 6}" y="{y + 15}" font-size="11">{c.blocked} / {c.total}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
