"""Paging benchmark: walk every page of a 40,000-entry registry through `GET /v1/entities`.

    .venv/bin/python bench/api_paging.py [--entries 40000] [--limit 100] [--owner]

Registers `--entries` characters over 50 rightsholders (one registry version: a catalog import),
starts the app on that registry (lexical guard), signs in as an admin (or, with `--owner`, pages one
rightsholder's entries as that rightsholder), then follows `next` from the first page to the last,
timing each request in-process (Starlette's TestClient: server time plus a small client overhead, no
network). `/healthz` in the same run is the floor. Memory: resident set size after the first 10
pages and after the last (flat means the walk holds nothing per page).
Prints p50/p99 per page and whether p99 is within the 50 ms target.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import percentile

TARGET_P99_MS = 50.0


def rss_mb() -> float:
    """The current resident set size (not the peak), MB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def catalog(n: int):
    from kyodaku.domain.model import Catalog, Entity, EntityKind, Rightsholder

    holders = tuple(
        Rightsholder(f"r-{i:02d}", {"en": f"Holder {i}"}, ("JP", "US", "FR", "KR", "CN")[i % 5])
        for i in range(50)
    )
    entities = tuple(
        Entity(
            f"char-{i:05d}",
            EntityKind.CHARACTER,
            f"r-{i % 50:02d}",
            {"en": (f"Zorblaxian Hero {i}",)},
            description={"en": f"Registered character number {i} of the paging benchmark"},
        )
        for i in range(n)
    )
    return Catalog(rightsholders=holders, entities=entities)


def walk(client, headers: dict, first: str) -> tuple[list[float], int, float, float]:
    url, times, items, rss_early = first, [], 0, 0.0
    while url:
        began = time.perf_counter()
        answer = client.get(url, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{url}: {answer.status_code} {answer.text[:200]}")
        body = answer.json()
        items += len(body["items"])
        url = body["next"]
        if len(times) == min(10, 1 + items // 1000):
            rss_early = rss_early or rss_mb()
    return times, items, rss_early, rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=40_000)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument(
        "--owner", action="store_true", help="page one rightsholder's entries as that rightsholder"
    )
    parser.add_argument("--repeat", type=int, default=1, help="walk all the pages this many times")
    parser.add_argument("--no-settle", action="store_true", help="skip settle_heap (the baseline)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from kyodaku.api.app import create_app
    from kyodaku.options import GuardOptions
    from kyodaku.registry.store import RegistryStore

    tmp = Path(tempfile.mkdtemp(prefix="kyodaku-paging-"))
    try:
        url = f"sqlite:///{tmp / 'registry.db'}"
        began = time.perf_counter()
        store = RegistryStore(url)
        store.migrate()
        store.import_catalog(catalog(args.entries), actor="bench")
        print(f"registry: {args.entries:,} entries imported in {time.perf_counter() - began:.0f} s")
        began = time.perf_counter()
        app = create_app(url, GuardOptions(semantic=False, themes=False), rate_limit="off")
        if not args.no_settle:  # as `kyodaku serve` does after building the snapshot
            from kyodaku.refresh import settle_heap

            app.state.refresher.settle_after_rebuild = True
            settle_heap()
        print(f"app (guard compiled over the registry): {time.perf_counter() - began:.0f} s")
        role = ("rightsholder", "r-07") if args.owner else ("admin", None)
        secret = app.state.store.create_key(role[0], rightsholder=role[1]).secret
        headers = {"Authorization": f"Bearer {secret}"}
        with TestClient(app) as client:
            floor = []
            for _ in range(200):
                t = time.perf_counter()
                client.get("/healthz")
                floor.append((time.perf_counter() - t) * 1000)
            times, items, early, late = walk(client, headers, f"/v1/entities?limit={args.limit}")
            for _ in range(args.repeat - 1):
                more, _, _, late = walk(client, headers, f"/v1/entities?limit={args.limit}")
                times += more
        p50, p99 = percentile(times, 50), percentile(times, 99)
        f50 = percentile(floor, 50)
        who = "rightsholder r-07" if args.owner else "admin"
        print(
            f"{who}: {len(times)} pages of {args.limit}, {items:,} entries; slowest pages (index: ms): "
            + ", ".join(f"{i}: {times[i]:.0f}" for i in sorted(range(len(times)), key=times.__getitem__)[-3:])
        )
        verdict = "yes" if p99 <= TARGET_P99_MS else "NO"
        print(
            f"page: p50 {p50:.1f} ms, p99 {p99:.1f} ms (max {max(times):.1f}); /healthz p50 {f50:.1f} ms; "
            f"p50/floor {p50 / f50:.1f}x; p99 <= {TARGET_P99_MS:.0f} ms: {verdict}"
        )
        print(f"memory: {early:.0f} MB after 10 pages, {late:.0f} MB after the last ({late - early:+.1f} MB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
