"""Matchers: prepared content in, findings with evidence out (see `base` for the interface).

Importing this package registers the built-in matchers, in running order: the text matchers
(semantic, alias, fuzzy, themes; then names written by ear, Chinese homophones and translated
names) and the media
tiers (pdq, local, encoder; vpdq for video).
"""

from kyodaku.matching import media, text

# isort: split
# After the text matchers: these skip what the alias and fuzzy matchers already found.
from kyodaku.matching import by_ear, homophone, translated
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
    "homophone",
    "media",
    "register_matcher",
    "registered_matchers",
    "text",
    "translated",
    "unregister_matcher",
]
