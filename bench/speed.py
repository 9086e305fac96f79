"""Speed of the guard on one core with a large (40,000-character) catalog, beside a naive substring filter.

Measured, in one run:

* snapshot build: catalog load, match index (names, fuzzy, context), semantic index; peak RSS;
* per prompt on ONE core (pinned to CPU 0, BLAS/OpenMP threads 1):
  (a) the lexical matchers alone: skeleton + alias automaton + fuzzy index,
  (b) the full `Guard.screen_prompt` (semantic on unless --no-semantic),
  baseline: `any(name in prompt.lower() for name in names)` over every catalog name;
* (c) batch throughput of `kyodaku.batch.run_batch` over a JSONL file, workers=1 and workers=2
  (all cores).

The prompts (default 2,000) mix Stable-Diffusion-style tag prompts built from Danbooru general tags
("1girl, solo, long hair, smile, outdoors, ..."), the dev-set texts and tag prompts that contain a
character name from the big catalog.

    .venv/bin/python bench/speed.py                          # builds the Danbooru catalog (../shared data)
    .venv/bin/python bench/speed.py --no-work-links          # stand-in catalog the compiler can finish
    .venv/bin/python bench/speed.py --catalog big.json --no-semantic --skip-batch
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from _common import DANBOORU_CSV, DEVSET, die, machine_line, mean, percentile, require_file

# One core, one BLAS thread: set before numpy loads (kyodaku, which imports it, is imported in main()).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

MIN_CHARACTERS = 40_000
GENERAL_TAG_POOL = 3_000
QUALITY_PREFIX = ("masterpiece", "best quality", "highres", "absurdres", "ultra-detailed")


class BuildTimeout(Exception):
    """The snapshot compiler did not finish within --build-timeout."""


def rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pin_one_core() -> set[int] | None:
    """Pin to CPU 0 (returns the previous affinity to restore later), where the OS allows it."""
    try:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(before)})
        return before
    except (AttributeError, OSError):
        return None


# ------------------------------------------------------------------------------------------ inputs


def general_tags(csv_path: Path) -> list[tuple[str, int]]:
    """Danbooru general tags (category 0) by post count, as prompt words ("long_hair" -> "long hair")."""
    import csv

    tags = []
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 3 and row[1].strip() == "0" and row[2].strip().isdigit():
                tags.append((row[0].replace("_", " ").strip(), int(row[2])))
    tags.sort(key=lambda t: -t[1])
    return tags[:GENERAL_TAG_POOL]


class PromptMaker:
    """Stable-Diffusion-style prompts: optional quality words, then 6-24 general tags."""

    def __init__(self, tags: list[tuple[str, int]], rng: random.Random) -> None:
        self.words = [t for t, _ in tags]
        self.weights = [c**0.5 for _, c in tags]
        self.rng = rng

    def tags_prompt(self, insert: str | None = None) -> str:
        k = self.rng.randint(6, 24)
        picked = list(dict.fromkeys(self.rng.choices(self.words, self.weights, k=k)))
        if insert is not None:
            picked.insert(self.rng.randint(0, min(3, len(picked))), insert)
        if self.rng.random() < 0.5:
            picked = list(QUALITY_PREFIX[: self.rng.randint(1, len(QUALITY_PREFIX))]) + picked
        return ", ".join(picked)


@dataclass(frozen=True)
class Prompt:
    group: str  # "tags", "tags+name", "devset"
    text: str


def make_prompts(
    n: int, maker: PromptMaker, devset: list[str], names: list[str], rng: random.Random
) -> list[Prompt]:
    """`n` distinct prompts: the dev-set texts, 20% of the rest tag prompts with a character name."""
    out: list[Prompt] = [Prompt("devset", t) for t in devset[:n]]
    seen = {p.text for p in out}
    rest = max(0, n - len(out))
    with_name = round(rest * 0.2)
    while len(out) < n:
        if with_name > 0:
            p = Prompt("tags+name", maker.tags_prompt(rng.choice(names)))
        else:
            p = Prompt("tags", maker.tags_prompt())
        if p.text in seen:
            continue
        seen.add(p.text)
        with_name -= p.group == "tags+name"
        out.append(p)
    rng.shuffle(out)
    return out


def danbooru_catalog(out_dir: Path, limit: int | None, no_work_links: bool) -> tuple[Path, str]:
    """Build the Danbooru catalog with bench/build_danbooru_catalog.py into `out_dir`."""
    import build_danbooru_catalog as builder

    try:
        tags = builder.read_tags(DANBOORU_CSV)
    except builder.DataError as exc:
        die(f"{exc}; the Danbooru tag list from ../shared/data is needed (or pass --catalog)")
    data, stats = builder.build_catalog(tags, limit)
    note = f"Danbooru catalog: {stats.characters} characters, {stats.copyrights} works, {stats.names} names"
    if no_work_links:
        owners = {w["id"]: w["owner"] for w in data["works"]}
        for c in data["characters"]:
            work = c.pop("work", None)
            c.setdefault("owner", owners.get(work))
        note += "; work links REMOVED (--no-work-links)"
    path = out_dir / "danbooru.json"
    builder.write(data, path)
    return path, note


# ------------------------------------------------------------------------------------------ timing


def time_each(fn: Callable[[str], Any], texts: Sequence[str]) -> list[float]:
    """Seconds per call of `fn` on each text (after a full collection, so earlier garbage costs nothing)."""
    gc.collect()
    out = []
    clock = time.perf_counter
    for t in texts:
        t0 = clock()
        fn(t)
        out.append(clock() - t0)
    return out


def describe(label: str, seconds: Sequence[float], unit: str, base: Sequence[float] | None = None) -> str:
    scale = 1e6 if unit == "us" else 1e3
    xs = [s * scale for s in seconds]
    line = (
        f"{label:<34} {mean(xs):>9.1f} {percentile(xs, 50):>9.1f} {percentile(xs, 99):>9.1f} "
        f"{max(xs):>9.1f}  {unit}"
    )
    if base is not None:
        p99_ratio = percentile(seconds, 99) / percentile(base, 99)
        line += f"   x{mean(seconds) / mean(base):.2f} mean, x{p99_ratio:.2f} p99"
    return line


def header() -> str:
    return f"{'':<34} {'mean':>9} {'p50':>9} {'p99':>9} {'max':>9}"


def profile(what: str, fn: Callable[[str], Any], texts: Sequence[str]) -> None:
    print()
    print(f"cProfile of {what} over {len(texts)} prompts (top 15 by own time, then by cumulative time)")
    prof = cProfile.Profile()
    prof.enable()
    for t in texts:
        fn(t)
    prof.disable()
    stats = pstats.Stats(prof, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)


def lexical_matcher(aliases: Any, fuzzy: Any) -> Callable[[str], tuple[list, list]]:
    from kyodaku.text.normalize import skeleton

    def run(text: str) -> tuple[list, list]:
        sk = skeleton(text)
        hits = aliases.find(sk)
        exact = {h.span for h in hits if not h.variant.ambiguous}
        return hits, fuzzy.find(sk, exact)

    return run


def naive_filter(names: list[str]) -> Callable[[str], bool]:
    def run(prompt: str) -> bool:
        p = prompt.lower()
        return any(name in p for name in names)

    return run


def naive_all(names: list[str]) -> Callable[[str], list[str]]:
    """The same loop without the early exit: a filter that reports every name it saw."""

    def run(prompt: str) -> list[str]:
        p = prompt.lower()
        return [name for name in names if name in p]

    return run


# ------------------------------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Build time, memory and per-prompt latency of the guard on one core with a large "
        "catalog, against a naive substring filter; batch throughput on all cores.",
    )
    ap.add_argument(
        "--catalog", help="catalog file (default: build the Danbooru catalog from ../shared data)"
    )
    ap.add_argument(
        "--limit-characters", type=int, metavar="N", help="Danbooru catalog: keep the N most used characters"
    )
    ap.add_argument(
        "--no-work-links",
        action="store_true",
        help="Danbooru catalog: drop each character's link to its work (a stand-in that the snapshot "
        "compiler can finish; see docs/benchmarks.md)",
    )
    ap.add_argument("--set", dest="set_path", default=str(DEVSET), help="dev set mixed into the prompts")
    ap.add_argument(
        "--prompts", type=int, default=2000, help="prompts per latency run (default: %(default)s)"
    )
    ap.add_argument("--batch-lines", type=int, default=5000, help="JSONL lines for the batch run")
    ap.add_argument(
        "--batch-input",
        type=Path,
        help="batch run over the distinct texts of this JSONL file (a 'text' per line, e.g. all of "
        "bench/data/*.jsonl concatenated: prompts in eleven languages) instead of generated tag prompts",
    )
    ap.add_argument("--no-semantic", action="store_true", help="guard without the semantic matcher")
    ap.add_argument("--skip-batch", action="store_true", help="skip the batch throughput run")
    ap.add_argument(
        "--build-timeout", type=int, default=600, metavar="S", help="give up the snapshot build after S s"
    )
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the lexical path; print the hot functions"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep-temp", action="store_true", help="keep the generated catalog and batch files")
    args = ap.parse_args(argv)
    if args.catalog and (args.no_work_links or args.limit_characters):
        ap.error("--no-work-links and --limit-characters apply to the generated Danbooru catalog only")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    require_file(DANBOORU_CSV, "Danbooru tag list", "the ../shared data is needed for the prompt vocabulary")
    require_file(args.set_path, "dev set")
    if args.catalog:
        require_file(args.catalog, "catalog")
    tmp = Path(tempfile.mkdtemp(prefix="kyodaku-speed-"))
    try:
        return _measure(args, tmp)
    finally:
        if args.keep_temp:
            print(f"temporary files kept in {tmp}")
        else:  # the generated 40k catalog is 4.5 MB a run
            shutil.rmtree(tmp, ignore_errors=True)


def _measure(args: argparse.Namespace, tmp: Path) -> int:
    """The latency, profile and batch runs, with the catalog and batch files under `tmp`."""
    machine = machine_line()
    all_cores = pin_one_core()

    print(f"kyodaku speed  {date.today().isoformat()}  {machine}")
    print(
        f"pinned to CPU {sorted(os.sched_getaffinity(0))} for the latency runs; "
        f"OMP/OPENBLAS/MKL_NUM_THREADS=1; rss after imports {rss_mb():.0f} MB"
    )
    if args.catalog:
        catalog_path = require_file(args.catalog, "catalog")
        note = f"catalog {catalog_path}"
    else:
        t0 = time.perf_counter()
        catalog_path, note = danbooru_catalog(tmp, args.limit_characters, args.no_work_links)
        note += f" (generated in {time.perf_counter() - t0:.1f} s)"
    print(note)

    from kyodaku.domain.errors import KyodakuError
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard, GuardOptions, SnapshotHolder, semantic_builder
    from kyodaku.snapshot import compile_snapshot

    t0 = time.perf_counter()
    try:
        catalog = load_catalog(catalog_path)
    except KyodakuError as exc:
        die(f"cannot load {catalog_path}: {exc}")
    load_s = time.perf_counter() - t0
    kinds: dict[str, int] = {}
    for e in catalog.entities:
        kinds[e.kind.value] = kinds.get(e.kind.value, 0) + 1
    names = sorted({n.lower() for e in catalog.entities for _, n in e.all_names() if n.strip()})
    print(f"load_catalog: {load_s:.2f} s; {kinds}; {len(names)} distinct names; peak rss {rss_mb():.0f} MB")
    if kinds.get("character", 0) < MIN_CHARACTERS:
        print(f"NOTE: fewer than {MIN_CHARACTERS:,} characters: the targets are stated for 40,000")

    # -- build
    options = GuardOptions(semantic=not args.no_semantic)
    builder = semantic_builder(options)
    semantic_s: list[float] = []

    def timed_semantic(cat: Any) -> Any:
        t = time.perf_counter()
        try:
            return builder(cat)
        finally:
            semantic_s.append(time.perf_counter() - t)

    def on_alarm(signum: int, frame: Any) -> None:
        raise BuildTimeout

    print()
    print(f"Snapshot build (compile_snapshot, semantic {'on' if builder else 'off'})")
    snap = None
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.build_timeout)
    t0 = time.perf_counter()
    try:
        snap = compile_snapshot(catalog, timed_semantic if builder else None)
    except BuildTimeout:
        print(
            f"  DID NOT FINISH within {args.build_timeout} s (peak rss {rss_mb():.0f} MB); "
            "the full-guard and batch runs are skipped"
        )
    except ImportError as exc:
        die(f"the semantic matcher is not available ({exc}); run with --no-semantic")
    finally:
        signal.alarm(0)
    compile_s = time.perf_counter() - t0
    if snap is not None:
        sem = semantic_s[0] if semantic_s else 0.0
        m = snap.match
        n_sem = len(m.semantic) if m.semantic is not None else 0
        print(
            f"  total {compile_s:.2f} s: match index {m.build_seconds - sem:.2f} s "
            f"({len(m.aliases):,} name variants, {len(m.fuzzy):,} fuzzy keys, {len(m.context):,} context "
            f"variants), semantic index {sem:.2f} s ({n_sem} texts), "
            f"policy {compile_s - m.build_seconds:.2f} s"
        )
        print(f"  peak rss after build {rss_mb():.0f} MB")
        aliases, fuzzy = m.aliases, m.fuzzy
    else:
        gc.collect()  # drop what the unfinished build left behind
        # The lexical matchers do not need the context index: build them alone, the way the compiler does.
        from kyodaku.snapshot import _name_variants
        from kyodaku.text.alias import AliasIndex
        from kyodaku.text.fuzzy import FuzzyIndex

        t0 = time.perf_counter()
        variants = [v for e in catalog.entities for v in _name_variants(e)]
        aliases, fuzzy = AliasIndex(variants), FuzzyIndex(variants)
        print(
            f"  lexical matchers alone (AliasIndex + FuzzyIndex, no context index): "
            f"{time.perf_counter() - t0:.2f} s, {len(aliases):,} name variants; peak rss {rss_mb():.0f} MB"
        )

    # -- prompts
    rng = random.Random(args.seed)
    maker = PromptMaker(general_tags(DANBOORU_CSV), rng)
    set_path = Path(args.set_path)
    devset = [json.loads(line)["text"] for line in set_path.open(encoding="utf-8") if line.strip()]
    char_names = [e.display_name() for e in catalog.entities if e.kind.value == "character"]
    prompts = make_prompts(args.prompts, maker, devset, char_names, rng)
    texts = [p.text for p in prompts]
    groups: dict[str, int] = {}
    for p in prompts:
        groups[p.group] = groups.get(p.group, 0) + 1
    print()
    print(
        f"{len(prompts)} prompts {groups}; mean {mean([len(t) for t in texts]):.0f} characters; "
        f"e.g. {texts[0][:100]!r}"
    )

    lexical = lexical_matcher(aliases, fuzzy)
    naive = naive_filter(names)
    for t in texts[:50]:  # warm caches (wordfreq, automaton pages)
        lexical(t)
        naive(t)
    base_s = time_each(naive, texts)
    lex_s = time_each(lexical, texts)
    base_s2 = time_each(naive, texts)  # again after: machines drift; keep the faster pass of the two
    base_s = base_s if sum(base_s) <= sum(base_s2) else base_s2
    all_s = time_each(naive_all(names), texts)

    print()
    print("(a) per prompt, one core")
    print(header())
    print(describe(f"naive substring, {len(names):,} names", base_s, "us"))
    print(describe("  same loop, no early exit", all_s, "us"))
    print(describe("lexical (skeleton + alias + fuzzy)", lex_s, "us", base_s))
    # The skeleton caches whitespace chunks and the fuzzy index memoises windows: a server sees
    # the same vocabulary again and again, so the second pass is its steady state.
    lex_warm = time_each(lexical, texts)
    print(describe("  same prompts again (caches warm)", lex_warm, "us", base_s))
    print(
        f"{'  vs the loop without early exit':<34} x{mean(lex_s) / mean(all_s):.2f} mean, "
        f"x{percentile(lex_s, 99) / percentile(all_s, 99):.2f} p99"
    )

    from kyodaku.text.normalize import skeleton

    sk_s = time_each(skeleton, texts)
    sks = [skeleton(t) for t in texts]
    al_s = time_each(aliases.find, sks)
    fz_s = time_each(fuzzy.find, sks)
    print(describe("  of which skeleton", sk_s, "us"))
    print(describe("  of which alias automaton", al_s, "us"))
    print(describe("  of which fuzzy", fz_s, "us"))

    flagged_base = {g: 0 for g in groups}
    flagged_lex = {g: 0 for g in groups}
    for p in prompts:
        flagged_base[p.group] += naive(p.text)
        hits, fz = lexical(p.text)
        flagged_lex[p.group] += any(not h.variant.ambiguous for h in hits) or bool(fz)

    guard_s: list[float] = []
    flagged_guard = {g: 0 for g in groups}
    if snap is not None:
        guard = Guard(SnapshotHolder(snap), options)
        for i in range(20):
            guard.screen_prompt(f"warm-up prompt {i}: Pikachu, 1girl, solo, smile")
        decisions = []
        clock = time.perf_counter
        for t in texts:
            t0 = clock()
            decisions.append(guard.screen_prompt(t))
            guard_s.append(clock() - t0)
        for p, d in zip(prompts, decisions, strict=True):
            flagged_guard[p.group] += d.verdict.value in ("block", "review")
        failed = sum(d.failed_closed for d in decisions)
        print()
        print(f"(b) full Guard.screen_prompt, semantic {'on' if options.semantic else 'off'}, one core")
        print(header())
        print(describe("naive substring (same prompts)", base_s, "ms"))
        print(describe("Guard.screen_prompt", guard_s, "ms", base_s))
        if failed:
            print(f"  WARNING: {failed} decisions failed closed")

    print()
    print("Share of prompts flagged (naive: any name is a substring; lexical: a non-ambiguous name or a")
    print("fuzzy hit; guard: verdict block/review)")
    print(f"{'group':<10} {'n':>5} {'naive':>8} {'lexical':>8} {'guard':>8}")
    for g, n in groups.items():
        gcell = f"{100 * flagged_guard[g] / n:7.1f}%" if snap is not None else "     n/a"
        print(f"{g:<10} {n:>5} {100 * flagged_base[g] / n:7.1f}% {100 * flagged_lex[g] / n:7.1f}% {gcell}")

    if args.profile:
        profile("the lexical path", lexical, texts)
        if snap is not None:
            profile("Guard.screen_prompt", guard.screen_prompt, [f"{t}, again" for t in texts])

    # -- batch
    if snap is not None and not args.skip_batch:
        if all_cores:
            os.sched_setaffinity(0, all_cores)
        run_batches(args, catalog_path, maker, char_names, rng, tmp, options.semantic)
    elif args.skip_batch:
        print("\n(c) batch: skipped (--skip-batch)")
    print(f"\npeak rss of this process {rss_mb():.0f} MB")
    return 0


def run_batches(
    args: argparse.Namespace,
    catalog_path: Path,
    maker: PromptMaker,
    names: list[str],
    rng: random.Random,
    tmp: Path,
    semantic: bool,
) -> None:
    """(c): run_batch over a JSONL of distinct prompts with 1 and 2 workers; fixed cost from a 1-line run."""
    if args.batch_input is not None:
        texts = dict.fromkeys(json.loads(line)["text"] for line in args.batch_input.open(encoding="utf-8"))
        prompts = [Prompt("input", t) for t in texts]
    else:
        prompts = make_prompts(args.batch_lines, maker, [], names, rng)
    big = tmp / "batch.jsonl"
    one = tmp / "one.jsonl"
    with big.open("w", encoding="utf-8") as handle:
        for i, p in enumerate(prompts):
            handle.write(json.dumps({"id": i, "text": p.text}, ensure_ascii=False) + "\n")
    one.write_text(json.dumps({"id": 0, "text": "1girl, solo, smile"}) + "\n", encoding="utf-8")
    cores = len(os.sched_getaffinity(0))
    print()
    print(
        f"(c) batch: kyodaku.batch.run_batch over {len(prompts):,} distinct prompts, catalog from file, "
        f"{cores} cores available"
    )
    print("    (each run a fresh process, caches cold; 'seconds' is run_batch's screening time, after")
    print("     'prepare s' to load the catalog and compile the snapshot; 'screening/s' subtracts the")
    print("     time of a 1-line run with the same workers: starting the worker pool; 'cpu s' is the")
    print("     CPU time of the batch process itself after 'prepare s', and of its forked workers)")
    print(
        f"{'workers':>8} {'lines':>6} {'prepare s':>9} {'seconds':>9} {'fixed s':>8} {'lines/s':>8} "
        f"{'screening/s':>12} {'cpu s':>6} {'workers cpu s':>14}"
    )
    for workers in (1, 2):
        # Each run in a fresh process: cold, as a batch job starts (no encoder, skeleton or
        # fuzzy cache left over from the run before).
        fixed = _batch_in_subprocess(one, tmp, catalog_path, semantic, workers)["seconds"]
        summary = _batch_in_subprocess(big, tmp, catalog_path, semantic, workers)
        screening = summary["seconds"] - fixed
        rate = summary["screened"] / screening if screening > 0 else float("nan")
        print(
            f"{workers:>8} {summary['total']:>6} {summary['prepare']:>9.2f} {summary['seconds']:>9.2f} "
            f"{fixed:>8.2f} {summary['screened'] / summary['seconds']:>8.0f} {rate:>12.0f} "
            f"{summary['cpu'] - summary['prepare_cpu']:>6.2f} {summary['workers_cpu']:>14.2f}   "
            f"verdicts {summary['verdicts']}"
        )


_BATCH_CHILD = """
import json, resource, sys
from pathlib import Path
from rich.console import Console
import kyodaku.batch as batch
from kyodaku.batch import BatchOptions, run_batch
a = json.loads(sys.argv[1])
opts = BatchOptions(input=Path(a["input"]), output=Path(a["output"]), catalog=Path(a["catalog"]),
                    semantic=a["semantic"], workers=a["workers"])
def cpu(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime
prepare_cpu = []
init = batch._init_worker
def timed_init(options):
    init(options)
    prepare_cpu.append(cpu(resource.RUSAGE_SELF))
batch._init_worker = timed_init
s = run_batch(opts, Console(stderr=True, quiet=True))
print(json.dumps({"seconds": s.seconds, "prepare": s.prepare_seconds, "screened": s.screened,
                  "total": s.total, "verdicts": dict(s.verdicts), "cpu": cpu(resource.RUSAGE_SELF),
                  "prepare_cpu": prepare_cpu[0], "workers_cpu": cpu(resource.RUSAGE_CHILDREN)}))
"""


def _batch_in_subprocess(path: Path, tmp: Path, catalog: Path, semantic: bool, workers: int) -> dict:
    import subprocess

    args = {
        "input": str(path),
        "output": str(tmp / f"out-{workers}-{path.stem}.jsonl"),
        "catalog": str(catalog),
        "semantic": semantic,
        "workers": workers,
    }
    done = subprocess.run(
        [sys.executable, "-c", _BATCH_CHILD, json.dumps(args)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        die(f"batch run with {workers} worker(s) failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
