"""`kyodaku catalog`: validate a catalog file, import it into the registry (with the reference files
its `references:` match), export the registry (or a past version of it) as a catalog file, and
propose extra names from open data (`enrich`) to accept into a new catalog (`enrich-accept`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kyodaku.cli.common import DbOpt, StoreOpt, attach_references, database_url, err, out, reference_store
from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.model import to_utc

catalog_app = typer.Typer(no_args_is_help=True, help="Validate, import, export and enrich catalogs.")


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


@catalog_app.command("list")
def catalog_list(
    db: DbOpt = None,
    owner: Annotated[str | None, typer.Option(help="Only this rightsholder's entries.")] = None,
    kind: Annotated[str | None, typer.Option(help="work, character or style.")] = None,
    since: Annotated[str | None, typer.Option(help="Only entries created or changed after it.")] = None,
    limit: Annotated[int, typer.Option(help="Entries per page (at most 1000).")] = 100,
    after: Annotated[str | None, typer.Option(help="Continue after this id (see the `next:` line).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per entry (JSON Lines).")] = False,
) -> None:
    """List the current entries a page at a time, by id: the API's paging (GET /v1/entities), so a
    40,000-entry registry is never printed or read whole. The last line names the next page."""
    import json

    from kyodaku.domain.model import EntityKind
    from kyodaku.registry.etags import entity_document
    from kyodaku.registry.paging import PageQuery
    from kyodaku.registry.store import RegistryStore

    if kind is not None and kind not in {k.value for k in EntityKind}:
        raise InvalidInput(f"kind must be one of {', '.join(k.value for k in EntityKind)}, not {kind!r}")
    store = RegistryStore(database_url(db))
    store.migrate()
    page = store.page_entities(PageQuery(limit=limit, after=after, owner=owner, kind=kind,
                                         updated_since=to_utc(since) if since else None))  # fmt: skip
    for entity in page.items:
        if as_json:
            sys.stdout.write(json.dumps(entity_document(entity), ensure_ascii=False) + "\n")
        else:
            line = f"{entity.id}\t{entity.kind.value}\t{entity.owner}\t{entity.display_name()}"
            out.print(line, markup=False)
    if page.more:
        err.print(f"next: kyodaku catalog list --after {page.last_id} --limit {limit}", markup=False)


@catalog_app.command("enrich")
def catalog_enrich(
    file: Path,
    sources: Annotated[
        list[str],
        typer.Option("--from", help="Open data to read names from: danbooru:PATH, pokeapi:PATH or a PATH."),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Proposals file to write (JSON).")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Propose only for this rightsholder's entries.")] = None,
) -> None:
    """Propose extra names for the catalog's entries from open data, each with its source and the
    ambiguity detector's verdict (docs/enrich.md). The catalog itself is not changed."""
    from kyodaku.cli.common import progress_bar
    from kyodaku.enrich import enrich, open_source, proposals_document, write_json_atomic
    from kyodaku.enrich.report import summary_lines, summary_table
    from kyodaku.registry.catalog import load_catalog

    catalog = load_catalog(file)
    opened = [open_source(spec) for spec in sources]  # every --from is checked before any is read
    read = []
    for source in opened:
        with progress_bar(err, disable=not err.is_terminal) as bar:
            task = bar.add_task(f"reading {source.name} {source.path.name}", total=None)
            read.append(source.read(lambda n, total, task=task: bar.update(task, completed=n, total=total)))
    result = enrich(catalog, read, owner=owner)
    out.print(summary_table(result))
    for line in summary_lines(result):
        out.print(line, markup=False)
    if output:
        write_json_atomic(output, proposals_document(result, file))
        err.print(
            f"wrote {len(result.proposals)} proposals to {output}; review them, then: "
            f"kyodaku catalog enrich-accept {file} {output} --output NEW_CATALOG"
        )


@catalog_app.command("enrich-accept")
def catalog_enrich_accept(
    file: Path,
    proposals: Path,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="New catalog file.")] = None,
    accept_all: Annotated[bool, typer.Option("--all", help="Accept every proposal in the file.")] = False,
    ids: Annotated[list[str] | None, typer.Option("--ids", help="Accept these proposal ids.")] = None,
    owner: Annotated[
        str | None, typer.Option(help="Accept as this rightsholder (its own entries only).")
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Overwrite CATALOG itself.")] = False,
) -> None:
    """Add the accepted proposals (marked "accepted": true, or --ids, or --all) to a new catalog file."""
    from kyodaku.enrich import accept, load_proposals, select
    from kyodaku.enrich.proposals import moved_references
    from kyodaku.registry.catalog import dump_catalog, dumps_catalog, load_catalog, load_catalog_text

    target = output or (file if in_place else None)
    if target is None:
        raise InvalidInput("give --output NEW_CATALOG (or --in-place to overwrite the catalog)")
    if not in_place and target.resolve() == file.resolve():
        raise InvalidInput(f"--output is the catalog itself ({file}): pass --in-place to overwrite it")
    catalog = load_catalog(file)
    chosen = select(load_proposals(proposals), [i for v in ids or () for i in v.split(",") if i], accept_all)
    if not chosen:
        raise InvalidInput('no proposal selected: set "accepted": true on some, or pass --ids or --all')
    result = accept(catalog, chosen, owner=owner)
    load_catalog_text(dumps_catalog(result.catalog, "json"), str(target), "json")  # valid before written
    dump_catalog(result.catalog, target)
    for p, reason in result.skipped:
        err.print(f"skipped {p['id']} {p['entry']} {p['name']!r}: {reason}", markup=False)
    if warning := moved_references(catalog, file, target):
        err.print(f"[yellow]note[/]: {warning}")
    err.print(f"wrote {target}: {len(result.added)} names added, {len(result.skipped)} skipped")
