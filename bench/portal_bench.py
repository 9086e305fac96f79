"""Portal benchmark: server time of the main pages with a large ledger and many cases.

    .venv/bin/python bench/portal_bench.py [--entries 100000] [--cases 10000] [--requests 200]

Builds a registry from the demo catalog (SQLite), then:
1. a ledger of `--entries` entries whose bodies are real decisions (the shipped parity set screened
   by the lexical demo guard), spread over the last 90 days, bulk-inserted with their subject-index
   rows (as bench/report_bench.py does: chaining a hundred thousand appends is not what is timed
   here; bench/ledger_bench.py times appends);
2. `--cases` cases spread over the demo rightsholders and over every state, each with a re-match
   finding in its evidence and the transitions that led to its state, written through the case store;
3. times `--requests` requests per page, in-process through Starlette's TestClient (so the figure
   is the server's time plus the in-process client's small overhead, no network): the desk's queue,
   a case view (random cases), a rightsholder's dashboard and blocked page (the rightsholder with
   the most ledger rows), its permissions page and catalog. `/healthz` is timed in the same run as
   the floor (one route, no database), so the pages can be read as a ratio of it.
Prints p50/p99 per page and whether p99 is within the 300 ms target.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from _common import DEMO_CATALOG, percentile
from report_bench import _pool

TARGET_P99_MS = 300.0


def load_ledger(url: str, guard, n: int) -> tuple[float, dict[str, int]]:
    """Bulk-insert `n` entries and their subject rows; returns the time and rows per rightsholder."""
    from kyodaku.provenance.entry import Record, build_body, subjects_of
    from kyodaku.provenance.ledger import Ledger

    ledger = Ledger(url)
    pool = _pool(guard)
    rng = random.Random(11)
    end = datetime.now(UTC)
    start = end - timedelta(days=90)
    span = (end - start).total_seconds()
    entries, subjects = [], []
    per_holder: dict[str, int] = {}
    began = time.perf_counter()
    insert_entries = sa.text(
        "INSERT INTO ledger_entries (seq, entry_id, short_id, created_at, leaf_hash, prev_hash, body) "
        "VALUES (:s, :e, :s, :c, :h, :h, :b)"
    )
    insert_subjects = sa.text(
        "INSERT INTO ledger_subjects (seq, rightsholder, entity, kind, verdict, day, matcher) "
        "VALUES (:seq, :rightsholder, :entity, :kind, :verdict, :day, :matcher)"
    )
    with ledger.engine.begin() as conn:
        for seq in range(n):
            decision, prompt = pool[rng.randrange(len(pool))]
            created = start + timedelta(seconds=span * seq / n)
            body, _ = build_body(decision, Record(source="api", actor="k_bench", prompt=prompt),
                                 seq=seq, prev=f"{seq:064x}", created_at=created)  # fmt: skip
            entries.append({"s": seq, "e": f"le_{seq:024x}", "c": created, "h": f"{seq:064x}",
                            "b": body.decode("utf-8")})  # fmt: skip
            for row in subjects_of(decision | {"time": created.isoformat()}, seq):
                subjects.append(row)
                per_holder[row["rightsholder"]] = per_holder.get(row["rightsholder"], 0) + 1
            if len(entries) >= 20_000:
                conn.execute(insert_entries, entries)
                conn.execute(insert_subjects, subjects)
                entries, subjects = [], []
        if entries:
            conn.execute(insert_entries, entries)
        if subjects:
            conn.execute(insert_subjects, subjects)
    ledger.close()
    return time.perf_counter() - began, per_holder


def load_cases(store, n: int, holders: dict[str, list[str]]) -> tuple[float, list[str]]:
    """`n` cases over the rightsholders, in every state, each reached through the table's moves."""
    from kyodaku.claims.model import Case, CaseKind, CaseState
    from kyodaku.claims.store import CaseStore

    cases = CaseStore(store.engine)
    rng = random.Random(5)
    paths = {
        CaseState.RECEIVED: [],
        CaseState.ACKNOWLEDGED: [CaseState.ACKNOWLEDGED],
        CaseState.UNDER_REVIEW: [CaseState.ACKNOWLEDGED, CaseState.UNDER_REVIEW],
        CaseState.UPHELD: [CaseState.ACKNOWLEDGED, CaseState.UNDER_REVIEW, CaseState.UPHELD],
        CaseState.REJECTED: [CaseState.ACKNOWLEDGED, CaseState.UNDER_REVIEW, CaseState.REJECTED],
        CaseState.WITHDRAWN: [CaseState.WITHDRAWN],
        CaseState.ESCALATED: [CaseState.ACKNOWLEDGED, CaseState.UNDER_REVIEW, CaseState.ESCALATED],
    }
    states = list(paths)
    ids = []
    now = datetime.now(UTC)
    began = time.perf_counter()
    names = sorted(holders)
    for i in range(n):
        holder = names[i % len(names)]
        entity = rng.choice(holders[holder])
        created = now - timedelta(hours=rng.uniform(0, 24 * 60))
        evidence = {"rematch": {"verdict": "block", "registry_version": 1, "entities": [], "findings": [
            {"entity": entity, "kind": "character", "score": 0.97, "matcher": "media.pdq",
             "evidence": {"summary": f"PDQ distance 12 of 256 bits to reference ref_{i:08x}"}}]}}  # fmt: skip
        case = Case(
            id=f"case_{i:016x}", kind=CaseKind.CLAIM if i % 4 else CaseKind.INQUIRY, rightsholder=holder,
            entities=[entity], text=f"Output {i} looks like our {entity}.", state=CaseState.RECEIVED,
            created_at=created, acknowledge_by=created + timedelta(days=2),
            decide_by=created + timedelta(days=14),
            link=f"https://example.com/post/{i}", evidence=evidence,
        )  # fmt: skip
        cases.create(case, "k_bench", "filed")
        seen = CaseState.RECEIVED
        for step in paths[states[i % len(states)]]:
            cases.move(case.id, seen, step, "k_bench", created + timedelta(hours=1), "bench")
            seen = step
        ids.append(case.id)
    return time.perf_counter() - began, ids


def time_pages(client, pages: list[tuple[str, list[str]]], requests: int) -> list[tuple[str, list[float]]]:
    out = []
    for label, urls in pages:
        client.get(urls[0])  # warm: templates compiled, caches filled
        times = []
        for i in range(requests):
            url = urls[i % len(urls)]
            began = time.perf_counter()
            answer = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{label}: {url} answered {answer.status_code}")
        out.append((label, times))
    return out


def signed_in(app, secret: str):
    from fastapi.testclient import TestClient

    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    page = client.get("/portal/signin")
    token = re.search(r'name="csrf" value="([^"]*)"', page.text).group(1)
    assert client.post("/portal/signin", data={"csrf": token, "key": secret}).status_code == 303
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    from kyodaku.api.app import create_app
    from kyodaku.options import GuardOptions
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard

    tmp = Path(tempfile.mkdtemp(prefix="kyodaku-portal-bench-"))
    try:
        url = f"sqlite:///{tmp / 'registry.db'}"
        options = GuardOptions(semantic=False, reference_store=str(tmp / "refs"))
        app = create_app(url, options, catalog=DEMO_CATALOG, ledger=True)
        store = app.state.store
        guard = Guard.build(load_catalog(DEMO_CATALOG), GuardOptions(semantic=False))
        took, per_holder = load_ledger(url, guard, args.entries)
        print(f"ledger: {args.entries:,} entries, {sum(per_holder.values()):,} subject rows, {took:.0f} s")
        holders: dict[str, list[str]] = {}
        for e in store.list_entities():
            holders.setdefault(e.owner, []).append(e.id)
        took, case_ids = load_cases(store, args.cases, holders)
        print(f"cases: {len(case_ids):,} over {len(holders)} rightsholders, {took:.0f} s")
        busiest = max(per_holder, key=per_holder.get)
        rng = random.Random(3)
        sample = [rng.choice(case_ids) for _ in range(200)]
        operator = signed_in(app, store.create_key("operator").secret)
        holder = signed_in(app, store.create_key("rightsholder", rightsholder=busiest).secret)
        print(f"rightsholder timed: {busiest} ({per_holder[busiest]:,} ledger rows)")
        results = time_pages(operator, [("/healthz (floor)", ["/healthz"]),
                                        ("desk: case queue", ["/portal/queue"]),
                                        ("desk: case view", [f"/portal/cases/{c}" for c in sample]),
                                        ("desk: overdue filter", ["/portal/queue?state=received"])],
                             args.requests)  # fmt: skip
        results += time_pages(holder, [("rightsholder: dashboard", ["/portal/home"]),
                                       ("rightsholder: blocked", ["/portal/blocked"]),
                                       ("rightsholder: permissions", ["/portal/permissions?licensee=acme"]),
                                       ("rightsholder: catalog", ["/portal/catalog"]),
                                       ("rightsholder: cases", ["/portal/cases"])],
                              args.requests)  # fmt: skip
        floor = statistics.median(results[0][1])
        print(f"\n{'page':<28} {'p50 ms':>8} {'p99 ms':>8} {'p50/floor':>10}  p99 <= {TARGET_P99_MS:.0f} ms")
        for label, times in results:
            p50, p99 = percentile(times, 50), percentile(times, 99)
            ok = "yes" if p99 <= TARGET_P99_MS else "NO"
            print(f"{label:<28} {p50:8.1f} {p99:8.1f} {p50 / floor:10.1f}  {ok}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
