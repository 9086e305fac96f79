"""A Python client generated from the served OpenAPI document, used unmodified for a realistic flow.

    .venv/bin/python bench/api_client_check.py [--keep DIR] [--page-size 20] [--allow-failures]

Why: platforms call kyodaku through clients generated from its document, so "the document is true"
is not enough; it has to be complete enough that a generator's output works without hand edits
(typed answers, typed errors for every status the server gives, the headers the protocol needs as
arguments). This starts the real app (bench/api_contract.py's `serve`: demo catalog, fresh SQLite
registry, admin/operator/rightsholder keys), fetches `/openapi.json`, generates a client with
openapi-python-client into a temp dir (offline: the generator reads only the file; its ruff post
hooks are off so nothing outside the venv is needed), imports it and runs the flow:

    admin lists entities a page at a time; a rightsholder pages its own; gets one (and its ETag);
    puts a new entry; puts back what it read with If-Match; a stale If-Match (412); adds a
    permission, twice with the same Idempotency-Key; an operator screens a prompt; 404, 403, 401
    as typed problems; another rightsholder's entry is 404.

Each step prints `ok`, `FAIL` or `n/a` (the document gives the client no way to do it) with why,
then what in the document made a step fail or left answers untyped. The client is built with
`raise_on_unexpected_status=True`, so a status the document does not declare is a failure.
Exit 1 when a step failed (`--allow-failures`: report only), 2 when the harness could not run.

tests/api/test_generated_client.py uses `generate_client` and `operations` from here.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import typing
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE = "kyodaku_client"
GENERATOR_CONFIG = (
    f"package_name_override: {PACKAGE}\nproject_name_override: kyodaku-client\npost_hooks: []\n"
)
OTHER_RIGHTSHOLDER_ENTRY = "super-mario"  # nintendo's, in the demo catalog
ETAG_OPERATIONS = ("GET /v1/entities/{entity_id}", "GET /v1/permissions/{permission_id}")
IDEMPOTENT_OPERATIONS = ("POST /v1/permissions", "POST /v1/keys", "POST /v1/cases")


# -- generating and finding operations ------------------------------------------------------------
def fetch_document(url: str) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    with opener.open(f"{url}/openapi.json", timeout=30) as answer:
        return json.loads(answer.read())


def generate_client(document: dict[str, Any], workdir: Path) -> tuple[ModuleType, str]:
    """Generate the client package into `workdir` and import it; also the generator's output.

    Why a subprocess through this interpreter: the generator's CLI is its stable interface, and
    `sys.executable` needs nothing on PATH. Why drop earlier imports of the package: a second
    generation in one process (tests) must not reuse the first one's modules.
    """
    if importlib.util.find_spec("openapi_python_client") is None:
        raise RuntimeError("openapi-python-client is not installed: .venv/bin/pip install -e '.[dev]'")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    (workdir / "generator.yaml").write_text(GENERATOR_CONFIG, encoding="utf-8")
    target = workdir / PACKAGE
    launcher = "import sys; from openapi_python_client.cli import app; sys.exit(app())"
    done = subprocess.run(
        [sys.executable, "-c", launcher, "generate", "--path", str(workdir / "openapi.json"),
         "--meta", "none", "--output-path", str(target), "--config", str(workdir / "generator.yaml"),
         "--overwrite"],
        cwd=workdir, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or not (target / "__init__.py").is_file():
        raise RuntimeError(f"openapi-python-client failed (exit {done.returncode}):\n{output}")
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    if str(workdir) not in sys.path:
        sys.path.insert(0, str(workdir))
    importlib.invalidate_caches()
    return importlib.import_module(PACKAGE), output


_METHOD = re.compile(r'"method":\s*"(\w+)"')
_URL = re.compile(r'"url":\s*(?:f?)"([^"]+)"')


def operations(package: ModuleType) -> dict[str, ModuleType]:
    """The generated operation modules by `METHOD /path` (the document's path template).

    Why read each module's `_get_kwargs` text instead of deriving module names from operationIds:
    the lead is free to rename operations, and the method and URL template are what identify one.
    """
    found: dict[str, ModuleType] = {}
    root = Path(package.__file__).parent / "api"
    for path in sorted(root.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        method, url = _METHOD.search(text), _URL.search(text)
        if not (method and url):
            continue
        dotted = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        found[f"{method.group(1).upper()} {url.group(1)}"] = importlib.import_module(f"{PACKAGE}.{dotted}")
    return found


def body_class(module: ModuleType) -> type | None:
    """The model class a generated operation takes as `body` (None when it takes no JSON body)."""
    hints = typing.get_type_hints(module.sync_detailed)
    hint = hints.get("body")
    for candidate in (hint, *typing.get_args(hint)) if hint is not None else ():
        if isinstance(candidate, type) and hasattr(candidate, "from_dict"):
            return candidate
    return None


def accepts(module: ModuleType, name: str) -> bool:
    return name in typing.get_type_hints(module.sync_detailed)


def as_dict(parsed: Any) -> dict[str, Any]:
    return parsed.to_dict() if hasattr(parsed, "to_dict") else dict(parsed or {})


def is_problem(parsed: Any, status: int) -> bool:
    """A typed problem: a generated model (not a dict, not None) carrying the status and a code."""
    return (
        parsed is not None and not isinstance(parsed, dict) and getattr(parsed, "status", None) == status
        and bool(getattr(parsed, "code", None))
    )  # fmt: skip


def typed_fields(parsed: Any) -> list[str]:
    """Attributes the document declared for this answer (beyond a free-form `additional_properties`)."""
    names = getattr(type(parsed), "__attrs_attrs__", ())
    return [a.name for a in names if a.name != "additional_properties"]


# -- document findings ----------------------------------------------------------------------------
def document_gaps(document: dict[str, Any]) -> list[str]:
    """What in the document keeps a generated client from being typed or complete, operation by
    operation: free-form success bodies, undeclared protocol headers, bodies the document omits."""
    gaps: list[str] = []
    untyped: list[str] = []
    for path, methods in document.get("paths", {}).items():
        for method, op in methods.items():
            name = f"{method.upper()} {path}"
            params = {p["name"].lower() for p in op.get("parameters", []) if p.get("in") == "header"}
            for code, answer in op.get("responses", {}).items():
                if not code.startswith("2"):
                    continue
                content = answer.get("content", {})
                schema = (content.get("application/json") or {}).get("schema")
                if schema is None and content:
                    gaps.append(f"{name} {code}: answers {', '.join(content)} with no JSON schema")
                elif schema is not None and "$ref" not in schema and not schema.get("properties"):
                    untyped.append(name)
                if name in ETAG_OPERATIONS and "etag" not in {h.lower() for h in answer.get("headers", {})}:
                    gaps.append(f"{name} {code}: the ETag header is sent but not declared")
            if name in IDEMPOTENT_OPERATIONS and "idempotency-key" not in params:
                gaps.append(f"{name}: Idempotency-Key is accepted but not a declared header parameter")
            if method in ("post", "put") and "requestBody" not in op and "/references" in path:
                gaps.append(f"{name}: takes an upload but declares no requestBody (a client cannot send it)")
    if untyped:
        gaps.append(
            f"{len(untyped)} operations answer a free-form object (no properties; a client gets a bag "
            f"of additional_properties): {', '.join(sorted(untyped))}"
        )
    return gaps


# -- the flow -------------------------------------------------------------------------------------
@dataclass
class Step:
    name: str
    outcome: str  # "ok", "FAIL" or "n/a"
    detail: str = ""


@dataclass
class Flow:
    """Runs steps, catching anything a step raises so one failure does not hide the others."""

    steps: list[Step] = field(default_factory=list)

    def run(self, name: str, step: Callable[[], tuple[str, str]]) -> None:
        try:
            outcome, detail = step()
        except Exception as exc:
            outcome, detail = "FAIL", f"{type(exc).__name__}: {str(exc)[:300]}"
        self.steps.append(Step(name, outcome, detail))

    @property
    def failed(self) -> list[Step]:
        return [s for s in self.steps if s.outcome != "ok"]


def need(ops: dict[str, ModuleType], name: str) -> ModuleType:
    if name not in ops:
        raise LookupError(f"the generated client has no operation {name}")
    return ops[name]


def page_through(op: ModuleType, client: Any, page_size: int, **filters: Any) -> Iterator[Any]:
    """Follow `next_cursor` from the first page to the last, yielding each page's parsed body."""
    cursor = None
    for _ in range(10_000):
        kwargs = {"limit": page_size, **filters, **({"cursor": cursor} if cursor else {})}
        answer = op.sync_detailed(client=client, **kwargs)
        if answer.status_code != 200:
            raise AssertionError(f"page answered {answer.status_code}: {answer.content[:200]!r}")
        yield answer.parsed
        cursor = getattr(answer.parsed, "next_cursor", None)
        if not cursor:
            return
    raise AssertionError("more than 10,000 pages: the cursor never ends")


def client_flow(
    pkg: ModuleType, url: str, keys: dict[str, str], rightsholder: str, page_size: int = 20
) -> Flow:
    """The integrator's flow, with `keys` holding admin, operator and rightsholder secrets."""
    ops, flow = operations(pkg), Flow()

    def client(role: str, token: str | None = None) -> Any:
        return pkg.AuthenticatedClient(
            base_url=url, token=token or keys[role], raise_on_unexpected_status=True, timeout=30.0
        )

    admin, operator, holder = client("admin"), client("operator"), client("rightsholder")
    seen: dict[str, Any] = {}
    suffix = f"{int(time.time() * 1000) % 10**8}"
    new_id = f"client-check-{suffix}"

    def list_admin() -> tuple[str, str]:
        op = need(ops, "GET /v1/entities")
        if not accepts(op, "cursor"):
            items = as_dict(op.sync_detailed(client=admin).parsed)
            return "n/a", f"no cursor parameter: no paging ({len(items.get('items', items))} entries at once)"
        pages = list(page_through(op, admin, page_size))
        ids = [as_dict(i)["id"] for p in pages for i in p.items]
        seen["ids"] = ids
        if len(ids) != len(set(ids)):
            return "FAIL", f"{len(ids) - len(set(ids))} ids repeated across pages"
        return "ok", f"{len(ids)} entries in {len(pages)} pages of <= {page_size} ({type(pages[0]).__name__})"

    def list_own() -> tuple[str, str]:
        op = need(ops, "GET /v1/entities")
        pages = list(page_through(op, holder, page_size)) if accepts(op, "cursor") else []
        owners = {as_dict(i).get("owner") for p in pages for i in p.items}
        count = sum(len(p.items) for p in pages)
        seen["own"] = [as_dict(i)["id"] for p in pages for i in p.items]
        if owners - {rightsholder}:
            return "FAIL", f"saw entries of {sorted(owners - {rightsholder})}"
        return "ok", f"{count} own entries ({rightsholder}) in {len(pages)} pages"

    def get_one() -> tuple[str, str]:
        op = need(ops, "GET /v1/entities/{entity_id}")
        entity_id = (seen.get("own") or seen.get("ids") or ["pikachu"])[0]
        answer = op.sync_detailed(entity_id, client=holder)
        if answer.status_code != 200:
            return "FAIL", f"{answer.status_code}"
        seen["entity"], seen["etag"] = answer.parsed, answer.headers.get("etag")
        fields = typed_fields(answer.parsed)
        typing_note = f"typed fields {fields}" if fields else "untyped (additional_properties only)"
        return "ok", f"{entity_id}: {type(answer.parsed).__name__}, {typing_note}; ETag {seen['etag']}"

    def put_new() -> tuple[str, str]:
        op = need(ops, "PUT /v1/entities/{entity_id}")
        body = body_class(op)
        if body is None:
            return "FAIL", "the operation takes no typed body"
        names = {"en": [f"Quillibrant Moss {suffix}"]}
        payload = body.from_dict({"kind": "character", "names": names})
        answer = op.sync_detailed(new_id, client=holder, body=payload)
        if answer.status_code not in (200, 201):
            return "FAIL", f"{answer.status_code}: {answer.content[:200]!r}"
        return "ok", f"{new_id}: {answer.status_code} {as_dict(answer.parsed)}"

    def put_back() -> tuple[str, str]:
        op = need(ops, "PUT /v1/entities/{entity_id}")
        if not accepts(op, "if_match"):
            return "n/a", "no If-Match parameter"
        entity, etag = seen["entity"], seen["etag"]
        if not etag:
            return "FAIL", "GET sent no ETag"
        document = as_dict(entity)
        answer = op.sync_detailed(document["id"], client=holder, body=body_class(op).from_dict(document),
                                  if_match=etag)  # fmt: skip
        if answer.status_code != 200:
            return "FAIL", f"{answer.status_code}: {answer.content[:200]!r}"
        seen["stale"], seen["stale_id"] = etag, document["id"]
        new_etag = answer.headers.get("etag")
        return "ok", f"what GET returned was PUT back with If-Match; ETag {etag} -> {new_etag}"

    def stale() -> tuple[str, str]:
        op = need(ops, "PUT /v1/entities/{entity_id}")
        etag = '"0000000000000000"'
        document = as_dict(seen["entity"])
        answer = op.sync_detailed(document["id"], client=holder, body=body_class(op).from_dict(document),
                                  if_match=etag)  # fmt: skip
        if answer.status_code == 412 and is_problem(answer.parsed, 412):
            return "ok", f"412 {type(answer.parsed).__name__} code={answer.parsed.code}"
        return "FAIL", f"{answer.status_code} {type(answer.parsed).__name__}"

    def permission() -> tuple[str, str]:
        op = need(ops, "POST /v1/permissions")
        body = body_class(op)
        subject = (seen.get("own") or ["pikachu"])[0]
        payload = body.from_dict({"id": f"perm-{suffix}", "subject": subject, "uses": ["generate"],
                                  "licensees": ["acme-ai"], "regions": ["JP"]})  # fmt: skip
        answer = op.sync_detailed(client=holder, body=payload)
        if answer.status_code != 201:
            return "FAIL", f"{answer.status_code}: {answer.content[:200]!r}"
        return "ok", f"201 {as_dict(answer.parsed)}"

    def idempotent() -> tuple[str, str]:
        op = need(ops, "POST /v1/permissions")
        body = body_class(op)
        payload = body.from_dict({"id": f"perm-idem-{suffix}", "subject": "*", "uses": ["generate"],
                                  "licensees": ["acme-ai"], "regions": ["US"]})  # fmt: skip
        if not accepts(op, "idempotency_key"):
            # A client of its own: with_headers also changes the httpx client it was derived from.
            keyed = client("rightsholder").with_headers({"Idempotency-Key": f"client-check-{suffix}"})
            first = op.sync_detailed(client=keyed, body=payload)
            again = op.sync_detailed(client=keyed, body=payload)
            replayed = again.headers.get("idempotent-replayed")
            return "n/a", (
                "no idempotency_key argument (the header is not declared); through "
                f"client.with_headers the server answered {first.status_code} then {again.status_code} "
                f"(Idempotent-Replayed: {replayed})"
            )
        first = op.sync_detailed(client=holder, body=payload, idempotency_key=f"client-check-{suffix}")
        again = op.sync_detailed(client=holder, body=payload, idempotency_key=f"client-check-{suffix}")
        if (first.status_code, again.status_code) != (201, 201):
            return "FAIL", f"{first.status_code} then {again.status_code}"
        return "ok", f"201 twice, replayed: {again.headers.get('idempotent-replayed')}"

    def screen() -> tuple[str, str]:
        op = need(ops, "POST /v1/screen/prompt")
        body = body_class(op).from_dict({"text": "Pikachu surfing a giant wave, watercolor"})
        answer = op.sync_detailed(client=operator, body=body)
        if answer.status_code != 200:
            return "FAIL", f"{answer.status_code}"
        decision = as_dict(answer.parsed)
        fields = typed_fields(answer.parsed)
        typing_note = f"typed fields {fields}" if fields else "untyped (additional_properties only)"
        return "ok", f"verdict {decision.get('verdict')}, {typing_note}"

    def not_found() -> tuple[str, str]:
        op = need(ops, "GET /v1/entities/{entity_id}")
        answer = op.sync_detailed("nobody-registered-this", client=admin)
        ok = answer.status_code == 404 and is_problem(answer.parsed, 404)
        detail = (
            f"{answer.status_code} {type(answer.parsed).__name__} code={getattr(answer.parsed, 'code', '')}"
        )
        return ("ok" if ok else "FAIL"), detail

    def forbidden() -> tuple[str, str]:
        op = need(ops, "POST /v1/keys")
        payload = body_class(op).from_dict({"role": "admin"})
        answer = op.sync_detailed(client=holder, body=payload)
        ok = answer.status_code == 403 and is_problem(answer.parsed, 403)
        detail = (
            f"{answer.status_code} {type(answer.parsed).__name__} code={getattr(answer.parsed, 'code', '')}"
        )
        return ("ok" if ok else "FAIL"), "rightsholder creates a key: " + detail

    def forbidden_write() -> tuple[str, str]:
        op = need(ops, "PUT /v1/entities/{entity_id}")
        payload = body_class(op).from_dict({"kind": "character", "names": {"en": ["Operator Made"]}})
        answer = op.sync_detailed(f"op-{suffix}", client=operator, body=payload)
        ok = answer.status_code == 403 and is_problem(answer.parsed, 403)
        detail = (
            f"{answer.status_code} {type(answer.parsed).__name__} code={getattr(answer.parsed, 'code', '')}"
        )
        return ("ok" if ok else "FAIL"), "operator writes an entry: " + detail

    def unauthenticated() -> tuple[str, str]:
        op = need(ops, "GET /v1/entities")
        answer = op.sync_detailed(client=client("admin", token="kyk_not-a-key"))
        ok = answer.status_code == 401 and is_problem(answer.parsed, 401)
        return ("ok" if ok else "FAIL"), f"{answer.status_code} {type(answer.parsed).__name__}"

    def not_yours() -> tuple[str, str]:
        op = need(ops, "GET /v1/entities/{entity_id}")
        answer = op.sync_detailed(OTHER_RIGHTSHOLDER_ENTRY, client=holder)
        ok = answer.status_code == 404 and is_problem(answer.parsed, 404)
        return ("ok" if ok else "FAIL"), f"{OTHER_RIGHTSHOLDER_ENTRY}: {answer.status_code}"

    def permissions_paged() -> tuple[str, str]:
        op = need(ops, "GET /v1/permissions")
        if not accepts(op, "cursor"):
            return "n/a", "no cursor parameter"
        pages = list(page_through(op, holder, 2))
        return "ok", f"{sum(len(p.items) for p in pages)} permissions in {len(pages)} pages of <= 2"

    flow.run("list entities, page by page (admin)", list_admin)
    flow.run("list own entities, page by page (rightsholder)", list_own)
    flow.run("get one entity with its ETag", get_one)
    flow.run("put a new entity (rightsholder)", put_new)
    flow.run("put back what GET returned, If-Match", put_back)
    flow.run("stale If-Match is a typed 412", stale)
    flow.run("add a permission (rightsholder)", permission)
    flow.run("retry a permission with the same Idempotency-Key", idempotent)
    flow.run("page permissions (rightsholder)", permissions_paged)
    flow.run("screen a prompt (operator)", screen)
    flow.run("unknown id is a typed 404", not_found)
    flow.run("another rightsholder's entry is 404", not_yours)
    flow.run("rightsholder creating a key is a typed 403", forbidden)
    flow.run("operator writing an entry is a typed 403", forbidden_write)
    flow.run("a wrong key is a typed 401", unauthenticated)
    return flow


def main() -> None:
    from _common import DEMO_CATALOG, die
    from api_contract import serve

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--rightsholder", default="pokemon-company")
    parser.add_argument("--catalog", type=Path, default=DEMO_CATALOG)
    parser.add_argument("--keep", type=Path, help="keep the document and the generated client here")
    parser.add_argument("--allow-failures", action="store_true", help="report failed steps, exit 0")
    args = parser.parse_args()
    if importlib.util.find_spec("openapi_python_client") is None:
        die("openapi-python-client is not installed: .venv/bin/pip install -e '.[dev]'")

    scratch = Path(tempfile.mkdtemp(prefix="kyodaku-client-check-"))
    workdir = args.keep.resolve() if args.keep else scratch / "client"
    began = time.perf_counter()
    try:
        with serve(scratch / "server", args.catalog, args.rightsholder) as served:
            document = fetch_document(served.url)
            t0 = time.perf_counter()
            try:
                pkg, output = generate_client(document, workdir)
            except RuntimeError as exc:
                die(str(exc))
            warnings = [line for line in output.splitlines() if "warning" in line.lower()]
            print(f"server: {served.url}; document: OpenAPI {document.get('openapi')}, "
                  f"{sum(len(m) for m in document.get('paths', {}).values())} operations")  # fmt: skip
            print(f"generated {PACKAGE} in {time.perf_counter() - t0:.1f} s with openapi-python-client "
                  f"{_version('openapi-python-client')}: {len(operations(pkg))} operations, "
                  f"{len(warnings)} generator warnings")  # fmt: skip
            for line in warnings[:10]:
                print(f"  {line}")
            flow = client_flow(pkg, served.url, served.keys, served.rightsholder, args.page_size)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    for step in flow.steps:
        print(f"  {step.outcome:4} {step.name}: {step.detail}")
    gaps = document_gaps(document)
    print(f"document gaps that a generated client feels: {len(gaps)}")
    for gap in gaps:
        print(f"  - {gap}")
    failed = flow.failed
    print(f"elapsed: {time.perf_counter() - began:.1f} s")
    passed = len(flow.steps) - len(failed)
    print(f"RESULT: {'PASS' if not failed else 'FAIL'} ({passed}/{len(flow.steps)} steps ok)")
    if failed and not args.allow_failures:
        raise SystemExit(1)


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    main()
