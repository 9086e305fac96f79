"""Calibrate the neighbour margin: how far a semantic hit must beat another work's best entry.

A prompt describing one superhero is close to the other superheroes' descriptions too; with only
`relative_window` (keep every entry within W of a segment's best) both can be blocked. The rival
margin M (`SemanticOptions.rival_margin`) lets a hit count only where its margin above threshold
beats the best entry of ANOTHER work (siblings of one work are no rivals) by M; otherwise it is a
note, or held for review when the prompt names a group ("two superheroes").

The set is bench/data/neighbour-calibration.jsonl, written for this (not the development set, not
the fresh set): `neighbour` prompts describe one entry that has close neighbours in the catalog
without naming it; `group` prompts name a kind, several at once; `benign_shared` prompts use the
same words for ordinary things. Against the minimal catalog, the guard built once and its index's
options swapped per row, for each (window W, margin M):

- recall: neighbour prompts flagged (block or review) with the expected entry among the flagged;
- wrong-nb: of the flagged neighbour prompts, those that also flag an entry neither expected nor
  of its work (eval_prompts.wrong_neighbours), and that share;
- group blocked: group prompts blocked (as one or more single entries), and reviewed;
- benign FP: benign_shared prompts flagged.

The chosen row has the rival margin on, keeps wrong-nb <= 5% with the best recall (ties: fewer
group prompts blocked, fewer benign FP, the smaller margin, the wider window). Rows with the margin
off (the window alone, as before) are printed for comparison, not chosen: the margin is what the
guard ships, since only it names the runner-up in the evidence and holds group prompts for review.

    .venv/bin/python bench/calibrate_neighbours.py               # ~1 min on 2 cores
    .venv/bin/python bench/calibrate_neighbours.py --show 10     # and the chosen row's errors
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from _common import MINIMAL_CATALOG, ROOT, die, file_digest, machine_line, require_file
from eval_prompts import FLAGGING_VERDICTS, catalog_relations, load_records, wrong_neighbours

CALIBRATION_SET = ROOT / "bench" / "data" / "neighbour-calibration.jsonl"
WINDOWS = (0.05, 0.03, 0.0)
MARGINS: tuple[float | None, ...] = (None, 0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10)
WRONG_TARGET = 0.05


@dataclass
class Row:
    window: float | None
    margin: float | None
    positives: int = 0
    found: int = 0
    flagged: int = 0
    wrong: int = 0
    groups: int = 0
    group_blocked: int = 0
    group_reviewed: int = 0
    benign: int = 0
    benign_flagged: int = 0
    errors: list[str] | None = None

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.flagged if self.flagged else 0.0

    def sort_key(self) -> tuple[float, ...]:
        margin = -1.0 if self.margin is None else self.margin
        return (
            -self.recall,
            self.group_blocked,
            self.benign_flagged,
            margin,
            -(self.window if self.window is not None else 1.0),
        )


def run_row(guard: Any, records: Any, related: Any, window: float | None, margin: float | None) -> Row:
    """Screen the set with the index's window and rival margin set to these values."""
    from kyodaku.policy.engine import ScreenContext

    index = guard.snapshot.match.semantic
    index.options = replace(index.options, relative_window=window, rival_margin=margin)
    row = Row(window, margin, errors=[])
    ctx = ScreenContext()
    for rec in records:
        decision = guard.screen_prompt(rec.text, ctx, item_id=rec.id)
        verdict = decision.verdict.value
        flagged = tuple(e.entity for e in decision.entities if e.verdict.value in FLAGGING_VERDICTS)
        blocked = tuple(e.entity for e in decision.entities if e.verdict.value == "block")
        if rec.category == "group":
            row.groups += 1
            row.group_blocked += bool(blocked)
            row.group_reviewed += verdict == "review"
            if blocked:
                row.errors.append(f"group blocked   {rec.id} {blocked}: {rec.text}")
        elif rec.benign or not rec.expected:
            row.benign += 1
            row.benign_flagged += verdict in FLAGGING_VERDICTS
            if verdict in FLAGGING_VERDICTS:
                row.errors.append(f"benign flagged  {rec.id} {flagged}: {rec.text}")
        else:
            row.positives += 1
            hit = verdict in FLAGGING_VERDICTS and not set(rec.expected).isdisjoint(flagged)
            row.found += hit
            row.flagged += verdict in FLAGGING_VERDICTS
            wrong = wrong_neighbours(rec.expected, flagged, related) if verdict in FLAGGING_VERDICTS else ()
            row.wrong += bool(wrong)
            if wrong:
                row.errors.append(f"wrong neighbour {rec.id} {rec.expected} + {wrong}: {rec.text}")
            elif not hit:
                row.errors.append(f"missed          {rec.id} {rec.expected}: {rec.text}")
    return row


def _fmt(x: float | None) -> str:
    return "off" if x is None else f"{x:.2f}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Sweep the semantic neighbour margin on its calibration set.")
    ap.add_argument("--set", dest="set_path", default=str(CALIBRATION_SET), help="default: %(default)s")
    ap.add_argument("--catalog", default=str(MINIMAL_CATALOG), help="default: %(default)s")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print up to N errors of the chosen row")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    set_path = require_file(args.set_path, "calibration set", "see bench/data/README.md")
    catalog_path = require_file(args.catalog, "catalog", "run bench/make_minimal_catalog.py")
    records = load_records(Path(set_path))

    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard, GuardOptions

    catalog = load_catalog(catalog_path)
    known = {e.id for e in catalog.entities}
    unknown = sorted({x for r in records for x in r.expected if x not in known})
    if unknown:
        die(f"expected ids not in the catalog: {', '.join(unknown)}")
    t0 = time.perf_counter()
    guard = Guard.from_catalog(catalog, GuardOptions(semantic=True))
    if guard.snapshot.match.semantic is None:
        die("the semantic index was not built")
    build_s = time.perf_counter() - t0
    related = catalog_relations(catalog)
    default = guard.snapshot.match.semantic.options

    print(f"kyodaku calibrate_neighbours  {date.today().isoformat()}  {machine_line()}")
    cats: dict[str, int] = {}
    for r in records:
        cats[r.category] = cats.get(r.category, 0) + 1
    print(
        f"set {set_path} ({len(records)} prompts: "
        + ", ".join(f"{k} {v}" for k, v in sorted(cats.items()))
        + f"; sha256 {file_digest(set_path)})"
    )
    print(f"catalog {catalog_path} ({len(catalog.entities)} entries, sha256 {file_digest(catalog_path)})")
    print(
        f"guard built in {build_s:.1f} s; shipped defaults: relative_window {_fmt(default.relative_window)}, "
        f"rival_margin {_fmt(default.rival_margin)}"
    )
    print()
    print(
        f"{'window':>6} {'margin':>6}  {'recall':>14}  {'wrong-nb (of flagged)':>22}  "
        f"{'group blocked':>13} {'reviewed':>8}  {'benign FP':>10}"
    )
    rows: list[Row] = []
    t0 = time.perf_counter()
    for window in WINDOWS:
        for margin in MARGINS:
            row = run_row(guard, records, related, window, margin)
            rows.append(row)
            print(
                f"{_fmt(window):>6} {_fmt(margin):>6}  "
                f"{row.found:>4}/{row.positives:<3} {100 * row.recall:5.1f}%  "
                f"{row.wrong:>4}/{row.flagged:<3} {100 * row.wrong_rate:5.1f}%{'':>7}  "
                f"{row.group_blocked:>6}/{row.groups:<6} {row.group_reviewed:>8}  "
                f"{row.benign_flagged:>3}/{row.benign:<3}"
            )
    sweep_s = time.perf_counter() - t0
    guard.snapshot.match.semantic.options = default
    ok = [r for r in rows if r.margin is not None and r.wrong_rate <= WRONG_TARGET]
    print(f"\n{len(rows)} rows in {sweep_s:.1f} s")
    if not ok:
        print(f"no row with a rival margin keeps the wrong-neighbour rate <= {100 * WRONG_TARGET:g}%")
        return 1
    best = min(ok, key=Row.sort_key)
    print(
        f"chosen: relative_window {_fmt(best.window)}, rival_margin {_fmt(best.margin)}: recall "
        f"{best.found}/{best.positives} ({100 * best.recall:.1f}%), "
        f"wrong neighbour {best.wrong}/{best.flagged} "
        f"({100 * best.wrong_rate:.1f}%), group prompts blocked {best.group_blocked}/{best.groups}, "
        f"benign FP {best.benign_flagged}/{best.benign}"
    )
    if args.show and best.errors:
        print(f"\nerrors of the chosen row (up to {args.show} of {len(best.errors)}):")
        for line in best.errors[: args.show]:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
