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
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kyodaku.cli.common import DbOpt, StoreOpt, attach_references, database_url, out, reference_store
from kyodaku.domain.errors import InvalidInput

if TYPE_CHECKING:
    from kyodaku.media.refstore import ReferenceStore
    from kyodaku.registry.store import RegistryStore

refs_app = typer.Typer(no_args_is_help=True, help="Reference images and clips of entries.")


def open_stores(db: str | None, store: Path | None) -> tuple[RegistryStore, ReferenceStore]:
    """The registry (migrated) and the reference store the options or the settings name."""
    from kyodaku.registry.store import RegistryStore

    registry = RegistryStore(database_url(db))
    registry.migrate()
    return registry, reference_store(store)


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
    report = attach_references(registry, refstore, [(entity, f) for f in files])
    for info in report.added:
        out.print(f"added {info.id}  {info.filename}  ({_shape(info)}, {info.hashes} hashes)", markup=False)
    for info in report.unchanged:
        out.print(f"already attached {info.id}  {info.filename}", markup=False)
    out.print(f"{entity}: {report.describe()} (registry version {registry.current_version()})")
    if report.failed:
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
