"""What matchers report and what the policy decides.

Findings, not booleans: each matcher says which registered entry it saw, how
sure it is, and the evidence (the span of text, the registered variant that
matched and its language), so every decision can be explained and audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return {"allow": 0, "review": 1, "block": 2}[self.value]


@dataclass(frozen=True)
class Evidence:
    """Where and why a matcher fired. `span` is [start, end) in the original text; media findings
    name the input, the reference file and frame, the distance and the time ranges in `media`."""

    span: tuple[int, int] | None = None
    text: str | None = None
    variant: str | None = None
    lang: str | None = None
    note: str | None = None
    media: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.span is not None:
            out["span"] = list(self.span)
        for key in ("text", "variant", "lang", "note", "media"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class ScoreStep:
    """One adjustment of a finding's score, and why (Presidio's explanation does the same): a
    reviewer reading 0.81 can see it was an edit-distance-1 match discounted from 0.9."""

    reason: str
    before: float
    after: float

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "before": round(self.before, 4), "after": round(self.after, 4)}


@dataclass(frozen=True)
class Finding:
    entity: str
    kind: str
    score: float
    matcher: str
    evidence: Evidence
    support: tuple[str, ...] = ()
    raw_score: float | None = field(default=None, compare=False)
    """The matcher's own score before any adjustment (None: the same as `score`)."""
    steps: tuple[ScoreStep, ...] = field(default=(), compare=False)
    """How `raw_score` became `score`, in order."""

    def adjusted(self, reason: str, score: float, **changes: Any) -> Finding:
        """This finding with its score changed for `reason`, the step recorded."""
        raw = self.score if self.raw_score is None else self.raw_score
        step = ScoreStep(reason, self.score, score)
        return replace(self, score=score, raw_score=raw, steps=(*self.steps, step), **changes)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "entity": self.entity,
            "kind": self.kind,
            "score": round(self.score, 4),
            "matcher": self.matcher,
            "evidence": self.evidence.to_dict(),
        }
        if self.support:
            out["support"] = list(self.support)
        if self.steps:
            out["explanation"] = {
                "raw_score": round(self.raw_score if self.raw_score is not None else self.score, 4),
                "steps": [s.to_dict() for s in self.steps],
            }
        return out


@dataclass(frozen=True)
class ThemeHit:
    theme: str
    score: float
    evidence: str
    matcher: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "score": round(self.score, 4),
            "evidence": self.evidence,
            "matcher": self.matcher,
        }


@dataclass(frozen=True)
class EntityDecision:
    """The policy's answer for one registered entry found in the content."""

    entity: str
    kind: str
    name: str
    work: str | None
    work_name: str | None
    rightsholder: dict[str, str]
    use: str
    verdict: Verdict
    rule: str
    reason: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "kind": self.kind,
            "name": self.name,
            "work": self.work,
            "work_name": self.work_name,
            "rightsholder": self.rightsholder,
            "use": self.use,
            "verdict": self.verdict.value,
            "rule": self.rule,
            "reason": self.reason,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    findings: tuple[Finding, ...]
    entities: tuple[EntityDecision, ...]
    themes: tuple[ThemeHit, ...]
    registry_version: int
    snapshot: str
    message: dict[str, str]
    context: dict[str, Any]
    failed_closed: bool = False
    notes: tuple[str, ...] = ()
    elapsed_ms: float = 0.0
    id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False)
    """Milliseconds per pipeline step (prepare, each matcher, policy): where a slow decision went."""
    media_hashes: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    """The screened outputs' `MediaHashes` (SHA-256, PDQ per frame), not serialized: what the
    generation ledger records so that a copy found later leads back to this decision."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out.update(
            {
                "verdict": self.verdict.value,
                "findings": [f.to_dict() for f in self.findings],
                "entities": [e.to_dict() for e in self.entities],
                "themes": [t.to_dict() for t in self.themes],
                "registry_version": self.registry_version,
                "snapshot": self.snapshot,
                "message": self.message,
                "context": self.context,
                "failed_closed": self.failed_closed,
                "notes": list(self.notes),
                "elapsed_ms": round(self.elapsed_ms, 3),
            }
        )
        if self.timings_ms:
            out["timings_ms"] = {k: round(v, 3) for k, v in self.timings_ms.items()}
        out.update(self.extra)
        return out
