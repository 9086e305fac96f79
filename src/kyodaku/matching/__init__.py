"""Matchers: prepared content in, findings with evidence out (see `base` for the interface).

Importing this package registers the built-in matchers, in running order: the text matchers
(semantic, alias, fuzzy, themes; then names written by ear or by sound, Chinese homophones,
katakana look-alikes and translated names; then the style of a work named beside a style cue) and the media
tiers (pdq, local, encoder; vpdq for video).
"""

from kyodaku.matching import media, text

# isort: split
# After the text matchers: these skip what the alias and fuzzy matchers already found.
from kyodaku.matching import by_ear, by_sound, homophone, lookalike, translated

# isort: split
# After every name matcher: the owner's style for a work or character named beside a style cue.
from kyodaku.matching import style_of_work
from kyodaku.matching.base import (
    ContentKind,
    Matcher,
    MatchResult,
    Stage,
    build_matchers,
    register_matcher,
    registered_matchers,
    unregister_matcher,
)

__all__ = [
    "ContentKind",
    "MatchResult",
    "Matcher",
    "Stage",
    "build_matchers",
    "by_ear",
    "by_sound",
    "homophone",
    "lookalike",
    "media",
    "register_matcher",
    "registered_matchers",
    "style_of_work",
    "text",
    "translated",
    "unregister_matcher",
]
