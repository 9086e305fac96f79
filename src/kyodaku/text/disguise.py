"""Is a name written in disguise? Letters set apart, digits or symbols for letters, letters of
another alphabet, invisible characters.

Why this is evidence: an ambiguous name ("Sonic", "Link", "Elsa") needs something in the prompt to
say it means the character, because the same word is an adjective, a noun or a given name. But
nobody spells the adjective "sonic" as "S_o_n_i_c", the noun "link" as "L1nk" or writes "Еlsa" with
a Cyrillic Е: a disguised spelling exists only to get a name past a filter, and so it is the
support the name needed. The skeleton (text/normalize.py) has already read the disguise away to
find the name; this module looks back at what the prompt actually wrote there.

What is not a disguise: a name registered with digits or punctuation ("R2-D2", "Kal-El"), a name
hyphenated where its own words meet, one letter in upper case.
"""

from __future__ import annotations

import unicodedata

from kyodaku.text.normalize import LEET, Gap, Script, Skeleton

MIN_SPACED_LETTERS = 4
"""Letters written apart count from four on: "C-A-T" spells a word out loud as often as it hides
one, "S-O-N-I-C" only hides one."""


def disguise(sk: Skeleton, i: int, j: int, registered: str) -> str:
    """How key characters [i, j) of `sk` are disguised as written, or "" when they are not.
    `registered` is the name they matched: what it writes itself is no disguise."""
    if j <= i:
        return ""
    start, end = sk.span(i, j)
    written = sk.text[start:end]
    if any(unicodedata.category(ch) == "Cf" for ch in written):
        return "invisible characters inside the name"
    latin = all(sk.script[k] == Script.LATIN for k in range(i, j))
    if not latin:
        return ""
    if j - i >= MIN_SPACED_LETTERS and all(sk.gap[k] != Gap.NONE for k in range(i + 1, j)):
        return "letters written apart"
    own = set(registered.casefold())
    for ch in written:
        if ch.isdigit() or ch in LEET:
            if ch not in own:
                return f'"{ch}" written for a letter'
        elif ch.isalpha() and not _latin(ch):
            return f'"{ch}" from another alphabet written for a Latin letter'
    return ""


def _latin(ch: str) -> bool:
    try:
        return unicodedata.name(ch).startswith("LATIN")
    except ValueError:
        return False
