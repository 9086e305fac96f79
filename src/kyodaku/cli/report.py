"""`kyodaku report transparency|parity`: the transparency and parity reports (JSON or HTML).

`transparency` reads the generation ledger (`--db`). `parity` screens the labelled prompt set (the
shipped one, built from the demo catalog, unless `--set` names another) with a guard compiled from
`--catalog` (default: examples/demo-catalog.yaml when it exists here, else the registry at `--db`),
or with `--from-ledger` groups the ledger's real decisions by country instead.

A flagged parity gap is printed on stderr in capitals but does not change the exit code (a report
that ran is a success); `--fail-on-gap` makes it exit 1, for CI jobs that must stop on a gap.
Output goes to stdout, or with `--out` to a file written atomically (never half a report).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kyodaku.cli.common import DbOpt, database_url, err
from kyodaku.domain.errors import InvalidInput

report_app = typer.Typer(
    no_args_is_help=True, help="Transparency and parity reports (JSON or HTML with charts)."
)

DEMO_CATALOG = Path("examples/demo-catalog.yaml")
GAP_EXIT = 1
"""Exit code of `report parity --fail-on-gap` when the gap is flagged."""


class Format(StrEnum):
    json = "json"
    html = "html"


class Lang(StrEnum):
    en = "en"
    ja = "ja"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="json or html.")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write the report here (atomically); default stdout.")
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the HTML labels: en or ja.")]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Only decisions from this ISO date/time on (UTC).")
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", help="Only decisions before this ISO date/time (a bare date: to its end)."),
]


def _emit(text: str, out_path: Path | None) -> None:
    if out_path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    from kyodaku.atomic import write_atomic

    write_atomic(out_path, text.encode("utf-8"))
    err.print(f"wrote {out_path}", markup=False)


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)


def _window(since: str | None, until: str | None):
    from kyodaku.reports.common import parse_when

    start, end = parse_when(since), parse_when(until, end=True)
    if start and end and start >= end:
        raise InvalidInput("--since must be before --until")
    return start, end


@report_app.command("transparency")
def transparency(
    db: DbOpt = None,
    fmt: FormatOpt = Format.json,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.en,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Decisions and blocks from the ledger, by rightsholder, country, kind, matcher, script and day."""
    from kyodaku.provenance.ledger import Ledger
    from kyodaku.reports.render import render_transparency_html
    from kyodaku.reports.transparency import transparency_report

    start, end = _window(since, until)
    ledger = Ledger(database_url(db))
    try:
        report = transparency_report(ledger.entries(), since=start, until=end)
    finally:
        ledger.close()
    t = report.totals
    err.print(
        f"{t['decisions']:,} decisions: {t['blocked']:,} blocked, {t['reviewed']:,} review, "
        f"{t['allowed']:,} allowed ({report.elapsed_s:.1f} s)",
        markup=False,
    )
    text = render_transparency_html(report, lang.value) if fmt is Format.html else _json(report.to_dict())
    _emit(text, out_path)


def _guard(catalog: Path | None, db: str | None, semantic: bool | None):
    from kyodaku.screening import Guard, guard_options

    options = guard_options(semantic)
    if catalog is None and DEMO_CATALOG.is_file():
        catalog = DEMO_CATALOG
    if catalog is not None:
        if not catalog.is_file():
            raise InvalidInput(f"{catalog}: no such catalog file", file=str(catalog))
        err.print(f"screening the set against {catalog}", markup=False)
        return Guard.from_file(str(catalog), options)
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(database_url(db))
    store.migrate()
    err.print("screening the set against the registry", markup=False)
    return Guard.from_store(store, options)


@report_app.command("parity")
def parity(
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            "-c",
            help="Catalog to screen against (default: examples/demo-catalog.yaml, else --db).",
        ),
    ] = None,
    prompt_set: Annotated[
        Path | None, typer.Option("--set", help="Labelled prompt set (default: the shipped one).")
    ] = None,
    from_ledger: Annotated[
        bool, typer.Option("--from-ledger", help="Group the ledger's real decisions by country instead.")
    ] = False,
    db: DbOpt = None,
    licensee: Annotated[str | None, typer.Option(help="Screen the set as this licensee.")] = None,
    region: Annotated[str | None, typer.Option(help="Screen the set as from this region.")] = None,
    threshold: Annotated[
        float, typer.Option(help="Flag a gap larger than this (a difference of rates: 0.05 = 5 points).")
    ] = 0.05,
    countries: Annotated[str, typer.Option(help="The two countries compared, comma-separated.")] = "JP,US",
    semantic: Annotated[
        bool | None, typer.Option("--semantic/--no-semantic", help="Use the multilingual embedding model.")
    ] = None,
    fmt: FormatOpt = Format.json,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.en,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fail_on_gap: Annotated[
        bool, typer.Option("--fail-on-gap", help=f"Exit {GAP_EXIT} when the gap is flagged.")
    ] = False,
) -> None:
    """Block rates of equivalent requests per country, with 95% intervals, and the gap between two."""
    from kyodaku.reports.parity import parity_from_ledger, parity_report
    from kyodaku.reports.render import render_parity_html

    pair = tuple(c.strip().upper() for c in countries.split(",") if c.strip())
    if len(pair) != 2:
        raise InvalidInput(f"--countries needs two country codes, not {countries!r}")
    if not 0.0 <= threshold < 1.0:  # checked before compiling a guard, not after
        raise InvalidInput(f"--threshold is a difference of rates, between 0 and 1, not {threshold}")
    if from_ledger:
        if prompt_set is not None or catalog is not None:
            raise InvalidInput("--from-ledger reads the ledger: it takes no --set or --catalog")
        from kyodaku.provenance.ledger import Ledger

        start, end = _window(since, until)
        ledger = Ledger(database_url(db))
        try:
            report = parity_from_ledger(ledger.entries(), threshold, since=start, until=end, pair=pair)
        finally:
            ledger.close()
    else:
        if since or until:
            raise InvalidInput("--since/--until apply to --from-ledger only")
        from kyodaku.reports.labelled import load_parity_set

        items = load_parity_set(prompt_set)
        guard = _guard(catalog, db, semantic)
        report = parity_report(guard, items, licensee, threshold, region=region, pair=pair)
    for note in report.notes:
        err.print(f"note: {note}", markup=False)
    if report.flagged:
        err.print("[bold red]PARITY GAP FLAGGED[/]: ", end="")
        err.print(report.summary(), markup=False)
    else:
        err.print(report.summary(), markup=False)
    text = render_parity_html(report, lang.value) if fmt is Format.html else _json(report.to_dict())
    _emit(text, out_path)
    if fail_on_gap and report.flagged:
        raise typer.Exit(GAP_EXIT)
