"""Katakana words that are ordinary Japanese words, told apart from katakana names by UniDic.

Japanese writes three kinds of word in katakana: loanwords (ピンク "pink", レンズ "lens", マント
"manteau"), the names of animals and plants (ネズミ, スイカ, ウミガメ), and invented or foreign names
(ピカチュウ, トトロ, マリオ). Frequency cannot tell them apart (ピンク is Zipf 4.5 in Japanese, マリオ
4.2), and neither can the writing. A dictionary can: UniDic, the dictionary of the National
Institute for Japanese Language and Linguistics, records the origin of every word (語種: 外
foreign, 和 native, 漢 Sino-Japanese, 混 mixed, 固 proper noun). Of the katakana words in wordfreq's
Japanese list, those UniDic reads as one word of ordinary origin are ordinary words; its proper
nouns are kept only when they are places (エルサレム), and the rest (ピカチュウ, ミク, エルサ: 固) and
the words UniDic does not know (カービィ) are left out, as names.

Why it matters: against the 40,931 Latin names of the Danbooru catalog, ordinary Japanese prompts
were blocked for "ピンク" (the character Pinku), "マント" (Manto), "レンズ" (Renzu) and "スイカ"
(Suika), each a Latin name whose romaji is a Japanese word, and for "ピクニック" heard as
"Picnicker" and "エルサレム" as "Orthworm" (docs/benchmarks.md, section 7, "Katakana words that are
words"). So a Latin name met as a listed word counts only with support (text/surface.py
`katakana_word_use`), and a listed word is never heard as a name by ear (text/by_ear.py), one edit
from one (text/fuzzy.py) or a disguise (text/surface.py `disguised`).

The list is generated once, with UniDic through MeCab (`pip install -e .[lexicon]`, about 250 MB
that no screening needs, then `python -m kyodaku.text.katakana_words`), into
`data/ja_katakana_words.tsv` (word, skeleton key, Zipf, kind, UniDic's lemma) and read from there.
"""

from __future__ import annotations

import math
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kyodaku.text.kana import is_katakana

WORDS_PATH = Path(__file__).resolve().parent.parent / "data" / "ja_katakana_words.tsv"
MIN_ZIPF = 1.0  # every word of wordfreq's list: a loanword is a word however rare
LOAN_ORIGINS = frozenset("外混")  # UniDic's 語種: foreign, and mixed (a loanword in a compound)
NATIVE_ORIGINS = frozenset("和漢")  # native and Sino-Japanese words, written in katakana by custom
LOAN, NATIVE, PLACE = "loan", "native", "place"


@dataclass(frozen=True)
class KatakanaWord:
    """One ordinary katakana word: its skeleton key, Zipf frequency in Japanese, kind (LOAN, NATIVE
    or PLACE) and UniDic's lemma ("ピンク-pink", "鼠"), which says what the word is in the evidence.

    A native word is written in katakana by custom (ネズミ) and in hiragana as well (ねずみ); a
    loanword in katakana only."""

    word: str
    key: str
    zipf: float
    kind: str
    lemma: str


@lru_cache(maxsize=1)
def katakana_words() -> dict[str, KatakanaWord]:
    """word -> KatakanaWord, for every ordinary katakana word of the generated list."""
    out: dict[str, KatakanaWord] = {}
    try:
        lines = WORDS_PATH.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        word, key, z, kind, lemma = line.split("\t")
        out[word] = KatakanaWord(word, key, float(z), kind, lemma)
    return out


def ordinary_katakana(word: str) -> KatakanaWord | None:
    """The ordinary word or place this katakana is (None: a name, or no katakana word at all).
    Half-width katakana (ｽﾄﾗｲﾌ) is looked up as the full-width word it writes."""
    words = katakana_words()
    found = words.get(word)
    if found is None and any("\uff66" <= c <= "\uff9f" for c in word):
        found = words.get(unicodedata.normalize("NFKC", word))
    return found


MAX_COMPOUND_PARTS = 3
MIN_PART = 2  # katakana letters of each word of a compound: one letter is no word here


def loan_compound(word: str) -> tuple[KatakanaWord, ...] | None:
    """The loanwords this katakana word is a compound of (バスツアー: バス "bus" + ツアー "tour";
    ローアングル: ロー "low" + アングル "angle"), in as few parts as possible, two or more, each a
    listed loanword; None when it is no such compound (or is itself a listed word). UniDic reads
    such compounds as two words, so the list cannot hold them whole."""
    words = katakana_words()
    if not word or word in words:
        return None
    n = len(word)
    best: list[tuple[KatakanaWord, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(MIN_PART, n + 1):
        for start in range(0, end - MIN_PART + 1):
            prefix = best[start]
            if prefix is None or len(prefix) >= MAX_COMPOUND_PARTS:
                continue
            part = words.get(word[start:end])
            if part is None or part.kind != LOAN:
                continue
            candidate = (*prefix, part)
            if best[end] is None or len(candidate) < len(best[end]):
                best[end] = candidate
    found = best[n]
    return found if found is not None and len(found) >= 2 else None


def foreign_spelling(word: KatakanaWord) -> str:
    """The foreign word UniDic gives as a loanword's origin, in letters ("バット-bat(棒)" -> "bat")."""
    if "-" not in word.lemma:
        return ""
    origin = word.lemma.split("-", 1)[1].split("(", 1)[0]
    return "".join(c for c in origin.casefold() if "a" <= c <= "z")


def ordinary_compound(word: str, name: str) -> bool:
    """The katakana word is a compound of loanwords (`loan_compound`) whose foreign words, joined,
    are more than one edit from the Latin name: the compound's own meaning, not the name heard
    (バスツアー, "bus tour", is no Beastars; ローアングル, "low angle", no Oranguru). A name that is
    made of those very words stays the name: バットマン is bat + man, キャットバス cat + bus."""
    parts = loan_compound(word)
    if parts is None:
        return False
    from rapidfuzz.distance import Levenshtein

    spellings = [foreign_spelling(p) for p in parts]
    if not all(spellings):
        return False  # a part of unknown origin (チャー of チャーリザード): no meaning to set against it
    heard = "".join(spellings)
    letters = "".join(c for c in name.casefold() if "a" <= c <= "z")
    return Levenshtein.distance(heard, letters) > 1


def build(min_zipf: float = MIN_ZIPF) -> list[KatakanaWord]:  # pragma: no cover - needs the lexicon extra
    """Read wordfreq's katakana words with UniDic and keep the ordinary words and places."""
    import fugashi
    import wordfreq

    from kyodaku.text.normalize import skeleton

    tagger = fugashi.Tagger()
    out: list[KatakanaWord] = []
    for word, freq in wordfreq.get_frequency_dict("ja").items():
        z = round(math.log10(freq * 1e9), 2)
        if z < min_zipf or len(word) < 2 or not all(is_katakana(c) for c in word):
            continue
        tokens = tagger(word)
        if len(tokens) != 1:
            continue  # a compound or a phrase (ソニックブーム): no one dictionary word
        f = tokens[0].feature
        if f.goshu in LOAN_ORIGINS and f.pos2 != "固有名詞":
            kind = LOAN
        elif f.goshu in NATIVE_ORIGINS and f.pos2 != "固有名詞":
            kind = NATIVE
        elif f.goshu == "固" and f.pos3 == "地名":
            kind = PLACE
        else:
            continue
        key = skeleton(word).key
        if key.isascii() and key.isalpha():
            out.append(KatakanaWord(word, key, z, kind, f.lemma or word))
    return out


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - needs the lexicon extra
    words = sorted(build(), key=lambda w: w.word)
    WORDS_PATH.write_text(
        "".join(f"{w.word}\t{w.key}\t{w.zipf}\t{w.kind}\t{w.lemma}\n" for w in words), encoding="utf-8"
    )
    print(f"{len(words)} katakana words written to {WORDS_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
