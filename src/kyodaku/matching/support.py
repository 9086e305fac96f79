"""What supports reading an ambiguous name as the registered entry, and what overlapping findings
add nothing.

Support comes from three places: words registered as context of the entry's group (its own
context words, its work's, the distinctive names of its siblings: "Luigi" supports "Mario"); a
disguised spelling (nobody writes the ordinary word "cloud" as "C1oud"); and the prompt's
agreement with the entry's description (the semantic matcher found it, or the prompt reaches
the description's own calibrated threshold).
"""

from __future__ import annotations

from kyodaku.domain.findings import Finding
from kyodaku.snapshot import Snapshot, support_groups
from kyodaku.text.alias import AliasHit
from kyodaku.text.semantic import EncodedQuery
from kyodaku.text.surface import disguised


def support_for(
    snapshot: Snapshot,
    hit: AliasHit,
    context_hits: list[AliasHit],
    described: set[str],
    query: EncodedQuery | None,
    margin: float,
) -> list[str]:
    """Why an ambiguous name may be read as the registered entry (empty: it may not)."""
    entity = snapshot.entities.get(hit.variant.entity)
    groups = support_groups(entity) if entity else {hit.variant.entity}
    support = [
        f"context: {c.text}"
        for c in context_hits
        if c.variant.entity in groups and (c.span[1] <= hit.span[0] or c.span[0] >= hit.span[1])
    ]
    if disguised(hit.text, hit.variant.name):
        support.append(f'disguised spelling "{hit.text}": ordinary words are not disguised')
    if groups & described:
        support.append("semantic: the prompt describes this entry")
    elif query is not None and snapshot.match.semantic is not None:
        best = snapshot.match.semantic.best_margin(query, groups)
        if best is not None and best >= -margin:
            support.append(f"semantic: the prompt agrees with the description (margin {best:+.3f})")
    return support


def drop_nested(findings: list[Finding]) -> list[Finding]:
    """A name inside a longer name of the same entry ("Ghibli" in "in the style of Studio Ghibli")
    adds no evidence: keep the longest lexical span per entry and region."""
    lexical = [f for f in findings if f.matcher != "semantic" and f.evidence.span]

    def inside(f: Finding) -> bool:
        a, b = f.evidence.span  # type: ignore[misc]
        return any(
            g is not f
            and g.entity == f.entity
            and g.evidence.span[0] <= a  # type: ignore[index]
            and b <= g.evidence.span[1]  # type: ignore[index]
            and (g.evidence.span != f.evidence.span or g.score > f.score)
            for g in lexical
        )

    return [f for f in findings if f not in lexical or not inside(f)]
