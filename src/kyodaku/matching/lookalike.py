"""The look-alike matcher: a katakana name with a letter swapped for one drawn alike ("スパイダーマソ"
for スパイダーマン, "ミツキーマウス" for ミッキーマウス); see text/lookalikes.py for the test.

Where the alias matcher found one of the entry's names exactly, whatever it decided, a look-alike
reading adds nothing (`judged_names`, as for the homophone and by-ear matchers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from kyodaku.domain.findings import Finding
from kyodaku.matching.base import ContentKind, MatchResult, Stage, register_matcher
from kyodaku.matching.prepare import PreparedPrompt
from kyodaku.matching.text import read_otherwise
from kyodaku.options import GuardOptions
from kyodaku.snapshot import Snapshot

LOOKALIKE_SCORE = 0.9  # as strong as a one-edit misspelling: the name as it looks, a letter off


@register_matcher
class LookalikeMatcher:
    """Katakana names disguised by look-alike letters. Lexical: on whenever the fuzzy matcher is."""

    name: ClassVar[str] = "lookalike"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        pass

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.fuzzy

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        index = snapshot.match.lookalikes
        if index is None:
            return MatchResult()
        return read_otherwise(
            index.find(content.text), content, snapshot, earlier, LOOKALIKE_SCORE, self.name
        )
