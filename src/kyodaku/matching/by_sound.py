"""The by-sound matcher: a Latin name spelled as it sounds ("Peekachoo", "Klowd Stryfe"); see
text/by_sound.py for the test.

Where the alias matcher found one of the entry's names exactly, whatever it decided, a reading by
sound adds nothing (`unjudged`, as for the by-ear, homophone and look-alike matchers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from kyodaku.domain.findings import Finding
from kyodaku.matching.base import ContentKind, MatchResult, Stage, register_matcher
from kyodaku.matching.prepare import PreparedPrompt
from kyodaku.matching.text import read_otherwise
from kyodaku.options import GuardOptions
from kyodaku.snapshot import Snapshot

BY_SOUND_SCORE = 0.85  # as the by-ear matcher's: the name as heard, written in another spelling


@register_matcher
class BySoundMatcher:
    """Latin names spelled by their sound. Lexical: on whenever the fuzzy matcher is."""

    name: ClassVar[str] = "by-sound"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        pass

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.fuzzy

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        index = snapshot.match.by_sound
        if index is None:
            return MatchResult()
        return read_otherwise(index.find(content.text), content, snapshot, earlier, BY_SOUND_SCORE, self.name)
