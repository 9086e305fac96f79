"""Time from "permission added" to "the next screen obeys it".

Direct mode (default): a fresh SQLite registry seeded from the catalog, a Guard compiled from it;
then N rounds alternating grant and revoke of one permission on one entry. Each round is timed from
the registry write to a screen whose verdict for that entry has flipped (allow after a grant, block
or review after a revoke; other entries the prompt names keep their own verdicts):
write -> `store.catalog_at()` ->
`guard.reload(...)` -> `guard.screen_prompt(...)`. The baseline, measured in the same run, is one
plain `guard.screen_prompt` of the same prompt (what a request costs when nothing changed).

HTTP mode (--http): the real API (`kyodaku.api.app.create_app`) served by uvicorn on 127.0.0.1; the
rightsholder's key POSTs the permission (or DELETEs it), then an operator key POSTs
/v1/screen/prompt until the entry's verdict flips. Baseline: one /v1/screen/prompt round trip.

    .venv/bin/python bench/permission_latency.py
    .venv/bin/python bench/permission_latency.py --http --rounds 20
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from _common import DEMO_CATALOG, die, machine_line, mean, percentile, require_file

PERMISSION_ID = "bench-permission-latency"
TARGET_SECONDS = 2.0
FLIP_TIMEOUT = 30.0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description='Time from "permission added (or revoked)" to "the next screen obeys it".'
    )
    ap.add_argument("--catalog", default=str(DEMO_CATALOG), help="seed catalog (default: %(default)s)")
    ap.add_argument("--entity", default="pikachu", help="entry the permission covers (default: %(default)s)")
    ap.add_argument(
        "--prompt", default="Pikachu surfing a big wave at sunset", help="prompt that names the entry"
    )
    ap.add_argument("--rounds", type=int, default=20, help="grant/revoke rounds (default: %(default)s)")
    ap.add_argument("--no-semantic", action="store_true", help="guard without the semantic matcher")
    ap.add_argument("--http", action="store_true", help="through the HTTP API served by uvicorn on loopback")
    args = ap.parse_args(argv)
    if args.rounds < 2:
        ap.error("--rounds must be at least 2")
    return args


def report(label: str, seconds: Sequence[float], base: Sequence[float]) -> None:
    ms = [s * 1000 for s in seconds]
    bms = [s * 1000 for s in base]
    print(f"{'':<44} {'mean':>8} {'p50':>8} {'p99':>8} {'max':>8}  ms")
    print(
        f"{'baseline: one screen, nothing changed':<44} {mean(bms):>8.2f} {percentile(bms, 50):>8.2f} "
        f"{percentile(bms, 99):>8.2f} {max(bms):>8.2f}"
    )
    print(
        f"{label:<44} {mean(ms):>8.2f} {percentile(ms, 50):>8.2f} {percentile(ms, 99):>8.2f} {max(ms):>8.2f}"
        f"   x{percentile(ms, 50) / percentile(bms, 50):.1f} p50 vs baseline"
    )
    p99 = percentile(seconds, 99)
    met = "yes" if p99 <= TARGET_SECONDS else "NO"
    print(f"target: obeyed within {TARGET_SECONDS:g} s -> p99 {p99 * 1000:.1f} ms: met {met}")


def variant(prompt: str, what: str, i: int) -> str:
    """A distinct text per request, so the semantic encoder's cache never answers for the guard."""
    return f"{prompt}, {what} {i}"


def entity_verdict(decision: dict, entity: str) -> str | None:
    """The verdict for `entity` in a decision (as `Decision.to_dict()` or the API returns it)."""
    return next((e["verdict"] for e in decision.get("entities", []) if e["entity"] == entity), None)


def expected_verdicts(granted: bool) -> set[str]:
    return {"allow"} if granted else {"block", "review"}


# ------------------------------------------------------------------------------------------ direct


def run_direct(args: argparse.Namespace, catalog_path: Path, tmp: Path) -> int:
    from kyodaku.domain.model import Permission, Use
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.registry.store import RegistryStore
    from kyodaku.screening import Guard, GuardOptions

    store = RegistryStore(f"sqlite:///{tmp / 'registry.db'}")
    store.migrate()
    t0 = time.perf_counter()
    store.import_catalog(load_catalog(catalog_path), actor="bench")
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    guard = Guard.from_catalog(store.catalog_at(), GuardOptions(semantic=not args.no_semantic))
    build_s = time.perf_counter() - t0
    entity = guard.snapshot.entities.get(args.entity)
    if entity is None:
        die(f"entry {args.entity!r} is not in {catalog_path}; pass --entity and --prompt")
    first = guard.screen_prompt(args.prompt).to_dict()
    if entity_verdict(first, args.entity) not in expected_verdicts(False):
        die(f"the prompt must name {args.entity!r}, blocked before any grant; got {first['entities']}")
    use = Use.STYLE if entity.kind.value == "style" else Use.GENERATE
    permission = Permission(id=PERMISSION_ID, owner=entity.owner, subject=entity.id, uses=(use,))
    print(
        f"registry {store.url}: import {import_s:.2f} s; guard build {build_s:.2f} s; "
        f"{len(guard.snapshot.entities)} entries"
    )
    print(f"entry {entity.id} (owner {entity.owner}), use {use.value}, prompt {args.prompt!r}")
    others = [e["entity"] for e in first["entities"] if e["entity"] != entity.id]
    print(f"other entries the prompt names (verdicts untouched): {others or 'none'}")

    base = []
    for i in range(args.rounds + 3):
        text = variant(args.prompt, "baseline", i)
        t0 = time.perf_counter()
        guard.screen_prompt(text)
        base.append(time.perf_counter() - t0)
    base = base[3:]

    totals: list[float] = []
    parts: dict[str, list[float]] = {"write": [], "catalog_at": [], "reload": [], "screen": []}
    wrong = 0
    for i in range(args.rounds):
        grant = i % 2 == 0
        t0 = time.perf_counter()
        if grant:
            store.put_permission(permission, actor="bench")
        else:
            store.revoke_permission(PERMISSION_ID, actor="bench")
        t1 = time.perf_counter()
        catalog = store.catalog_at()
        t2 = time.perf_counter()
        guard.reload(catalog)
        t3 = time.perf_counter()
        decision = guard.screen_prompt(variant(args.prompt, "round", i)).to_dict()
        t4 = time.perf_counter()
        totals.append(t4 - t0)
        for key, (a, b) in zip(parts, ((t0, t1), (t1, t2), (t2, t3), (t3, t4)), strict=True):
            parts[key].append(b - a)
        got = entity_verdict(decision, entity.id)
        if got not in expected_verdicts(grant):
            wrong += 1
            print(f"  round {i}: {'grant' if grant else 'revoke'} -> {entity.id} verdict {got} (NOT obeyed)")
    print()
    print(f"{args.rounds} rounds (grant, revoke, ...): write + catalog_at + reload + screen")
    report("permission change -> obeyed", totals, base)
    print("parts (mean ms): " + ", ".join(f"{k} {mean(v) * 1000:.2f}" for k, v in parts.items()))
    print(f"rounds whose verdict did not flip: {wrong}")
    store.close()
    return 1 if wrong else 0


# ------------------------------------------------------------------------------------------ http


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_http(args: argparse.Namespace, catalog_path: Path, tmp: Path) -> int:
    import httpx
    import uvicorn

    from kyodaku.api.app import create_app
    from kyodaku.screening import GuardOptions

    t0 = time.perf_counter()
    app = create_app(
        f"sqlite:///{tmp / 'registry.db'}", GuardOptions(semantic=not args.no_semantic), catalog=catalog_path
    )
    build_s = time.perf_counter() - t0
    store, guard = app.state.store, app.state.guard
    entity = guard.snapshot.entities.get(args.entity)
    if entity is None:
        die(f"entry {args.entity!r} is not in {catalog_path}; pass --entity and --prompt")
    rightsholder_key = store.create_key("rightsholder", rightsholder=entity.owner, label="bench").secret
    operator_key = store.create_key("operator", label="bench").secret

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            die("uvicorn did not start on 127.0.0.1")
        time.sleep(0.01)
    poll = getattr(app.state.refresher, "poll_seconds", None)
    print(
        f"create_app (import + guard build) {build_s:.2f} s; uvicorn on 127.0.0.1:{port}; "
        f"refresher poll {poll} s"
    )
    use = "style" if entity.kind.value == "style" else "generate"
    print(f"entry {entity.id} (owner {entity.owner}), use {use}, prompt {args.prompt!r}")

    owner_h = {"Authorization": f"Bearer {rightsholder_key}"}
    operator_h = {"Authorization": f"Bearer {operator_key}"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

            def screen(text: str) -> str | None:
                r = client.post("/v1/screen/prompt", json={"text": text}, headers=operator_h)
                r.raise_for_status()
                return entity_verdict(r.json(), entity.id)

            if screen(args.prompt) not in expected_verdicts(False):
                die(f"the prompt must name {entity.id!r}, blocked before any grant")
            base = []
            for i in range(args.rounds + 3):
                text = variant(args.prompt, "baseline", i)
                t0 = time.perf_counter()
                screen(text)
                base.append(time.perf_counter() - t0)
            base = base[3:]

            grant_body = {"id": PERMISSION_ID, "subject": entity.id, "uses": [use]}
            totals: list[float] = []
            screens: list[int] = []
            write_s: list[float] = []
            wrong = 0
            for i in range(args.rounds):
                grant = i % 2 == 0
                t0 = time.perf_counter()
                if grant:
                    r = client.post("/v1/permissions", json=grant_body, headers=owner_h)
                else:
                    r = client.delete(f"/v1/permissions/{PERMISSION_ID}", headers=owner_h)
                if r.status_code >= 300:
                    die(f"{r.request.method} {r.request.url.path}: HTTP {r.status_code} {r.text}")
                write_s.append(time.perf_counter() - t0)
                n = 0
                while True:
                    n += 1
                    verdict = screen(variant(args.prompt, f"round {i} try", n))
                    if verdict in expected_verdicts(grant):
                        break
                    if time.perf_counter() - t0 > FLIP_TIMEOUT:
                        wrong += 1
                        break
                totals.append(time.perf_counter() - t0)
                screens.append(n)
    finally:
        server.should_exit = True
        thread.join(timeout=10)

    print()
    print(
        f"{args.rounds} rounds over HTTP: POST/DELETE /v1/permissions, then /v1/screen/prompt until flipped"
    )
    report("permission change -> obeyed (HTTP)", totals, base)
    print(
        f"write request mean {mean(write_s) * 1000:.2f} ms; screens needed per round: "
        f"max {max(screens)}, mean {mean(screens):.2f}"
    )
    print(f"rounds that did not flip within {FLIP_TIMEOUT:g} s: {wrong}")
    return 1 if wrong else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    catalog_path = require_file(args.catalog, "catalog")
    if args.http:
        try:
            import httpx  # noqa: F401
        except ImportError:
            die("--http needs httpx (pip install -e '.[dev]')")
    print(f"kyodaku permission_latency  {date.today().isoformat()}  {machine_line()}")
    print(
        f"catalog {catalog_path}; semantic {'off' if args.no_semantic else 'on'}; "
        f"mode {'HTTP' if args.http else 'direct'}"
    )
    run: Callable[[argparse.Namespace, Path, Path], int] = run_http if args.http else run_direct
    with tempfile.TemporaryDirectory(prefix="kyodaku-perm-") as tmp:
        try:
            return run(args, catalog_path, Path(tmp))
        except ImportError as exc:
            die(f"a part this benchmark needs is missing ({exc})")


if __name__ == "__main__":
    sys.exit(main())
