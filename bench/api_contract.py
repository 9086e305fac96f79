"""The HTTP API checked from outside: schemathesis against the real server, every check, stateful phase.

    .venv/bin/python bench/api_contract.py [--max-examples 100] [--seed 20240613] [--role admin]
        [--workers 1] [--report-dir DIR] [--allow-failures] [--url URL --key KEY]

Why from outside: the OpenAPI document is what an integrator sees; schemathesis generates requests
from it alone (valid and invalid ones, and chains of calls following the document's links) and
checks every answer against it, so it finds where the document and the server disagree, which no
test written from the server's side can. Why a real server on a socket (uvicorn in a thread of
this process) and not an ASGI transport: the same path a client takes, headers, body limits,
middleware and all, and schemathesis runs as its own process through its CLI, the interface it keeps
stable across releases.

The registry is a fresh SQLite file seeded from the demo catalog (lexical guard, no semantic model,
rate limit off by default so 429s do not hide what the requests would have found; `--rate-limit`
turns it on). Keys: admin, operator and a rightsholder (`--rightsholder`, default pokemon-company);
`--role` picks which one schemathesis sends as `Authorization: Bearer ...`. With `--url` and `--key`
it checks a server that is already running instead.

Prints: operations tested, examples generated, failures by check (each with up to three
representative requests and answers), server errors (5xx), the answers by status, schemathesis'
warnings, elapsed time. Exit status 1 when anything failed (`--allow-failures`: report only, exit 0),
2 when the harness itself could not run.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import DEMO_CATALOG, ROOT, die

if str(ROOT / "tests") not in sys.path:  # the test helpers' server starter (tests/helpers/live_server.py)
    sys.path.insert(0, str(ROOT / "tests"))
from helpers.live_server import serve_app

PHASES = "examples,coverage,fuzzing,stateful"
ROLES = ("admin", "operator", "rightsholder")
EXAMPLES_PER_CHECK = 3


# -- the server -----------------------------------------------------------------------------------
@dataclass
class Served:
    """A running server: `url` without a trailing slash, one bearer secret per role."""

    url: str
    keys: dict[str, str]
    rightsholder: str
    app: Any = None  # the FastAPI app when served here; None for --url


@contextmanager
def serve(
    workdir: Path,
    catalog: Path = DEMO_CATALOG,
    rightsholder: str = "pokemon-company",
    rate_limit: str = "off",
    start_timeout: float = 60.0,
) -> Iterator[Served]:
    """Serve a fresh registry seeded from `catalog` on a free loopback port until the block ends.

    Shared by bench/api_client_check.py. The semantic model is off (loading it takes seconds and
    the contract does not depend on it); reference files go under `workdir`, so nothing lands in the
    checkout.
    """
    from kyodaku.api.app import create_app
    from kyodaku.screening import GuardOptions

    workdir.mkdir(parents=True, exist_ok=True)
    options = GuardOptions(semantic=False, reference_store=str(workdir / "references"))
    app = create_app(f"sqlite:///{workdir / 'r.db'}", options, catalog=catalog, rate_limit=rate_limit)
    store = app.state.store
    keys = {
        "admin": store.create_key("admin", label="api-contract admin").secret,
        "operator": store.create_key("operator", label="api-contract operator").secret,
        "rightsholder": store.create_key("rightsholder", rightsholder, "api-contract rightsholder").secret,
    }
    with serve_app(app, start_timeout, log_level="error") as url:
        yield Served(url=url, keys=keys, rightsholder=rightsholder, app=app)


# -- the run --------------------------------------------------------------------------------------
POLICY = Path(__file__).with_name("schemathesis.toml")
"""Which refusals of schema-valid requests the API documents and keeps (read its comments)."""


def known_ids_config(ids: dict[str, list[str]], probability: float = 0.5) -> str:
    """A schemathesis.toml that draws path ids from what the registry holds half the time.

    Why: without links in the document schemathesis invents ids, so operations on one entry mostly
    answer 404 and never reach their logic (its `missing_test_data` warning). Half the time, not
    always, so unknown ids keep being tried.
    """
    lines = []
    for name, values in ids.items():
        if values:
            lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for name, values in ids.items():
        if values:
            lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = {probability} }}')
    return "\n".join(lines) + "\n"


def registry_ids(app: Any, rightsholder: str | None) -> dict[str, list[str]]:
    """Entry and permission ids in the served registry (a rightsholder's own when one is given)."""
    catalog = app.state.store.catalog_at()
    entities = [e.id for e in catalog.entities if rightsholder is None or e.owner == rightsholder]
    permissions = [p.id for p in catalog.permissions if rightsholder is None or p.owner == rightsholder]
    return {"entity_id": sorted(entities), "permission_id": sorted(permissions)}


def schemathesis_command(
    url: str, key: str, args: argparse.Namespace, reports: Path, known_ids: bool = False
) -> list[str]:
    """`schemathesis run` through this interpreter (no reliance on PATH or a console script)."""
    launcher = "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"
    config = ["--config-file", str(reports / "schemathesis.toml")] if known_ids else []
    command = [
        sys.executable, "-c", launcher, *config, "run", f"{url}/openapi.json",
        "--checks", args.checks, "--phases", args.phases,
        "--header", f"Authorization: Bearer {key}",
        "--max-examples", str(args.max_examples), "--seed", str(args.seed),
        "--workers", str(args.workers),
        # No example database: a run depends on the seed alone, and writes nothing in the checkout.
        "--generation-database", "none",
        "--report", "json,ndjson,junit", "--report-dir", str(reports),
        "--report-json-path", str(reports / "run.json"),
        "--report-ndjson-path", str(reports / "events.ndjson"),
        "--report-junit-path", str(reports / "junit.xml"),
        "--no-color",
    ]  # fmt: skip
    if args.max_time:
        command += ["--max-time", str(args.max_time)]
    if args.deterministic:
        command.append("--generation-deterministic")
    if args.continue_on_failure:
        command.append("--continue-on-failure")
    return command


def _decoded(blob: Any) -> str:
    if blob is None:
        return ""
    if isinstance(blob, dict) and "$base64" in blob:
        return base64.b64decode(blob["$base64"]).decode("utf-8", "replace")
    return blob if isinstance(blob, str) else json.dumps(blob, ensure_ascii=False)


def _clip(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _answer_detail(response: dict[str, Any] | None) -> str:
    """The problem's detail and first field error, or the start of whatever the server sent."""
    if not response:
        return "no response"
    body = _decoded(response.get("content") or response.get("body"))
    try:
        doc = json.loads(body)
    except ValueError:
        return _clip(body, 160)
    if isinstance(doc, dict) and "detail" in doc:
        first = (doc.get("errors") or [{}])[0]
        where = first.get("pointer") or first.get("parameter") or ""
        extra = f" [{where}: {first.get('detail', '')}]" if first else ""
        return _clip(f"{doc.get('code', '')}: {doc['detail']}{extra}", 220)
    return _clip(body, 160)


def _request_line(request: dict[str, Any]) -> str:
    uri = request.get("uri", "")
    path = uri.split("://", 1)[-1].split("/", 1)[-1] if "://" in uri else uri
    body = _decoded(request.get("body"))
    return _clip(f"{request.get('method', '?')} /{path}" + (f" body={body}" if body else ""), 260)


@dataclass
class Findings:
    """What the event stream says, counted once per generated case."""

    statuses: Counter = field(default_factory=Counter)
    per_operation: Counter = field(default_factory=Counter)  # requests per operation, stateful apart
    failures: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[dict[str, Any]] = field(default_factory=list)
    cases: int = 0


def read_events(path: Path) -> Findings:
    """Walk schemathesis' NDJSON events: every interaction's status, every failed check with its case."""
    found = Findings()
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            recorder = finished.get("recorder") or {}
            interactions = recorder.get("interactions") or {}
            for case_id, interaction in interactions.items():
                if case_id in seen:
                    continue
                seen.add(case_id)
                found.cases += 1
                label = recorder.get("label", "?")
                found.per_operation["(stateful)" if finished.get("phase") == "stateful" else label] += 1
                response = interaction.get("response")
                status = response.get("status_code") if response else None
                found.statuses[status] += 1
                if status is not None and status >= 500:
                    found.server_errors.append(
                        {"request": _request_line(interaction["request"]), "status": status,
                         "answer": _answer_detail(response)}
                    )  # fmt: skip
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    info = (check.get("failure_info") or {}).get("failure") or {}
                    interaction = interactions.get(case_id) or {}
                    response = interaction.get("response")
                    found.failures[check["name"]].append(
                        {"operation": info.get("operation", recorder.get("label", "?")),
                         "code": info.get("code", ""), "title": info.get("title", ""),
                         "message": _clip(info.get("message", ""), 240), "phase": finished.get("phase"),
                         "request": _request_line(interaction.get("request") or {}),
                         "status": response.get("status_code") if response else None,
                         "answer": _answer_detail(response)}
                    )  # fmt: skip
    return found


def report(
    run: dict[str, Any], found: Findings, elapsed: float, role: str, command: str = "", out=sys.stdout
) -> int:
    """Print the figures; the number of problems (failed checks, 5xx, errored operations)."""

    def say(text: str = "") -> None:
        print(text, file=out)

    ops, cases = run.get("operations", {}), run.get("test_cases", {})
    say(f"schemathesis {run.get('schemathesis_version', '?')}, seed {run.get('seed')}, as {role}")
    say(f"  command: {command or run.get('command', '?')}")
    say(
        f"operations: {ops.get('tested', '?')} tested of {ops.get('selected', '?')} selected "
        f"({ops.get('total', '?')} in the document), {ops.get('errored', 0)} errored, "
        f"{ops.get('skipped', 0)} skipped"
    )
    phases = ", ".join(f"{name} {p.get('status')}" for name, p in run.get("phases", {}).items())
    say(f"phases: {phases}")
    say(
        f"examples generated: {cases.get('generated', '?')} (requests answered: {found.cases}); "
        f"with failures {cases.get('with_failures', 0)}, unique failures {cases.get('unique_failures', 0)}, "
        f"without checks {cases.get('without_checks', 0)}, errored {cases.get('errored', 0)}"
    )
    counts = sorted((n, op) for op, n in found.per_operation.items() if op != "(stateful)")
    if counts:
        low = ", ".join(f"{op} {n}" for n, op in counts[:3])
        say(
            f"requests per operation (coverage+fuzzing): min {counts[0][0]}, median "
            f"{counts[len(counts) // 2][0]}, max {counts[-1][0]}; fewest: {low}; "
            f"stateful phase: {found.per_operation.get('(stateful)', 0)} requests"
        )
    say("answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(found.statuses.items(), key=str)))
    unique = {f["code"]: f for f in run.get("failures", [])}
    say(f"failures by check: {sum(len(v) for v in found.failures.values())} failed checks")
    for name, items in sorted(found.failures.items(), key=lambda kv: -len(kv[1])):
        code = items[0]["code"]
        operations = sorted({i["operation"] for i in items})
        say(
            f"  {name} ({code} {items[0]['title']}): {len(items)} failed cases, "
            f"{unique.get(code, {}).get('count', '?')} unique, on {len(operations)} operations"
        )
        say(f"    operations: {', '.join(operations)}")
        shown: set[str] = set()
        for item in items:  # one example per operation, the first few operations
            if item["operation"] in shown or len(shown) >= EXAMPLES_PER_CHECK:
                continue
            shown.add(item["operation"])
            say(f"    e.g. [{item['phase']}] {item['request']}")
            say(f"         -> {item['status']} {item['answer']}")
            say(f"         {item['message'].splitlines()[0] if item['message'] else ''}")
    say(f"server errors (5xx): {len(found.server_errors)}")
    for item in found.server_errors[:EXAMPLES_PER_CHECK]:
        say(f"    e.g. {item['request']} -> {item['status']} {item['answer']}")
    errors = run.get("errors", [])
    say(f"errors (network, schema, harness): {len(errors)}")
    for item in errors[:EXAMPLES_PER_CHECK]:
        say(f"    {_clip(json.dumps(item, ensure_ascii=False), 300)}")
    warnings = {k: v for k, v in run.get("warnings", {}).items() if v}
    for name, items in warnings.items():
        listed = ", ".join(map(str, items)) if isinstance(items, list) else str(items)
        say(f"warning {name}: {_clip(listed, 400)}")
    say(f"elapsed: {elapsed:.1f} s (schemathesis' own running time {run.get('running_time', 0):.1f} s)")
    return (
        sum(len(v) for v in found.failures.values())
        + len(found.server_errors)
        + len(errors)
        + int(ops.get("errored", 0) or 0)
    )


def check(
    url: str, key: str, role: str, args: argparse.Namespace, reports: Path, ids: dict[str, list[str]] | None
) -> int:
    reports.mkdir(parents=True, exist_ok=True)
    config = POLICY.read_text(encoding="utf-8") + "\n" if args.policy else ""
    if ids:
        config += known_ids_config(ids)
        print("known ids: " + ", ".join(f"{len(v)} {k}" for k, v in ids.items()))
    if config:
        (reports / "schemathesis.toml").write_text(config, encoding="utf-8")
        parts = (["bench/schemathesis.toml (policy)"] if args.policy else []) + (["known ids"] if ids else [])
        print("config: " + " + ".join(parts))
    command = schemathesis_command(url, key, args, reports, known_ids=bool(config))
    began = time.perf_counter()
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    with (reports / "console.txt").open("w", encoding="utf-8") as console:
        try:
            done = subprocess.run(
                command, cwd=reports, env=env, stdout=console, stderr=subprocess.STDOUT,
                timeout=args.timeout, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            die(f"schemathesis ran past --timeout {args.timeout}s (its output: {reports / 'console.txt'})")
    elapsed = time.perf_counter() - began
    if args.verbose:
        print((reports / "console.txt").read_text(encoding="utf-8"))
    if not (reports / "run.json").is_file():
        tail = (reports / "console.txt").read_text(encoding="utf-8")[-2000:]
        die(f"schemathesis wrote no report (exit {done.returncode}):\n{tail}")
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    found = read_events(reports / "events.ndjson")
    shown = ["schemathesis", *command[3:]]
    shown[shown.index("--header") + 1] = "Authorization: Bearer [key]"
    problems = report(run, found, elapsed, role, " ".join(shown))
    if args.report_dir:
        print(f"reports: {reports} (console.txt, run.json, events.ndjson, junit.xml)")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100, help="per operation (default 100)")
    parser.add_argument("--seed", type=int, default=20240613, help="schemathesis' random seed")
    parser.add_argument("--deterministic", action="store_true", help="--generation-deterministic too")
    parser.add_argument("--role", choices=ROLES, default="admin", help="whose key schemathesis sends")
    parser.add_argument("--rightsholder", default="pokemon-company", help="the rightsholder key's owner")
    parser.add_argument("--phases", default=PHASES, help=f"schemathesis phases (default {PHASES})")
    parser.add_argument("--checks", default="all", help="schemathesis checks (default all)")
    parser.add_argument("--workers", type=int, default=1, help="concurrent workers (1: reproducible)")
    parser.add_argument("--max-time", type=int, default=0, help="schemathesis' own time budget, s")
    parser.add_argument("--timeout", type=int, default=1800, help="give up on schemathesis after this, s")
    parser.add_argument("--rate-limit", default="off", help="the server's per-key limit (default off)")
    parser.add_argument("--catalog", type=Path, default=DEMO_CATALOG)
    parser.add_argument("--report-dir", type=Path, help="keep schemathesis' reports here (else a temp dir)")
    parser.add_argument("--url", help="check this running server instead of starting one (needs --key)")
    parser.add_argument("--key", help="the bearer key for --url")
    parser.add_argument("--verbose", action="store_true", help="print schemathesis' own output too")
    parser.add_argument("--allow-failures", action="store_true", help="report failures, exit 0")
    parser.add_argument(
        "--continue-on-failure", action="store_true", help="keep generating for an operation after a failure"
    )
    parser.add_argument(
        "--known-ids", action="store_true", help="draw path ids from the registry half the time (a config)"
    )
    parser.add_argument(
        "--no-policy",
        dest="policy",
        action="store_false",
        help="schemathesis' default expected statuses, without bench/schemathesis.toml's (412, 415, 422)",
    )
    args = parser.parse_args()
    if importlib.util.find_spec("schemathesis") is None:
        die("schemathesis is not installed: .venv/bin/pip install -e '.[dev]'")
    if args.url and not args.key:
        die("--url needs --key")

    scratch = Path(tempfile.mkdtemp(prefix="kyodaku-api-contract-"))
    reports = args.report_dir.resolve() if args.report_dir else scratch / "reports"
    began = time.perf_counter()
    try:
        if args.url:
            problems = check(args.url.rstrip("/"), args.key, "the given key", args, reports, None)
        else:
            with serve(scratch / "server", args.catalog, args.rightsholder, args.rate_limit) as served:
                print(f"server: {served.url} (catalog {args.catalog.name}, rate limit {args.rate_limit})")
                owner = args.rightsholder if args.role == "rightsholder" else None
                ids = registry_ids(served.app, owner) if args.known_ids else None
                problems = check(served.url, served.keys[args.role], args.role, args, reports, ids)
    finally:
        if not args.report_dir:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"total elapsed (server start, run, teardown): {time.perf_counter() - began:.1f} s")
    print(f"RESULT: {'PASS' if problems == 0 else 'FAIL'} ({problems} problems)")
    if problems and not args.allow_failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
