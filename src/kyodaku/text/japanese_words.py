"""Ordinary Japanese words as they read in romaji: "chibi" (ちび), "miko" (巫女), "hakama" (袴).

Anime and image-generation prompts borrow Japanese words written in Latin letters ("miko,
torii, hakama, chibi"), and a catalog of tens of thousands of characters has characters named
by those very words. English frequency and the English dictionary do not know them, and
Japanese frequency alone does not separate a word from a name: ミク (Miku) is as frequent in
Japanese text as ちび. What does separate them is *how Japanese writes them*: native vocabulary
is written in kanji or hiragana (巫女, 袴, ちび, おにぎり), while a name invented for a character,
and every loanword, is written in katakana (ミク, ピカチュウ). So the lexicon is: the words of
wordfreq's Japanese list (a general corpus: subtitles, web, Wikipedia, news) written with at
least one kanji, or in hiragana alone (ローマ字 counts; ミク, ドラえもん do not), as frequent
as a common word (Zipf >= 3), each read with the kakasi dictionary (pykakasi) and reduced to the same skeleton
key the matchers use, so "tachi", "chibi" and "sarashi" meet 太刀, ちび and 晒し the way a
romaji name meets its katakana. Its limit: wordfreq's list has surnames and place names in
kanji too (三浦, 鳴門), which then read as ordinary words.

The lexicon is generated once (`python -m kyodaku.text.japanese_words`, which needs pykakasi)
into `data/ja_romaji_words.tsv` (key, word, Zipf) and read from there: building it reads 22,000
words in about five seconds, which no snapshot build should pay.
"""

from __future__ import annotations

import math
import sys
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "ja_romaji_words.tsv"
JA_WORD_ZIPF = 3.0
MIN_KEY = 4  # shorter keys are short names, ambiguous already


def native_spelling(word: str) -> bool:
    """Written as native vocabulary and compounds are: in hiragana alone (ちび), or in kanji with
    kana (巫女, 晒し, ローマ字); not with katakana and no kanji, as invented names are (ミク, and
    ドラえもん, whose hiragana is a name's)."""
    kanji = hiragana = katakana = False
    for c in word:
        o = ord(c)
        if 0x3041 <= o <= 0x309F:
            hiragana = True
        elif 0x4E00 <= o <= 0x9FFF or c == "々":
            kanji = True
        elif 0x30A1 <= o <= 0x30FA or c == "ー":
            katakana = True
        else:
            return False
    return kanji or (hiragana and not katakana)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, float]]:
    """key -> (the most frequent word that reads so, its Zipf frequency)."""
    out: dict[str, tuple[str, float]] = {}
    try:
        lines = LEXICON_PATH.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        key, word, z = line.split("\t")
        out[key] = (word, float(z))
    return out


def japanese_word(key: str) -> tuple[str, float] | None:
    """The ordinary Japanese word (kanji or hiragana) that reads as this skeleton key, if any."""
    if len(key) < MIN_KEY or not key.isascii():
        return None
    return lexicon().get(key)


def reading_key(text: str) -> str:
    """Skeleton key of the hiragana reading of Japanese text (kanji read by the kakasi dictionary).

    Needs pykakasi; used to build the lexicon and to read an entry's own Japanese names."""
    from kyodaku.text.normalize import skeleton

    return skeleton(_hiragana(text)).key


@lru_cache(maxsize=20_000)
def _hiragana(text: str) -> str:
    return "".join(part["hira"] for part in _kakasi().convert(text))


def hiragana_reading(text: str) -> str:
    """Japanese text in hiragana, its kanji read by the kakasi dictionary (katakana folded too)."""
    return _hiragana(text)


@lru_cache(maxsize=1)
def _kakasi():  # pragma: no cover - import guard
    import pykakasi

    return pykakasi.kakasi()


def build(min_zipf: float = JA_WORD_ZIPF) -> dict[str, tuple[str, float]]:
    """Read wordfreq's Japanese words written natively and keep the most frequent word per key."""
    import wordfreq

    out: dict[str, tuple[str, float]] = {}
    for word, freq in wordfreq.get_frequency_dict("ja").items():
        z = round(math.log10(freq * 1e9), 2)
        if z < min_zipf or not native_spelling(word):
            continue
        key = reading_key(word)
        if len(key) < MIN_KEY or not key.isascii() or not key.isalpha():
            continue
        if key not in out or out[key][1] < z:
            out[key] = (word, z)
    return out


def main(argv: list[str] | None = None) -> int:
    words = build()
    LEXICON_PATH.write_text(
        "".join(f"{k}\t{w}\t{z}\n" for k, (w, z) in sorted(words.items())), encoding="utf-8"
    )
    print(f"{len(words)} keys written to {LEXICON_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
