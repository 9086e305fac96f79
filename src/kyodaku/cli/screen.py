"""`kyodaku screen`: screen a prompt, or a JSONL batch of them, and print the decision.

One prompt prints one decision (`--json`: the decision object); `--input`/`--output` is a batch
(`kyodaku.batch`: every line gets one output line, bad lines are listed and the rest screened,
exit code 2 if any failed).

A prompt whose screening raises unexpectedly (a bug) gets a decision failed closed (BLOCK,
`failed_closed`, reason `screening_error`), alone or in a batch. That is a decision, not a failed
line: it does not change the exit code (as a BLOCK failed closed for an unavailable model does not),
and the batch summary counts it as "failed closed" beside the failed lines.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from kyodaku.cli.common import (
    AtOpt,
    CatalogOpt,
    DbOpt,
    LicenseeOpt,
    RegionOpt,
    UseOpt,
    database_url,
    err,
    out,
    render,
    screen_context,
)
from kyodaku.domain.errors import InvalidInput


def prompt_guard(catalog: Path | None, db: str | None, semantic: bool | None):
    """The guard for prompts: compiled from the catalog file when one is given, else from the registry."""
    from kyodaku.screening import Guard, guard_options

    options = guard_options(semantic)
    if catalog is not None:
        return Guard.from_file(str(catalog), options)
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(database_url(db))
    store.migrate()
    return Guard.from_store(store, options)


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
    licensee: LicenseeOpt = None,
    region: RegionOpt = None,
    at: AtOpt = None,
    use: UseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    semantic: Annotated[
        bool | None, typer.Option("--semantic/--no-semantic", help="Use the multilingual embedding model.")
    ] = None,
    workers: Annotated[int, typer.Option(help="Batch worker processes (0: one per core).")] = 0,
    ledger: Annotated[
        bool,
        typer.Option(
            "--ledger",
            help="Append each decision to the generation ledger in the --db database (KYODAKU_DATABASE_URL).",
        ),
    ] = False,
    ledger_prompt_text: Annotated[
        bool,
        typer.Option("--ledger-prompt-text", help="Keep the prompt's text in the ledger, not only its hash."),
    ] = False,
) -> None:
    """Screen a prompt (or a JSONL batch) and print the decision."""
    ctx = screen_context(licensee, region, at, use)
    if input is not None:
        from kyodaku.batch import BatchOptions, run_batch

        if output is None:
            raise InvalidInput("--input needs --output")
        summary = run_batch(
            BatchOptions(
                input=input,
                output=output,
                catalog=catalog,
                database_url=None if catalog else database_url(db),
                context=ctx,
                semantic=semantic,
                workers=workers or (os.cpu_count() or 1),
                ledger_url=database_url(db) if ledger else None,
                ledger_prompt_text=ledger_prompt_text,
            ),
            err,
        )
        err.print(summary.describe())
        if summary.failed:
            raise typer.Exit(InvalidInput.exit_code)
        return
    if text is None:
        raise InvalidInput("give a prompt to screen, or --input FILE --output FILE")
    guard = prompt_guard(catalog, db, semantic)
    decision = guard.screen_prompt(text, ctx)
    if ledger:
        from kyodaku.provenance.entry import Record
        from kyodaku.provenance.ledger import Ledger

        book = Ledger(database_url(db))
        try:
            entry = book.append(
                decision, Record(source="cli", prompt=text, keep_prompt_text=ledger_prompt_text)
            )
        finally:
            book.close()
        err.print(f"ledger entry {entry.entry_id}")
    if as_json:
        sys.stdout.write(json.dumps(decision.to_dict(), ensure_ascii=False) + "\n")
    else:
        out.print(render(decision))
