"""The `kyodaku` command.

Errors are mapped to exit codes in one place (`main`): every KyodakuError
carries its own code, and anything else is a bug (exit 70).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kyodaku.cli_refs import StoreOpt, refs_app
from kyodaku.domain.errors import InvalidInput, KyodakuError
from kyodaku.domain.findings import Decision, Verdict
from kyodaku.domain.model import Use, to_utc
from kyodaku.policy.engine import ScreenContext

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="kyodaku (許諾): consent-first rights control for generative AI.",
)
catalog_app = typer.Typer(no_args_is_help=True, help="Validate, import and export catalogs.")
keys_app = typer.Typer(no_args_is_help=True, help="Manage API keys (admin).")
app.add_typer(catalog_app, name="catalog")
app.add_typer(keys_app, name="keys")
app.add_typer(refs_app, name="refs")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

CatalogOpt = Annotated[
    Path | None,
    typer.Option("--catalog", "-c", help="Screen against this catalog file (no database needed)."),
]
DbOpt = Annotated[
    str | None, typer.Option("--db", envvar="KYODAKU_DATABASE_URL", help="Registry database URL.")
]
_COLOURS = {Verdict.BLOCK: "bold red", Verdict.REVIEW: "bold yellow", Verdict.ALLOW: "bold green"}


def _database_url(db: str | None) -> str:
    if db:
        return db
    from kyodaku.settings import Settings

    return Settings().database_url


def _guard(catalog: Path | None, db: str | None, semantic: bool | None):
    from kyodaku.screening import Guard, guard_options

    options = guard_options(semantic)
    if catalog is not None:
        return Guard.from_file(str(catalog), options)
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(_database_url(db))
    store.migrate()
    return Guard.from_store(store, options)


def _context(licensee: str | None, region: str | None, at: str | None, use: str | None) -> ScreenContext:
    try:
        when = to_utc(at) if at else None
        return ScreenContext(
            licensee=licensee,
            region=region.upper() if region else None,
            at=when,
            use=Use(use) if use else None,
        )
    except ValueError as exc:
        raise InvalidInput(f"bad context option: {exc}") from exc


def render(decision: Decision) -> str:
    """Human-readable decision: verdict, each entry with its rightsholder and rule, the evidence."""
    lines = []
    if not decision.entities:
        lines.append(
            f"[{_COLOURS[decision.verdict]}]{decision.verdict.value.upper()}[/]  {decision.message['en']}"
        )
    for e in decision.entities:
        rh = e.rightsholder
        head = f"[{_COLOURS[e.verdict]}]{e.verdict.value.upper()}[/]  {e.entity} ({e.kind}"
        head += f" of {e.work_name or e.work}" if e.work else ""
        head += f", {rh['name']}, {rh['country']}) — {e.reason}"
        lines.append(head)
        for f in decision.findings:
            if f.entity != e.entity:
                continue
            ev = f.evidence
            span = f" at {ev.span[0]}..{ev.span[1]}" if ev.span else ""
            what = {"alias": "alias", "alias+context": "alias (with context)", "fuzzy": "misspelling of"}.get(
                f.matcher, f.matcher
            )
            lang = f" ({ev.lang})" if ev.lang else ""
            extra = f" — {ev.note}" if ev.note else ""
            lines.append(
                f'   evidence: {what} "{ev.variant}"{lang}: "{ev.text}"{span}  score {f.score:.2f}{extra}'
            )
        lines.append(f"   registry version {decision.registry_version}   rule: {e.rule}")
    for t in decision.themes:
        lines.append(f"   theme: {t.theme} ({t.matcher}: {t.evidence})")
    if decision.failed_closed:
        lines.append(f"   [bold red]failed closed[/]: {decision.notes[0] if decision.notes else ''}")
    lines.append(f"   {decision.message['ja']}")
    return "\n".join(lines)


@app.command()
def screen(
    text: Annotated[str | None, typer.Argument(help="The prompt to screen.")] = None,
    catalog: CatalogOpt = None,
    db: DbOpt = None,
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help="JSONL file of {id, text} lines.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write JSONL decisions.")
    ] = None,
    licensee: Annotated[str | None, typer.Option(help="Licensee asking (e.g. acme).")] = None,
    region: Annotated[str | None, typer.Option(help="Region of the request (ISO country code).")] = None,
    at: Annotated[str | None, typer.Option(help="Time of the request (ISO date/time); default now.")] = None,
    use: Annotated[str | None, typer.Option(help="Use to check: generate, style or train.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    semantic: Annotated[
        bool | None, typer.Option("--semantic/--no-semantic", help="Use the multilingual embedding model.")
    ] = None,
    workers: Annotated[int, typer.Option(help="Batch worker processes (0: one per core).")] = 0,
) -> None:
    """Screen a prompt (or a JSONL batch) and print the decision."""
    ctx = _context(licensee, region, at, use)
    if input is not None:
        from kyodaku.batch import BatchOptions, run_batch

        if output is None:
            raise InvalidInput("--input needs --output")
        summary = run_batch(
            BatchOptions(
                input=input,
                output=output,
                catalog=catalog,
                database_url=None if catalog else _database_url(db),
                context=ctx,
                semantic=semantic,
                workers=workers or (os.cpu_count() or 1),
            ),
            err,
        )
        err.print(summary.describe())
        if summary.failed:
            raise typer.Exit(InvalidInput.exit_code)
        return
    if text is None:
        raise InvalidInput("give a prompt to screen, or --input FILE --output FILE")
    guard = _guard(catalog, db, semantic)
    decision = guard.screen_prompt(text, ctx)
    if as_json:
        sys.stdout.write(json.dumps(decision.to_dict(), ensure_ascii=False) + "\n")
    else:
        out.print(render(decision))


def _register_media() -> None:
    from kyodaku.cli_media import screen_media

    app.command("screen-media")(screen_media)


_register_media()


@catalog_app.command("validate")
def catalog_validate(file: Path) -> None:
    """Check a catalog file; every problem is listed with its file, line and field."""
    from kyodaku.registry.catalog import load_catalog

    cat = load_catalog(file)
    kinds: dict[str, int] = {}
    for e in cat.entities:
        kinds[e.kind.value] = kinds.get(e.kind.value, 0) + 1
    counts = ", ".join(f"{n} {k}s" for k, n in sorted(kinds.items()))
    out.print(
        f"[green]OK[/] {file}: {len(cat.rightsholders)} rightsholders, {counts}, "
        f"{len(cat.permissions)} permissions"
    )


@catalog_app.command("import")
def catalog_import(file: Path, db: DbOpt = None, actor: str = "cli", store: StoreOpt = None) -> None:
    """Import a catalog into the registry, and attach the files its `references:` match
    (idempotent: re-importing changes nothing)."""
    from kyodaku.registry.catalog import load_catalog, resolve_references
    from kyodaku.registry.store import RegistryStore

    catalog = load_catalog(file)
    references = resolve_references(catalog)  # a pattern matching nothing stops the import before it starts
    registry = RegistryStore(_database_url(db))
    registry.migrate()
    result = registry.import_catalog(catalog, actor=actor)
    out.print(
        f"imported {file}: registry version {result.version} "
        f"({result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.removed} removed)"
    )
    if references:
        from kyodaku.cli_refs import import_catalog_references

        report = import_catalog_references(registry, store, [(r.entity_id, r.path) for r in references])
        out.print(f"references: {report.describe()} (registry version {registry.current_version()})")
        if report.failed:
            raise typer.Exit(InvalidInput.exit_code)


@catalog_app.command("export")
def catalog_export(
    db: DbOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    version: Annotated[
        int | None, typer.Option(help="Registry version to export (default: current).")
    ] = None,
    at: Annotated[str | None, typer.Option(help="Export the registry as it was at this time.")] = None,
) -> None:
    """Export the registry (or a past version of it) as a catalog file."""
    from kyodaku.registry.catalog import catalog_to_dict, dump_catalog
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(_database_url(db))
    store.migrate()
    cat = store.catalog_at(version=version, at=to_utc(at) if at else None)
    if output:
        dump_catalog(cat, output)
        err.print(f"wrote {output} (registry version {cat.version})")
    else:
        import yaml

        sys.stdout.write(yaml.safe_dump(catalog_to_dict(cat), allow_unicode=True, sort_keys=False))


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, operator or rightsholder")],
    rightsholder: Annotated[str | None, typer.Option(help="Rightsholder id (for role rightsholder).")] = None,
    label: str | None = None,
    db: DbOpt = None,
) -> None:
    """Create an API key (printed once; only its hash is stored)."""
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(_database_url(db))
    store.migrate()
    created = store.create_key(role, rightsholder=rightsholder, label=label)
    err.print(
        f"created key {created.id} ({role}{' for ' + rightsholder if rightsholder else ''}); store it now:"
    )
    sys.stdout.write(created.secret + "\n")


@app.command()
def serve(
    db: DbOpt = None,
    catalog: Annotated[Path | None, typer.Option(help="Import this catalog at start.")] = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    semantic: Annotated[
        bool | None, typer.Option("--semantic/--no-semantic", help="Use the multilingual embedding model.")
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from kyodaku.api.app import create_app
    from kyodaku.screening import guard_options

    application = create_app(_database_url(db), guard_options(semantic), catalog=catalog)
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command()
def demo(
    catalog: Annotated[Path, typer.Option(help="Demo catalog.")] = Path("examples/demo-catalog.yaml"),
) -> None:
    """Show the guard at work on the demo catalog, then a permission change obeyed at once."""
    from kyodaku.demo import run_demo

    run_demo(catalog, out)


def main() -> None:
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except KyodakuError as exc:
        issues = getattr(exc, "issues", None)
        if issues:
            err.print(f"[bold red]error[/] ({exc.code}): {len(issues)} problem(s)")
            for issue in issues[:50]:
                err.print(f"  {issue}", markup=False)
            if len(issues) > 50:
                err.print(f"  ... and {len(issues) - 50} more")
        else:
            err.print(f"[bold red]error[/] ({exc.code}): ", end="")
            err.print(exc.message, markup=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:  # click usage errors carry their own exit code
        code = getattr(exc, "exit_code", None)
        if code is not None and hasattr(exc, "show"):
            exc.show()
            sys.exit(code)
        raise
