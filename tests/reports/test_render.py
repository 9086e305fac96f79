"""The HTML reports: self-contained, no JavaScript, every name escaped, English and Japanese."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from kyodaku.reports.labelled import ParityItem, build_parity_set
from kyodaku.reports.parity import parity_from_ledger, parity_report
from kyodaku.reports.render import LABELS, rate_chart, render_parity_html, render_transparency_html
from kyodaku.reports.stats import wilson
from kyodaku.reports.transparency import transparency_report

EVIL_NAME = '<script>alert("pwned")</script>'
EVIL_ENTITY = "<img src=x onerror=alert(1)>"
EVIL_MATCHER = '"><script>steal()</script>'


def _evil_bodies() -> list[dict]:
    bodies = []
    for n, (country, verdict) in enumerate(
        [("JP", "block"), ("US", "allow"), ("JP", "block"), ("US", "block")]
    ):
        rh = {"id": f"rh-{country.lower()}", "name": EVIL_NAME, "country": country}
        bodies.append(
            {
                "time": f"2026-03-0{n + 1}T00:00:00+00:00",
                "verdict": verdict,
                "entities": [
                    {"entity": EVIL_ENTITY, "kind": "<b>kind</b>", "verdict": verdict, "rightsholder": rh}
                ],
                "findings": [{"entity": EVIL_ENTITY, "matcher": EVIL_MATCHER}],
                "prompt": {"sha256": "0" * 64, "chars": 9, "text": "<script>x</script> ピカチュウ"},
            }
        )
    return bodies


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)


def _parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_when_names_carry_markup_then_the_transparency_page_shows_them_as_text(lang):
    page = render_transparency_html(transparency_report(_evil_bodies()), lang)
    parsed = _parsed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "b" not in parsed.tags
    assert not any(a.startswith("on") for a in parsed.attrs)
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;kind&lt;/b&gt;" in page and html.escape(EVIL_MATCHER) in page
    assert EVIL_NAME not in page and EVIL_MATCHER not in page


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_when_names_carry_markup_then_the_parity_page_shows_them_as_text(lang, tiny_guard):
    ledger_page = render_parity_html(parity_from_ledger(_evil_bodies()), lang)
    items = [
        *build_parity_set(tiny_guard.snapshot.catalog)[:4],
        ParityItem(id="x", text=f"{EVIL_NAME} Pikachu", lang="en", template="evil", expected="allow"),
    ]
    set_page = render_parity_html(parity_report(tiny_guard, items), lang)
    for page in (ledger_page, set_page):
        parsed = _parsed(page)
        assert "script" not in parsed.tags and not any(a.startswith("on") for a in parsed.attrs)
        assert EVIL_NAME not in page
    assert "&lt;script&gt;" in set_page  # the mismatching control is listed, escaped


def test_when_a_page_is_rendered_in_japanese_then_its_labels_and_lang_are_japanese(tiny_guard):
    report = parity_report(tiny_guard, build_parity_set(tiny_guard.snapshot.catalog), licensee="acme")
    ja, en = render_parity_html(report, "ja"), render_parity_html(report, "en")
    assert '<html lang="ja">' in ja and '<html lang="en">' in en
    assert LABELS["ja"]["flagged"] in ja and LABELS["en"]["flagged"] in en
    assert LABELS["en"]["flagged"] not in ja
    with pytest.raises(ValueError):
        render_parity_html(report, "fr")


def test_when_rates_are_charted_then_each_bar_has_its_length_and_an_error_bar_at_its_interval():
    rows = [("a", wilson(9, 10)), ("b", wilson(1, 4)), ("none", wilson(0, 0))]
    svg = rate_chart(rows, "t", width=640)
    bars = [float(w) for w in re.findall(r'<rect x="190" y="[\d.]+" width="([\d.]+)"', svg)]
    plot = 640 - 190 - 70
    assert bars == pytest.approx([plot * 0.9, plot * 0.25], abs=0.06)  # the n = 0 row has no bar
    lines = re.findall(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="\2"', svg)
    spans = [(float(x1), float(x2)) for x1, _, x2 in lines]
    for _, p in rows[:2]:
        low, high = 190 + plot * p.low, 190 + plot * p.high
        assert any(abs(x1 - low) < 0.06 and abs(x2 - high) < 0.06 for x1, x2 in spans)


def test_when_there_are_no_claims_then_the_page_says_so():
    page = render_transparency_html(transparency_report([]), "en")
    assert LABELS["en"]["no_claims"] in page and LABELS["en"]["none"] in page
