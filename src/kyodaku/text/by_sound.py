"""Latin names spelled as they sound: "Peekachoo" (Pikachu), "Klowd Stryfe" (Cloud Strife), "Helo
Kittee" (Hello Kitty).

Why a reading of its own: the fuzzy matcher allows one edit (two in a long name), but a name written
down as heard changes several letters at once, each an English spelling of the same sound: ee for i,
oo for u, ow for ou, y for i, k for c, a letter doubled or not. The *sound key* (text/by_ear.py
`sound_keys`: ee and ea as i, oo as u, ow as ou, y as i, ph as f, c as k or s, z as s, doubled
letters one) is how that module hears the Russian and katakana spellings of a short name; here it is
applied to a window of Latin words of the prompt.

The test is strict, so that ordinary words are not read as names: the window (one to MAX_WORDS
words, the first capitalised, as a name is written) is not the name as written (the alias matcher's
job) and not made only of ordinary words (in the dictionary, or Zipf >= ORDINARY_ZIPF in English);
its sound key is the sound key of one distinctive name, of MIN_KEY letters or more, which no other
entry shares and which is no ordinary English word itself (but for the name as written, which is
frequent by its fame alone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kyodaku.text.alias import NameVariant
from kyodaku.text.ambiguity import in_dictionary, zipf
from kyodaku.text.by_ear import distinctive_latin_name, latin_letters, sound_keys

MIN_KEY = 5
MAX_WORDS = 3
ORDINARY_ZIPF = 2.5

_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class BySoundHit:
    variant: NameVariant
    span: tuple[int, int]
    text: str
    key: str

    @property
    def note(self) -> str:
        return f'"{self.text}" spells "{self.variant.name}" by its sound ({self.key})'


def _ordinary(word: str) -> bool:
    low = word.casefold()
    return in_dictionary(low) or zipf(low, "en") >= ORDINARY_ZIPF


class BySoundIndex:
    """Distinctive Latin names by their sound keys; a key two entries share, or that is an ordinary
    English word, is dropped."""

    def __init__(self, variants: Iterable[NameVariant]) -> None:
        by_key: dict[str, dict[str, NameVariant]] = {}
        self._written: set[str] = set()
        for v in variants:
            if v.kind == "style" or not distinctive_latin_name(v):
                continue
            written = latin_letters(v.name)
            self._written.add(written)
            for k in sound_keys(v.name):
                # A key that is an ordinary word is that word, unless it is the name as written,
                # whose frequency is the name's own fame ("pikachu", Zipf 3.2).
                if len(k) >= MIN_KEY and not in_dictionary(k) and (k == written or not _ordinary(k)):
                    by_key.setdefault(k, {}).setdefault(v.entity, v)
        self._by_key = {k: next(iter(e.values())) for k, e in by_key.items() if len(e) == 1}

    def __len__(self) -> int:
        return len(self._by_key)

    def find(self, text: str) -> list[BySoundHit]:
        if not self._by_key:
            return []
        words = list(_WORD.finditer(text))
        hits: list[BySoundHit] = []
        taken_to = -1
        for a in range(len(words)):
            if not words[a].group()[0].isupper() or words[a].start() < taken_to:
                continue
            for b in range(min(len(words), a + MAX_WORDS) - 1, a - 1, -1):  # longest window first
                if any(not _joined(text, words[k].end(), words[k + 1].start()) for k in range(a, b)):
                    continue
                group = [w.group() for w in words[a : b + 1]]
                letters = latin_letters("".join(group))
                if letters in self._written or all(_ordinary(w) for w in group):
                    continue
                found = next(
                    ((k, self._by_key[k]) for k in sound_keys("".join(group)) if k in self._by_key), None
                )
                if found is not None:
                    span = (words[a].start(), words[b].end())
                    hits.append(BySoundHit(found[1], span, text[span[0] : span[1]], found[0]))
                    taken_to = span[1]
                    break
        return hits


def _joined(text: str, end: int, start: int) -> bool:
    """Two words stand side by side: one space or one hyphen between them."""
    return text[end:start] in (" ", "-")
