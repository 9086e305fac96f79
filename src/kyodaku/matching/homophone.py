"""The homophone matcher: a Chinese name with one character swapped for another that reads the
same ("皮卡秋" for 皮卡丘); see text/homophones.py for the test.

Where the alias matcher found one of the entry's names exactly, whatever it decided, a homophone
reading adds nothing (`judged_names`, as for the fuzzy and by-ear matchers): 蝙蝠侠 is the registered
name itself and reads like its traditional spelling 蝙蝠俠, so the homophone would undo a reading
the alias matcher chose on purpose (蝙蝠侠机场, the airport of Batman, the city in Turkey)."""

from __future__ import annotations

from typing import ClassVar

from kyodaku.matching.base import register_matcher
from kyodaku.matching.text import OtherReadingMatcher

HOMOPHONE_SCORE = 0.9  # as strong as a one-edit misspelling: the name's sound, one character off


@register_matcher
class HomophoneMatcher(OtherReadingMatcher):
    """Han names misspelled by a homophone. Lexical: on whenever the fuzzy matcher is."""

    name: ClassVar[str] = "homophone"
    index: ClassVar[str] = "homophones"
    score: ClassVar[float] = HOMOPHONE_SCORE
