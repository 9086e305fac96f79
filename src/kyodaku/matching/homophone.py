"""The homophone matcher: a Chinese name with one character swapped for another that reads the
same ("皮卡秋" for 皮卡丘); see text/homophones.py for the test."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from kyodaku.domain.findings import Finding
from kyodaku.matching.base import ContentKind, MatchResult, Stage, findings_beside, register_matcher
from kyodaku.matching.prepare import PreparedPrompt
from kyodaku.options import GuardOptions
from kyodaku.snapshot import Snapshot

HOMOPHONE_SCORE = 0.9  # as strong as a one-edit misspelling: the name's sound, one character off


@register_matcher
class HomophoneMatcher:
    """Han names misspelled by a homophone. Lexical: on whenever the fuzzy matcher is."""

    name: ClassVar[str] = "homophone"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        pass

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.fuzzy

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        out = MatchResult()
        index = snapshot.match.homophones
        if index is None:
            return out
        out.findings.extend(findings_beside(index.find(content.text), earlier, HOMOPHONE_SCORE, self.name))
        return out
