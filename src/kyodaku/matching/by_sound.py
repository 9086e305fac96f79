"""The by-sound matcher: a Latin name spelled as it sounds ("Peekachoo", "Klowd Stryfe"); see
text/by_sound.py for the test.

Where the alias matcher found one of the entry's names exactly, whatever it decided, a reading by
sound adds nothing (`unjudged`, as for the by-ear, homophone and look-alike matchers)."""

from __future__ import annotations

from typing import ClassVar

from kyodaku.matching.base import register_matcher
from kyodaku.matching.text import OtherReadingMatcher

BY_SOUND_SCORE = 0.85  # as the by-ear matcher's: the name as heard, written in another spelling


@register_matcher
class BySoundMatcher(OtherReadingMatcher):
    """Latin names spelled by their sound. Lexical: on whenever the fuzzy matcher is."""

    name: ClassVar[str] = "by-sound"
    index: ClassVar[str] = "by_sound"
    score: ClassVar[float] = BY_SOUND_SCORE
