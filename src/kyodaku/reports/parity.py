"""The parity report: are equivalent requests blocked alike, whatever the rightsholder's country?

Japan's complaint about a video generator in 2025 was that US characters were protected before
Japanese ones. kyodaku answers it with a figure: the block rate of the same requests for each
country's entries, with Wilson 95 % intervals, and the JP − US gap with Newcombe's 95 % interval
(`stats.py` says why these methods).

Two sources:

* **A labelled prompt set** (`parity_report`, the primary measure). The same request templates,
  in several languages, filled with every entry's official name (`labelled.py`), are screened by
  the guard; each item's outcome is the decision's verdict. Because the requests are equivalent by
  construction, a gap measures the guard, not the users. Misses count (a prompt naming a JP entry
  that the guard let through lowers JP's rate), which the ledger cannot show. Benign controls give
  the false-block rate. Items naming an entry the guard's catalog does not register are left out
  and counted (`dropped`): they measure nothing about this catalog.
* **The ledger** (`parity_from_ledger`): what actually happened to real requests that named a
  registered entry, grouped by that entry's country. One unit is one (decision, country) pair, its
  outcome the most severe verdict among that country's entries in the decision. This is
  observational: requests differ between countries, granted permissions lower a country's rate
  legitimately, and a request whose entry the guard missed never appears. Read it beside the
  labelled-set figure, not instead of it.

The flag. A gap is **flagged** when its 95 % interval excludes zero *and* |gap| exceeds the
threshold (default 0.05, five percentage points). Both are needed: excluding zero says the gap is
unlikely to be chance; the threshold says it is large enough to matter (with enough prompts any
difference, however small, excludes zero). Each gap also gets a `status`: "flagged", "within"
(the whole interval lies inside ±threshold: parity shown to that precision), or "inconclusive"
(neither: too few items to tell; add prompts). The headline is the gap between the first two
countries of `pair` (JP, US); per-language and per-kind gaps are shown beside it with their own
status, unadjusted for multiple comparisons (one of twenty such intervals misses by chance), so
they point at where to look rather than deciding the flag.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from kyodaku.domain.errors import InvalidInput, KyodakuError
from kyodaku.domain.findings import Decision
from kyodaku.policy.engine import ScreenContext
from kyodaku.reports.common import (
    MIN_OTHER_RIGHTSHOLDERS,
    UNKNOWN,
    Tally,
    prompt_text,
    records,
    script_of,
    suppressed_for,
    worst,
)
from kyodaku.reports.labelled import ParityItem, ParitySet
from kyodaku.reports.stats import DEFAULT_CONFIDENCE, Difference, Proportion, newcombe

DEFAULT_THRESHOLD = 0.05
DEFAULT_PAIR = ("JP", "US")
MAX_MISMATCHES = 200
RULE = (
    "flagged when the {c:.0%} interval of the gap excludes 0 and |gap| > {t:g}; "
    "'within' when the whole interval lies inside ±{t:g}; otherwise 'inconclusive'"
)


@dataclass(frozen=True)
class GroupRate:
    """The block rate of one group (a country, a country in one language, ...)."""

    country: str | None
    key: str | None
    tally: Tally
    rate: Proportion
    label: str | None = None
    suppressed: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"country": self.country}
        if self.key is not None:
            out["key"] = self.key
        if self.label is not None:
            out["label"] = self.label
        if self.suppressed:
            out["suppressed"] = True
            return out
        out.update(
            n=self.tally.total,
            blocked=self.tally.blocked,
            reviewed=self.tally.reviewed,
            allowed=self.tally.allowed,
            block_rate=self.rate.to_dict(),
        )
        return out


@dataclass(frozen=True)
class Gap:
    """Block rate of `a` minus that of `b` (within one language or kind when `key` is set)."""

    a: str
    b: str
    key: str | None
    difference: Difference
    threshold: float

    @property
    def flagged(self) -> bool:
        d = self.difference
        return d.excludes_zero and d.estimate is not None and abs(d.estimate) > self.threshold

    @property
    def status(self) -> str:
        d = self.difference
        if d.estimate is None:
            return "no data"
        if self.flagged:
            return "flagged"
        if -self.threshold <= d.low and d.high <= self.threshold:
            return "within"
        return "inconclusive"

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            **({"key": self.key} if self.key is not None else {}),
            "gap": self.difference.to_dict(),
            "threshold": self.threshold,
            "flagged": self.flagged,
            "status": self.status,
        }


@dataclass
class ParityReport:
    source: str
    """"set" (a labelled prompt set) or "ledger"."""
    generated_at: datetime
    threshold: float
    confidence: float
    pair: tuple[str, str]
    countries: list[GroupRate]
    by_language: list[GroupRate]
    by_kind: list[GroupRate]
    by_rightsholder: list[GroupRate]
    gap: Gap | None
    gaps_by_language: list[Gap]
    gaps_by_kind: list[Gap]
    controls: GroupRate | None = None
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    """Every item whose verdict differs from its label (the JSON and HTML list the first
    MAX_MISMATCHES)."""
    items: int = 0
    dropped: int = 0
    errors: int = 0
    set_info: dict[str, Any] | None = None
    context: dict[str, Any] = field(default_factory=dict)
    viewer: str | None = None
    notes: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def flagged(self) -> bool:
        return self.gap is not None and self.gap.flagged

    @property
    def rule(self) -> str:
        return RULE.format(c=self.confidence, t=self.threshold)

    def summary(self) -> str:
        """One line for a terminal: the headline gap and its status."""
        a, b = self.pair
        if self.gap is None or self.gap.difference.estimate is None:
            return f"parity {a} vs {b}: no gap computed (one side has no items)"
        rates = {g.country: g.rate for g in self.countries}
        d = self.gap.difference
        status = "FLAGGED" if self.flagged else self.gap.status
        return (
            f"parity {a} vs {b} ({self.source}): {a} {_pct(rates[a])}, {b} {_pct(rates[b])}; "
            f"gap {a}−{b} {d.estimate:+.4f} [{d.low:+.4f}, {d.high:+.4f}] "
            f"({self.confidence:.0%} Newcombe), threshold {self.threshold:g}: {status}"
        )

    def for_viewer(self, viewer: str) -> ParityReport:
        """The labelled-set report as rightsholder `viewer` sees it: its own row of the rightsholder
        table and its own mismatches; the per-country figures of synthetic prompts stay whole.
        (A ledger report is scoped while it is computed: `parity_from_ledger(viewer=...)`.)"""
        own = [m for m in self.mismatches if m.get("rightsholder") == viewer]
        return replace(
            self,
            by_rightsholder=[r for r in self.by_rightsholder if r.key == viewer],
            mismatches=own,
            viewer=viewer,
            notes=[*self.notes, f"rightsholder view: only rows about {viewer}'s entries are listed"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "parity",
            "source": self.source,
            "generated_at": self.generated_at.isoformat(),
            "set": self.set_info,
            "context": dict(self.context),
            "scope": {"rightsholder": self.viewer} if self.viewer else "all",
            "pair": list(self.pair),
            "threshold": self.threshold,
            "confidence": self.confidence,
            "rule": self.rule,
            "flagged": self.flagged,
            "gap": self.gap.to_dict() if self.gap else None,
            "countries": [g.to_dict() for g in self.countries],
            "by_language": [g.to_dict() for g in self.by_language],
            "by_kind": [g.to_dict() for g in self.by_kind],
            "by_rightsholder": [g.to_dict() for g in self.by_rightsholder],
            "gaps_by_language": [g.to_dict() for g in self.gaps_by_language],
            "gaps_by_kind": [g.to_dict() for g in self.gaps_by_kind],
            "controls": self.controls.to_dict() if self.controls else None,
            "items": self.items,
            "dropped": self.dropped,
            "errors": self.errors,
            "mismatch_count": len(self.mismatches),
            "mismatches": self.mismatches[:MAX_MISMATCHES],
            "notes": list(self.notes),
            "elapsed_s": round(self.elapsed_s, 3),
        }


def _pct(p: Proportion) -> str:
    if p.rate is None:
        return "n/a (n=0)"
    f = ".2%" if p.n >= 1000 else ".1%"  # a 0.03-point interval must not print as [100.0%, 100.0%]
    return f"{p.rate:{f}} [{p.low:{f}}, {p.high:{f}}] (n={p.n})"


class _Counts:
    """Tallies by country, (country, key) for languages and kinds, and by rightsholder."""

    def __init__(self) -> None:
        self.country: dict[str, Tally] = {}
        self.language: dict[tuple[str, str], Tally] = {}
        self.kind: dict[tuple[str, str], Tally] = {}
        self.holder: dict[str, Tally] = {}
        self.holder_meta: dict[str, tuple[str | None, str]] = {}
        self.country_holders: dict[str, set[str]] = {}

    @staticmethod
    def bump(table: dict[Any, Tally], key: Any, verdict: str) -> None:
        tally = table.get(key)
        if tally is None:
            tally = table[key] = Tally()
        tally.add(verdict)


def _group_rows(
    table: Mapping[tuple[str, str], Tally],
    confidence: float,
    hidden: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[GroupRate]:
    rows = []
    for country, key in sorted(table):
        tally = table[(country, key)]
        if country in hidden:
            rows.append(GroupRate(country, key, Tally(), tally.block_rate(confidence), suppressed=True))
        else:
            rows.append(GroupRate(country, key, tally, tally.block_rate(confidence)))
    return rows


def _gaps(
    table: Mapping[tuple[str, str], Tally], pair: tuple[str, str], threshold: float, confidence: float
) -> list[Gap]:
    a, b = pair
    keys = sorted({k for c, k in table if c == a} & {k for c, k in table if c == b})
    return [
        Gap(
            a,
            b,
            k,
            newcombe(table[(a, k)].block_rate(confidence), table[(b, k)].block_rate(confidence)),
            threshold,
        )
        for k in keys
    ]


def _finish(
    counts: _Counts,
    *,
    source: str,
    pair: tuple[str, str],
    threshold: float,
    confidence: float,
    viewer: str | None,
    min_others: int,
    began: float,
) -> ParityReport:
    """The report from the tallies; a rightsholder `viewer` sees its own rightsholder row only and
    no per-country figure that would give away another rightsholder's (common.suppressed_for)."""
    hidden = {
        c for c, holders in counts.country_holders.items() if suppressed_for(holders, viewer, min_others)
    }
    countries = []
    for c in sorted(counts.country, key=lambda c: (c not in pair, pair.index(c) if c in pair else 0, c)):
        tally = counts.country[c]
        rate = tally.block_rate(confidence)
        countries.append(
            GroupRate(c, None, Tally(), rate, suppressed=True)
            if c in hidden
            else GroupRate(c, None, tally, rate)
        )
    holders = []
    for rid in sorted(counts.holder):
        if viewer is not None and rid != viewer:
            continue
        name, country = counts.holder_meta.get(rid, (None, UNKNOWN))
        tally = counts.holder[rid]
        holders.append(GroupRate(country, rid, tally, tally.block_rate(confidence), label=name))
    gap = None
    a, b = pair
    if a in counts.country and b in counts.country and not ({a, b} & hidden):
        gap = Gap(
            a,
            b,
            None,
            newcombe(counts.country[a].block_rate(confidence), counts.country[b].block_rate(confidence)),
            threshold,
        )
    visible = not ({a, b} & hidden)
    notes = []
    if gap is None:
        missing = [c for c in pair if c not in counts.country]
        if missing:
            notes.append(f"no items for {', '.join(missing)}: no {a}−{b} gap")
        else:
            notes.append(f"the {a}−{b} gap is withheld: too few other rightsholders in one of the countries")
    return ParityReport(
        source=source,
        generated_at=datetime.now(UTC),
        threshold=threshold,
        confidence=confidence,
        pair=pair,
        countries=countries,
        by_language=_group_rows(counts.language, confidence, hidden),
        by_kind=_group_rows(counts.kind, confidence, hidden),
        by_rightsholder=holders,
        gap=gap,
        gaps_by_language=_gaps(counts.language, pair, threshold, confidence) if visible else [],
        gaps_by_kind=_gaps(counts.kind, pair, threshold, confidence) if visible else [],
        viewer=viewer,
        notes=notes,
        elapsed_s=time.perf_counter() - began,
    )


def _check(threshold: float, pair: Sequence[str]) -> tuple[str, str]:
    if not 0.0 <= threshold < 1.0:
        raise InvalidInput(f"the threshold is a difference of rates, between 0 and 1, not {threshold}")
    if len(pair) != 2 or pair[0].upper() == pair[1].upper():
        raise InvalidInput(f"parity compares two different countries, not {list(pair)}")
    return pair[0].upper(), pair[1].upper()


def parity_report(
    guard: Any,
    items: ParitySet | Iterable[ParityItem],
    licensee: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    region: str | None = None,
    pair: Sequence[str] = DEFAULT_PAIR,
    confidence: float = DEFAULT_CONFIDENCE,
    viewer: str | None = None,
    batch: int = 256,
) -> ParityReport:
    """Screen every item of a labelled set with `guard` (as `licensee` in `region`) and compare the
    block rates of the countries in `pair` (see the module docstring for the rule).

    The screening is a measurement: nothing is appended to the ledger. `viewer` (a rightsholder id)
    limits the rightsholder table and the mismatch list to its own entries; the synthetic set's
    per-country figures are not anyone's usage data, so they stay whole."""
    began = time.perf_counter()
    a, b = _check(threshold, pair)
    info = items.to_dict() if isinstance(items, ParitySet) else None
    listed = list(items.items if isinstance(items, ParitySet) else items)
    snap = guard.snapshot  # one registry version for the whole run (names and the context below)
    registered, owners = snap.catalog.entity_map(), snap.catalog.rightsholder_map()
    kept = [i for i in listed if i.control or i.entity in registered]
    dropped = len(listed) - len(kept)
    ctx = ScreenContext(licensee=licensee, region=region.upper() if region else None)
    counts, controls = _Counts(), Tally()
    mismatches: list[dict[str, Any]] = []
    errors = 0
    for start in range(0, len(kept), batch):
        chunk = kept[start : start + batch]
        results = guard.screen_many([(i.id, i.text) for i in chunk], ctx)
        for item, result in zip(chunk, results, strict=True):
            if isinstance(result, KyodakuError) or not isinstance(result, Decision):
                errors += 1
                continue
            verdict = result.verdict.value
            if item.control:
                controls.add(verdict)
            else:
                country = item.country or UNKNOWN
                counts.bump(counts.country, country, verdict)
                counts.bump(counts.language, (country, item.lang), verdict)
                counts.bump(counts.kind, (country, item.kind or UNKNOWN), verdict)
                if item.rightsholder:
                    counts.bump(counts.holder, item.rightsholder, verdict)
                    owner = owners.get(item.rightsholder)
                    counts.holder_meta.setdefault(
                        item.rightsholder, (owner.display_name() if owner else None, country)
                    )
            if verdict != item.expected:
                found = [e.entity for e in result.entities]
                mismatches.append({**item.to_dict(), "verdict": verdict, "found": found})
    report = _finish(
        counts,
        source="set",
        pair=(a, b),
        threshold=threshold,
        confidence=confidence,
        viewer=None,
        min_others=0,
        began=began,
    )
    report.controls = GroupRate(None, "controls", controls, controls.block_rate(confidence))
    report.mismatches = mismatches
    report.items, report.dropped, report.errors = len(kept), dropped, errors
    report.set_info = info
    report.context = {**ctx.to_dict(), "registry_version": snap.version, "snapshot": snap.label}
    if dropped:
        report.notes.append(
            f"{dropped} of {len(listed)} items name entries this catalog does not register and were left out"
        )
    if errors:
        report.notes.append(f"{errors} items could not be screened (invalid prompts) and are not counted")
    report.elapsed_s = time.perf_counter() - began
    return report if viewer is None else report.for_viewer(viewer)


def parity_from_ledger(
    entries: Iterable[Any],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    pair: Sequence[str] = DEFAULT_PAIR,
    confidence: float = DEFAULT_CONFIDENCE,
    viewer: str | None = None,
    min_other_rightsholders: int = MIN_OTHER_RIGHTSHOLDERS,
) -> ParityReport:
    """Block rates of real requests that named a registered entry, by that entry's country (one unit
    per decision and country; see the module docstring for what this can and cannot show).
    Languages here are the prompts' scripts ("unknown" without kept prompt text)."""
    began = time.perf_counter()
    a, b = _check(threshold, pair)
    counts = _Counts()
    decisions = with_entries = 0
    for data in records(entries, since, until):
        decisions += 1
        entities = [e for e in data.get("entities") or () if isinstance(e, Mapping)]
        if not entities:
            continue
        with_entries += 1
        script = script_of(prompt_text(data))
        by_country: dict[str, list[str]] = {}
        by_kind: dict[tuple[str, str], list[str]] = {}
        by_holder: dict[str, list[str]] = {}
        for e in entities:
            rh = e.get("rightsholder") or {}
            country = str(rh.get("country") or UNKNOWN).upper()
            rid = str(rh.get("id") or UNKNOWN)
            v = str(e.get("verdict") or "block")
            by_country.setdefault(country, []).append(v)
            by_kind.setdefault((country, str(e.get("kind") or UNKNOWN)), []).append(v)
            by_holder.setdefault(rid, []).append(v)
            counts.holder_meta.setdefault(rid, (rh.get("name"), country))
            counts.country_holders.setdefault(country, set()).add(rid)
        for country, vs in by_country.items():
            verdict = worst(vs)
            counts.bump(counts.country, country, verdict)
            counts.bump(counts.language, (country, script), verdict)
        for key, vs in by_kind.items():
            counts.bump(counts.kind, key, worst(vs))
        for rid, vs in by_holder.items():
            counts.bump(counts.holder, rid, worst(vs))
    report = _finish(
        counts,
        source="ledger",
        pair=(a, b),
        threshold=threshold,
        confidence=confidence,
        viewer=viewer,
        min_others=min_other_rightsholders,
        began=began,
    )
    report.items = with_entries
    report.context = {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "decisions": decisions,
        "decisions_with_registered_entry": with_entries,
    }
    report.notes.append(
        "observational: real requests differ between countries, granted permissions lower a country's "
        "rate legitimately, and requests whose entry the guard missed are not counted; compare with the "
        "labelled set"
    )
    return report


__all__ = [
    "DEFAULT_PAIR",
    "DEFAULT_THRESHOLD",
    "Gap",
    "GroupRate",
    "ParityReport",
    "parity_from_ledger",
    "parity_report",
]
