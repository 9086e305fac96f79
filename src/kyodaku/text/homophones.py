"""Chinese names misspelled by a homophone: "皮卡秋" for 皮卡丘 (Pikachu), one character swapped
for another that reads the same (qiu).

Chinese input methods type by sound: a user picks the wrong one of several characters that share
a pinyin syllable, or swaps one on purpose to get past a filter that looks for the exact
characters. No spelling fold reaches it (the skeleton keeps Han as Han), but the pinyin does.

The test is strict, so that ordinary words that happen to sound like a name are not taken: a
window of the prompt's Han text must have the same toneless pinyin as a registered name, differ
from it, and keep all its characters but one in place; names of fewer than three characters are
left out (two-character homophones are everywhere in Chinese).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from kyodaku.text.alias import NameVariant

MIN_CHARS = 3
MAX_CHARS = 8


@dataclass(frozen=True)
class HomophoneHit:
    variant: NameVariant
    span: tuple[int, int]
    text: str
    swapped: tuple[tuple[str, str, str], ...]  # (written, registered, shared reading)

    @property
    def note(self) -> str:
        swaps = ", ".join(f"{a} reads {r} like {b}" for a, b, r in self.swapped)
        return f'homophone of "{self.variant.name}": {swaps}'


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=50_000)
def reading(ch: str) -> str:
    """Toneless pinyin of one Han character (its most common reading)."""
    from pypinyin import lazy_pinyin

    return lazy_pinyin(ch)[0]


@lru_cache(maxsize=50_000)
def same_character(a: str, b: str) -> bool:
    """`a` and `b` are one character in its simplified and traditional forms (OpenCC: 侠 and 俠).
    Such a swap is no misspelling: the writer used the other script, which the alias matcher reads
    by the registered name's other form. Taking it for a homophone would find the name where the
    alias matcher set it aside (蝙蝠侠 inside 侠客岛, read as 蝙蝠 + 侠客岛)."""
    from kyodaku.text.variants import chinese_script_forms

    return any(form == b for form, _ in chinese_script_forms(a)) or any(
        form == a for form, _ in chinese_script_forms(b)
    )


class HomophoneIndex:
    """Registered Han names of 3-8 characters, keyed by their toneless pinyin."""

    def __init__(self, variants: Iterable[NameVariant]) -> None:
        self._by_reading: dict[tuple[str, ...], list[NameVariant]] = {}
        seen: set[tuple[str, str]] = set()
        for v in variants:
            name = v.name
            if (
                v.ambiguous
                or not MIN_CHARS <= len(name) <= MAX_CHARS
                or not all(_han(c) for c in name)
                or (v.entity, name) in seen
            ):
                continue
            seen.add((v.entity, name))
            self._by_reading.setdefault(tuple(reading(c) for c in name), []).append(v)
        self._lengths = sorted({len(k) for k in self._by_reading})

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_reading.values())

    def find(self, text: str) -> list[HomophoneHit]:
        if not self._by_reading:
            return []
        out: list[HomophoneHit] = []
        i, n = 0, len(text)
        while i < n:
            if not _han(text[i]):
                i += 1
                continue
            j = i
            while j < n and _han(text[j]):
                j += 1
            out.extend(self._in_run(text, i, j))
            i = j
        return out

    def _in_run(self, text: str, start: int, end: int) -> list[HomophoneHit]:
        hits = []
        readings = [reading(c) for c in text[start:end]]
        for size in self._lengths:
            for a in range(0, end - start - size + 1):
                for v in self._by_reading.get(tuple(readings[a : a + size]), ()):
                    written = text[start + a : start + a + size]
                    swapped = tuple(
                        (w, r, readings[a + k])
                        for k, (w, r) in enumerate(zip(written, v.name, strict=True))
                        if w != r
                    )
                    if len(swapped) == 1 and not same_character(swapped[0][0], swapped[0][1]):
                        span = (start + a, start + a + size)
                        hits.append(HomophoneHit(v, span, written, swapped))
        return hits
