"""Katakana names written with look-alike letters: "スパイダーマソ" (ソ for ン), "ミツキーマウス" (a large
ツ for the small ッ), "ナルト" spelled with シ/ツ swapped.

Why a matcher of its own: the skeleton reads kana by sound (so that kana and romaji meet), and a
letter swapped for one that only *looks* alike changes the sound completely (ン is n, ソ is so), so
neither the alias matcher nor the fuzzy one (one edit in the romaji) sees it. A reader does not
notice the swap, and that is what it is for: a filter that looks for the exact letters misses it.
The pairs are those Unicode's confusables data and Japanese readers know as look-alikes: ソ/ン,
シ/ツ, small and large kana (ッ/ツ, ャ/ヤ, ィ/イ ...), and the kanji drawn like katakana that the
skeleton already reads inside katakana words (力/カ, 口/ロ, 工/エ, 一/ー ...).

The test is strict, so that ordinary katakana words are not taken: a name counts only when it is
registered in katakana with at least MIN_KANA letters, a katakana run of the prompt, folded by
shape, is that name folded (or, for a name of SHORT_KANA letters or more, starts or ends with it),
and the run as written differs from the name in at most one letter in three. Folding by shape makes
ソース ("sauce") read as ンース, which is no name; a real word folding onto a registered name would
need the same letters in the same places but for look-alikes. A name that is also an ordinary word
(リンク, "link") counts only when a letter is drawn like another (リソク), never by a kana's size
alone: as in Latin script ("L1nk"), nobody disguises the ordinary word.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kyodaku.text.alias import NameVariant
from kyodaku.text.ambiguity import BARE_STYLE_REASON

MIN_KANA = 3
SHORT_KANA = 4  # a name shorter than this counts only as a whole run, never at the end of a compound

# Small kana -> their large forms: a size, which old-style and casual writing also changes (キヤノン
# is Canon's own spelling), so it disguises only a name that is no ordinary word.
_SIZES = {
    "ッ": "ツ", "ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ", "ャ": "ヤ", "ュ": "ユ",
    "ョ": "ヨ", "ヮ": "ワ", "ヵ": "カ", "ヶ": "ケ",
}  # fmt: skip
# Each letter -> the shape it is folded to. Pairs, not classes: ソ and ン look alike, ン and ソ
# fold to one shape; シ and ツ (and ッ, its small form) to another; small kana to their large forms.
_SHAPES = {
    "ソ": "ン", "ツ": "シ", "ッ": "シ", **{k: v for k, v in _SIZES.items() if k != "ッ"},
    "力": "カ", "口": "ロ", "工": "エ", "二": "ニ", "一": "ー", "夕": "タ", "卜": "ト", "八": "ハ",
    "匕": "ヒ", "乂": "メ", "又": "ヌ", "丿": "ノ", "千": "チ", "－": "ー", "ｰ": "ー", "―": "ー", "‐": "ー",
}  # fmt: skip
_DOTS = frozenset("・･·")


def _katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fc" and ch not in _DOTS


def fold(name: str) -> str:
    """The name by the shapes of its letters, without the dots between its words."""
    return "".join(_SHAPES.get(c, c) for c in name if c not in _DOTS)


@dataclass(frozen=True)
class LookalikeHit:
    variant: NameVariant
    span: tuple[int, int]
    text: str
    swapped: tuple[tuple[str, str], ...]  # (written, registered)

    @property
    def note(self) -> str:
        swaps = ", ".join(f"{a} for {b}" for a, b in self.swapped)
        return f'look-alike letters of "{self.variant.name}": {swaps}'


class LookalikeIndex:
    """Registered katakana names of MIN_KANA letters or more, keyed by their folded shape."""

    def __init__(self, variants: Iterable[NameVariant]) -> None:
        self._by_shape: dict[str, list[NameVariant]] = {}
        seen: set[tuple[str, str]] = set()
        for v in variants:
            letters = [c for c in v.name if c not in _DOTS]
            if (
                len(letters) < MIN_KANA
                or not all(_katakana(c) for c in letters)
                or (v.entity, v.name) in seen
                or v.ambiguity_reason == BARE_STYLE_REASON  # a style's bare name needs a style cue
            ):
                continue
            seen.add((v.entity, v.name))
            self._by_shape.setdefault(fold(v.name), []).append(v)
        self._lengths = sorted({len(k) for k in self._by_shape}, reverse=True)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_shape.values())

    def find(self, text: str) -> list[LookalikeHit]:
        """Hits in the katakana runs of `text` (look-alike kanji and dashes count as letters of a
        run that has katakana; dots between words are skipped)."""
        if not self._by_shape:
            return []
        out: list[LookalikeHit] = []
        i, n = 0, len(text)
        while i < n:
            if not (_katakana(text[i]) or text[i] in _SHAPES):
                i += 1
                continue
            j = i
            while j < n and (_katakana(text[j]) or text[j] in _SHAPES or text[j] in _DOTS):
                j += 1
            if any(_katakana(c) for c in text[i:j]):
                out.extend(self._in_run(text, i, j))
            i = j
        return out

    def _in_run(self, text: str, start: int, end: int) -> list[LookalikeHit]:
        positions = [k for k in range(start, end) if text[k] not in _DOTS]
        shape = "".join(_SHAPES.get(text[k], text[k]) for k in positions)
        for size in self._lengths:
            # The whole run, or a name at its start or its end (a katakana compound: スパイダーマソスーツ).
            for a in dict.fromkeys((0, len(shape) - size)):
                if a < 0 or a + size > len(shape) or (size < SHORT_KANA and size != len(shape)):
                    continue
                for v in self._by_shape.get(shape[a : a + size], ()):
                    hit = self._hit(text, positions[a : a + size], v)
                    if hit is not None:
                        return [hit]
        return []

    @staticmethod
    def _hit(text: str, positions: list[int], v: NameVariant) -> LookalikeHit | None:
        written = "".join(text[k] for k in positions)
        registered = "".join(c for c in v.name if c not in _DOTS)
        swapped = tuple((w, r) for w, r in zip(written, registered, strict=True) if w != r)
        if not swapped or len(swapped) * 3 > len(registered):
            return None
        if v.ambiguous and any(_SIZES.get(w) == r or _SIZES.get(r) == w for w, r in swapped):
            # An ordinary word written with a large kana for a small one (リンク is "link") is that
            # word; a letter drawn like another (リソク) is there to disguise, as "L1nk" is.
            return None
        span = (positions[0], positions[-1] + 1)
        return LookalikeHit(v, span, text[span[0] : span[1]], swapped)
