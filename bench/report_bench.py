"""Report benchmark: transparency and ledger parity over a large ledger, parity on the shipped set.

    .venv/bin/python bench/report_bench.py [--entries 1000000] [--semantic] [--keep DIR]

1. Ledger reports at scale. Screens the shipped parity set's prompts (and its controls) with the
   lexical demo guard to get a pool of real decision bodies (entities with rightsholder, kind,
   verdict, rule; findings with matcher and evidence), then bulk-inserts `--entries` ledger rows
   built from that pool (rows written directly in one transaction, as bench/ledger_bench.py's
   `lookup` does: chaining and hashing a million appends would take an hour and is not what is
   measured). Each row gets its own seq and a time spread over 90 days; a third keep the prompt
   text. Then times, each over the whole ledger: reading and parsing the entries alone (the floor),
   the transparency report (operator view), a rightsholder's view, ledger parity, and rendering
   the transparency HTML.
2. Parity on the shipped set: builds the demo guard (timed apart) and times `parity_report` over
   the shipped set, lexical, and with `--semantic` also with the multilingual encoder.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from _common import DEMO_CATALOG


def _pool(guard) -> list[tuple[dict, str]]:
    """(decision dict, prompt) pairs from screening the shipped set: what real entries hold."""
    from kyodaku.reports.labelled import load_parity_set

    items = load_parity_set().items
    results = guard.screen_many([(i.id, i.text) for i in items])
    return [(d.to_dict(), i.text) for i, d in zip(items, results, strict=True)]


def _bodies(pool: list[tuple[dict, str]], n: int, start: datetime, rng: random.Random):
    from kyodaku.provenance.entry import Record, build_body

    span = 90 * 24 * 3600
    for seq in range(n):
        decision, prompt = pool[rng.randrange(len(pool))]
        created = start + timedelta(seconds=span * seq / n)
        record = Record(source="api", actor="k_bench", prompt=prompt, keep_prompt_text=rng.random() < 0.33)
        body, _ = build_body(decision, record, seq=seq, prev=f"{seq:064x}", created_at=created)
        yield seq, created, body.decode("utf-8")


def load_ledger(url: str, guard, n: int) -> tuple[float, float]:
    from kyodaku.provenance.ledger import Ledger

    ledger = Ledger(url)
    pool = _pool(guard)
    rng = random.Random(11)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    began = time.perf_counter()
    chunk: list[dict] = []
    size = 0
    with ledger.engine.begin() as conn:
        statement = sa.text(
            "INSERT INTO ledger_entries (seq, entry_id, short_id, created_at, leaf_hash, prev_hash, body) "
            "VALUES (:s, :e, :s, :c, :h, :h, :b)"
        )
        for seq, created, body in _bodies(pool, n, start, rng):
            size += len(body)
            chunk.append({"s": seq, "e": f"le_{seq:024x}", "c": created, "h": f"{seq:064x}", "b": body})
            if len(chunk) == 50_000:
                conn.execute(statement, chunk)
                chunk = []
        if chunk:
            conn.execute(statement, chunk)
    ledger.close()
    return time.perf_counter() - began, size / max(n, 1)


def _timed(label: str, n: int, fn):
    began = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - began
    rate = f"; {n / elapsed:,.0f} entries/s" if n else ""
    print(f"  {label}: {elapsed:.1f} s{rate}")
    return result


def ledger_reports(url: str, n: int) -> None:
    from kyodaku.provenance.ledger import Ledger
    from kyodaku.reports.parity import parity_from_ledger
    from kyodaku.reports.render import render_transparency_html
    from kyodaku.reports.transparency import transparency_report

    ledger = Ledger(url)
    try:
        _timed("read + parse every entry (floor)", n, lambda: sum(1 for e in ledger.entries() if e.data))
        report = _timed("transparency report (operator)", n, lambda: transparency_report(ledger.entries()))
        _timed("transparency report (rightsholder view)", n,
               lambda: transparency_report(ledger.entries(), viewer="pokemon-company"))  # fmt: skip
        half = datetime(2026, 2, 15, tzinfo=UTC)
        _timed("transparency report (since day 45: half the entries)", n,
               lambda: transparency_report(ledger.entries(), since=half))  # fmt: skip
        parity = _timed("ledger parity", n, lambda: parity_from_ledger(ledger.entries()))
        page = _timed("transparency HTML render", 0, lambda: render_transparency_html(report, "ja"))
    finally:
        ledger.close()
    t = report.totals
    print(
        f"  ledger: {t['decisions']:,} decisions, {t['blocked']:,} blocked, {len(report.per_day)} days, "
        f"{len(report.by_rightsholder)} rightsholders; HTML {len(page) / 1024:.0f} KiB; "
        f"JSON {len(json.dumps(report.to_dict())) / 1024:.0f} KiB"
    )
    print(f"  ledger parity: {parity.summary()}")


def shipped_parity(semantic: bool) -> None:
    from kyodaku.options import GuardOptions
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.reports.labelled import load_parity_set
    from kyodaku.reports.parity import parity_report
    from kyodaku.screening import Guard

    for on in (False, True) if semantic else (False,):
        began = time.perf_counter()
        guard = Guard.build(load_catalog(DEMO_CATALOG), GuardOptions(semantic=on))
        built = time.perf_counter() - began
        items = load_parity_set()
        guard.screen_many([(None, "warm up")])
        began = time.perf_counter()
        report = parity_report(guard, items)
        elapsed = time.perf_counter() - began
        print(
            f"  shipped set, semantic {'on' if on else 'off'}: {len(items.items)} items in {elapsed:.2f} s "
            f"({len(items.items) / elapsed:,.0f} prompts/s; guard build {built:.1f} s, "
            "in a process that built one already)"
        )
        print(f"    {report.summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--semantic", action="store_true", help="also time the set with the semantic matcher")
    parser.add_argument("--keep", type=Path, help="build the ledger here and keep it (default: a temp dir)")
    args = parser.parse_args()

    from kyodaku.options import GuardOptions
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard

    tmp = args.keep or Path(tempfile.mkdtemp(prefix="kyodaku-report-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        url = f"sqlite:///{tmp / 'ledger.db'}"
        print(f"1. ledger reports over {args.entries:,} entries (SQLite)")
        guard = Guard.build(load_catalog(DEMO_CATALOG), GuardOptions(semantic=False))
        loaded, mean = load_ledger(url, guard, args.entries)
        size = (tmp / "ledger.db").stat().st_size
        print(f"  bulk insert: {loaded:.0f} s; mean body {mean:,.0f} bytes; database {size / 2**20:,.0f} MiB")
        ledger_reports(url, args.entries)
        print("2. parity on the shipped set")
        shipped_parity(args.semantic)
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
