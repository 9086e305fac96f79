"""The media matchers, in tiers from cheapest to costliest: PDQ on whole images (and their caption
windows, value hash and dihedral variants), local features for crops and covered copies, the
operator's learned encoder; and vPDQ-style frame matching for video.

A costlier tier skips references an earlier tier already found: one finding per reference is
enough evidence, and the keypoint check is what costs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from kyodaku.domain.findings import Finding
from kyodaku.matching.base import ContentKind, MatchResult, Stage, register_matcher
from kyodaku.matching.prepare import PreparedMedia
from kyodaku.media.evidence import (
    image_finding,
    learned_finding,
    local_finding,
    video_finding,
    video_local_finding,
)
from kyodaku.options import GuardOptions
from kyodaku.snapshot import Snapshot

IMAGE = frozenset({ContentKind.IMAGE})
VIDEO = frozenset({ContentKind.VIDEO})


def _findings(
    matches: Iterable[Any], make: Callable[..., Finding], content: PreparedMedia, snapshot: Snapshot
) -> MatchResult:
    """Findings of bank matches; a reference whose entry was removed is a note, not a finding."""
    out = MatchResult()
    threshold = snapshot.media.options.threshold
    for match in matches:
        entity = snapshot.entities.get(match.reference.entity)
        if entity is None:
            out.notes.append(f"reference {match.reference.id} belongs to a removed entry; ignored")
            continue
        out.findings.append(make(match, content.hashes, entity.kind.value, threshold))
    return out


def _found_references(earlier: Sequence[Finding]) -> set[str]:
    return {
        f.evidence.media["reference"]["id"]
        for f in earlier
        if f.evidence.media and "reference" in f.evidence.media
    }


class _MediaTier:
    """What the media matchers share: built with no state of their own, on by default, FIND stage."""

    kinds: ClassVar[frozenset[ContentKind]] = IMAGE
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        pass

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return True


@register_matcher
class PdqMatcher(_MediaTier):
    name: ClassVar[str] = "pdq"

    def match(self, content: PreparedMedia, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        return _findings(snapshot.media.match_image(content.hashes), image_finding, content, snapshot)


@register_matcher
class LocalFeatureMatcher(_MediaTier):
    name: ClassVar[str] = "local"

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.local_features

    def match(self, content: PreparedMedia, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        matches = snapshot.media.match_local(content.hashes, _found_references(earlier))
        return _findings(matches, local_finding, content, snapshot)


@register_matcher
class LearnedMatcher(_MediaTier):
    name: ClassVar[str] = "encoder"

    # On whatever the options say: a snapshot without a learned bank makes it a no-op.
    def match(self, content: PreparedMedia, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        matches = snapshot.media.match_learned(content.hashes, _found_references(earlier))
        return _findings(matches, learned_finding, content, snapshot)


@register_matcher
class VideoMatcher(_MediaTier):
    name: ClassVar[str] = "vpdq"
    kinds: ClassVar[frozenset[ContentKind]] = VIDEO

    def match(self, content: PreparedMedia, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        return _findings(snapshot.media.match_video(content.hashes), video_finding, content, snapshot)


@register_matcher
class VideoLocalMatcher(_MediaTier):
    """Local features on the sampled frames of a video, for image references vPDQ did not find (a
    zoom or pan over a still, a picture in picture), with temporal voting (bank.match_video_local)."""

    name: ClassVar[str] = "local-video"
    kinds: ClassVar[frozenset[ContentKind]] = VIDEO

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.local_features

    def match(self, content: PreparedMedia, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        matches = snapshot.media.match_video_local(content.hashes, _found_references(earlier))
        return _findings(matches, video_local_finding, content, snapshot)


def screen_media_hashes(bank: Any, hashes: Any, local_features: bool = True) -> set[str]:
    """The ids of the references the media tiers find in one hashed output, in the guard's order
    (PDQ, then local features for what PDQ did not find; vPDQ for video), without entries or policy:
    what benchmarks and calibration compare against the truth."""
    if hashes.media_type == "video":
        found = {m.reference.id for m in bank.match_video(hashes)}
        if local_features:
            found |= {m.reference.id for m in bank.match_video_local(hashes, found)}
        return found
    found = {m.reference.id for m in bank.match_image(hashes)}
    if local_features:
        found |= {m.reference.id for m in bank.match_local(hashes, found)}
    return found
