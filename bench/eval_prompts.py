"""Recall and false positives of the guard on a labelled prompt set, beside the naive substring filter.

Each line of the set is `{"id", "text", "lang", "category", "expected": [entity ids], "subcategory"?,
"split"?}`. A prompt of a positive category counts as detected when the decision's verdict is block or
review AND at least one expected entity id is among the decision's entities. For the benign categories
(benign, benign_shared) the figure is the false-positive rate: the share with verdict block or review.

Wrong neighbour: of the positive prompts the guard flagged, the share whose decision blocks or holds
an entry that is neither expected nor related to an expected one (related: the work of an expected
character, or a character of an expected work); "Mario" flagging Luigi, a superhero flagging
another. Reported overall, per category, and for the `neighbour` category of the fresh set.

Split: a development set is cut into a `tune` half and a `report` half (`--split`), stratified by
category and, inside a category, by language: see `assign_splits`. A line's own "split" field, if
any, wins.

The baseline, measured in the same run, is the filter most platforms use: a case-insensitive
substring test of every catalog name (all languages) against the prompt. It detects a prompt when
a name of an expected entity is a substring; a benign prompt is a false positive if ANY name is.

    .venv/bin/python bench/eval_prompts.py                     # demo catalog, bench/data/devset.jsonl
    .venv/bin/python bench/eval_prompts.py --no-semantic --show-errors 20 --json /tmp/eval.json
    .venv/bin/python bench/eval_prompts.py --minimal --split report   # minimal catalog, untuned half
    .venv/bin/python bench/eval_prompts.py --minimal --set freshset   # minimal catalog, fresh set
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from _common import (
    DEMO_CATALOG,
    DEVSET,
    FRESHSET,
    MINIMAL_CATALOG,
    ROOT,
    die,
    file_digest,
    machine_line,
    mean,
    pct,
    percentile,
    require_file,
)

BENIGN_CATEGORIES = frozenset({"benign", "benign_shared"})
FLAGGING_VERDICTS = frozenset({"block", "review"})
CATEGORY_ORDER = (
    "direct",
    "transliteration",
    "obfuscation",
    "nickname",
    "indirect",
    "franchise",
    "style",
    "neighbour",
    "benign_shared",
    "benign",
)
SPLITS = ("tune", "report")
NAMED_SETS = {"devset": DEVSET, "freshset": FRESHSET}
WRONG_NEIGHBOUR_TARGET = 0.05
"""At most this share of flagged positive prompts may also flag an unrelated entry."""
# Targets from the issue: recall at least (positive categories), false-positive rate at most (benign).
TARGETS: dict[str, float] = {  # issue 8 (minimal catalog); listed nicknames 100 %, unlisted: report
    "direct": 0.97,
    "transliteration": 0.95,
    "obfuscation": 0.95,
    "nickname": 0.80,
    "indirect": 0.75,
    "franchise": 0.90,
    "style": 0.90,
    "benign_shared": 0.03,
    "benign": 0.005,
}
# The neighbour category has no recall target of its own: it is there for the wrong-neighbour rate.


# ------------------------------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class Record:
    """One labelled prompt."""

    id: str
    text: str
    lang: str
    category: str
    expected: tuple[str, ...] = ()
    subcategory: str | None = None
    split: str | None = None
    """`tune` or `report` when the line says so; otherwise `assign_splits` decides."""

    @property
    def benign(self) -> bool:
        return self.category in BENIGN_CATEGORIES

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> Record:
        return cls(
            id=str(obj["id"]),
            text=obj["text"],
            lang=obj.get("lang", "?"),
            category=obj["category"],
            expected=tuple(obj.get("expected") or ()),
            subcategory=obj.get("subcategory"),
            split=obj.get("split"),
        )


def counts(record: Record, verdict: str, entities: Iterable[str]) -> bool:
    """Whether the guard's answer counts for this record.

    Positive record: True when it was detected (verdict block/review and an expected entity among
    `entities`). Benign record: True when it is a false positive (verdict block/review at all).
    """
    flagged = str(verdict) in FLAGGING_VERDICTS
    if record.benign:
        return flagged
    return flagged and not set(record.expected).isdisjoint(entities)


def baseline_counts(record: Record, matched: Iterable[str]) -> bool:
    """The same question for the substring baseline: `matched` are the entities with a name in the text."""
    matched = set(matched)
    if record.benign:
        return bool(matched)
    return not set(record.expected).isdisjoint(matched)


# ------------------------------------------------------------------------------------------ split


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assign_splits(records: Sequence[Record]) -> dict[str, str]:
    """`tune` or `report` for every record id: half of each category, and of each language in it.

    A record that carries its own split keeps it. The others are grouped by category; inside a
    category they are ordered by language, then by the SHA-256 of their id, and labelled tune and
    report in turn. So every category, and every language inside a category, is cut in two halves
    that differ by at most one prompt, and the answer depends only on the ids, categories and
    languages, never on the order of the lines. Which label a category starts with comes from the
    hash of its name, so that odd-sized categories do not all lean to the same half.
    """
    out = {r.id: r.split for r in records if r.split}
    by_category: dict[str, list[Record]] = {}
    for r in records:
        if not r.split:
            by_category.setdefault(r.category, []).append(r)
    for category, group in by_category.items():
        group.sort(key=lambda r: (r.lang, _digest(r.id), r.id))
        start = int(_digest(category), 16) % 2
        for i, r in enumerate(group):
            out[r.id] = SPLITS[(start + i) % 2]
    return out


def select_split(records: Sequence[Record], split: str) -> list[Record]:
    """The records of one half (`tune`, `report`), or all of them (`all`), in their order."""
    if split == "all":
        return list(records)
    labels = assign_splits(records)
    return [r for r in records if labels[r.id] == split]


# ------------------------------------------------------------------------------------------ neighbours


def relations(entries: Iterable[tuple[str, str | None]]) -> dict[str, frozenset[str]]:
    """For each entry id, the ids that count as the same thing: itself, its work (a character) or
    its characters (a work). `entries`: (id, work id or None) pairs, as a catalog's entities give."""
    related: dict[str, set[str]] = {}
    for entry, work in entries:
        related.setdefault(entry, {entry})
        if work:
            related[entry].add(work)
            related.setdefault(work, {work}).add(entry)
    return {k: frozenset(v) for k, v in related.items()}


def catalog_relations(catalog: Any) -> dict[str, frozenset[str]]:
    return relations((e.id, e.work) for e in catalog.entities)


def wrong_neighbours(
    expected: Iterable[str], flagged: Iterable[str], related: Mapping[str, frozenset[str]]
) -> tuple[str, ...]:
    """The flagged entries that are neither expected nor related to an expected entry, sorted.

    A sibling (Luigi for a prompt about Mario) is not related: only the same work is. Nothing is
    wrong for a prompt that expects nothing (a benign prompt has its own false-positive rate).
    """
    expected = set(expected)
    if not expected:
        return ()
    accepted = set(expected)
    for entry in expected:
        accepted |= related.get(entry, frozenset())
    return tuple(sorted({e for e in flagged if e not in accepted}))


def semantic_only(entities: Iterable[str], findings: Iterable[Mapping[str, Any]]) -> bool:
    """Whether any of `entities` was found by the semantic matcher alone (no lexical finding)."""
    by_entity: dict[str, set[str]] = {}
    for f in findings:
        by_entity.setdefault(f.get("entity", ""), set()).add(f.get("matcher", ""))
    return any(by_entity.get(e) == {"semantic"} for e in entities)


class SubstringBaseline:
    """Case-insensitive substring test of every registered name (all languages), as most filters do."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        """`names`: (entity id, name) pairs."""
        self.names = [(n.casefold(), entity) for entity, n in names if n.strip()]

    @classmethod
    def from_catalog(cls, catalog: Any) -> SubstringBaseline:
        return cls((e.id, name) for e in catalog.entities for _, name in e.all_names())

    def matches(self, text: str) -> set[str]:
        """Entity ids with at least one name that is a substring of `text`."""
        folded = text.casefold()
        return {entity for name, entity in self.names if name in folded}


@dataclass
class Tally:
    n: int = 0
    guard: int = 0
    baseline: int = 0
    elsewhere: int = 0  # positive prompts flagged, but for none of the expected entries
    flagged: int = 0  # positive prompts with verdict block or review
    wrong: int = 0  # of those, prompts that also flagged an unrelated entry (a wrong neighbour)
    wrong_semantic: int = 0  # of those, prompts where the semantic matcher alone named it

    def add(
        self,
        guard_hit: bool,
        baseline_hit: bool,
        elsewhere: bool = False,
        flagged: bool = False,
        wrong: bool = False,
        wrong_semantic: bool = False,
    ) -> None:
        self.n += 1
        self.guard += guard_hit
        self.baseline += baseline_hit
        self.elsewhere += elsewhere
        self.flagged += flagged
        self.wrong += wrong
        self.wrong_semantic += wrong_semantic

    @property
    def wrong_rate(self) -> float:
        """Share of flagged positive prompts that flagged a wrong neighbour too."""
        return self.wrong / self.flagged if self.flagged else math.nan

    @property
    def guard_rate(self) -> float:
        return self.guard / self.n if self.n else math.nan

    @property
    def baseline_rate(self) -> float:
        return self.baseline / self.n if self.n else math.nan


@dataclass
class ItemResult:
    record: Record
    verdict: str
    entities: tuple[str, ...]
    guard_hit: bool
    baseline_entities: tuple[str, ...]
    baseline_hit: bool
    guard_ms: float
    baseline_ms: float
    decision: dict[str, Any] = field(default_factory=dict)
    flagged_entities: tuple[str, ...] = ()
    """The decision's entities whose own verdict is block or review."""
    wrong_entities: tuple[str, ...] = ()
    """Flagged entities neither expected nor related to an expected one (see wrong_neighbours)."""
    wrong_semantic: bool = False
    """A wrong entity was found by the semantic matcher alone."""

    @property
    def flagged(self) -> bool:
        return str(self.verdict) in FLAGGING_VERDICTS

    @property
    def elsewhere(self) -> bool:
        """A positive prompt that was flagged, but for other entries than the expected ones."""
        return not self.record.benign and not self.guard_hit and self.flagged

    @property
    def wrong_neighbour(self) -> bool:
        """A flagged positive prompt whose decision also names an unrelated entry."""
        return not self.record.benign and self.flagged and bool(self.wrong_entities)

    def tally_flags(self) -> dict[str, bool]:
        positive = not self.record.benign
        return {
            "elsewhere": self.elsewhere,
            "flagged": positive and self.flagged,
            "wrong": self.wrong_neighbour,
            "wrong_semantic": self.wrong_neighbour and self.wrong_semantic,
        }


@dataclass
class Summary:
    by_category: dict[str, Tally]
    by_lang_positive: dict[str, Tally]
    by_lang_benign: dict[str, Tally]
    positive: Tally
    benign: Tally
    by_category_lang: dict[tuple[str, str], Tally] = field(default_factory=dict)
    by_subcategory: dict[tuple[str, str], Tally] = field(default_factory=dict)

    def languages_of(self, category: str) -> dict[str, Tally]:
        """Per-language tallies of one category, largest first."""
        rows = {lang: t for (cat, lang), t in self.by_category_lang.items() if cat == category}
        return dict(sorted(rows.items(), key=lambda kv: (-kv[1].n, kv[0])))

    def macro(self, benign: bool) -> tuple[float, float]:
        tallies = [t for c, t in self.by_category.items() if (c in BENIGN_CATEGORIES) == benign and t.n]
        if not tallies:
            return math.nan, math.nan
        return mean([t.guard_rate for t in tallies]), mean([t.baseline_rate for t in tallies])


def summarise(results: Sequence[ItemResult]) -> Summary:
    """Tally guard and baseline hits per category, per language and overall."""
    by_category: dict[str, Tally] = {}
    by_lang_pos: dict[str, Tally] = {}
    by_lang_ben: dict[str, Tally] = {}
    by_cat_lang: dict[tuple[str, str], Tally] = {}
    by_sub: dict[tuple[str, str], Tally] = {}
    positive, benign = Tally(), Tally()
    for r in results:
        rec = r.record
        flags = r.tally_flags()
        by_category.setdefault(rec.category, Tally()).add(r.guard_hit, r.baseline_hit, **flags)
        by_cat_lang.setdefault((rec.category, rec.lang), Tally()).add(r.guard_hit, r.baseline_hit, **flags)
        if rec.subcategory:
            by_sub.setdefault((rec.category, rec.subcategory), Tally()).add(
                r.guard_hit, r.baseline_hit, **flags
            )
        lang_table = by_lang_ben if rec.benign else by_lang_pos
        lang_table.setdefault(rec.lang, Tally()).add(r.guard_hit, r.baseline_hit)
        (benign if rec.benign else positive).add(r.guard_hit, r.baseline_hit, **flags)
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    by_category = dict(sorted(by_category.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))
    by_sub = dict(sorted(by_sub.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0])))
    return Summary(
        by_category,
        dict(sorted(by_lang_pos.items(), key=lambda kv: -kv[1].n)),
        dict(sorted(by_lang_ben.items(), key=lambda kv: -kv[1].n)),
        positive,
        benign,
        by_cat_lang,
        by_sub,
    )


# ------------------------------------------------------------------------------------------ running


def load_records(path: Path) -> list[Record]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = Record.from_dict(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                die(f"{path}:{n}: not a labelled prompt ({type(exc).__name__}: {exc})")
            if record.split is not None and record.split not in SPLITS:
                die(f"{path}:{n}: split must be one of {', '.join(SPLITS)}, not {record.split!r}")
            records.append(record)
    if not records:
        die(f"{path} holds no prompts")
    seen: set[str] = set()
    doubled = sorted({r.id for r in records if r.id in seen or seen.add(r.id)})
    if doubled:
        die(f"{path}: ids used twice: {', '.join(doubled[:10])}")
    return records


def labelled_set(set_arg: str, split: str) -> tuple[Path, list[Record], list[Record]]:
    """The set's path (a name from NAMED_SETS or a path), all its records and those of `split`;
    exits with a clear error when the file is missing or the half is empty."""
    set_path = require_file(
        NAMED_SETS.get(set_arg, set_arg), "labelled prompt set", "see bench/data/README.md"
    )
    all_records = load_records(set_path)
    records = select_split(all_records, split)
    if not records:
        die(f"the {split} half of {set_path} is empty")
    return set_path, all_records, records


def read_catalog(path: Path) -> Any:
    """`load_catalog`, exiting with the reason when the file is not a valid catalog."""
    from kyodaku.domain.errors import KyodakuError
    from kyodaku.registry.catalog import load_catalog

    try:
        return load_catalog(path)
    except KyodakuError as exc:
        die(f"cannot load catalog {path}: {exc}")


def guard_options(semantic: bool) -> Any:
    from kyodaku.screening import GuardOptions

    themes = importlib.util.find_spec("kyodaku.text.themes") is not None
    return GuardOptions(semantic=semantic, themes=themes)


def evaluate(
    guard: Any,
    baseline: SubstringBaseline,
    records: Sequence[Record],
    related: Mapping[str, frozenset[str]] | None = None,
) -> list[ItemResult]:
    """Screen every record; `related` (catalog_relations) tells wrong neighbours from the same work."""
    from kyodaku.policy.engine import ScreenContext

    related = related or {}

    ctx = ScreenContext()
    # Warm up lazily loaded parts (theme detector, encoder) outside the timed loop, with texts that are
    # not in the set so that no timed prompt is served from the encoder's cache.
    for text in ("warm-up: Pikachu on a beach at noon", "warm-up: a quiet street at dusk, 4k"):
        guard.screen_prompt(text, ctx)
    results = []
    for rec in records:
        t0 = time.perf_counter()
        decision = guard.screen_prompt(rec.text, ctx, item_id=rec.id)
        t1 = time.perf_counter()
        matched = baseline.matches(rec.text)
        t2 = time.perf_counter()
        entities = tuple(e.entity for e in decision.entities)
        verdict = decision.verdict.value
        flagged = tuple(e.entity for e in decision.entities if e.verdict.value in FLAGGING_VERDICTS)
        as_dict = decision.to_dict()
        wrong = wrong_neighbours(rec.expected, flagged, related)
        results.append(
            ItemResult(
                record=rec,
                verdict=verdict,
                entities=entities,
                guard_hit=counts(rec, verdict, entities),
                baseline_entities=tuple(sorted(matched)),
                baseline_hit=baseline_counts(rec, matched),
                guard_ms=(t1 - t0) * 1000,
                baseline_ms=(t2 - t1) * 1000,
                decision=as_dict,
                flagged_entities=flagged,
                wrong_entities=wrong,
                wrong_semantic=semantic_only(wrong, as_dict.get("findings", [])),
            )
        )
    return results


# ------------------------------------------------------------------------------------------ printing


def _target_cell(category: str, rate: float) -> tuple[str, str]:
    if category not in TARGETS:
        return "", ""
    goal = TARGETS[category]
    benign = category in BENIGN_CATEGORIES
    text = f"{'<=' if benign else '>='} {100 * goal:g}%"
    if math.isnan(rate):
        return text, ""
    met = rate <= goal if benign else rate >= goal
    return text, "yes" if met else "NO"


def _fraction(part: int, whole: int) -> str:
    return f"{part}/{whole} {pct(part / whole) if whole else pct(math.nan)}"


def print_tables(summary: Summary, results: Sequence[ItemResult]) -> None:
    print()
    print("Recall per category (detected / n); benign rows: false-positive rate (flagged / n).")
    print("flagged-other: missed prompts that were still blocked/held, for entries other than the expected")
    print("wrong-neighbour: flagged positive prompts that also flagged an entry neither expected nor of")
    print("  the same work (of which by the semantic matcher alone), over the flagged positive prompts")
    print(
        f"{'category':<16} {'n':>4}  {'measure':<7} {'kyodaku':>8} {'substring':>10}  {'target':<9} met"
        f"  {'flagged-other':>13}  {'wrong-neighbour':>17} {'(sem)':>5}"
    )
    for cat, t in summary.by_category.items():
        measure = "FP" if cat in BENIGN_CATEGORIES else "recall"
        target, met = _target_cell(cat, t.guard_rate)
        extra = ""
        if measure == "recall":
            extra = f"  {t.elsewhere:>13}  {_fraction(t.wrong, t.flagged):>17} {t.wrong_semantic:>5}"
        print(
            f"{cat:<16} {t.n:>4}  {measure:<7} {pct(t.guard_rate):>8} {pct(t.baseline_rate):>10}"
            f"  {target:<9} {met:<3}{extra}"
        )
    g, b = summary.macro(benign=False)
    print(f"{'macro recall':<16} {summary.positive.n:>4}  {'recall':<7} {pct(g):>8} {pct(b):>10}")
    print(
        f"{'micro recall':<16} {summary.positive.n:>4}  {'recall':<7} "
        f"{pct(summary.positive.guard_rate):>8} {pct(summary.positive.baseline_rate):>10}"
    )
    g, b = summary.macro(benign=True)
    print(f"{'macro FP':<16} {summary.benign.n:>4}  {'FP':<7} {pct(g):>8} {pct(b):>10}")
    print(
        f"{'micro FP':<16} {summary.benign.n:>4}  {'FP':<7} "
        f"{pct(summary.benign.guard_rate):>8} {pct(summary.benign.baseline_rate):>10}"
    )
    pos = summary.positive
    rate = pos.wrong_rate
    met = "" if math.isnan(rate) else ("yes" if rate <= WRONG_NEIGHBOUR_TARGET else "NO")
    print(
        f"wrong neighbour, all positives: {_fraction(pos.wrong, pos.flagged)} of flagged "
        f"({pos.wrong_semantic} by the semantic matcher alone); target <= "
        f"{100 * WRONG_NEIGHBOUR_TARGET:g}% {met}"
    )
    nb = summary.by_category.get("neighbour")
    if nb is not None:
        print(
            f"wrong neighbour, neighbour category: {_fraction(nb.wrong, nb.flagged)} of flagged "
            f"({nb.wrong_semantic} by the semantic matcher alone)"
        )

    if summary.by_subcategory:
        print()
        print("Per subcategory (recall; FP rate for benign categories)")
        print(f"{'category/subcategory':<34} {'n':>4} {'kyodaku':>8} {'substring':>10}")
        for (cat, sub), t in summary.by_subcategory.items():
            print(f"{cat + '/' + sub:<34} {t.n:>4} {pct(t.guard_rate):>8} {pct(t.baseline_rate):>10}")

    for cat in ("direct", "style"):
        rows = summary.languages_of(cat)
        if not rows:
            continue
        print()
        print(f"{cat.capitalize()} recall per language")
        print(f"{'lang':<6} {'n':>4} {'kyodaku':>8} {'substring':>10}")
        for lang, t in rows.items():
            print(f"{lang:<6} {t.n:>4} {pct(t.guard_rate):>8} {pct(t.baseline_rate):>10}")

    print()
    print("Per language: recall over positive prompts, false-positive rate over benign prompts")
    print(
        f"{'lang':<6} {'n pos':>5} {'kyodaku':>8} {'substring':>10}   "
        f"{'n ben':>5} {'FP kyo':>7} {'FP sub':>7}"
    )
    langs = list(dict.fromkeys([*summary.by_lang_positive, *summary.by_lang_benign]))
    for lang in langs:
        p = summary.by_lang_positive.get(lang, Tally())
        b = summary.by_lang_benign.get(lang, Tally())
        print(
            f"{lang:<6} {p.n:>5} {pct(p.guard_rate):>8} {pct(p.baseline_rate):>10}   "
            f"{b.n:>5} {pct(b.guard_rate):>7} {pct(b.baseline_rate):>7}"
        )

    gms = [r.guard_ms for r in results]
    bms = [r.baseline_ms for r in results]
    print()
    print(f"Latency per prompt over {len(results)} prompts (ms)")
    print(f"{'':<10} {'mean':>8} {'p50':>8} {'p99':>8} {'max':>8}")
    for label, xs in (("kyodaku", gms), ("substring", bms)):
        print(
            f"{label:<10} {mean(xs):>8.3f} {percentile(xs, 50):>8.3f} {percentile(xs, 99):>8.3f} "
            f"{max(xs):>8.3f}"
        )
    ratio = mean(gms) / mean(bms) if mean(bms) else math.nan
    print(f"kyodaku / substring (mean): {ratio:.1f}x")


def _describe_findings(decision: dict[str, Any]) -> list[str]:
    lines = []
    for f in decision.get("findings", []):
        ev = f.get("evidence", {})
        bits = [f"{f['matcher']} {f['entity']} {f['score']}"]
        if ev.get("text"):
            bits.append(f'"{ev["text"]}"')
        if ev.get("variant"):
            bits.append(f"~ {ev['variant']}")
        if ev.get("note"):
            bits.append(f"({ev['note']})")
        lines.append("      finding: " + " ".join(bits))
    lines.extend(f"      note: {n}" for n in decision.get("notes", []))
    return lines


def print_errors(results: Sequence[ItemResult], limit: int) -> None:
    misses = [r for r in results if not r.record.benign and not r.guard_hit]
    false_pos = [r for r in results if r.record.benign and r.guard_hit]
    wrong = [r for r in results if r.wrong_neighbour]
    for title, items in (("Misses", misses), ("False positives", false_pos), ("Wrong neighbours", wrong)):
        print()
        print(f"{title}: {len(items)} (showing {min(limit, len(items))})")
        for r in items[:limit]:
            rec = r.record
            cat = rec.category + (f"/{rec.subcategory}" if rec.subcategory else "")
            wrong_note = f" wrong={list(r.wrong_entities)}" if r.wrong_entities else ""
            print(
                f"  [{rec.id}] {cat} {rec.lang} expected={list(rec.expected)} "
                f"-> {r.verdict} {list(r.entities)}{wrong_note}"
            )
            print(f"      text: {rec.text}")
            for line in _describe_findings(r.decision):
                print(line)
            if r.decision.get("failed_closed"):
                print("      FAILED CLOSED")


def _tally_dict(t: Tally, positive: bool) -> dict[str, Any]:
    def rate(x: float) -> float | None:
        return None if math.isnan(x) else round(x, 4)

    out: dict[str, Any] = {
        "n": t.n,
        "measure": "recall" if positive else "fp",
        "kyodaku": rate(t.guard_rate),
        "substring": rate(t.baseline_rate),
    }
    if positive:
        out.update(
            {
                "flagged_other": t.elsewhere,
                "flagged": t.flagged,
                "wrong_neighbour": t.wrong,
                "wrong_neighbour_semantic_only": t.wrong_semantic,
                "wrong_neighbour_rate": rate(t.wrong_rate),
            }
        )
    return out


def summary_dict(summary: Summary) -> dict[str, Any]:
    """The printed tables as data, for --json."""
    return {
        "by_category": {
            c: _tally_dict(t, c not in BENIGN_CATEGORIES) for c, t in summary.by_category.items()
        },
        "by_subcategory": {
            f"{c}/{s}": _tally_dict(t, c not in BENIGN_CATEGORIES)
            for (c, s), t in summary.by_subcategory.items()
        },
        "direct_by_lang": {lang: _tally_dict(t, True) for lang, t in summary.languages_of("direct").items()},
        "style_by_lang": {lang: _tally_dict(t, True) for lang, t in summary.languages_of("style").items()},
        "positive": _tally_dict(summary.positive, True),
        "benign": _tally_dict(summary.benign, False),
        "by_lang_positive": {k: _tally_dict(t, True) for k, t in summary.by_lang_positive.items()},
        "by_lang_benign": {k: _tally_dict(t, False) for k, t in summary.by_lang_benign.items()},
    }


def dump_json(
    path: Path,
    results: Sequence[ItemResult],
    meta: dict[str, Any],
    summary: Summary | None = None,
    splits: Mapping[str, str] | None = None,
) -> None:
    splits = splits or {}
    items = []
    for r in results:
        rec = r.record
        items.append(
            {
                "id": rec.id,
                "category": rec.category,
                "subcategory": rec.subcategory,
                "lang": rec.lang,
                "text": rec.text,
                "split": splits.get(rec.id),
                "expected": list(rec.expected),
                "verdict": r.verdict,
                "entities": list(r.entities),
                "flagged_entities": list(r.flagged_entities),
                "wrong_neighbours": list(r.wrong_entities),
                "wrong_neighbour_semantic_only": r.wrong_semantic,
                "guard_hit": r.guard_hit,
                "baseline_entities": list(r.baseline_entities),
                "baseline_hit": r.baseline_hit,
                "guard_ms": round(r.guard_ms, 4),
                "baseline_ms": round(r.baseline_ms, 4),
                "findings": r.decision.get("findings", []),
                "notes": r.decision.get("notes", []),
                "failed_closed": r.decision.get("failed_closed", False),
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"meta": meta, "summary": summary_dict(summary) if summary else None, "items": items},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


# ------------------------------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Recall and false positives of the kyodaku guard on a labelled prompt set, "
        "beside a case-insensitive substring filter measured in the same run.",
    )
    catalogs = ap.add_mutually_exclusive_group()
    catalogs.add_argument("--catalog", default=str(DEMO_CATALOG), help="catalog file (default: %(default)s)")
    catalogs.add_argument(
        "--minimal",
        action="store_true",
        help=f"shortcut for --catalog {MINIMAL_CATALOG.relative_to(ROOT)} (official names only)",
    )
    ap.add_argument(
        "--set",
        dest="set_path",
        default="devset",
        metavar="devset|freshset|PATH",
        help="labelled JSONL: devset (bench/data/devset.jsonl), freshset (bench/data/freshset.jsonl) "
        "or a path (default: %(default)s)",
    )
    ap.add_argument(
        "--split",
        choices=("tune", "report", "all"),
        default="all",
        help="half of the set to run: tune, report (the half never tuned on) or all (default: %(default)s)",
    )
    ap.add_argument(
        "--no-semantic", action="store_true", help="lexical matchers only (alias, fuzzy, context)"
    )
    ap.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="MATCHER",
        help="leave out a registered matcher (repeatable), to measure what it adds: e.g. translation",
    )
    ap.add_argument("--json", dest="json_out", metavar="OUT", help="write per-item results to this JSON file")
    ap.add_argument(
        "--show-errors", type=int, default=0, metavar="N", help="print up to N misses and N false positives"
    )
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    catalog_arg = MINIMAL_CATALOG if args.minimal else args.catalog
    hint = "run bench/make_minimal_catalog.py" if args.minimal else ""
    catalog_path = require_file(catalog_arg, "catalog", hint)
    set_path, all_records, records = labelled_set(args.set_path, args.split)
    splits = assign_splits(all_records)

    from kyodaku.screening import Guard

    catalog = read_catalog(catalog_path)
    known = {e.id for e in catalog.entities}
    unknown = sorted({x for r in records for x in r.expected if x not in known})
    if unknown:
        print(
            f"warning: {len(unknown)} expected ids are not in the catalog: {', '.join(unknown)}",
            file=sys.stderr,
        )

    from kyodaku.matching import registered_matchers, unregister_matcher

    names = {m.name for m in registered_matchers()}
    for name in args.without:
        if name not in names:
            die(f"--without {name}: no such matcher (registered: {', '.join(sorted(names))})")
        unregister_matcher(name)

    options = guard_options(semantic=not args.no_semantic)
    t0 = time.perf_counter()
    try:
        guard = Guard.from_catalog(catalog, options)
    except ImportError as exc:
        die(f"the semantic matcher is not available ({exc}); run with --no-semantic")
    build_s = time.perf_counter() - t0

    baseline = SubstringBaseline.from_catalog(catalog)
    results = evaluate(guard, baseline, records, catalog_relations(catalog))
    failed_closed = sum(1 for r in results if r.decision.get("failed_closed"))

    mode = "semantic on" if options.semantic else "semantic OFF (--no-semantic)"
    print(f"kyodaku eval_prompts  {date.today().isoformat()}  {machine_line()}")
    print(
        f"catalog {catalog_path} ({len(catalog.entities)} entries, {len(baseline.names)} names, "
        f"sha256 {file_digest(catalog_path)})"
    )
    half = "" if args.split == "all" else f", {args.split} half ({len(records)} of {len(all_records)})"
    print(f"set {set_path} ({len(records)} prompts{half}, sha256 {file_digest(set_path)})")
    left_out = f"; without {', '.join(args.without)}" if args.without else ""
    print(
        f"guard: {mode}, themes {'on' if options.themes else 'off (module absent)'}{left_out}; "
        f"build {build_s:.2f} s"
    )
    if failed_closed:
        print(f"WARNING: {failed_closed} decisions failed closed (counted as block)")
    summary = summarise(results)
    print_tables(summary, results)
    if args.show_errors:
        print_errors(results, args.show_errors)
    if args.json_out:
        meta = {
            "catalog": str(catalog_path),
            "set": str(set_path),
            "split": args.split,
            "semantic": options.semantic,
            "themes": options.themes,
            "date": date.today().isoformat(),
            "machine": machine_line(),
        }
        dump_json(Path(args.json_out), results, meta, summary, splits)
        print(f"\nper-item results written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
