"""Speed, memory and exactness of the PDQ hash index ("search many") on one core, beside brute force.

For each distribution and size (default 1M and 10M hashes):

* build `HashIndex` (multi-index hashing, 16 tables of 16-bit substrings): seconds, `nbytes` per
  million hashes, the process's resident memory after the build and its peak so far;
* time single-hash queries through `HashIndex.search` (radius 31) on ONE core (pinned to CPU 0):
  half the queries are a stored hash with 0..31 bits flipped (a planted match), half are random
  hashes; p50/p95/p99/max over all of them, plus the mean number of candidate rows the probed
  buckets held and the mean number of hits;
* the baseline: `BruteForceIndex.search` (a numpy scan of every row) on the first --brute-queries
  queries (it is slow), and the ratio of the medians;
* exactness: for those queries the index's hits must equal the scan's (rows and distances), and for
  every planted query the stored hash it came from must be among the hits at its distance.

Distributions:

* random: uniform random 256-bit hashes (every 16-bit bucket holds about N/65536 rows);
* clustered: N/100 random centres, each with 100 near-duplicates 5..20 bits away, stored next to
  each other like the frames of many videos. Near-duplicates share most substrings with their
  centre, so buckets are uneven and a planted query near a cluster matches many rows.

    .venv/bin/python bench/media_index.py                                  # 1M and 10M, both kinds
    .venv/bin/python bench/media_index.py --sizes 1000000 --queries 2000 --brute-queries 200
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shlex
import sys
import time

from _common import machine_line, mean, percentile

# One core, one BLAS thread: set before numpy loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

CLUSTER_SIZE = 100
CLUSTER_FLIPS = (5, 20)
RADIUS = 31


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def rss_mb() -> float:
    """Resident set size now, MB (Linux /proc; NaN elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError):
        return float("nan")


def pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity)"


# ------------------------------------------------------------------------------------------ inputs


def random_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def flip_masks(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """(n, 32) uint8 masks, each with low..high bits set (fewer where a position repeats; rare)."""
    words = np.zeros((n, 4), dtype=np.uint64)
    counts = rng.integers(low, high + 1, size=n)
    rows = np.arange(n)
    for slot in range(high):
        pos = rng.integers(0, 256, size=n).astype(np.uint64)
        bit = np.where(slot < counts, np.left_shift(np.uint64(1), pos & np.uint64(63)), np.uint64(0))
        # one position per row per slot, so no two updates in this step hit the same (row, word)
        words[rows, (pos >> np.uint64(6)).astype(np.int64)] |= bit
    return words.view(np.uint8)


def clustered_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    centres = random_codes(rng, max(1, n // CLUSTER_SIZE))
    codes = np.repeat(centres, CLUSTER_SIZE, axis=0)[:n]
    chunk = 1_000_000
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        codes[start:stop] ^= flip_masks(rng, stop - start, *CLUSTER_FLIPS)
    return codes


def make_queries(rng: np.random.Generator, codes: np.ndarray, count: int) -> tuple[np.ndarray, list]:
    """Alternating planted (a stored row, 0..31 bits flipped) and random queries.

    Returns the queries and, per query, (source row, distance) for planted ones, None for random.
    """
    queries, truth = [], []
    for i in range(count):
        if i % 2 == 0:
            row = int(rng.integers(len(codes)))
            k = int(rng.integers(0, RADIUS + 1))
            bits = np.unpackbits(codes[row])
            bits[rng.choice(256, size=k, replace=False)] ^= 1
            queries.append(np.packbits(bits))
            truth.append((row, k))
        else:
            queries.append(random_codes(rng, 1)[0])
            truth.append(None)
    return np.array(queries), truth


# ------------------------------------------------------------------------------------------ timing


def time_queries(index, queries: np.ndarray) -> tuple[list[float], list[float], list]:
    """Wall-clock and CPU seconds of each `index.search`, and the hits.

    On a shared machine the wall-clock tail includes the time another process held the core;
    the CPU time (this thread's) does not, so the two together tell load from cost.
    """
    wall, cpu, results = [], [], []
    for q in queries:
        c0, t0 = time.thread_time(), time.perf_counter()
        hits = index.search(q, RADIUS)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        results.append(hits)
    return wall, cpu, results


def candidate_counts(index, queries: np.ndarray) -> list[int]:
    """Rows held by the buckets each query probes (reads the index's private arrays; bench only)."""
    from kyodaku.media.index import BUCKETS, _probe_plan

    tables, masks = _probe_plan(RADIUS)
    flat = index._flat_offsets
    out = []
    for q in queries:
        bucket = tables * (BUCKETS + 1) + (q.view("<u2")[tables] ^ masks)
        out.append(int((flat[bucket + 1].astype(np.int64) - flat[bucket]).sum()))
    return out


def ms(seconds: float) -> str:
    return f"{1e3 * seconds:8.2f}"


def run_one(kind: str, n: int, args: argparse.Namespace, rows: list[dict]) -> None:
    from kyodaku.media.index import BruteForceIndex, HashIndex

    rng = np.random.default_rng([args.seed, n, 0 if kind == "random" else 1])
    t0 = time.perf_counter()
    codes = random_codes(rng, n) if kind == "random" else clustered_codes(rng, n)
    gen_s = time.perf_counter() - t0
    queries, truth = make_queries(rng, codes, args.queries)

    gc.collect()
    rss_before = rss_mb()
    t0 = time.perf_counter()
    index = HashIndex.build(codes)
    build_s = time.perf_counter() - t0
    rss_after = rss_mb()
    peak = peak_rss_mb()
    per_million_mb = index.nbytes / n  # bytes per hash = MB (10^6 bytes) per million hashes

    for q in queries[:20]:  # warm the probe plan cache and the code paths
        index.search(q, RADIUS)
    mih_times, mih_cpu, mih_hits = time_queries(index, queries)
    cands = candidate_counts(index, queries)

    planted_ok = all(
        t is None or (t[0] in h.rows and int(h.distances[list(h.rows).index(t[0])]) == t[1])
        for t, h in zip(truth, mih_hits, strict=True)
    )

    brute = BruteForceIndex.build(codes)
    nb = min(args.brute_queries, len(queries))
    bf_times, _, bf_hits = time_queries(brute, queries[:nb])
    exact = all(
        np.array_equal(a.rows, b.rows) and np.array_equal(a.distances, b.distances)
        for a, b in zip(mih_hits[:nb], bf_hits, strict=True)
    )
    del brute, index, codes
    gc.collect()

    planted_hits = [len(h) for h, t in zip(mih_hits, truth, strict=True) if t is not None]
    random_hits = [len(h) for h, t in zip(mih_hits, truth, strict=True) if t is None]
    rows.append(
        dict(
            kind=kind,
            n=n,
            gen_s=gen_s,
            build_s=build_s,
            per_million_mb=per_million_mb,
            rss_delta_mb=rss_after - rss_before,
            peak_mb=peak,
            p50=percentile(mih_times, 50),
            p95=percentile(mih_times, 95),
            p99=percentile(mih_times, 99),
            max=max(mih_times),
            cpu_p50=percentile(mih_cpu, 50),
            cpu_p99=percentile(mih_cpu, 99),
            cands=mean(cands),
            cands_p99=percentile(cands, 99),
            hits_planted=mean(planted_hits),
            hits_random=mean(random_hits),
            bf_n=nb,
            bf_p50=percentile(bf_times, 50),
            bf_p99=percentile(bf_times, 99),
            exact=exact,
            planted_ok=planted_ok,
        )
    )
    r = rows[-1]
    print(
        f"  {kind:9} {n:>11,}: build {build_s:6.1f} s, MIH p50 {ms(r['p50'])} ms p99 {ms(r['p99'])} ms, "
        f"brute p50 {ms(r['bf_p50'])} ms, exact={exact} planted_found={planted_ok}",
        flush=True,
    )


def _head(title: str, width: int) -> str:
    """A column title right-aligned over its cells, keeping a leading '|' separator in place."""
    if title.startswith("| "):
        return "| " + title[2:].rjust(width - 2)
    return title.rjust(width)


def _cells(r: dict) -> dict:
    """A result row with its seconds also in milliseconds (`<key>_ms`) and the brute/MIH ratio."""
    cells = dict(r)
    for key in ("p50", "p95", "p99", "max", "cpu_p50", "cpu_p99", "bf_p50", "bf_p99"):
        cells[f"{key}_ms"] = 1e3 * r[key]
    cells["ratio"] = r["bf_p50"] / r["p50"]
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated index sizes")
    parser.add_argument("--queries", type=int, default=1000, help="single-hash queries per size")
    parser.add_argument("--brute-queries", type=int, default=100, help="queries also run by brute force")
    parser.add_argument("--distributions", default="random,clustered", help="random and/or clustered")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    kinds = [k.strip() for k in args.distributions.split(",") if k.strip()]
    for k in kinds:
        if k not in ("random", "clustered"):
            parser.error(f"unknown distribution {k!r}")

    print("command: " + shlex.join([sys.executable.rsplit("/", 1)[-1], *sys.argv]))
    print("machine: " + machine_line())
    print(f"numpy {np.__version__}, one core: {pin_one_core()}, radius {RADIUS}, {args.queries} queries")

    rows: list[dict] = []
    for kind in kinds:
        for n in sizes:
            run_one(kind, n, args, rows)

    print()
    columns = [
        ("distribution", "{kind:<12}"),
        ("N", "{n:>10,}"),
        ("build s", "{build_s:7.1f}"),
        ("MB/1M", "{per_million_mb:6.1f}"),
        ("+RSS MB", "{rss_delta_mb:7.0f}"),
        ("peak MB", "{peak_mb:7.0f}"),
        ("| MIH p50", "| {p50_ms:7.2f}"),
        ("p95", "{p95_ms:6.2f}"),
        ("p99", "{p99_ms:6.2f}"),
        ("max ms", "{max_ms:6.2f}"),
        ("| cpu p50", "| {cpu_p50_ms:7.2f}"),
        ("p99 ms", "{cpu_p99_ms:6.2f}"),
        ("| cands", "| {cands:7.0f}"),
        ("c.p99", "{cands_p99:6.0f}"),
        ("hits pl/rnd", "{hits_planted:6.1f}/{hits_random:<4.2f}"),
        ("| brute n", "| {bf_n:7d}"),
        ("p50", "{bf_p50_ms:7.1f}"),
        ("p99 ms", "{bf_p99_ms:7.1f}"),
        ("ratio", "{ratio:5.0f}x"),
        ("| exact", "| {exact!s:5}"),
        ("planted", "{planted_ok}"),
    ]
    widths = [max(len(h), len(f.format(**_cells(rows[0])))) if rows else len(h) for h, f in columns]
    print(" ".join(_head(h, w) for (h, _), w in zip(columns, widths, strict=True)))
    for r in rows:
        cells = _cells(r)
        print(" ".join(f.format(**cells).rjust(w) for (_, f), w in zip(columns, widths, strict=True)))
    print(
        "MB/1M = index.nbytes / N (bytes a hash = MB per million hashes); "
        "+RSS = resident memory the build added;\n"
        "peak = process peak RSS so far (includes the bench's own copy of the codes and the "
        "brute-force index's copy);\n"
        "MIH p50..max = wall-clock per query; cpu = this thread's CPU time per query (excludes time "
        "other processes held the core);\n"
        "cands = rows in the probed buckets per query (mean, p99); "
        "hits = mean hits of planted / random queries; ratio = brute p50 / MIH p50."
    )


if __name__ == "__main__":
    main()
