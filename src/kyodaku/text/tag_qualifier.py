"""A name written the way tag sites write an ambiguous one: with its series in brackets.

Danbooru, and the Stable Diffusion prompts copied from its tags, disambiguate a name that several
things share by a bracketed qualifier right after it: `elsa_(frozen)`, `mario_(series)`,
`eevee_(pokemon)`, and users write `link (zelda)` the same way. The bracket says which Elsa is
meant, so it supports reading the name as the registered entry (matching/support.py) when it names
the entry's own work: the work's name or a distinctive word of it ("zelda" of The Legend of Zelda;
not "legend"), or is one of the site's generic qualifiers for a series or a character. A bracket
that names something else ("bow_(weapon)", "elsa_(pokemon)") supports nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from kyodaku.text.ambiguity import is_common_word
from kyodaku.text.semantic import tag_key

GENERIC_QUALIFIERS = frozenset({"series", "character"})
MIN_QUALIFIER_WORD = 4  # letters of a word of the work's name that may stand for it ("zelda")
# Right after the name: an optional underscore or space, then "(qualifier)" of 2-60 characters.
_QUALIFIER = re.compile(r"[ _]?\(\s*([^()\n]{2,60}?)\s*\)")


def qualifier_key(text: str) -> str:
    """The text as a tag (`tag_key`: case-folded, underscores as spaces, single-spaced), without
    diacritics: "Pokémon" -> "pokemon"."""
    decomposed = unicodedata.normalize("NFKD", tag_key(text))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def qualifier_after(text: str, end: int) -> tuple[str, str] | None:
    """The bracket right after text[:end], as written and as a key; None when there is none."""
    m = _QUALIFIER.match(text, end)
    if m is None:
        return None
    key = qualifier_key(m.group(1))
    return (m.group(0).strip(" _"), key) if key else None


def names_the_work(key: str, work_names: Iterable[str]) -> bool:
    """Whether a qualifier key names the work: one of its names, or a word of one that has
    MIN_QUALIFIER_WORD letters and is no common word."""
    for name in work_names:
        name_key = qualifier_key(name)
        if key == name_key:
            return True
        words = name_key.split()
        if len(words) > 1 and key in words and len(key) >= MIN_QUALIFIER_WORD and not is_common_word(key):
            return True
    return False
