"""Ledger benchmark: append cost beside a screen, lookup at a million entries, tamper detection.

    .venv/bin/python bench/ledger_bench.py [--appends 2000] [--lookup-entries 1000000] [--tamper 200]
                                           [--postgres auto|URL]

1. Append latency. Screens `--appends` prompts with the lexical guard (semantic off) and appends
   each decision to a fresh ledger; prints p50/p99 of the screen alone and of the append alone,
   and the append's p99 as a share of the screen's. SQLite (WAL, synchronous=NORMAL, the default)
   and, with `--postgres`, PostgreSQL (`auto` starts a throwaway local server the way the tests do:
   note that server runs with fsync off, so its figure is a floor).
2. Lookup at scale. Bulk-loads `--lookup-entries` entries with one random PDQ hash each (rows
   written directly, as appends would leave them), loads the index (`LedgerIndex.refresh`), then
   times 200 lookups of copies of stored hashes with 8 to 24 bits flipped (must be found) and 200
   random hashes (must not be), each in all 8 dihedral variants as a trace does.
3. Tamper detection. Builds a 300-entry ledger with a signed head, and `--tamper` times copies it,
   drops the append-only triggers (as an insider could), applies one random edit (change a byte of
   a body; rewrite a body and its stored hash; delete an entry; swap two entries; cut off the
   last entries), runs `verify_ledger`, and counts the edits found and whether the problem named the
   edited position.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa

import _common  # noqa: F401  (puts samples/ on sys.path)

PROMPTS = [
    "Pikachu surfing a wave at sunset",
    "a lighthouse on a cliff in a storm",
    "Cloud Strife with his buster sword",
    "a bowl of ramen, studio photo",
    "in the style of Studio Ghibli, a village by the sea",
    "a red bicycle against a brick wall",
]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def append_latency(url: str, n: int, label: str) -> None:
    from kyodaku.options import GuardOptions
    from kyodaku.policy.engine import ScreenContext
    from kyodaku.provenance.entry import Record
    from kyodaku.provenance.ledger import Ledger
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard

    guard = Guard.build(load_catalog(Path("examples/demo-catalog.yaml")), GuardOptions(semantic=False))
    ledger = Ledger(url)
    ctx = ScreenContext(licensee="acme")
    screens, appends = [], []
    for i in range(n):
        text = f"{PROMPTS[i % len(PROMPTS)]} #{i}"
        began = time.perf_counter()
        decision = guard.screen_prompt(text, ctx)
        mid = time.perf_counter()
        ledger.append(decision, Record(source="python", prompt=text))
        screens.append(mid - began)
        appends.append(time.perf_counter() - mid)
    ledger.close()
    print(
        f"{label}: {n} appends; screen p50 {_pct(screens, 50):.2f} ms p99 {_pct(screens, 99):.2f} ms; "
        f"append p50 {_pct(appends, 50):.2f} ms p99 {_pct(appends, 99):.2f} ms "
        f"(append p99 = {_pct(appends, 99) / _pct(screens, 99):.2f}x the screen's p99); "
        f"{n / sum(appends):,.0f} appends/s"
    )


def lookup(tmp: Path, n: int) -> None:
    from kyodaku.media.compare import HASH_BYTES
    from kyodaku.provenance.ledger import Ledger
    from kyodaku.provenance.trace import LedgerIndex

    url = f"sqlite:///{tmp / 'big.db'}"
    ledger = Ledger(url)
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, size=(n, HASH_BYTES), dtype=np.uint8)
    now = datetime.now(UTC)
    began = time.perf_counter()
    chunk = 50_000
    with ledger.engine.begin() as conn:
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            conn.execute(
                sa.text(
                    "INSERT INTO ledger_entries "
                    "(seq, entry_id, short_id, created_at, leaf_hash, prev_hash, body) "
                    "VALUES (:s, :e, :s, :c, :h, :h, '{}')"
                ),
                [{"s": i, "e": f"le_{i:024x}", "c": now, "h": f"{i:064x}"} for i in range(start, stop)],
            )
            conn.execute(
                sa.text(
                    "INSERT INTO ledger_media (seq, sha256, pdq, quality, frame) VALUES (:s, :h, :p, 100, 0)"
                ),
                [{"s": i, "h": f"{i:064x}", "p": codes[i].tobytes()} for i in range(start, stop)],
            )
    loaded = time.perf_counter() - began
    index = LedgerIndex()
    began = time.perf_counter()
    index.refresh(ledger)
    refresh = time.perf_counter() - began
    found, times, false = 0, [], 0
    for _q in range(200):
        row = int(rng.integers(0, n))
        code = np.unpackbits(codes[row].copy())
        flips = rng.choice(256, size=int(rng.integers(8, 25)), replace=False)
        code[flips] ^= 1
        query = np.packbits(code).tobytes()
        variants = [query] + [rng.integers(0, 256, HASH_BYTES, dtype=np.uint8).tobytes() for _ in range(7)]
        began = time.perf_counter()
        hits = index.search(variants)
        times.append(time.perf_counter() - began)
        found += row in hits
    for _q in range(200):
        variants = [rng.integers(0, 256, HASH_BYTES, dtype=np.uint8).tobytes() for _ in range(8)]
        began = time.perf_counter()
        false += bool(index.search(variants))
        times.append(time.perf_counter() - began)
    ledger.close()
    print(
        f"lookup at {n:,} entries: {found}/200 near copies found, "
        f"{false}/200 random hashes matched anything; "
        f"lookup (8 variants) p50 {_pct(times, 50):.2f} ms p99 {_pct(times, 99):.2f} ms; "
        f"index load {refresh:.1f} s ({len(index):,} hashes), bulk insert {loaded:.0f} s"
    )


EDITS = ("byte", "rehash", "delete", "swap", "truncate")


def tamper(tmp: Path, trials: int) -> None:
    from kyodaku.audit.signing import generate_keypair
    from kyodaku.domain.findings import Decision, Verdict
    from kyodaku.provenance.entry import Record, leaf_of
    from kyodaku.provenance.ledger import Ledger
    from kyodaku.provenance.verify import verify_ledger

    base = tmp / "base.db"
    ledger = Ledger(f"sqlite:///{base}")
    for i in range(300):
        decision = Decision(Verdict.ALLOW if i % 3 else Verdict.BLOCK, (), (), (), 1, "s", {"n": i}, {})
        ledger.append(decision, Record(prompt=f"prompt {i}"))
    generate_keypair(tmp / "k", tmp / "k.pub")
    ledger.sign_head(tmp / "k")
    ledger.close()
    rng = random.Random(11)
    found = {e: 0 for e in EDITS}
    named = {e: 0 for e in EDITS}
    tried = {e: 0 for e in EDITS}
    for t in range(trials):
        edit = EDITS[t % len(EDITS)]
        path = tmp / f"t{t}.db"
        shutil.copy(base, path)
        book = Ledger(f"sqlite:///{path}")
        with book.engine.begin() as conn:
            for table in ("ledger_entries", "ledger_media", "ledger_heads"):
                for ev in ("update", "delete"):
                    conn.execute(sa.text(f"DROP TRIGGER {table}_no_{ev}"))
            seq = rng.randrange(0, 299)
            body = conn.execute(
                sa.text("SELECT body FROM ledger_entries WHERE seq = :s"), {"s": seq}
            ).scalar()
            if edit == "byte":
                pos = rng.randrange(len(body))
                new = body[:pos] + chr((ord(body[pos]) + 1) % 0x7F or 0x41) + body[pos + 1 :]
                conn.execute(
                    sa.text("UPDATE ledger_entries SET body = :b WHERE seq = :s"), {"b": new, "s": seq}
                )
            elif edit == "rehash":
                new = body.replace('"chars":', '"chars_":', 1)
                conn.execute(
                    sa.text("UPDATE ledger_entries SET body = :b, leaf_hash = :h WHERE seq = :s"),
                    {"b": new, "h": leaf_of(new.encode()).hex(), "s": seq},
                )
            elif edit == "delete":
                conn.execute(sa.text("DELETE FROM ledger_entries WHERE seq = :s"), {"s": seq})
            elif edit == "swap":
                other = seq + 1
                rows = {
                    r[0]: (r[1], r[2])
                    for r in conn.execute(
                        sa.text("SELECT seq, body, leaf_hash FROM ledger_entries WHERE seq IN (:a, :b)"),
                        {"a": seq, "b": other},
                    )
                }
                for a, b in ((seq, other), (other, seq)):
                    conn.execute(
                        sa.text("UPDATE ledger_entries SET body = :x, leaf_hash = :h WHERE seq = :s"),
                        {"x": rows[b][0], "h": rows[b][1], "s": a},
                    )
            else:
                seq = rng.randrange(290, 300)
                conn.execute(sa.text("DELETE FROM ledger_entries WHERE seq >= :s"), {"s": seq})
        report = verify_ledger(book, tmp / "k.pub")
        book.close()
        path.unlink()
        tried[edit] += 1
        found[edit] += not report.ok
        named[edit] += any(p.seq == seq for p in report.problems) or (
            edit == "truncate" and any("removed" in p.message for p in report.problems)
        )
    total = sum(found.values())
    detail = ", ".join(f"{e} {found[e]}/{tried[e]} (position named {named[e]})" for e in EDITS)
    print(f"tamper: {total}/{trials} random edits found by ledger verify: {detail}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--appends", type=int, default=2000)
    ap.add_argument("--lookup-entries", type=int, default=1_000_000)
    ap.add_argument("--tamper", type=int, default=200)
    ap.add_argument("--postgres", default=None, help="auto (a throwaway local server) or a URL")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.appends:
            append_latency(f"sqlite:///{tmp / 'ledger.db'}", args.appends, "SQLite")
            if args.postgres:
                url, server = args.postgres, None
                if url == "auto":
                    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
                    from conftest import _LocalServer  # the tests' throwaway server (fsync off)

                    server = _LocalServer()
                    started = server.start()
                    if isinstance(started, str):
                        print(f"PostgreSQL: not measured ({started})")
                        url = None
                    else:
                        url = started.url
                try:
                    if url:
                        append_latency(url, args.appends, "PostgreSQL (local, fsync off)")
                finally:
                    if server is not None:
                        server.stop()
        if args.tamper:
            tamper(tmp, args.tamper)
        if args.lookup_entries:
            lookup(tmp, args.lookup_entries)


if __name__ == "__main__":
    main()
