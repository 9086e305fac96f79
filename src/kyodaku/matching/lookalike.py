"""The look-alike matcher: a katakana name with a letter swapped for one drawn alike ("スパイダーマソ"
for スパイダーマン, "ミツキーマウス" for ミッキーマウス); see text/lookalikes.py for the test.

Where the alias matcher found one of the entry's names exactly, whatever it decided, a look-alike
reading adds nothing (`unjudged`, as for the homophone and by-ear matchers)."""

from __future__ import annotations

from typing import ClassVar

from kyodaku.matching.base import register_matcher
from kyodaku.matching.text import OtherReadingMatcher

LOOKALIKE_SCORE = 0.9  # as strong as a one-edit misspelling: the name as it looks, a letter off


@register_matcher
class LookalikeMatcher(OtherReadingMatcher):
    """Katakana names disguised by look-alike letters. Lexical: on whenever the fuzzy matcher is."""

    name: ClassVar[str] = "lookalike"
    index: ClassVar[str] = "lookalikes"
    score: ClassVar[float] = LOOKALIKE_SCORE
