"""Judging samples: the caption, the media and the opt-out signals, each with its evidence.

Every check adds *reasons* (codes a trainer can count and filter on) and *evidence* (what was seen,
where, and why it means that) to a sample; a sample with any excluding reason is excluded. The
reason codes are the scan's public vocabulary (docs/scan.md):

    registry:<entity-id>   a registered entry without a `train` permission for this licensee,
                           region and time, found in the caption or the media
    optout:<signal>        a file says no: iptc (plus:DataMining), c2pa (training-mining
                           assertion), tdmrep (tdm-reservation), noai (X-Robots-Tag / robots meta)
    unreadable:<what>      something that could carry a refusal could not be read (an image that
                           does not decode, corrupt XMP, a C2PA manifest that fails validation, a
                           broken shard, a caption that cannot be screened)

Why the registry checks go through the guard rather than a scanner-specific index: the guard's
matchers (aliases in every language, misspellings, kana/romaji, descriptions, PDQ and local
features for media) are the same ones that screen generations, with the same policy, now asked
about the use `train`. A REVIEW answer excludes too: training needs *prior* permission, so
"a person should look" is not permission.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kyodaku.domain.errors import KyodakuError
from kyodaku.domain.findings import Decision, Verdict
from kyodaku.domain.model import Use
from kyodaku.media.hashing import Digested
from kyodaku.policy.engine import ScreenContext
from kyodaku.scan.model import Sample, SignalReading
from kyodaku.scan.options import ScanOptions

if TYPE_CHECKING:
    from kyodaku.screening import Guard

SCREENING_FAILED = "unreadable:screening"
"""A caption or file the guard could not screen (it failed closed): excluded, consent first."""


@dataclass
class SampleResult:
    """The judgement of one sample: kept or not, every reason, every piece of evidence. `warnings`
    are unreadable reasons that were only reported (`report_unreadable`). `owners` maps each entity
    in a `registry:` reason to its rightsholder, for the summary per rightsholder."""

    id: str
    location: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    owners: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def kept(self) -> bool:
        return not self.reasons

    def add(self, reason: str, evidence: dict[str, Any]) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
        self.evidence.append({"reason": reason, **evidence})

    def record(self) -> dict[str, Any]:
        """The sample's line in kept.jsonl or excluded.jsonl."""
        if self.kept:
            out: dict[str, Any] = {"id": self.id}
            if self.warnings:
                out["warnings"] = sorted(self.warnings)
                out["evidence"] = self.evidence
            return out
        return {
            "id": self.id,
            "reasons": sorted(self.reasons),
            "evidence": self.evidence,
            "location": self.location,
        }


class SampleChecker:
    """Runs the checks a scan asks for on batches of samples, with one guard (built once per worker)."""

    def __init__(self, guard: Guard, options: ScanOptions, at: datetime) -> None:
        self.guard = guard
        self.options = options
        self.context = ScreenContext(
            licensee=options.licensee,
            region=options.region.upper() if options.region else None,
            at=at,
            use=Use.TRAIN,
        )

    def check(self, samples: Sequence[Sample]) -> list[SampleResult]:
        results = [SampleResult(s.id, s.location.to_dict()) for s in samples]
        for sample, result in zip(samples, results, strict=True):
            for problem in sample.problems:
                self._unreadable(result, problem.reason, {"check": "read", **problem.to_dict()})
        if "caption" in self.options.checks:
            self._captions(samples, results)
        if "media" in self.options.checks:
            for sample, result in zip(samples, results, strict=True):
                self._media(sample, result)
        if "signals" in self.options.checks:
            from kyodaku.scan.signals import read_signals

            for sample, result in zip(samples, results, strict=True):
                for reading in read_signals(sample, self.options.signals):
                    self._signal(result, reading)
        return results

    # -- the checks -------------------------------------------------------------------------------
    def _captions(self, samples: Sequence[Sample], results: list[SampleResult]) -> None:
        todo = [(n, s) for n, s in enumerate(samples) if s.caption is not None and s.caption.strip()]
        if not todo:
            return
        outcomes = self.guard.screen_many([(s.id, s.caption or "") for _, s in todo], self.context)
        for (n, _), outcome in zip(todo, outcomes, strict=True):
            if isinstance(outcome, KyodakuError):
                # A caption the guard refuses (too long, not valid Unicode) cannot be cleared.
                what = {"check": "caption", "error": outcome.code, "message": outcome.message}
                self._unreadable(results[n], "unreadable:caption", what)
            else:
                self._decision(results[n], outcome, {"check": "caption"})

    def _media(self, sample: Sample, result: SampleResult) -> None:
        for member in sample.media:
            if member.data is None:
                continue  # the reader reported it missing
            where = {"check": "media", "member": member.name}
            kind = "video" if member.is_video else "image"
            try:
                # The bytes' SHA-256 was taken as they were read (for the manifest): not again.
                media = Digested(member.data, member.sha256 or "")
                decision = self.guard.screen_output(
                    media=[media], context=self.context, names=[member.name], item_id=sample.id, expect=kind
                )
            except KyodakuError as exc:
                # Undecodable, truncated, a decompression bomb: whatever it shows is unknown.
                self._unreadable(
                    result, f"unreadable:{kind}", {**where, "error": exc.code, "message": exc.message}
                )
                continue
            self._decision(result, decision, where)

    def _decision(self, result: SampleResult, decision: Decision, where: dict[str, Any]) -> None:
        if decision.failed_closed:
            note = decision.notes[0] if decision.notes else "the guard could not decide"
            self._unreadable(result, SCREENING_FAILED, {**where, "message": note})
            return
        for entity in decision.entities:
            if entity.verdict is Verdict.ALLOW:
                continue
            findings = [f.to_dict() for f in decision.findings if f.entity == entity.entity]
            result.add(
                f"registry:{entity.entity}",
                {
                    **where,
                    "entity": entity.entity,
                    "name": entity.name,
                    "work": entity.work,
                    "rightsholder": entity.rightsholder,
                    "verdict": entity.verdict.value,
                    "rule": entity.rule,
                    "why": entity.reason,
                    "registry_version": decision.registry_version,
                    "findings": findings,
                },
            )
            result.owners[entity.entity] = dict(entity.rightsholder)

    def _signal(self, result: SampleResult, reading: SignalReading) -> None:
        reason = reading.reason
        if reason is None:
            return
        evidence = {"check": "signals", **reading.to_dict()}
        if reason.startswith("unreadable:"):
            self._unreadable(result, reason, evidence)
        else:
            result.add(reason, evidence)

    def _unreadable(self, result: SampleResult, reason: str, evidence: dict[str, Any]) -> None:
        if self.options.report_unreadable:
            if reason not in result.warnings:
                result.warnings.append(reason)
            result.evidence.append({"reason": reason, **evidence})
        else:
            result.add(reason, evidence)
