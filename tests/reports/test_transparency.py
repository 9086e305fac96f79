"""The transparency report over a real ledger: counts by rightsholder, country, kind, matcher,
script and day; a rightsholder's view; the claims plug-in."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from kyodaku.policy.engine import ScreenContext
from kyodaku.provenance.entry import Record
from kyodaku.provenance.ledger import Ledger
from kyodaku.reports.common import script_of
from kyodaku.reports.transparency import ClaimsFigures, transparency_report

PROMPTS = [
    ("Pikachu surfing at sunset", True),
    ("ピカチュウのイラスト", True),
    ("a poster of Superman", False),
    ("스파이더맨 그림", True),
    ("Hello Kitty and Donald Duck at a picnic", True),
    ("a lighthouse by the sea", False),
    ("Superman and Pikachu", False),
    ("一张超人的海报", True),
    ("Spider-Man swinging between towers", False),
]


@pytest.fixture()
def ledger_with_decisions(tmp_path, tiny_guard):
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    decisions = []
    for n, (text, keep) in enumerate(PROMPTS):
        licensee = "acme" if n % 2 else None
        decision = tiny_guard.screen_prompt(text, ScreenContext(licensee=licensee))
        ledger.append(decision, Record(source="python", prompt=text, keep_prompt_text=keep))
        decisions.append((text, keep, decision))
    try:
        yield ledger, decisions
    finally:
        ledger.close()


def _worst(verdicts):
    order = ["allow", "review", "block"]
    return max(verdicts, key=order.index)


def test_when_the_ledger_is_reported_then_every_section_counts_what_the_decisions_said(ledger_with_decisions):
    ledger, decisions = ledger_with_decisions
    report = transparency_report(ledger.entries())
    assert report.totals["decisions"] == len(decisions)
    assert report.totals["blocked"] == sum(d.verdict.value == "block" for _, _, d in decisions)
    holders: dict[str, Counter] = {}
    countries: dict[str, Counter] = {}
    matchers: Counter = Counter()
    for _, _, d in decisions:
        per_holder: dict[str, list[str]] = {}
        per_country: dict[str, list[str]] = {}
        for e in d.entities:
            per_holder.setdefault(e.rightsholder["id"], []).append(e.verdict.value)
            per_country.setdefault(e.rightsholder["country"], []).append(e.verdict.value)
        for table, grouped in ((holders, per_holder), (countries, per_country)):
            for key, verdicts in grouped.items():
                table.setdefault(key, Counter())[_worst(verdicts)] += 1
        for m in {f.matcher for f in d.findings}:
            matchers[m] += 1
    rows = {r.key: r for r in report.by_rightsholder}
    assert set(rows) == set(holders)
    for key, counted in holders.items():
        assert (rows[key].decisions, rows[key].blocked) == (sum(counted.values()), counted["block"])
        assert rows[key].country in ("JP", "US") and rows[key].label
    country_rows = {r.key: r for r in report.by_country}
    for key, counted in countries.items():
        assert (country_rows[key].decisions, country_rows[key].blocked) == (
            sum(counted.values()),
            counted["block"],
        )
    assert {r.key: r.decisions for r in report.by_matcher} == dict(matchers)
    assert [r.key for r in report.per_day] == [datetime.now(UTC).date().isoformat()]
    assert report.per_day[0].decisions == len(decisions)


def test_when_prompt_text_was_kept_then_its_script_is_counted_and_otherwise_unknown(ledger_with_decisions):
    ledger, decisions = ledger_with_decisions
    report = transparency_report(ledger.entries())
    expected = Counter(script_of(text) if keep else "unknown" for text, keep, _ in decisions)
    assert {r.key: r.decisions for r in report.by_language} == dict(expected)
    assert {"Kana", "Hangul", "Han", "Latin", "unknown"} <= set(expected)
    assert any("hash" in n for n in report.notes)


def test_when_a_rightsholder_views_the_report_then_it_sees_only_its_own_rows(ledger_with_decisions):
    ledger, decisions = ledger_with_decisions
    mine = transparency_report(ledger.entries(), viewer="dc")
    about_dc = [d for _, _, d in decisions if any(e.rightsholder["id"] == "dc" for e in d.entities)]
    assert [r.key for r in mine.by_rightsholder] == ["dc"]
    assert mine.totals["decisions"] == len(about_dc) > 0
    own_findings = Counter(
        m for d in about_dc for m in {f.matcher for f in d.findings if f.entity == "superman"}
    )
    assert {r.key: r.decisions for r in mine.by_matcher} == dict(own_findings)
    assert {r.key for r in mine.by_kind} == {"character"}
    # Country totals stay, over every decision: JP has two rightsholders, US three (dc sees two others).
    full = {r.key: r.decisions for r in transparency_report(ledger.entries()).by_country}
    assert {r.key: r.decisions for r in mine.by_country if not r.suppressed} == full
    text = str(mine.to_dict())
    assert "pokemon-company" not in text and "marvel" not in text


def test_when_a_country_has_too_few_other_rightsholders_then_its_totals_are_withheld(ledger_with_decisions):
    ledger, _ = ledger_with_decisions
    pokemon = transparency_report(ledger.entries(), viewer="pokemon-company")
    rows = {r.key: r for r in pokemon.by_country}
    assert rows["JP"].suppressed and rows["JP"].decisions == 0 and rows["JP"].block_rate is None
    assert not rows["US"].suppressed and rows["US"].decisions > 0
    assert rows["JP"].to_dict() == {"key": "JP", "country": "JP", "suppressed": True}
    assert any("withheld" in n for n in pokemon.notes)


def test_when_a_time_window_is_given_then_only_decisions_inside_it_are_counted(ledger_with_decisions):
    ledger, decisions = ledger_with_decisions
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert transparency_report(ledger.entries(), since=tomorrow).totals["decisions"] == 0
    assert transparency_report(ledger.entries(), until=tomorrow).totals["decisions"] == len(decisions)
    bodies = [e.data for e in ledger.entries()]
    assert transparency_report(bodies, since=tomorrow).totals["decisions"] == 0


@dataclass
class _DeskFigures:
    received: int
    acknowledged_on_time: int
    decided_on_time: int
    overdue: int
    unrelated: str = "ignored"


def test_when_the_claims_desk_supplies_figures_then_they_are_reported_and_none_says_so(ledger_with_decisions):
    ledger, _ = ledger_with_decisions
    with_claims = transparency_report(ledger.entries(), claims=_DeskFigures(8, 6, 4, 1)).to_dict()["claims"]
    assert with_claims["received"] == 8 and with_claims["overdue"] == 1
    assert with_claims["acknowledged_on_time_share"] == pytest.approx(6 / 8)
    assert transparency_report(ledger.entries()).to_dict()["claims"] is None
    assert ClaimsFigures.of({"received": 0, "acknowledged_on_time": 0, "decided_on_time": 0, "overdue": 0})
    with pytest.raises(ValueError):
        ClaimsFigures.of({"received": 3})


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("ピカチュウのイラスト", "Kana"),
        ("鬼滅の刃", "Kana"),
        ("孫悟空", "Han"),
        ("스파이더맨 그림", "Hangul"),
        ("une affiche de Pikachu", "Latin"),
        ("Человек-паук", "Cyrillic"),
        ("12345 !!", "other"),
        (None, "unknown"),
    ],
)
def test_when_a_prompt_is_read_then_its_script_is_named(text, script):
    assert script_of(text) == script
