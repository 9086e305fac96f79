"""`kyodaku screen-media`: screen generated images and videos against registered references.

One file prints one decision (`--json`: the same object as `screen --json`); a file with `--prompt`
gives one decision for the prompt and the output together. Several files, or a folder, are a batch:
a progress bar, one decision per file (JSONL with `--json` or `--output`), and a file that cannot be
read is listed with its reason while the others are still screened (exit code 2 if any failed).
A file whose screening raises unexpectedly (a bug) gets a decision failed closed from the guard
(BLOCK, `failed_closed`, reason `screening_error`, the exception's class) and the others go on; it
is listed and counted as "failed closed", and like any decision it leaves the exit code alone.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from kyodaku.cli.common import (
    AtOpt,
    DbOpt,
    LicenseeOpt,
    RegionOpt,
    UseOpt,
    database_url,
    err,
    out,
    progress_bar,
    render,
    screen_context,
    write_jsonl_atomic,
)
from kyodaku.domain.errors import InvalidInput, KyodakuError


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders walked recursively (sorted, hidden files skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.exists():
            out.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or folder", file=str(path))
    if not out:
        raise InvalidInput("no files to screen")
    return out


def media_guard(catalog: Path | None, db: str | None, semantic: bool | None, console):
    """A guard whose snapshot holds the references: hashed on the fly from the catalog's
    `references:` globs, or read from the registry."""
    from kyodaku.compiler import CatalogReferences
    from kyodaku.screening import Guard, guard_options

    options = guard_options(semantic)
    if catalog is None:
        from kyodaku.registry.store import RegistryStore

        store = RegistryStore(database_url(db))
        store.migrate()
        return Guard.from_store(store, options)
    from kyodaku.refs.banks import CatalogBankReport
    from kyodaku.registry.catalog import load_catalog, resolve_references

    cat = load_catalog(catalog)
    report = CatalogBankReport()
    files = resolve_references(cat)
    with progress_bar(console) as progress:
        task = progress.add_task("hashing references", total=len({str(r.path) for r in files}))
        references = CatalogReferences(
            cat, options.hash_options(query=False), files, lambda _: progress.advance(task), report
        )
        guard = Guard.build(cat, options, references)  # one compile: text indexes and references
    if report.failed:
        problems = "; ".join(f"{name}: {why}" for name, why in report.failed)
        raise InvalidInput(
            f"{len(report.failed)} reference file(s) of {catalog} could not be hashed: {problems}"
        )
    return guard


def screen_media(
    paths: Annotated[list[Path], typer.Argument(help="Images, videos, or folders of them.")],
    catalog: Annotated[
        Path | None,
        typer.Option("--catalog", "-c", help="Catalog file; its `references:` are hashed on the fly."),
    ] = None,
    db: DbOpt = None,
    prompt: Annotated[
        str | None, typer.Option("--prompt", "-p", help="The prompt that made the output(s): one decision.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write JSONL decisions here.")] = None,
    licensee: LicenseeOpt = None,
    region: RegionOpt = None,
    at: AtOpt = None,
    use: UseOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print decisions as JSON (JSONL for a batch).")
    ] = False,
    semantic: Annotated[
        bool | None, typer.Option("--semantic/--no-semantic", help="Embedding model for --prompt.")
    ] = None,
) -> None:
    """Screen generated images and videos against the registered reference images and clips."""
    ctx = screen_context(licensee, region, at, use)
    files = _expand(paths)
    guard = media_guard(catalog, db, False if prompt is None else semantic, err)
    single = len(files) == 1 and not any(p.is_dir() for p in paths)
    if prompt is not None or (single and output is None):
        decision = guard.screen_output(prompt=prompt, media=files, context=ctx, names=[str(f) for f in files])
        if output is not None:
            write_jsonl_atomic(output, [decision.to_dict()])
        elif as_json:
            sys.stdout.write(json.dumps(decision.to_dict(), ensure_ascii=False) + "\n")
        else:
            out.print(render(decision))
        return
    records: list[dict[str, Any]] = []
    failed: list[tuple[str, str]] = []
    closed: list[tuple[str, str]] = []
    verdicts: Counter[str] = Counter()
    with progress_bar(err) as progress:
        task = progress.add_task("screening", total=len(files))
        for path in files:
            try:
                decision = guard.screen_output(media=[path], context=ctx, names=[str(path)])
                record = {"file": str(path), **decision.to_dict()}
                verdicts[decision.verdict.value] += 1
                if decision.failed_closed:
                    closed.append((str(path), "; ".join(decision.notes)))
            except KyodakuError as exc:
                record = {"file": str(path), **exc.to_dict()}
                failed.append((str(path), exc.message))
            records.append(record)
            if as_json and output is None:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            progress.advance(task)
    if output is not None:
        write_jsonl_atomic(output, records)
    elif not as_json:
        for record in records:
            verdict = record.get("verdict", "error")
            what = ", ".join(e["entity"] for e in record.get("entities", [])) or record.get("message", "")
            if record.get("failed_closed"):
                what = escape("; ".join(record["notes"]))  # an exception's text is not markup
            out.print(f"{verdict.upper():6}  {record['file']}  {what}")
    counts = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    done = len(files) - len(failed)
    err.print(
        f"screened {done} of {len(files)} files ({counts or 'none'}); "
        f"{len(closed)} failed closed; {len(failed)} failed"
    )
    for name, why in closed:
        err.print("  [yellow]failed closed[/] ", end="")
        err.print(f"{name}: {why}", markup=False)
    for name, why in failed:
        err.print(f"  [red]failed[/] {why}" if name in why else f"  [red]failed[/] {name}: {why}")
    if failed:
        raise typer.Exit(InvalidInput.exit_code)
