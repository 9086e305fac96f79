"""Recall and false positives of the guard on a labelled prompt set, beside the naive substring filter.

Each line of the set is `{"id", "text", "lang", "category", "expected": [entity ids], "subcategory"?}`.
A prompt of a positive category counts as detected when the decision's verdict is block or review
AND at least one expected entity id is among the decision's entities. For the benign categories
(benign, benign_shared) the figure is the false-positive rate: the share with verdict block or review.

The baseline, measured in the same run, is the filter most platforms use: a case-insensitive
substring test of every catalog name (all languages) against the prompt. It detects a prompt when
a name of an expected entity is a substring; a benign prompt is a false positive if ANY name is.

    .venv/bin/python bench/eval_prompts.py                     # demo catalog, bench/data/devset.jsonl
    .venv/bin/python bench/eval_prompts.py --no-semantic --show-errors 20 --json /tmp/eval.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from _common import (
    DEMO_CATALOG,
    DEVSET,
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
    "benign_shared",
    "benign",
)
# Targets from the issue: recall at least (positive categories), false-positive rate at most (benign).
TARGETS: dict[str, float] = {
    "direct": 0.99,
    "transliteration": 0.95,
    "obfuscation": 0.95,
    "nickname": 0.80,
    "indirect": 0.70,
    "franchise": 0.95,
    "style": 0.95,
    "benign_shared": 0.03,
    "benign": 0.005,
}


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

    def add(self, guard_hit: bool, baseline_hit: bool, elsewhere: bool = False) -> None:
        self.n += 1
        self.guard += guard_hit
        self.baseline += baseline_hit
        self.elsewhere += elsewhere

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

    @property
    def elsewhere(self) -> bool:
        """A positive prompt that was flagged, but for other entries than the expected ones."""
        return not self.record.benign and not self.guard_hit and self.verdict in FLAGGING_VERDICTS


@dataclass
class Summary:
    by_category: dict[str, Tally]
    by_lang_positive: dict[str, Tally]
    by_lang_benign: dict[str, Tally]
    positive: Tally
    benign: Tally

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
    positive, benign = Tally(), Tally()
    for r in results:
        rec = r.record
        by_category.setdefault(rec.category, Tally()).add(r.guard_hit, r.baseline_hit, r.elsewhere)
        lang_table = by_lang_ben if rec.benign else by_lang_pos
        lang_table.setdefault(rec.lang, Tally()).add(r.guard_hit, r.baseline_hit)
        (benign if rec.benign else positive).add(r.guard_hit, r.baseline_hit)
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    by_category = dict(sorted(by_category.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))
    return Summary(
        by_category,
        dict(sorted(by_lang_pos.items(), key=lambda kv: -kv[1].n)),
        dict(sorted(by_lang_ben.items(), key=lambda kv: -kv[1].n)),
        positive,
        benign,
    )


# ------------------------------------------------------------------------------------------ running


def load_records(path: Path) -> list[Record]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                records.append(Record.from_dict(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                die(f"{path}:{n}: not a labelled prompt ({type(exc).__name__}: {exc})")
    if not records:
        die(f"{path} holds no prompts")
    return records


def guard_options(semantic: bool) -> Any:
    from kyodaku.screening import GuardOptions

    themes = importlib.util.find_spec("kyodaku.text.themes") is not None
    return GuardOptions(semantic=semantic, themes=themes)


def evaluate(guard: Any, baseline: SubstringBaseline, records: Sequence[Record]) -> list[ItemResult]:
    from kyodaku.policy.engine import ScreenContext

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
                decision=decision.to_dict(),
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


def print_tables(summary: Summary, results: Sequence[ItemResult]) -> None:
    print()
    print("Recall per category (detected / n); benign rows: false-positive rate (flagged / n).")
    print("flagged-other: missed prompts that were still blocked/held, for entries other than the expected")
    print(
        f"{'category':<16} {'n':>4}  {'measure':<7} {'kyodaku':>8} {'substring':>10}  {'target':<9} met"
        "  flagged-other"
    )
    for cat, t in summary.by_category.items():
        measure = "FP" if cat in BENIGN_CATEGORIES else "recall"
        target, met = _target_cell(cat, t.guard_rate)
        other = f"{t.elsewhere:>14}" if measure == "recall" else ""
        print(
            f"{cat:<16} {t.n:>4}  {measure:<7} {pct(t.guard_rate):>8} {pct(t.baseline_rate):>10}"
            f"  {target:<9} {met:<3}{other}"
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
    for title, items in (("Misses", misses), ("False positives", false_pos)):
        print()
        print(f"{title}: {len(items)} (showing {min(limit, len(items))})")
        for r in items[:limit]:
            rec = r.record
            cat = rec.category + (f"/{rec.subcategory}" if rec.subcategory else "")
            print(
                f"  [{rec.id}] {cat} {rec.lang} expected={list(rec.expected)} "
                f"-> {r.verdict} {list(r.entities)}"
            )
            print(f"      text: {rec.text}")
            for line in _describe_findings(r.decision):
                print(line)
            if r.decision.get("failed_closed"):
                print("      FAILED CLOSED")


def dump_json(path: Path, results: Sequence[ItemResult], meta: dict[str, Any]) -> None:
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
                "expected": list(rec.expected),
                "verdict": r.verdict,
                "entities": list(r.entities),
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
        json.dumps({"meta": meta, "items": items}, ensure_ascii=False, indent=1), encoding="utf-8"
    )


# ------------------------------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Recall and false positives of the kyodaku guard on a labelled prompt set, "
        "beside a case-insensitive substring filter measured in the same run.",
    )
    ap.add_argument("--catalog", default=str(DEMO_CATALOG), help="catalog file (default: %(default)s)")
    ap.add_argument(
        "--set", dest="set_path", default=str(DEVSET), help="labelled JSONL (default: %(default)s)"
    )
    ap.add_argument(
        "--no-semantic", action="store_true", help="lexical matchers only (alias, fuzzy, context)"
    )
    ap.add_argument("--json", dest="json_out", metavar="OUT", help="write per-item results to this JSON file")
    ap.add_argument(
        "--show-errors", type=int, default=0, metavar="N", help="print up to N misses and N false positives"
    )
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    catalog_path = require_file(args.catalog, "catalog")
    set_path = require_file(args.set_path, "labelled prompt set", "see bench/data/devset.jsonl")
    records = load_records(set_path)

    from kyodaku.domain.errors import KyodakuError
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard

    try:
        catalog = load_catalog(catalog_path)
    except KyodakuError as exc:
        die(f"cannot load catalog {catalog_path}: {exc}")
    known = {e.id for e in catalog.entities}
    unknown = sorted({x for r in records for x in r.expected if x not in known})
    if unknown:
        print(
            f"warning: {len(unknown)} expected ids are not in the catalog: {', '.join(unknown)}",
            file=sys.stderr,
        )

    options = guard_options(semantic=not args.no_semantic)
    t0 = time.perf_counter()
    try:
        guard = Guard.from_catalog(catalog, options)
    except ImportError as exc:
        die(f"the semantic matcher is not available ({exc}); run with --no-semantic")
    build_s = time.perf_counter() - t0

    baseline = SubstringBaseline.from_catalog(catalog)
    results = evaluate(guard, baseline, records)
    failed_closed = sum(1 for r in results if r.decision.get("failed_closed"))

    mode = "semantic on" if options.semantic else "semantic OFF (--no-semantic)"
    print(f"kyodaku eval_prompts  {date.today().isoformat()}  {machine_line()}")
    print(
        f"catalog {catalog_path} ({len(catalog.entities)} entries, {len(baseline.names)} names, "
        f"sha256 {file_digest(catalog_path)}); set {set_path} ({len(records)} prompts, "
        f"sha256 {file_digest(set_path)})"
    )
    print(f"guard: {mode}, themes {'on' if options.themes else 'off (module absent)'}; build {build_s:.2f} s")
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
            "semantic": options.semantic,
            "themes": options.themes,
            "date": date.today().isoformat(),
            "machine": machine_line(),
        }
        dump_json(Path(args.json_out), results, meta)
        print(f"\nper-item results written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
