"""What `kyodaku catalog enrich` prints: a table of proposals per entry and source, then one line
per source and the matches it reported instead of proposing."""

from __future__ import annotations

import re

from rich.table import Table

from kyodaku.enrich.match import EnrichResult

MAX_REPORTED = 20


def summary_table(result: EnrichResult) -> Table:
    """One row per entry with proposals: how many each source proposed, how many are ambiguous."""
    sources = [s.data.source for s in result.sources]
    table = Table(title="Proposed names per entry", title_justify="left")
    table.add_column("entry")
    table.add_column("owner")
    for source in sources:
        table.add_column(source, justify="right")
    table.add_column("ambiguous", justify="right")
    table.add_column("examples")
    for entity in result.entries:
        mine = [p for p in result.proposals if p.entry == entity.id]
        if not mine:
            continue
        per_source = [sum(p.source == s for p in mine) for s in sources]
        examples = ", ".join(f"{p.name} ({p.lang})" for p in mine[:2]) + (" ..." if len(mine) > 2 else "")
        table.add_row(
            entity.id,
            entity.owner,
            *(str(n) for n in per_source),
            str(sum(p.ambiguous for p in mine)),
            examples,
        )
    return table


def summary_lines(result: EnrichResult) -> list[str]:
    """Per source: rows read and skipped, entries matched, proposals; then the reported matches."""
    lines = []
    for s in result.sources:
        d = s.data
        lines.append(
            f"{d.source} ({d.file}{', ' + _short(d.licence.licence) if d.licence.licence else ''}): "
            f"{d.rows:,} rows, {d.skipped:,} bad rows skipped, {len(d.records):,} records; "
            f"{s.matched_entries} entries matched, {s.proposals} names proposed "
            f"({s.ambiguous_proposals} ambiguous), {s.already_registered} already registered, "
            f"{s.homonyms_skipped} homonyms of other works skipped, {s.reported} matches reported"
        )
        lines.extend(f"  bad row: {problem}" for problem in d.problems[:5])
    if result.reports:
        lines.append(f"reported, not proposed ({len(result.reports)}):")
        lines.extend(f"  {r.source}: {r.problem}: {r.message}" for r in result.reports[:MAX_REPORTED])
        if len(result.reports) > MAX_REPORTED:
            lines.append(
                f"  ... and {len(result.reports) - MAX_REPORTED} more (all are in the proposals file)"
            )
    return lines


def _short(licence: str) -> str:
    """The licence's name without its notes: `MIT (LICENSE "...")` -> `MIT`."""
    return re.split(r"\s*[(;]", licence, maxsplit=1)[0] or licence
