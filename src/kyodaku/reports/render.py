"""The reports as self-contained HTML pages, in English or Japanese.

Why server-side SVG and no JavaScript: a transparency report is read by regulators, rightsholders
and journalists, archived, attached to letters and printed. One HTML file with inline SVG opens
anywhere, prints as drawn, needs no network and runs no code. Every bar carries its interval as an
error bar, so nobody reads "91 % vs 97 %" without seeing how sure each figure is.

Every string that comes from data (rightsholder names, entity ids, prompts, matcher names, notes)
goes through `html.escape` (quotes included): a catalog is written by many parties, and a name
such as `<script>` must show as text, never run.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from kyodaku.reports.common import SCRIPT_LANGUAGE
from kyodaku.reports.parity import MAX_MISMATCHES, Gap, GroupRate, ParityReport
from kyodaku.reports.stats import Proportion
from kyodaku.reports.transparency import CountRow, TransparencyReport

LANGS = ("en", "ja")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "transparency_title": "kyodaku transparency report",
        "parity_title": "kyodaku parity report",
        "generated": "Generated",
        "period": "Period",
        "from_start": "from the start",
        "to_now": "to now",
        "scope": "Scope",
        "scope_all": "the whole ledger",
        "scope_holder": "rightsholder",
        "totals": "Totals",
        "decisions": "Decisions",
        "allowed": "Allowed",
        "reviewed": "Review",
        "blocked": "Blocked",
        "failed_closed": "Failed closed",
        "with_registered_entry": "Named a registered entry",
        "prompt_text_kept": "Prompt text kept",
        "block_rate": "Block rate",
        "interval": "95% interval",
        "by_rightsholder": "By rightsholder",
        "by_country": "By rightsholder country",
        "by_kind": "By kind of entry",
        "by_matcher": "By matcher",
        "by_language": "By script of the prompt",
        "per_day": "Per day (UTC)",
        "claims": "Claims and inquiries",
        "no_claims": "No claims data.",
        "received": "Received",
        "acknowledged_on_time": "Acknowledged on time",
        "decided_on_time": "Decided on time",
        "overdue": "Overdue",
        "notes": "Notes",
        "withheld": "withheld",
        "none": "No decisions in this period.",
        "country": "Country",
        "key": "Group",
        "name": "Name",
        "n": "n",
        "gap": "Gap",
        "headline": "Headline",
        "flagged": "FLAGGED: the gap exceeds the threshold",
        "not_flagged": "Not flagged",
        "status": "Status",
        "threshold": "Threshold",
        "rule": "Rule",
        "source": "Source",
        "source_set": "labelled prompt set",
        "source_ledger": "generation ledger",
        "items": "Items screened",
        "dropped": "Items left out",
        "controls": "Benign controls (false-block rate)",
        "countries": "Block rate by country",
        "by_language_parity": "By language of the request",
        "gaps": "Gaps",
        "gaps_by_language": "Gaps by language",
        "gaps_by_kind": "Gaps by kind",
        "mismatches": "Items whose verdict differs from the expected one",
        "prompt": "Prompt",
        "expected": "Expected",
        "verdict": "Verdict",
        "entity": "Entity",
        "context": "Context",
        "status_flagged": "flagged",
        "status_within": "within threshold",
        "status_inconclusive": "inconclusive",
        "status_no data": "no data",
        "chart_rate": "Block rate with 95% interval",
        "chart_gap": "Gap with 95% interval; the shaded band is ±threshold",
        "rule_text": "flagged when the {c} interval of the gap excludes 0 and |gap| > {t}; 'within' when the "
        "whole interval lies inside ±{t}; otherwise 'inconclusive'",
    },
    "ja": {
        "transparency_title": "kyodaku 透明性レポート",
        "parity_title": "kyodaku 公平性（パリティ）レポート",
        "generated": "作成日時",
        "period": "対象期間",
        "from_start": "最初から",
        "to_now": "現在まで",
        "scope": "範囲",
        "scope_all": "台帳全体",
        "scope_holder": "権利者",
        "totals": "合計",
        "decisions": "判定数",
        "allowed": "許可",
        "reviewed": "要確認",
        "blocked": "ブロック",
        "failed_closed": "安全側で停止",
        "with_registered_entry": "登録作品を含む判定",
        "prompt_text_kept": "プロンプト本文を保存",
        "block_rate": "ブロック率",
        "interval": "95%信頼区間",
        "by_rightsholder": "権利者別",
        "by_country": "権利者の国別",
        "by_kind": "種類別",
        "by_matcher": "検出方式別",
        "by_language": "プロンプトの文字体系別",
        "per_day": "日別（UTC）",
        "claims": "申立て・問い合わせ",
        "no_claims": "申立てのデータはありません。",
        "received": "受付",
        "acknowledged_on_time": "期限内に受領通知",
        "decided_on_time": "期限内に判断",
        "overdue": "期限超過",
        "notes": "注記",
        "withheld": "非開示",
        "none": "この期間の判定はありません。",
        "country": "国",
        "key": "区分",
        "name": "名称",
        "n": "件数",
        "gap": "差",
        "headline": "主要指標",
        "flagged": "警告：差がしきい値を超えています",
        "not_flagged": "警告なし",
        "status": "判定",
        "threshold": "しきい値",
        "rule": "基準",
        "source": "データ源",
        "source_set": "ラベル付きプロンプト集",
        "source_ledger": "生成台帳",
        "items": "審査した項目",
        "dropped": "除外した項目",
        "controls": "無関係な対照プロンプト（誤ブロック率）",
        "countries": "国別ブロック率",
        "by_language_parity": "依頼の言語別",
        "gaps": "差",
        "gaps_by_language": "言語別の差",
        "gaps_by_kind": "種類別の差",
        "mismatches": "期待と異なる判定になった項目",
        "prompt": "プロンプト",
        "expected": "期待",
        "verdict": "判定",
        "entity": "対象",
        "context": "条件",
        "status_flagged": "警告",
        "status_within": "しきい値内",
        "status_inconclusive": "判断不能（データ不足）",
        "status_no data": "データなし",
        "chart_rate": "ブロック率と95%信頼区間",
        "chart_gap": "差と95%信頼区間（網掛けは±しきい値）",
        "rule_text": "差の{c}信頼区間が0を含まず、かつ|差|が{t}を超えるとき警告。区間全体が±{t}の内側なら"
        "「しきい値内」、どちらでもなければ「判断不能」",
    },
}

_CSS = """
body{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.flag{background:#fde2e1;border:2px solid #b3261e;padding:.75rem;font-weight:bold}
.ok{background:#e6f4ea;border:1px solid #1e7b34;padding:.75rem}
.muted{color:#666}svg{max-width:100%;height:auto}
@media print{.flag,.ok{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _e(value: Any) -> str:
    """Escape anything for HTML text and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def _labels(lang: str) -> dict[str, str]:
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return LABELS[lang]


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f}%"


def _interval(p: Proportion | None) -> str:
    if p is None or p.rate is None:
        return "–"
    return f"{_pct(p.low)} – {_pct(p.high)}"


# -- charts ---------------------------------------------------------------------------------------
def rate_chart(rows: Sequence[tuple[str, Proportion]], title: str, width: int = 640) -> str:
    """Horizontal bars (the rate) with error bars (the Wilson interval), 0 to 100 %."""
    rows = [(label, p) for label, p in rows if p.rate is not None]
    if not rows:
        return ""
    left, right, row_h, top = 190, 70, 22, 8
    plot = width - left - right
    height = top + row_h * len(rows) + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = left + plot * tick
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 20}" stroke="#e5e5e5"/>')
        out.append(
            f'<text x="{x:.1f}" y="{height - 6}" font-size="10" text-anchor="middle" fill="#666">'
            f"{int(tick * 100)}%</text>"
        )
    for n, (label, p) in enumerate(rows):
        y = top + n * row_h
        rate = p.rate or 0.0
        short = label if len(label) <= 28 else label[:27] + "…"
        out.append(
            f'<text x="{left - 6}" y="{y + 15}" font-size="11" text-anchor="end">{_e(short)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{plot * rate:.1f}" height="{row_h - 8}" fill="#5b8def">'
            f"<title>{_e(label)}: {_pct(rate)} ({_interval(p)}), n={p.n}</title></rect>"
        )
        x1, x2, cy = left + plot * p.low, left + plot * p.high, y + row_h / 2
        out.append(
            f'<line x1="{x1:.1f}" y1="{cy:.1f}" x2="{x2:.1f}" y2="{cy:.1f}" stroke="#111" '
            'stroke-width="1.5"/>'
            f'<line x1="{x1:.1f}" y1="{cy - 5:.1f}" x2="{x1:.1f}" y2="{cy + 5:.1f}" stroke="#111"/>'
            f'<line x1="{x2:.1f}" y1="{cy - 5:.1f}" x2="{x2:.1f}" y2="{cy + 5:.1f}" stroke="#111"/>'
            f'<text x="{left + plot + 6}" y="{y + 15}" font-size="11">{_pct(rate)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def gap_chart(gaps: Sequence[tuple[str, Gap]], title: str, width: int = 640) -> str:
    """Each gap as a point with its interval on a shared axis; zero marked, ±threshold shaded."""
    gaps = [(label, g) for label, g in gaps if g.difference.estimate is not None]
    if not gaps:
        return ""
    threshold = gaps[0][1].threshold
    lo = min([-threshold * 2, *(g.difference.low for _, g in gaps)])
    hi = max([threshold * 2, *(g.difference.high for _, g in gaps)])
    span = max(hi - lo, 1e-9)
    left, right, row_h, top = 190, 20, 24, 8
    plot = width - left - right
    height = top + row_h * len(gaps) + 24

    def x(v: float) -> float:
        return left + (v - lo) / span * plot

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>',
        f'<rect x="{x(-threshold):.1f}" y="{top}" width="{x(threshold) - x(-threshold):.1f}" '
        f'height="{height - top - 20}" fill="#e6f4ea"/>',
        f'<line x1="{x(0):.1f}" y1="{top}" x2="{x(0):.1f}" y2="{height - 20}" stroke="#888"/>',
    ]
    for tick in (lo, -threshold, 0.0, threshold, hi):
        out.append(
            f'<text x="{x(tick):.1f}" y="{height - 6}" font-size="10" text-anchor="middle" fill="#666">'
            f"{tick * 100:+.0f} pp</text>"
        )
    for n, (label, g) in enumerate(gaps):
        d = g.difference
        cy = top + n * row_h + row_h / 2
        colour = "#b3261e" if g.flagged else "#111"
        out.append(
            f'<text x="{left - 6}" y="{cy + 4:.1f}" font-size="11" text-anchor="end">{_e(label)}</text>'
            f'<line x1="{x(d.low):.1f}" y1="{cy:.1f}" x2="{x(d.high):.1f}" y2="{cy:.1f}" stroke="{colour}" '
            f'stroke-width="2"/><circle cx="{x(d.estimate or 0.0):.1f}" cy="{cy:.1f}" r="4" fill="{colour}">'
            f"<title>{_e(label)}: {(d.estimate or 0) * 100:+.1f} pp [{d.low * 100:+.1f}, {d.high * 100:+.1f}]"
            "</title></circle>"
        )
    out.append("</svg>")
    return "".join(out)


# -- page pieces ----------------------------------------------------------------------------------
def _page(title: str, lang: str, body: list[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _table(head: Sequence[str], rows: Sequence[Sequence[tuple[str, bool]]]) -> str:
    """`rows` of (already escaped html, numeric?) cells."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append(
            "<tr>" + "".join(f'<td class="num">{c}</td>' if num else f"<td>{c}</td>" for c, num in row)
        )
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _count_rows(rows: Sequence[CountRow], L: dict[str, str], *, label_col: bool = False) -> str:
    head = [
        L["key"],
        *([L["name"], L["country"]] if label_col else []),
        L["decisions"],
        L["allowed"],
        L["reviewed"],
        L["blocked"],
        L["block_rate"],
        L["interval"],
    ]
    cells = []
    for r in rows:
        first = [(_e(r.key), False), *([(_e(r.label), False), (_e(r.country), False)] if label_col else [])]
        if r.suppressed:
            cells.append([*first, *[(f'<span class="muted">{_e(L["withheld"])}</span>', True)] * 6])
            continue
        rate = r.block_rate
        cells.append(
            [
                *first,
                (str(r.decisions), True),
                (str(r.allowed), True),
                (str(r.reviewed), True),
                (str(r.blocked), True),
                (_pct(rate.rate if rate else None), True),
                (_e(_interval(rate)), True),
            ]
        )
    return _table(head, cells)


def _notes(notes: Sequence[str], L: dict[str, str]) -> list[str]:
    if not notes:
        return []
    return [f"<h2>{_e(L['notes'])}</h2><ul>", *(f"<li>{_e(n)}</li>" for n in notes), "</ul>"]


def render_transparency_html(report: TransparencyReport, lang: str = "en") -> str:
    L = _labels(lang)
    period = (
        f"{_e(report.since.isoformat() if report.since else L['from_start'])} – "
        f"{_e(report.until.isoformat() if report.until else L['to_now'])}"
    )
    scope = L["scope_all"] if report.viewer is None else f"{L['scope_holder']}: {report.viewer}"
    body = [
        f"<h1>{_e(L['transparency_title'])}</h1>",
        f"<p>{_e(L['generated'])}: {_e(report.generated_at.isoformat(timespec='seconds'))}<br>"
        f"{_e(L['period'])}: {period}<br>{_e(L['scope'])}: {_e(scope)}</p>",
        f"<h2>{_e(L['totals'])}</h2>",
        _table(
            [L[k] for k in report.totals],
            [[(str(v), True) for v in report.totals.values()]],
        ),
    ]
    if not report.totals.get("decisions"):
        body.append(f"<p>{_e(L['none'])}</p>")
    sections: list[tuple[str, list[CountRow], bool, bool]] = [
        ("by_rightsholder", report.by_rightsholder, True, True),
        ("by_country", report.by_country, False, True),
        ("by_kind", report.by_kind, False, True),
        ("by_matcher", report.by_matcher, False, True),
        ("by_language", report.by_language, False, True),
        ("per_day", report.per_day, False, False),
    ]
    for key, rows, label_col, chart in sections:
        if not rows:
            continue
        body.append(f"<h2>{_e(L[key])}</h2>")
        if chart:

            def name(r: CountRow, key: str = key) -> str:
                if key == "by_rightsholder" and r.label:
                    return f"{r.label} ({r.country})"
                if key == "by_language" and r.key in SCRIPT_LANGUAGE:
                    return f"{r.key} ({SCRIPT_LANGUAGE[r.key]})"
                return r.key

            body.append(
                rate_chart(
                    [(name(r), r.block_rate) for r in rows if r.block_rate and not r.suppressed],
                    L["chart_rate"],
                )
            )
        body.append(_count_rows(rows, L, label_col=label_col))
    body.append(f"<h2>{_e(L['claims'])}</h2>")
    if report.claims is None:
        body.append(f"<p>{_e(L['no_claims'])}</p>")
    else:
        c = report.claims.to_dict()
        keys = ("received", "acknowledged_on_time", "decided_on_time", "overdue")
        body.append(_table([L[k] for k in keys], [[(_e(c[k]), True) for k in keys]]))
    body += _notes(report.notes, L)
    return _page(L["transparency_title"], lang, body)


def _rate_rows(rows: Sequence[GroupRate], L: dict[str, str], *, label_col: bool = False) -> str:
    head = [
        L["country"],
        L["key"],
        *([L["name"]] if label_col else []),
        L["n"],
        L["allowed"],
        L["reviewed"],
        L["blocked"],
        L["block_rate"],
        L["interval"],
    ]
    cells = []
    for g in rows:
        first = [(_e(g.country), False), (_e(g.key), False), *([(_e(g.label), False)] if label_col else [])]
        if g.suppressed:
            cells.append([*first, *[(f'<span class="muted">{_e(L["withheld"])}</span>', True)] * 6])
            continue
        t = g.tally
        cells.append(
            [
                *first,
                (str(t.total), True),
                (str(t.allowed), True),
                (str(t.reviewed), True),
                (str(t.blocked), True),
                (_pct(g.rate.rate), True),
                (_e(_interval(g.rate)), True),
            ]
        )
    return _table(head, cells)


def _gap_rows(gaps: Sequence[Gap], L: dict[str, str]) -> str:
    head = [L["key"], L["gap"], L["interval"], L["threshold"], L["status"]]
    cells = []
    for g in gaps:
        d = g.difference
        est = "–" if d.estimate is None else f"{d.estimate * 100:+.1f} pp"
        status = L.get(f"status_{g.status}", g.status)
        status_html = f"<strong>{_e(status)}</strong>" if g.flagged else _e(status)
        cells.append(
            [
                (_e(g.key or f"{g.a} − {g.b}"), False),
                (_e(est), True),
                (_e(f"{d.low * 100:+.1f} – {d.high * 100:+.1f} pp"), True),
                (_e(f"{g.threshold * 100:g} pp"), True),
                (status_html, False),
            ]
        )
    return _table(head, cells)


def render_parity_html(report: ParityReport, lang: str = "en") -> str:
    """The parity report as a standalone HTML page."""
    return _page(_labels(lang)["parity_title"], lang, parity_sections(report, lang))


def parity_sections(report: ParityReport, lang: str = "en") -> list[str]:
    """The parity report's sections as HTML fragments (every value escaped): the standalone page's
    body, and what the portal shows inside its own layout."""
    L = _labels(lang)
    a, b = report.pair
    source = L["source_set"] if report.source == "set" else L["source_ledger"]
    if report.set_info:
        source += f" ({report.set_info.get('source')}, {report.set_info.get('items')})"
    body = [
        f"<h1>{_e(L['parity_title'])}</h1>",
        f"<p>{_e(L['generated'])}: {_e(report.generated_at.isoformat(timespec='seconds'))}<br>"
        f"{_e(L['source'])}: {_e(source)}<br>{_e(L['context'])}: "
        f"{_e(', '.join(f'{k}={v}' for k, v in report.context.items() if v is not None))}<br>"
        f"{_e(L['items'])}: {report.items}"
        + (f" · {_e(L['dropped'])}: {report.dropped}" if report.dropped else "")
        + f"<br>{_e(L['rule'])}: "
        + _e(L["rule_text"].format(c=f"{report.confidence:.0%}", t=f"{report.threshold:g}"))
        + "</p>",
    ]
    if report.gap is not None and report.gap.difference.estimate is not None:
        d = report.gap.difference
        line = (
            f"{_e(L['gap'])} {_e(a)} − {_e(b)}: {d.estimate * 100:+.1f} pp "
            f"({_e(L['interval'])} {d.low * 100:+.1f} – {d.high * 100:+.1f} pp), "
            f"{_e(L['threshold'])} {report.threshold * 100:g} pp"
        )
        status = L.get(f"status_{report.gap.status}", report.gap.status)
        if report.flagged:
            body.append(f'<p class="flag">{_e(L["flagged"])}<br>{line}</p>')
        else:
            body.append(f'<p class="ok">{_e(L["not_flagged"])} ({_e(status)})<br>{line}</p>')
    body.append(f"<h2>{_e(L['countries'])}</h2>")
    body.append(
        rate_chart([(g.country or "", g.rate) for g in report.countries if not g.suppressed], L["chart_rate"])
    )
    body.append(_rate_rows(report.countries, L))
    gaps = ([(f"{a} − {b}", report.gap)] if report.gap else []) + [
        (f"{g.key}", g) for g in (*report.gaps_by_language, *report.gaps_by_kind)
    ]
    if gaps:
        body.append(f"<h2>{_e(L['gaps'])}</h2>")
        body.append(gap_chart(gaps, L["chart_gap"]))
        if report.gaps_by_language:
            body.append(f"<h3>{_e(L['gaps_by_language'])}</h3>" + _gap_rows(report.gaps_by_language, L))
        if report.gaps_by_kind:
            body.append(f"<h3>{_e(L['gaps_by_kind'])}</h3>" + _gap_rows(report.gaps_by_kind, L))
    for key, rows in (("by_language_parity", report.by_language), ("by_kind", report.by_kind)):
        if rows:
            body.append(f"<h2>{_e(L[key])}</h2>")
            body.append(
                rate_chart(
                    [(f"{g.country} · {g.key}", g.rate) for g in rows if not g.suppressed], L["chart_rate"]
                )
            )
            body.append(_rate_rows(rows, L))
    if report.by_rightsholder:
        body.append(f"<h2>{_e(L['by_rightsholder'])}</h2>")
        body.append(
            rate_chart([(g.label or g.key or "", g.rate) for g in report.by_rightsholder], L["chart_rate"])
        )
        body.append(_rate_rows(report.by_rightsholder, L, label_col=True))
    if report.controls is not None:
        body.append(f"<h2>{_e(L['controls'])}</h2>" + _rate_rows([report.controls], L))
    if report.mismatches:
        body.append(f"<h2>{_e(L['mismatches'])} ({len(report.mismatches)})</h2>")
        body.append(
            _table(
                [L["entity"], L["country"], L["prompt"], L["expected"], L["verdict"]],
                [
                    [
                        (_e(m.get("entity") or "—"), False),
                        (_e(m.get("country") or "—"), False),
                        (_e(m.get("text")), False),
                        (_e(m.get("expected")), False),
                        (_e(m.get("verdict")), False),
                    ]
                    for m in report.mismatches[:MAX_MISMATCHES]
                ],
            )
        )
    body += _notes(report.notes, L)
    return body


__all__ = [
    "LABELS",
    "LANGS",
    "gap_chart",
    "parity_sections",
    "rate_chart",
    "render_parity_html",
    "render_transparency_html",
]
