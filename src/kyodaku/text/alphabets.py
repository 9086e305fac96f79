"""Readings of Greek, Hebrew and Arabic words in Latin letters, for names written there by ear.

People who write Greek, Hebrew or Arabic spell an English name as it sounds, in their own
letters: Μπάτμαν, באטמן and باتمان are "Batman", Σούπερμαν, סופרמן and سوبرمان are "Superman".
What such a spelling keeps is the name's consonant frame (text/by_ear.py), so a word is read
here letter by letter into Latin letters whose consonants that module compares:

* Greek writes b, d and g as the digraphs μπ, ντ and γκ (a plain β is v, δ is th, γ a fricative),
  ts as τσ, and u as ου; the other letters are read one by one, θ as t (English th is heard as t
  or s, and the frames of text/by_ear.py read it as t: Νταρθ is "Darth").
* Hebrew and Arabic are abjads: short vowels go unwritten and the long ones are written with
  consonant letters (Hebrew א ו י, Arabic ا و ي), which are read as vowels here, since a frame
  leaves vowels out anyway. A letter that stands for two of English's consonants gives two
  readings: Hebrew פ is p or f, ב is b or v (one class in a frame); Arabic, which has no p, writes
  it with ب, and g with ج, غ or ق.

Only the frame matters, so the readings need not be a transliteration standard's, and the letters
that no English consonant is heard as (ע, ع, ء) are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

MAX_READINGS = 16

_GREEK_DIGRAPHS = (
    ("μπ", "b"), ("ντ", "d"), ("γκ", "g"), ("γγ", "ng"), ("τσ", "ts"), ("τζ", "dz"), ("ου", "u"),
    ("αι", "e"), ("ει", "i"), ("οι", "i"), ("αυ", "av"), ("ευ", "ev"),
)  # fmt: skip
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "t", "ι": "i", "κ": "k",
    "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
    "υ": "i", "φ": "f", "χ": "h", "ψ": "ps", "ω": "o",
}  # fmt: skip
_HEBREW: dict[str, tuple[str, ...]] = {
    "א": ("a",), "ב": ("b",), "ג": ("g",), "ד": ("d",), "ה": ("h",), "ו": ("o",), "ז": ("z",),
    "ח": ("h",), "ט": ("t",), "י": ("i",), "כ": ("k",), "ך": ("k",), "ל": ("l",), "מ": ("m",),
    "ם": ("m",), "נ": ("n",), "ן": ("n",), "ס": ("s",), "ע": ("",), "פ": ("p", "f"), "ף": ("f",),
    "צ": ("ts",), "ץ": ("ts",), "ק": ("k",), "ר": ("r",), "ש": ("sh", "s"), "ת": ("t",),
}  # fmt: skip
_ARABIC: dict[str, tuple[str, ...]] = {
    "ا": ("a",), "أ": ("a",), "إ": ("i",), "آ": ("a",), "ب": ("b", "p"), "ت": ("t",), "ث": ("t", "s"),
    "ج": ("j", "g"), "ح": ("h",), "خ": ("kh",), "د": ("d",), "ذ": ("d", "z"), "ر": ("r",), "ز": ("z",),
    "س": ("s",), "ش": ("sh",), "ص": ("s",), "ض": ("d",), "ط": ("t",), "ظ": ("z",), "ع": ("",),
    "غ": ("g",), "ف": ("f", "v"), "ق": ("k", "g"), "ك": ("k",), "ل": ("l",), "م": ("m",), "ن": ("n",),
    "ه": ("h",), "ة": ("a",), "و": ("u",), "ي": ("i",), "ى": ("a",), "ء": ("",), "ؤ": ("",), "ئ": ("",),
    "پ": ("p",), "ڤ": ("v",), "گ": ("g",), "چ": ("ch",),
}  # fmt: skip

GREEK_LETTER = "\u0370-\u03ff"
HEBREW_LETTER = "\u05d0-\u05ea"
ARABIC_LETTER = "\u0620-\u064a\u067e\u0686\u06a4\u06af"
_MARKS = re.compile("[\u0591-\u05c7\u064b-\u065f\u0670]")  # Hebrew points, Arabic harakat


def script_of(word: str) -> str:
    """ "el", "he" or "ar" for a word in one of these alphabets; "" otherwise."""
    first = word[:1]
    if re.match(f"[{GREEK_LETTER}]", first):
        return "el"
    if re.match(f"[{HEBREW_LETTER}]", first):
        return "he"
    if re.match(f"[{ARABIC_LETTER}]", first):
        return "ar"
    return ""


@lru_cache(maxsize=50_000)
def readings(word: str) -> tuple[str, ...]:
    """The word's readings in Latin letters (at most MAX_READINGS; one for Greek)."""
    script = script_of(word)
    if script == "el":
        return (_greek(word),)
    table = _HEBREW if script == "he" else _ARABIC if script == "ar" else None
    if table is None:
        return ()
    letters = [table.get(c, ("",)) for c in _MARKS.sub("", word)]
    out: list[str] = []
    for combo in product(*letters):
        out.append("".join(combo))
        if len(out) >= MAX_READINGS:
            break
    return tuple(dict.fromkeys(out))


def _greek(word: str) -> str:
    import unicodedata

    s = "".join(c for c in unicodedata.normalize("NFD", word.casefold()) if not unicodedata.combining(c))
    out: list[str] = []
    i = 0
    while i < len(s):
        for digraph, latin in _GREEK_DIGRAPHS:
            if s.startswith(digraph, i):
                out.append(latin)
                i += 2
                break
        else:
            out.append(_GREEK.get(s[i], ""))
            i += 1
    return "".join(out)
