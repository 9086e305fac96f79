"""`kyodaku catalog`: validate a catalog file, import it into the registry (with the reference files
its `references:` match), export the registry (or a past version of it) as a catalog file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kyodaku.cli.common import DbOpt, StoreOpt, attach_references, database_url, err, out, reference_store
from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.model import to_utc

catalog_app = typer.Typer(no_args_is_help=True, help="Validate, import and export catalogs.")


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
    registry = RegistryStore(database_url(db))
    registry.migrate()
    result = registry.import_catalog(catalog, actor=actor)
    out.print(
        f"imported {file}: registry version {result.version} "
        f"({result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.removed} removed)"
    )
    if references:
        files = [(r.entity_id, r.path) for r in references]
        report = attach_references(registry, reference_store(store), files)
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

    store = RegistryStore(database_url(db))
    store.migrate()
    cat = store.catalog_at(version=version, at=to_utc(at) if at else None)
    if output:
        dump_catalog(cat, output)
        err.print(f"wrote {output} (registry version {cat.version})")
    else:
        import yaml

        sys.stdout.write(yaml.safe_dump(catalog_to_dict(cat), allow_unicode=True, sort_keys=False))
