"""Findings to per-entry verdicts: the policy's half of a decision.

One verdict per entry found (its best finding decides the score), each from the permission engine
for this use, licensee, region, time and the prompt's themes. A BLOCK resting only on weak
evidence (below `review_below`) becomes REVIEW: a person looks before anyone is refused on a
guess. The decision's verdict is the most severe of them; nothing found is ALLOW.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from kyodaku.domain.findings import EntityDecision, Finding, ThemeHit, Verdict
from kyodaku.domain.model import Entity, Rightsholder
from kyodaku.policy.engine import PolicyEngine, ScreenContext


class RegistryView(Protocol):
    """What the policy reads of a compiled snapshot."""

    @property
    def entities(self) -> Mapping[str, Entity]: ...

    @property
    def rightsholders(self) -> Mapping[str, Rightsholder]: ...

    @property
    def policy(self) -> PolicyEngine: ...


def entity_decisions(
    view: RegistryView,
    findings: Sequence[Finding],
    context: ScreenContext,
    themes: Sequence[ThemeHit],
    at: datetime,
    review_below: float,
) -> list[EntityDecision]:
    """One decision per entry found, strongest evidence first."""
    best: dict[str, Finding] = {}
    for f in findings:
        if f.entity not in best or f.score > best[f.entity].score:
            best[f.entity] = f
    out: list[EntityDecision] = []
    for entity_id, finding in sorted(best.items(), key=lambda kv: -kv[1].score):
        entity = view.entities[entity_id]
        outcome = view.policy.decide(entity, context, at, list(themes))
        verdict = outcome.verdict
        if verdict is Verdict.BLOCK and finding.score < review_below:
            verdict = Verdict.REVIEW
        rh = view.rightsholders.get(entity.owner)
        work = view.entities.get(entity.work) if entity.work else None
        out.append(
            EntityDecision(
                entity=entity.id,
                kind=entity.kind.value,
                name=entity.display_name(),
                work=entity.work,
                work_name=work.display_name() if work is not None else None,
                rightsholder={
                    "id": entity.owner,
                    "name": rh.display_name() if rh else entity.owner,
                    "country": rh.country if rh else "",
                },
                use=(context.use or entity.default_use).value,
                verdict=verdict,
                rule=outcome.rule,
                reason=outcome.reason,
                score=finding.score,
            )
        )
    return out


def overall(decisions: Sequence[EntityDecision]) -> Verdict:
    """The most severe verdict; ALLOW when nothing was found."""
    return max((d.verdict for d in decisions), key=lambda v: v.severity, default=Verdict.ALLOW)
