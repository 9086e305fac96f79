"""Kana to romaji (modified Hepburn), one kana run at a time, keeping offsets.

Why our own table rather than a library: the alias matcher needs to know, for
every romaji letter, which kana it came from (so evidence spans point into the
original text), and that is easiest with a table we walk ourselves. The table is
small and fixed; kanji are *not* read here (their readings are ambiguous, so the
catalog lists readings explicitly).
"""

from __future__ import annotations

_BASE = {
    "あ": "a", "い": "i", "う": "u", "え": "e", "お": "o",
    "か": "ka", "き": "ki", "く": "ku", "け": "ke", "こ": "ko",
    "が": "ga", "ぎ": "gi", "ぐ": "gu", "げ": "ge", "ご": "go",
    "さ": "sa", "し": "shi", "す": "su", "せ": "se", "そ": "so",
    "ざ": "za", "じ": "ji", "ず": "zu", "ぜ": "ze", "ぞ": "zo",
    "た": "ta", "ち": "chi", "つ": "tsu", "て": "te", "と": "to",
    "だ": "da", "ぢ": "ji", "づ": "zu", "で": "de", "ど": "do",
    "な": "na", "に": "ni", "ぬ": "nu", "ね": "ne", "の": "no",
    "は": "ha", "ひ": "hi", "ふ": "fu", "へ": "he", "ほ": "ho",
    "ば": "ba", "び": "bi", "ぶ": "bu", "べ": "be", "ぼ": "bo",
    "ぱ": "pa", "ぴ": "pi", "ぷ": "pu", "ぺ": "pe", "ぽ": "po",
    "ま": "ma", "み": "mi", "む": "mu", "め": "me", "も": "mo",
    "や": "ya", "ゆ": "yu", "よ": "yo",
    "ら": "ra", "り": "ri", "る": "ru", "れ": "re", "ろ": "ro",
    "わ": "wa", "ゐ": "i", "ゑ": "e", "を": "o", "ん": "n",
    "ゔ": "vu",
    "ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o", "ゎ": "wa",
    "ゕ": "ka", "ゖ": "ke",
}  # fmt: skip

# Small y-kana and small vowels combine with the preceding syllable.
_YOON = {"ゃ": "a", "ゅ": "u", "ょ": "o"}
_SMALL_VOWEL = {"ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o"}
_SOKUON = "っ"
SMALL_KANA = frozenset(c for h in (*_YOON, *_SMALL_VOWEL, "ゎ") for c in (h, chr(ord(h) + 0x60)))
"""The small kana that bind to the kana before them (ゃ, ぇ, ャ, ェ, ヮ ...), in both scripts."""
_CHOONPU = "ー"
_KATAKANA_ONLY = {"ヷ": "va", "ヸ": "vi", "ヹ": "ve", "ヺ": "vo"}


def katakana_to_hiragana(ch: str) -> str:
    code = ord(ch)
    if 0x30A1 <= code <= 0x30F6:
        return chr(code - 0x60)
    return ch


def is_hiragana(ch: str) -> bool:
    return 0x3041 <= ord(ch) <= 0x309F


def is_katakana(ch: str) -> bool:
    """A katakana letter or the long-vowel mark (ー); not the word-separating dots (・)."""
    return 0x30A1 <= ord(ch) <= 0x30FA or ch == "ー"


def is_kana(ch: str) -> bool:
    code = ord(ch)
    # U+30FB (・) and U+30A0 (゠) sit in the katakana block but separate words.
    return 0x3041 <= code <= 0x309F or 0x30A1 <= code <= 0x30FA or 0x30FC <= code <= 0x30FF


def kana_run_to_romaji(run: str) -> list[str]:
    """Romanize a run of kana; returns one romaji string per input character.

    The per-character split keeps offsets exact: a yōon like "チュ" yields
    ["ch", "u"]-style pieces attributed to the kana that produced them (the
    large kana takes the consonant, the small one the vowel). Sokuon doubles the
    next consonant and the long-vowel mark repeats the previous vowel; later
    folding collapses both, which is what makes ピカチュウ, ぴかちゅう and
    "Pikachuu" meet at the same key.
    """
    hira = [katakana_to_hiragana(c) for c in run]
    out: list[str] = []
    for i, ch in enumerate(hira):
        original = run[i]
        nxt = hira[i + 1] if i + 1 < len(hira) else ""
        if original in _KATAKANA_ONLY:
            out.append(_KATAKANA_ONLY[original])
            continue
        if ch == _SOKUON:
            follow = _BASE.get(nxt, "")
            out.append(follow[0] if follow and follow[0] not in "aeiou" else "")
            continue
        if ch == _CHOONPU:
            prev = "".join(out)
            vowel = next((c for c in reversed(prev) if c in "aeiou"), "")
            out.append(vowel)
            continue
        if ch in _YOON and i > 0 and out and out[-1].endswith("i") and hira[i - 1] in _BASE:
            # きゃ -> kya, しゃ -> sha, ちゃ -> cha, じゃ -> ja
            prev = out[-1]
            stem = prev[:-1]
            if stem in ("sh", "ch", "j"):
                out[-1] = stem
            else:
                out[-1] = stem + "y"
            out.append(_YOON[ch])
            continue
        if ch in _SMALL_VOWEL and i > 0 and out and out[-1] and out[-1][-1] in "aeiou":
            # ファ -> fa, ティ -> ti, ウィ -> wi: the small vowel replaces the vowel
            prev = out[-1]
            stem = prev[:-1]
            if stem == "" and prev == "u":
                stem = "w"
            out[-1] = stem
            out.append(_SMALL_VOWEL[ch])
            continue
        out.append(_BASE.get(ch, ""))
    return out
