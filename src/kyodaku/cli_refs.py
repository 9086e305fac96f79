"""`kyodaku refs`: attach reference images and clips to entries, list them, remove them.

Run at the machine itself, so with full rights (like `kyodaku catalog import`).
Files are hashed once and kept in the content-addressed reference store
(`--store`, or KYODAKU_REFERENCE_STORE); the registry records each reference
with its hashes. A file that cannot be attached is reported with its reason and
the others are still attached; the exit code is then 2 (invalid input).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from kyodaku.media.refstore import ReferenceStore
    from kyodaku.refs.ingest import IngestReport
    from kyodaku.registry.store import RegistryStore

refs_app = typer.Typer(no_args_is_help=True, help="Reference images and clips of entries.")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOpt = Annotated[
    str | None, typer.Option("--db", envvar="KYODAKU_DATABASE_URL", help="Registry database URL.")
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store", envvar="KYODAKU_REFERENCE_STORE", help="Folder of the reference store (content-addressed)."
    ),
]
PROGRESS_FROM = 3
"""Show a progress bar from this many files on (on a terminal)."""


def open_stores(db: str | None, store: Path | None) -> tuple[RegistryStore, ReferenceStore]:
    from kyodaku.media.refstore import ReferenceStore
    from kyodaku.registry.store import RegistryStore
    from kyodaku.settings import load_settings

    settings = load_settings()
    registry = RegistryStore(db or settings.database_url)
    registry.migrate()
    return registry, ReferenceStore(store if store is not None else settings.reference_store)


def attach(
    registry: RegistryStore, refstore: ReferenceStore, files: Sequence[tuple[str, Path]]
) -> IngestReport:
    """Attach (entity, file) pairs with the settings' limits, a progress bar for many, failures printed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from kyodaku.domain.access import LOCAL_ADMIN
    from kyodaku.refs.ingest import hash_options, ingest_files
    from kyodaku.settings import load_settings

    settings = load_settings()
    columns = (TextColumn("hashing references"), BarColumn(), MofNCompleteColumn())
    show = len(files) >= PROGRESS_FROM and err.is_terminal
    with Progress(*columns, console=err, transient=True, disable=not show) as progress:
        task = progress.add_task("refs", total=len(files))
        report = ingest_files(
            registry, refstore, LOCAL_ADMIN, files, hash_options(settings),
            max_bytes=settings.max_upload_bytes, progress=lambda _: progress.advance(task),
        )  # fmt: skip
    for failure in report.failed:
        err.print(f"[bold red]failed[/] ({failure.error}) ", end="")
        err.print(f"{failure.item}: {failure.message}", markup=False)
    return report


def import_catalog_references(
    registry: RegistryStore, store: Path | None, files: Sequence[tuple[str, Path]]
) -> IngestReport:
    """The reference part of `kyodaku catalog import`: attach what the catalog's globs matched."""
    from kyodaku.media.refstore import ReferenceStore
    from kyodaku.settings import load_settings

    root = store if store is not None else load_settings().reference_store
    return attach(registry, ReferenceStore(root), files)


@refs_app.command("add")
def refs_add(
    entity: Annotated[str, typer.Argument(help="The entry (work, character or style) they show.")],
    files: Annotated[list[Path], typer.Argument(help="Image or video files.")],
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Attach reference images or clips to an entry (attaching a file it already has changes nothing)."""
    registry, refstore = open_stores(db, store)
    registry.get_entity(entity)  # an unknown entry: one clear error, not one per file
    report = attach(registry, refstore, [(entity, f) for f in files])
    for info in report.added:
        out.print(f"added {info.id}  {info.filename}  ({_shape(info)}, {info.hashes} hashes)", markup=False)
    for info in report.unchanged:
        out.print(f"already attached {info.id}  {info.filename}", markup=False)
    out.print(f"{entity}: {report.describe()} (registry version {registry.current_version()})")
    if report.failed:
        from kyodaku.domain.errors import InvalidInput

        raise typer.Exit(InvalidInput.exit_code)


@refs_app.command("list")
def refs_list(
    entity: Annotated[str | None, typer.Argument(help="Only this entry's references.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """List the current references (of one entry, or all)."""
    registry, _ = open_stores(db, store)
    if entity is not None:
        registry.get_entity(entity)
    found = registry.list_references(entity_id=entity)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in found], ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(box=None)
    for column in ("id", "entity", "file", "media", "hashes", "version"):
        table.add_column(column, no_wrap=column in ("id", "entity"))
    for r in found:
        table.add_row(r.id, r.entity_id, r.filename, _shape(r), str(r.hashes), str(r.version))
    out.print(table if found else "no references")


@refs_app.command("remove")
def refs_remove(
    reference: Annotated[str, typer.Argument(help="The reference id (ref_...).")],
    db: DbOpt = None,
    store: StoreOpt = None,
) -> None:
    """Detach a reference (a new registry version; earlier versions and the stored file are kept)."""
    from kyodaku.domain.access import LOCAL_ADMIN

    registry, _ = open_stores(db, store)
    change = registry.remove_reference(reference, LOCAL_ADMIN.actor)
    out.print(f"removed {reference} (registry version {change.version})")


def _shape(info) -> str:
    what = f"{info.media_type} {info.format} {info.width}x{info.height}"
    return f"{what} {info.duration:.1f}s, {info.frames} frames" if info.duration is not None else what
