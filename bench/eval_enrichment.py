"""What alias enrichment adds on the minimal-catalog evaluation (issue 8): recall and false positives
of the guard on the minimal catalog, and on the same catalog after `kyodaku catalog enrich`, in one run.

Steps, all in this process:

1. load the minimal catalog (bench/data/minimal-catalog.yaml: official names and one description);
2. read the open data sources in ../shared/data (Danbooru tag aliases, PokeAPI species names) with
   the readers of `kyodaku.enrich` and propose extra names for the catalog's entries, exactly as
   `kyodaku catalog enrich CATALOG --from danbooru:... --from pokeapi:...` does;
3. accept every proposal that the ambiguity detector does not flag, as
   `kyodaku catalog enrich-accept --ids ...` would, and write the enriched catalog (plus the proposals
   file) to a temporary folder, or to --keep DIR. Flagged proposals are held back and counted; with
   --with-ambiguous a third catalog also accepts them (into `ambiguous_names`, so they count only with
   context, as enrich-accept does);
4. build a guard on each catalog and screen the same prompts (bench/eval_prompts.py's `evaluate`),
   then print per-category recall (benign rows: false-positive rate) side by side, with the
   difference, the nickname subcategories (listed / unlisted), the names proposed / accepted / held
   per source, the build time of each guard and the prompts whose outcome changed.

Accepting everything unflagged stands in for a rightsholder's review: it measures what the sources
can add at most without a person's judgement, not what a careful reviewer would keep.

    .venv/bin/python bench/eval_enrichment.py --no-semantic                  # devset, report half
    .venv/bin/python bench/eval_enrichment.py --no-semantic --set freshset
    .venv/bin/python bench/eval_enrichment.py --set freshset --split all --with-ambiguous
    .venv/bin/python bench/eval_enrichment.py --keep /tmp/enriched          # keep catalog + proposals
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from _common import MINIMAL_CATALOG, SHARED_DATA, die, file_digest, machine_line, pct, require_file
from eval_prompts import (
    BENIGN_CATEGORIES,
    ItemResult,
    SubstringBaseline,
    Summary,
    Tally,
    catalog_relations,
    evaluate,
    guard_options,
    labelled_set,
    read_catalog,
    summarise,
)

DANBOORU = SHARED_DATA / "danbooru-tags" / "danbooru.csv"
POKEAPI = SHARED_DATA / "pokeapi"
SOURCES = (("danbooru", DANBOORU), ("pokeapi", POKEAPI))


@dataclass
class Run:
    """One catalog's guard on the prompts."""

    label: str
    catalog: Any
    path: Path
    names: int
    build_s: float
    first_s: float  # the first decision after the build
    results: list[ItemResult]
    summary: Summary


# ------------------------------------------------------------------------------------------ enrichment


@dataclass
class Enriched:
    result: Any  # kyodaku.enrich.EnrichResult
    document: dict[str, Any]  # the proposals file's content
    accepted: list[dict[str, Any]]  # proposals added to the enriched catalog
    skipped: list[tuple[dict[str, Any], str]]  # unflagged proposals enrich-accept refused, and why
    held: list[dict[str, Any]]  # proposals the ambiguity detector flagged
    catalog_path: Path
    read_s: float
    enrich_s: float
    with_ambiguous: Path | None = None  # the catalog that also accepts the flagged proposals
    ambiguous_added: int = 0


def check_sources() -> None:
    if not SHARED_DATA.is_dir():
        die(f"{SHARED_DATA} not found: this benchmark needs ../shared/data beside the clone")
    require_file(DANBOORU, "Danbooru tag list", f"expected in {SHARED_DATA}/danbooru-tags")
    require_file(POKEAPI / "pokemon_species_names.csv", "PokeAPI species names", f"expected in {POKEAPI}")
    require_file(POKEAPI / "languages.csv", "PokeAPI languages", f"expected in {POKEAPI}")


def enrich_catalog(catalog: Any, catalog_file: Path, out_dir: Path, with_ambiguous: bool) -> Enriched:
    """Propose names from the shared sources, accept the unflagged ones, write the new catalog(s)."""
    from kyodaku.domain.errors import KyodakuError
    from kyodaku.enrich import accept, enrich, open_source, proposals_document, write_json_atomic
    from kyodaku.registry.catalog import dump_catalog

    t0 = time.perf_counter()
    try:
        read = [open_source(f"{kind}:{path}").read() for kind, path in SOURCES]
    except KyodakuError as exc:
        die(f"cannot read the enrichment sources: {exc}")
    t1 = time.perf_counter()
    result = enrich(catalog, read)
    t2 = time.perf_counter()

    document = proposals_document(result, catalog_file)
    write_json_atomic(out_dir / "proposals.json", document)
    proposals = document["proposals"]
    unflagged = [p for p in proposals if not p["ambiguity"].get("ambiguous")]
    held = [p for p in proposals if p["ambiguity"].get("ambiguous")]
    accepted = accept(catalog, unflagged)
    target = out_dir / "enriched-catalog.yaml"
    dump_catalog(accepted.catalog, target)
    out = Enriched(result, document, accepted.added, accepted.skipped, held, target, t1 - t0, t2 - t1)
    if with_ambiguous:
        everything = accept(catalog, proposals)
        out.with_ambiguous = out_dir / "enriched-with-ambiguous.yaml"
        dump_catalog(everything.catalog, out.with_ambiguous)
        out.ambiguous_added = len(everything.added) - len(accepted.added)
    return out


# ------------------------------------------------------------------------------------------ screening


def build_guard(catalog: Any, semantic: bool) -> tuple[Any, float, float]:
    """A guard on `catalog`, the seconds its build took, and the seconds of its first decision (which
    builds what the guard prepares lazily) on a text that is not in any set."""
    from kyodaku.policy.engine import ScreenContext
    from kyodaku.screening import Guard

    t0 = time.perf_counter()
    try:
        guard = Guard.from_catalog(catalog, guard_options(semantic=semantic))
    except ImportError as exc:
        die(f"the semantic matcher is not available ({exc}); run with --no-semantic")
    t1 = time.perf_counter()
    guard.screen_prompt("first decision: a lighthouse on a cliff at dawn", ScreenContext())
    return guard, t1 - t0, time.perf_counter() - t1


def run_catalog(label: str, path: Path, records: Sequence[Any], semantic: bool) -> Run:
    catalog = read_catalog(path)  # the written file, read back: what an operator would deploy
    guard, build_s, first_s = build_guard(catalog, semantic)
    baseline = SubstringBaseline.from_catalog(catalog)
    results = evaluate(guard, baseline, records, catalog_relations(catalog))
    return Run(label, catalog, path, len(baseline.names), build_s, first_s, results, summarise(results))


# ------------------------------------------------------------------------------------------ printing


def _diff(a: float, b: float) -> str:
    if math.isnan(a) or math.isnan(b):
        return "    n/a"
    d = 100 * (b - a)
    return "    0.0" if abs(d) < 0.05 else f"{d:+7.1f}"


def print_sources(enriched: Enriched) -> None:
    accepted_by: dict[str, int] = {}
    skipped_by: dict[str, int] = {}
    held_by: dict[str, int] = {}
    for p in enriched.accepted:
        accepted_by[p["source"]] = accepted_by.get(p["source"], 0) + 1
    for p, _ in enriched.skipped:
        skipped_by[p["source"]] = skipped_by.get(p["source"], 0) + 1
    for p in enriched.held:
        held_by[p["source"]] = held_by.get(p["source"], 0) + 1
    print()
    print("Names per source: proposed = accepted (unflagged) + held (flagged ambiguous) + refused at accept")
    print(
        f"{'source':<10} {'rows':>8} {'records':>8} {'entries':>8} {'proposed':>9} {'accepted':>9} "
        f"{'held':>5} {'refused':>8} {'known':>6} {'homonym':>8} {'reported':>9}"
    )
    totals = [0] * 9
    for s in enriched.result.sources:
        d = s.data
        row = [
            d.rows,
            len(d.records),
            s.matched_entries,
            s.proposals,
            accepted_by.get(d.source, 0),
            held_by.get(d.source, 0),
            skipped_by.get(d.source, 0),
            s.already_registered,
            s.homonyms_skipped,
        ]
        totals = [t + v for t, v in zip(totals, row, strict=True)]
        print(
            f"{d.source:<10} {row[0]:>8,} {row[1]:>8,} {row[2]:>8} {row[3]:>9} {row[4]:>9} {row[5]:>5} "
            f"{row[6]:>8} {row[7]:>6} {row[8]:>8} {s.reported:>9}"
        )
    reported = sum(s.reported for s in enriched.result.sources)
    print(
        f"{'total':<10} {totals[0]:>8,} {totals[1]:>8,} {totals[2]:>8} {totals[3]:>9} {totals[4]:>9} "
        f"{totals[5]:>5} {totals[6]:>8} {totals[7]:>6} {totals[8]:>8} {reported:>9}"
    )
    print(
        "entries: catalog entries matched; known: names the entry already had; homonym: records of "
        "another work skipped;\nreported: matches reported instead of proposed (docs/enrich.md)"
    )
    print(f"read {enriched.read_s:.2f} s, enrich {enriched.enrich_s:.2f} s")
    print()
    print("Accepted:")
    for p in enriched.accepted:
        print(f"  + {p['entry']:<22} {p['name']!r} ({p['lang']}, {p['source']})")
    if enriched.held:
        print("Held back (flagged by the ambiguity detector):")
        for p in enriched.held:
            print(
                f"  ? {p['entry']:<22} {p['name']!r} ({p['lang']}, {p['source']}): {p['ambiguity']['reason']}"
            )
    if enriched.skipped:
        print("Refused at accept:")
        for p, reason in enriched.skipped:
            print(f"  - {p['entry']:<22} {p['name']!r} ({p['lang']}, {p['source']}): {reason}")
    for r in enriched.result.reports:
        print(f"  reported: {r.source}: {r.problem}: {r.message}")


def _row(label: str, tallies: Sequence[Tally], benign: bool) -> str:
    n = tallies[0].n
    rates = [t.guard_rate for t in tallies]
    cells = " ".join(f"{pct(r):>8}" for r in rates)
    diffs = " ".join(_diff(rates[0], r) for r in rates[1:])
    counts = " ".join(f"{t.guard:>4}" for t in tallies)
    measure = "FP" if benign else "recall"
    return f"{label:<26} {n:>4}  {measure:<6} {cells}  {diffs}   {counts}"


def print_comparison(runs: Sequence[Run]) -> None:
    base = runs[0]
    print()
    print(
        "Recall per category (benign rows: false-positive rate), minimal catalog vs enriched; diff in points"
    )
    labels = " ".join(f"{r.label:>8}" for r in runs)
    diff_labels = " ".join(f"{'d ' + r.label[:5]:>7}" for r in runs[1:])
    count_labels = " ".join(f"{'#' + r.label[:3]:>4}" for r in runs)
    print(f"{'category':<26} {'n':>4}  {'':<6} {labels}  {diff_labels}   {count_labels}")
    for cat in base.summary.by_category:
        tallies = [r.summary.by_category.get(cat, Tally()) for r in runs]
        print(_row(cat, tallies, cat in BENIGN_CATEGORIES))
    for label, pick in (
        ("micro recall", lambda s: s.positive),
        ("micro FP", lambda s: s.benign),
    ):
        print(_row(label, [pick(r.summary) for r in runs], label.endswith("FP")))
    macro = [r.summary.macro(benign=False)[0] for r in runs]
    print(
        f"{'macro recall':<26} {base.summary.positive.n:>4}  {'recall':<6} "
        + " ".join(f"{pct(m):>8}" for m in macro)
        + "  "
        + " ".join(_diff(macro[0], m) for m in macro[1:])
    )
    wrong = " ".join(f"{r.summary.positive.wrong}/{r.summary.positive.flagged}" for r in runs)
    print(f"wrong neighbour (of flagged positives): {wrong}")

    subs = [k for k in base.summary.by_subcategory if k[0] == "nickname"]
    if subs:
        print()
        print("Nickname prompts by subcategory (listed: the name is in the demo catalog; unlisted: nowhere)")
        for cat, sub in subs:
            tallies = [r.summary.by_subcategory.get((cat, sub), Tally()) for r in runs]
            print(_row(f"{cat}/{sub}", tallies, False))

    print()
    print("Guards")
    for r in runs:
        print(
            f"  {r.label:<10} {len(r.catalog.entities)} entries, {r.names} names, "
            f"build {r.build_s:.2f} s, first decision {r.first_s:.2f} s  "
            f"({r.path.name}, sha256 {file_digest(r.path)})"
        )


def print_changes(runs: Sequence[Run]) -> None:
    base = {r.record.id: r for r in runs[0].results}
    for run in runs[1:]:
        changed = [(base[r.record.id], r) for r in run.results if r.guard_hit != base[r.record.id].guard_hit]
        print()
        print(f"Prompts whose outcome changed, minimal -> {run.label}: {len(changed)}")
        for before, after in changed:
            rec = after.record
            what = "FP" if rec.benign else "recall"
            sign = "+" if after.guard_hit else "-"
            if rec.benign:
                sign = "-" if after.guard_hit else "+"  # a new false positive is a loss
            cat = rec.category + (f"/{rec.subcategory}" if rec.subcategory else "")
            print(
                f"  {sign} [{rec.id}] {cat} {rec.lang} ({what}) expected={list(rec.expected)} "
                f"{before.verdict} {list(before.entities)} -> {after.verdict} {list(after.entities)}"
            )
            print(f"      text: {rec.text}")


# ------------------------------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Recall of the guard on the minimal catalog before and after enrichment from the "
        "Danbooru tag aliases and PokeAPI names in ../shared/data.",
    )
    ap.add_argument("--set", dest="set_path", default="devset", metavar="devset|freshset|PATH")
    ap.add_argument("--split", choices=("tune", "report", "all"), default="report")
    ap.add_argument("--no-semantic", action="store_true", help="lexical matchers only (much faster)")
    ap.add_argument(
        "--with-ambiguous",
        action="store_true",
        help="also evaluate a third catalog that accepts the flagged proposals too (as ambiguous_names)",
    )
    ap.add_argument("--keep", metavar="DIR", help="write the proposals and enriched catalog(s) here")
    ap.add_argument("--catalog", default=str(MINIMAL_CATALOG), help="catalog to enrich (default: minimal)")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    catalog_path = require_file(args.catalog, "catalog", "run bench/make_minimal_catalog.py")
    set_path, all_records, records = labelled_set(args.set_path, args.split)
    check_sources()
    catalog = read_catalog(catalog_path)

    with tempfile.TemporaryDirectory(prefix="kyodaku-enrich-") as tmp:
        out_dir = Path(args.keep) if args.keep else Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        enriched = enrich_catalog(catalog, catalog_path, out_dir, args.with_ambiguous)
        semantic = not args.no_semantic
        # The first build in a process loads what every later one shares (word tables, the encoder):
        # done once here, untimed by the comparison, so that the two builds below are alike.
        _, warm_build_s, warm_first_s = build_guard(catalog, semantic)
        runs = [
            run_catalog("minimal", catalog_path, records, semantic),
            run_catalog("enriched", enriched.catalog_path, records, semantic),
        ]
        if enriched.with_ambiguous is not None:
            runs.append(run_catalog("+ambig", enriched.with_ambiguous, records, semantic))

        mode = "semantic on" if semantic else "semantic OFF (--no-semantic)"
        print(f"kyodaku eval_enrichment  {date.today().isoformat()}  {machine_line()}")
        print(f"catalog {catalog_path} ({len(catalog.entities)} entries, sha256 {file_digest(catalog_path)})")
        half = "" if args.split == "all" else f", {args.split} half ({len(records)} of {len(all_records)})"
        print(f"set {set_path} ({len(records)} prompts{half}, sha256 {file_digest(set_path)})")
        print(
            f"sources: danbooru {DANBOORU} (sha256 {file_digest(DANBOORU)}), pokeapi {POKEAPI} "
            f"(names sha256 {file_digest(POKEAPI / 'pokemon_species_names.csv')})"
        )
        print(f"guard: {mode}; accepted: every proposal the ambiguity detector does not flag")
        if args.keep:
            print(f"kept in {out_dir}: proposals.json, {enriched.catalog_path.name}")
        print_sources(enriched)
        if enriched.with_ambiguous is not None:
            print(f"+ambig: also accepts the {enriched.ambiguous_added} flagged names (as ambiguous_names)")
        print_comparison(runs)
        print(
            f"  (before these, a first guard loaded what all share (word tables, encoder): build "
            f"{warm_build_s:.2f} s, first decision {warm_first_s:.2f} s)"
        )
        print_changes(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
