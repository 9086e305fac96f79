"""What every `kyodaku` command shares: the two consoles, the common options, the database URL,
the screening context, how a decision is printed, progress bars, JSONL output and attaching
reference files.

It lives here, below the command modules, so that each command module depends on this one and on
nothing else of the CLI: the command groups stay independent of each other and of `kyodaku.cli`,
which only assembles them. Names are public because they are shared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.findings import Decision, Verdict
from kyodaku.domain.model import Use, to_utc
from kyodaku.policy.engine import ScreenContext

if TYPE_CHECKING:
    from kyodaku.media.refstore import ReferenceStore
    from kyodaku.refs.ingest import IngestReport
    from kyodaku.registry.store import RegistryStore

out = Console(highlight=False, soft_wrap=True)
"""Results (decisions, listings): stdout, so that they can be piped."""
err = Console(stderr=True, highlight=False, soft_wrap=True)
"""Progress, summaries and errors: stderr, so that they never mix into piped results."""

CatalogOpt = Annotated[
    Path | None,
    typer.Option("--catalog", "-c", help="Screen against this catalog file (no database needed)."),
]
DbOpt = Annotated[
    str | None, typer.Option("--db", envvar="KYODAKU_DATABASE_URL", help="Registry database URL.")
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store", envvar="KYODAKU_REFERENCE_STORE", help="Folder of the reference store (content-addressed)."
    ),
]
LicenseeOpt = Annotated[str | None, typer.Option(help="Licensee asking (e.g. acme).")]
RegionOpt = Annotated[str | None, typer.Option(help="Region of the request (ISO country code).")]
AtOpt = Annotated[str | None, typer.Option(help="Time of the request (ISO date/time); default now.")]
UseOpt = Annotated[str | None, typer.Option(help="Use to check: generate, style or train.")]

PROGRESS_FROM = 3
"""Attaching references shows a progress bar from this many files on (on a terminal)."""

_COLOURS = {Verdict.BLOCK: "bold red", Verdict.REVIEW: "bold yellow", Verdict.ALLOW: "bold green"}


_MATCHER_WORDS = {
    "alias": "alias",
    "alias+context": "alias (with context)",
    "fuzzy": "misspelling of",
}


def database_url(db: str | None) -> str:
    """`--db` (or KYODAKU_DATABASE_URL, which typer already read into it), else the settings' default;
    a bad setting is a ConfigurationError (exit 8), not a traceback."""
    if db:
        return db
    from kyodaku.settings import load_settings

    return load_settings().database_url


def screen_context(
    licensee: str | None, region: str | None, at: str | None, use: str | None
) -> ScreenContext:
    """The request's context from the command-line options; a bad date or use is invalid input (exit 2)."""
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
            what = _MATCHER_WORDS.get(f.matcher, f.matcher)
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


def progress_bar(console: Console, *, disable: bool = False) -> Progress:
    """One look for every long CLI step (description, bar, done of total, time left); transient, so
    that only the results stay on the screen."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=disable,
    )


def write_jsonl_atomic(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Write JSONL to a temporary file beside `path`, then rename: never a half-written output."""
    from kyodaku.atomic import atomic_writer

    with atomic_writer(path, text=True) as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def reference_store(store: Path | None) -> ReferenceStore:
    """The reference store at `--store` (or KYODAKU_REFERENCE_STORE), else at the settings' default."""
    from kyodaku.refs.ingest import reference_store as settings_store
    from kyodaku.settings import load_settings

    return settings_store(load_settings(), root=store)


def attach_references(
    registry: RegistryStore, refstore: ReferenceStore, files: Sequence[tuple[str, Path]]
) -> IngestReport:
    """Attach (entity, file) pairs with the settings' limits, a progress bar for many, failures printed.

    Shared by `kyodaku refs add` and `kyodaku catalog import` (a catalog's `references:`), so that
    both hash and report the same way. Run at the machine itself, so with full rights.
    """
    from kyodaku.domain.access import LOCAL_ADMIN
    from kyodaku.refs.ingest import hash_options, ingest_files
    from kyodaku.settings import load_settings

    settings = load_settings()
    show = len(files) >= PROGRESS_FROM and err.is_terminal
    with progress_bar(err, disable=not show) as progress:
        task = progress.add_task("hashing references", total=len(files))
        report = ingest_files(
            registry, refstore, LOCAL_ADMIN, files, hash_options(settings),
            max_bytes=settings.max_upload_bytes, progress=lambda _: progress.advance(task),
        )  # fmt: skip
    for failure in report.failed:
        err.print(f"[bold red]failed[/] ({failure.error}) ", end="")
        err.print(f"{failure.item}: {failure.message}", markup=False)
    return report
