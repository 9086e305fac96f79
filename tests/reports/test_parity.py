"""Parity: block rates of equivalent requests per country, the JP−US gap, its interval and flag."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from kyodaku.domain.errors import InvalidInput
from kyodaku.policy.engine import ScreenContext
from kyodaku.reports.labelled import build_parity_set, load_parity_set
from kyodaku.reports.parity import parity_from_ledger, parity_report
from kyodaku.reports.stats import difference


def _blocked_by_country(guard, items, licensee=None):
    """Screen every item one by one (not through the report) and count blocks per country."""
    blocked, total = Counter(), Counter()
    for item in items:
        if item.control:
            continue
        decision = guard.screen_prompt(item.text, ScreenContext(licensee=licensee))
        total[item.country] += 1
        blocked[item.country] += decision.verdict.value == "block"
    return blocked, total


def test_when_the_shipped_set_is_screened_on_the_demo_catalog_then_a_jp_us_gap_with_its_interval_comes_out(
    demo_guard,
):
    shipped = load_parity_set()
    report = parity_report(demo_guard, shipped)
    blocked, total = _blocked_by_country(demo_guard, shipped.items)
    rates = {g.country: g for g in report.countries}
    for country in ("JP", "US"):
        assert rates[country].tally.total == total[country] > 0
        assert rates[country].tally.blocked == blocked[country]
    expected = difference(blocked["JP"], total["JP"], blocked["US"], total["US"])
    gap = report.gap.difference
    assert gap.estimate == pytest.approx(expected.estimate)
    assert (gap.low, gap.high) == pytest.approx((expected.low, expected.high))
    assert gap.low <= gap.estimate <= gap.high and gap.high - gap.low > 0
    assert report.flagged == (expected.excludes_zero and abs(expected.estimate) > 0.05)
    assert report.items == len(shipped.items) and report.dropped == 0
    assert report.controls.tally.total == sum(1 for i in shipped.items if i.control)
    body = json.loads(json.dumps(report.to_dict()))
    assert body["gap"]["gap"]["method"] == "newcombe-hybrid-score" and body["pair"] == ["JP", "US"]


def test_when_languages_and_kinds_are_reported_then_their_counts_add_up_to_the_country_totals(demo_guard):
    report = parity_report(demo_guard, load_parity_set())
    for g in report.countries:
        for table in (report.by_language, report.by_kind):
            rows = [r for r in table if r.country == g.country]
            assert sum(r.tally.total for r in rows) == g.tally.total
            assert sum(r.tally.blocked for r in rows) == g.tally.blocked
    assert {g.key for g in report.gaps_by_language} == {"en", "ja", "zh", "ko", "fr", "es", "de"}


def test_when_a_licensee_may_use_every_us_entry_then_the_gap_is_flagged(tiny_guard):
    items = build_parity_set(tiny_guard.snapshot.catalog)
    report = parity_report(tiny_guard, items, licensee="acme")
    rates = {g.country: g.rate for g in report.countries}
    assert rates["JP"].rate == 1.0 and rates["US"].rate == 0.0
    assert report.gap.difference.low > 0.05 and report.flagged and report.gap.status == "flagged"
    assert "FLAGGED" in report.summary()
    assert report.context["licensee"] == "acme"


def test_when_both_countries_are_blocked_alike_then_nothing_is_flagged_and_precision_decides_the_status(
    tiny_guard,
):
    items = build_parity_set(tiny_guard.snapshot.catalog)
    tight = parity_report(tiny_guard, items, threshold=0.05)
    assert tight.gap.difference.estimate == 0.0 and not tight.flagged
    half_width = max(-tight.gap.difference.low, tight.gap.difference.high)
    assert tight.gap.status == ("within" if half_width <= 0.05 else "inconclusive")
    loose = parity_report(tiny_guard, items, threshold=round(half_width + 0.01, 3))
    assert loose.gap.status == "within" and not loose.flagged


def test_when_set_items_name_unregistered_entries_then_they_are_left_out_and_counted(tiny_guard):
    shipped = load_parity_set()
    registered = tiny_guard.snapshot.catalog.entity_map()
    report = parity_report(tiny_guard, shipped)
    outside = sum(1 for i in shipped.items if not i.control and i.entity not in registered)
    assert report.dropped == outside > 0
    assert report.items == len(shipped.items) - outside
    assert any("do not register" in n or "does not register" in n for n in report.notes)


def test_when_a_rightsholder_views_the_set_report_then_only_its_own_rows_are_listed(tiny_guard):
    items = build_parity_set(tiny_guard.snapshot.catalog)
    full = parity_report(tiny_guard, items, licensee="acme")
    mine = full.for_viewer("dc")
    assert {r.key for r in full.by_rightsholder} == {"pokemon-company", "sanrio", "dc", "marvel", "disney"}
    assert [r.key for r in mine.by_rightsholder] == ["dc"]
    assert mine.mismatches and all(m["rightsholder"] == "dc" for m in mine.mismatches)
    assert [g.to_dict() for g in mine.countries] == [g.to_dict() for g in full.countries]


def test_when_the_threshold_or_pair_is_nonsense_then_the_report_refuses(tiny_guard):
    items = build_parity_set(tiny_guard.snapshot.catalog)
    with pytest.raises(InvalidInput):
        parity_report(tiny_guard, items, threshold=1.5)
    with pytest.raises(InvalidInput):
        parity_report(tiny_guard, items, pair=("JP", "jp"))


# -- the ledger -------------------------------------------------------------------------------------
HOLDERS = {
    "pokemon-company": "JP", "sanrio": "JP", "bird": "JP",
    "dc": "US", "marvel": "US", "disney": "US",
}  # fmt: skip


def _body(day: int, *entities: tuple[str, str, str], text: str | None = None) -> dict:
    """A ledger body; each entity is (entity id, rightsholder id, verdict)."""
    listed = [
        {"entity": e, "kind": "character", "verdict": v,
         "rightsholder": {"id": rh, "name": rh.title(), "country": HOLDERS[rh]}}
        for e, rh, v in entities
    ]  # fmt: skip
    verdict = max((v for _, _, v in entities), key=["allow", "review", "block"].index, default="allow")
    prompt = {"sha256": "0" * 64, "chars": 1, **({"text": text} if text else {})}
    findings = [{"entity": e, "matcher": "alias"} for e, _, _ in entities]
    when = f"2026-03-{day:02d}T10:00:00+00:00"
    return {"time": when, "verdict": verdict, "entities": listed, "findings": findings, "prompt": prompt}


def _ledger_bodies() -> list[dict]:
    return [
        _body(1, ("pikachu", "pokemon-company", "block"), text="ピカチュウ"),
        _body(1, ("pikachu", "pokemon-company", "allow")),
        _body(2, ("kitty", "sanrio", "block")),
        _body(2, ("goku", "bird", "review")),
        _body(3, ("superman", "dc", "block")),
        _body(3, ("spider-man", "marvel", "block"), text="Spider-Man"),
        _body(4, ("donald", "disney", "allow")),
        # One decision about a JP and a US entry: one unit for each country, each with its own verdict.
        _body(4, ("pikachu", "pokemon-company", "block"), ("superman", "dc", "allow")),
        _body(5),  # nothing registered found: no country to count it under
    ]


def test_when_ledger_decisions_are_grouped_by_country_then_each_country_gets_its_own_verdicts():
    bodies = _ledger_bodies()
    report = parity_from_ledger(bodies)
    expected: dict[str, Counter] = {"JP": Counter(), "US": Counter()}
    for b in bodies:
        per_country: dict[str, list[str]] = {}
        for e in b["entities"]:
            per_country.setdefault(e["rightsholder"]["country"], []).append(e["verdict"])
        for country, verdicts in per_country.items():
            expected[country]["n"] += 1
            expected[country]["blocked"] += "block" in verdicts
    rates = {g.country: g.tally for g in report.countries}
    for country in ("JP", "US"):
        assert (rates[country].total, rates[country].blocked) == (
            expected[country]["n"],
            expected[country]["blocked"],
        )
    assert report.context["decisions"] == len(bodies)
    assert report.context["decisions_with_registered_entry"] == len(bodies) - 1
    scripts = {g.key for g in report.by_language}
    assert {"Kana", "Latin", "unknown"} <= scripts


def test_when_a_ledger_window_is_given_then_only_decisions_inside_it_count():
    from kyodaku.reports.common import parse_when

    report = parity_from_ledger(
        _ledger_bodies(), since=parse_when("2026-03-02"), until=parse_when("2026-03-03", end=True)
    )
    assert report.context["decisions"] == 4
    assert sum(g.tally.total for g in report.countries) == 4


def test_when_a_rightsholder_reads_ledger_parity_then_countries_with_too_few_others_are_withheld():
    bodies = _ledger_bodies()
    # JP has three rightsholders: pokemon-company sees two others, enough; drop one and it is not.
    jp_view = parity_from_ledger(bodies, viewer="pokemon-company")
    assert not any(g.suppressed for g in jp_view.countries) and jp_view.gap is not None
    assert [r.key for r in jp_view.by_rightsholder] == ["pokemon-company"]
    without_bird = [b for b in bodies if not any(e["rightsholder"]["id"] == "bird" for e in b["entities"])]
    narrowed = parity_from_ledger(without_bird, viewer="pokemon-company")
    hidden = {g.country for g in narrowed.countries if g.suppressed}
    assert hidden == {"JP"} and narrowed.gap is None and not narrowed.gaps_by_language
    assert "suppressed" in json.dumps(narrowed.to_dict())
    operator = parity_from_ledger(without_bird)
    assert not any(g.suppressed for g in operator.countries) and operator.gap is not None
