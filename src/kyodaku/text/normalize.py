"""Text to a matching key ("skeleton"), with a map back to the original offsets.

Why a skeleton: people evade name filters by changing how a name *looks* while
keeping how it *reads*: full-width letters, accents, zero-width characters,
Cyrillic lookalikes, leetspeak, spaced or hyphenated letters, hiragana for
katakana, romaji for kana. Each of those is undone here, the same way for
registered names and for prompts, so exact multi-pattern matching over the
skeletons catches them all while staying fast and explainable.

The steps, in order:

1. NFKC per character (full-width and half-width forms, ligatures, circled
   letters), dropping format characters (zero-width joiners, BOM, bidi marks).
2. Diacritics removed from Latin/Greek/Cyrillic letters (Pikachū -> pikachu);
   never from kana (where the marks change the sound) or Hangul.
3. Case folded.
4. Lookalike letters from Cyrillic/Greek replaced by the Latin letter they
   imitate inside a token that also has Latin letters (an evasion: "Рikасhu");
   a word written wholly in Cyrillic is romanized by sound instead ("Пикачу"
   reads "pikachu"), so Russian prompts meet Latin names.
5. Leet digits and symbols read as letters, only between letters ("P1kachu",
   "Pik@chu"), so numbers in prompts stay numbers.
6. Kana romanized (Hepburn), so ピカチュウ, ぴかちゅう, ﾋﾟｶﾁｭｳ and "Pikachuu" meet.
7. Folding of the Latin result: doubled letters collapse, long vowels fold
   (ou -> o), kunrei and Hepburn spellings meet (si -> shi, tu -> tsu, fu -> hu), and a few
   spelling variants meet (ck -> k, ph -> f, l/1 -> i).

Separators (spaces, punctuation) are not kept in the skeleton but recorded as
a `gap` on the next character, so the matcher can tell "P i k a c h u" (one
letter per word: an evasion) from "to toro" (two words) and require names to
start and end at word boundaries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from functools import lru_cache

from kyodaku.text.kana import is_kana, kana_run_to_romaji


class Script(IntEnum):
    LATIN = 1
    KANA = 2
    HAN = 3
    HANGUL = 4
    OTHER = 5  # other alphabets (Cyrillic, Greek, Arabic, Thai ...)
    DIGIT = 6


class Gap(IntEnum):
    NONE = 0
    PUNCT = 1  # punctuation (hyphen, dot, apostrophe ...) but no whitespace
    SPACE = 2  # whitespace before this character (wins over punctuation)
    SCRIPT = 3  # the script changes here (Latin -> kana ...), no separator


@dataclass(frozen=True)
class Skeleton:
    """The matching key of a text and, per key character, where it came from.

    `start[i]`/`end[i]` give the span in the original text; `gap[i]` the kind
    of separator before key character i; `script[i]` its source script;
    `upper[i]` whether the source letter was upper case (used to tell a proper
    noun "Cloud" from the word "cloud").
    """

    key: str
    start: tuple[int, ...]
    end: tuple[int, ...]
    gap: tuple[int, ...]
    script: tuple[int, ...]
    upper: tuple[bool, ...]
    text: str

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original span covering key characters [i, j)."""
        return self.start[i], self.end[j - 1]

    def gap_after(self, j: int) -> int:
        """Separator kind after key character j-1 (end of text counts as a space)."""
        return self.gap[j] if j < len(self.key) else Gap.SPACE


# Letters from other scripts that are drawn like Latin letters (from Unicode's
# confusables data, restricted to the common ones used to dodge filters).
HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ӏ": "l", "ɡ": "g",
    "ԛ": "q", "ԝ": "w", "ь": "b", "г": "r", "п": "n", "л": "n", "и": "u", "з": "3",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ω": "w", "μ": "u", "ς": "c", "σ": "o", "ϲ": "c", "ϳ": "j",
}  # fmt: skip

# Capitals imitate other Latin letters than their small forms do (Greek Μ looks like M, μ like u).
UPPER_HOMOGLYPHS = {
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o",
    "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h",
    "О": "o", "Р": "p", "С": "c", "Т": "t", "Х": "x", "У": "y", "Ѕ": "s", "І": "i", "Ј": "j", "Ԛ": "q",
    "Ԝ": "w", "Տ": "s", "Օ": "o",
}  # fmt: skip
# Armenian small letters drawn like Latin ones.
HOMOGLYPHS.update({"ո": "n", "օ": "o", "ս": "u", "հ": "h", "ց": "g", "զ": "q", "ա": "w", "ւ": "l", "ք": "p"})

# Whole Cyrillic words are read, not looked at: a phonetic romanization (as in
# ISO 9 / BGN simplified) so that "Пикачу" meets "Pikachu" and "Марио" "Mario".
CYRILLIC_READING = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
    # Serbian and Macedonian letters (Јода, Дарт Вејдер): their sounds, as Russian would write them.
    "ј": "y", "љ": "ly", "њ": "ny", "ћ": "ch", "ђ": "dj", "џ": "dzh", "ѓ": "gy", "ќ": "ky",
}  # fmt: skip

LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s",
        "!": "i", "|": "i", "€": "e", "+": "t"}  # fmt: skip

# Multi-letter folds applied left to right on Latin runs after romanization.
# Order matters: longer patterns first.
_FOLDS = (
    ("tch", "ch"),
    ("sy", "sh"),
    ("ty", "ch"),
    ("zy", "j"),
    ("jy", "j"),
    ("si", "shi"),
    ("ti", "chi"),
    ("tu", "tsu"),
    ("fu", "hu"),
    ("zi", "ji"),
    ("di", "ji"),
    ("ck", "k"),
    ("ph", "f"),
    ("ou", "o"),
    ("oh", "o"),
    ("mb", "nb"),
    ("mp", "np"),
)
_FOLD_FIRST = {}
for _pat, _rep in _FOLDS:
    _FOLD_FIRST.setdefault(_pat[0], []).append((_pat, _rep))

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}
_KANA_MARKS = {"\u3099", "\u309a"}


def _named_latin_letters() -> dict[str, str]:
    """Letters that NFKC leaves alone although Unicode names them as Latin letters drawn another
    way: small capitals (ᴘɪᴋᴀᴄʜᴜ, ꜱ) and the negative circled and squared capitals (🅿🅸🅺🅰). Fancy-text
    generators offer them beside the mathematical letters, which NFKC does fold. Read from the
    names, so every such letter is covered, not the ones a probe happened to use."""
    pattern = re.compile(
        r"(?:LATIN LETTER SMALL CAPITAL|NEGATIVE (?:CIRCLED|SQUARED) LATIN CAPITAL LETTER) ([A-Z])"
    )
    table: dict[str, str] = {}
    for lo, hi in ((0x0250, 0x02B0), (0x1D00, 0x1DC0), (0xA720, 0xA800), (0x1F150, 0x1F18A)):
        for code in range(lo, hi):
            m = pattern.fullmatch(unicodedata.name(chr(code), ""))
            if m:
                table[chr(code)] = m.group(1) if "NEGATIVE" in m.group(0) else m.group(1).lower()
    return table


NAMED_LATIN = _named_latin_letters()


def _script_of(ch: str) -> Script | None:
    """Script class of a (normalized, single) character; None for separators."""
    if ch.isdigit():
        return Script.DIGIT
    if not ch.isalpha():
        if is_kana(ch):
            return Script.KANA
        return None
    code = ord(ch)
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return Script.LATIN
    if is_kana(ch) or 0x31F0 <= code <= 0x31FF:
        return Script.KANA
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or code == 0x3005:
        return Script.HAN
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return Script.HANGUL
    return Script.OTHER


def _strip_marks(ch: str) -> str:
    """Remove diacritics from alphabetic letters, leaving kana and Hangul intact."""
    if ord(ch) < 0x80 or ord(ch) >= 0x2000:
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base or ch


@dataclass
class _Unit:
    ch: str
    start: int
    end: int
    gap: int
    script: int
    upper: bool
    raw: str = ""  # the character before case folding (capital lookalikes differ from small ones)


@lru_cache(maxsize=65_536)
def _char_units(raw: str) -> tuple[tuple[str, int, bool, str], ...]:
    """Steps 1-3 for one source character: the key characters it becomes, each exactly ONE
    character, with its script (0 for a separator, -1 for a voiced-sound mark to compose with the
    kana before it), whether it was upper case, and its form before case folding.

    Every expansion happens here and yields one unit per output character, all pointing at the
    same source character: NFKC (ﬃ -> f f i, ㌀ -> ア パ ー ト, ⅻ -> x i i), diacritics that
    decompose into two letters (ǅ -> D z) and case folding (ß -> s s, ẞ -> s s). So the key and the
    offset map always have the same length, whatever the text. Cached: prompts reuse a small
    alphabet, and this is the costly part of the skeleton.
    """
    if raw in _ZERO_WIDTH or unicodedata.category(raw) == "Cf":
        return ()
    out: list[tuple[str, int, bool, str]] = []
    norm = unicodedata.normalize("NFKC", raw)
    if any(c in _KANA_MARKS for c in norm):
        norm = norm.replace(" ", "")  # the spacing marks ゛ ゜ decompose to a space and the mark
    for ch in norm:
        ch = NAMED_LATIN.get(ch, ch)
        if ch in _KANA_MARKS:
            out.append((ch, _MARK, False, ch))
            continue
        if unicodedata.combining(ch):
            continue
        for base in _strip_marks(ch):
            script = _script_of(base)
            if script is None and base in LEET and base not in " \t":
                script = Script.DIGIT  # may be a leet letter; decided once tokens are known
            if script is None:
                out.append((" " if base.isspace() else "", _SEPARATOR, False, base))
                continue
            if script == Script.HANGUL:
                base = _fold_hangul(base)
            upper = base != base.lower()
            for folded in base.casefold():
                if unicodedata.combining(folded):
                    continue  # İ folds to i + a combining dot
                out.append((folded, int(script), upper, base))
    return tuple(out)


_SEPARATOR = 0
_MARK = -1

# Hangul syllables: (initial * 21 + medial) * 28 + final, from U+AC00.
_HANGUL_BASE, _MEDIALS, _FINALS = 0xAC00, 21, 28
_JJ, _CH, _J = 13, 14, 12  # initials ㅉ ㅊ ㅈ
_GLIDE_FREE = {2: 0, 6: 4, 12: 8, 17: 13}  # ㅑ->ㅏ ㅕ->ㅓ ㅛ->ㅗ ㅠ->ㅜ
_TENSE_AS_ASPIRATED = {1: 15, 4: 16, 8: 17, 10: 9}  # ㄲ->ㅋ ㄸ->ㅌ ㅃ->ㅍ ㅆ->ㅅ
_E, _AE = 5, 1  # medials ㅔ ㅐ


def _fold_hangul(ch: str) -> str:
    """How Korean spells a foreign name varies where the sound does not: after ㅈ and ㅊ the
    y-glide is silent (츄 = 추, 쵸 = 초), and ㅉ is a cuter ㅊ (피카쮸). One syllable in, one out,
    so offsets stay put."""
    code = ord(ch) - _HANGUL_BASE
    if not 0 <= code < 11172:
        return ch
    initial, rest = divmod(code, _MEDIALS * _FINALS)
    medial, final = divmod(rest, _FINALS)
    if initial == _JJ:
        initial = _CH
    # Loanwords are spelled with aspirated p, t, k and plain s, but people write them tense as they
    # say them (피까츄, 쎄피로스); and ㅔ and ㅐ sound the same to most speakers (배트멘 for 배트맨).
    initial = _TENSE_AS_ASPIRATED.get(initial, initial)
    if medial == _E:
        medial = _AE
    if initial in (_J, _CH):
        medial = _GLIDE_FREE.get(medial, medial)
    return chr(_HANGUL_BASE + (initial * _MEDIALS + medial) * _FINALS + final)


def _units(text: str) -> list[_Unit]:
    """Steps 1-3: per-character NFKC, diacritics, case; separators become gaps."""
    units: list[_Unit] = []
    pending_gap = Gap.NONE
    for i, raw in enumerate(text):
        for ch, script, upper, before in _char_units(raw):
            if script == _MARK:
                if units and units[-1].script == Script.KANA and pending_gap == Gap.NONE:
                    # Half-width voiced marks (ﾋﾟ) arrive as combining marks: compose when a
                    # precomposed kana exists (ﾋﾟ -> ピ), else drop the mark (か゚ stays か).
                    composed = unicodedata.normalize("NFC", units[-1].ch + ch)
                    if len(composed) == 1:
                        units[-1].ch = composed
                    units[-1].end = i + 1
                continue
            if script == _SEPARATOR:
                pending_gap = max(pending_gap, Gap.SPACE if ch == " " else Gap.PUNCT)
                continue
            units.append(_Unit(ch, i, i + 1, pending_gap, script, upper, before))
            pending_gap = Gap.NONE
    return units


# Kanji drawn like katakana (pairs from Unicode's confusables data): ピ力チュウ, トト口, ス一パ一マン.
KANJI_LIKE_KATAKANA = {
    "力": "カ", "口": "ロ", "工": "エ", "二": "ニ", "一": "ー", "夕": "タ", "卜": "ト", "八": "ハ",
    "匕": "ヒ", "乂": "メ", "又": "ヌ", "丿": "ノ",
}  # fmt: skip


def _jamo(u: _Unit | None, lo: int, hi: int) -> int | None:
    """The jamo's index in [lo, hi), if the unit is such a conjoining jamo."""
    return ord(u.ch) - lo if u is not None and len(u.ch) == 1 and lo <= ord(u.ch) < hi else None


def _compose_jamo(units: list[_Unit]) -> list[_Unit]:
    """Hangul written as conjoining jamo (ᄑ ᅵ = 피, what NFD makes of a syllable): the letters
    of one syllable become that syllable, as NFC would write it. Per-character NFKC never sees
    two jamo together, so without this 피카츄 in jamo was no Hangul name at all."""
    out: list[_Unit] = []
    k = 0
    while k < len(units):
        u = units[k]
        lead = _jamo(u, 0x1100, 0x1113)
        nxt = units[k + 1] if k + 1 < len(units) and units[k + 1].gap == Gap.NONE else None
        vowel = _jamo(nxt, 0x1161, 0x1176)
        if lead is None or vowel is None:
            out.append(u)
            k += 1
            continue
        tail_unit = units[k + 2] if k + 2 < len(units) and units[k + 2].gap == Gap.NONE else None
        tail = _jamo(tail_unit, 0x11A8, 0x11C3)
        final = 0 if tail is None else tail + 1
        syllable = chr(_HANGUL_BASE + (lead * _MEDIALS + vowel) * _FINALS + final)
        used = 2 if tail is None else 3
        u.ch, u.script, u.end = _fold_hangul(syllable), int(Script.HANGUL), units[k + used - 1].end
        out.append(u)
        k += used
    return out


def _is_katakana(u: _Unit | None) -> bool:
    return u is not None and u.script == Script.KANA and 0x30A1 <= ord(u.ch) <= 0x30FC


_NUMERALS = frozenset("一二八")


def _katakana_lookalikes(units: list[_Unit]) -> list[_Unit]:
    """A kanji drawn like a katakana letter, touching a katakana letter and no other kanji, is that
    letter: a katakana word does not hold a lone kanji, and swapping カ for 力 keeps a name readable
    while a plain filter misses it. A kanji beside another kanji belongs to a kanji word
    (ピカチュウ一匹, "one Pikachu"; カメラ工場), so it stays. A numeral counts what is written
    before it (トトロ二つ, "two Totoros"), so it is a letter only inside a katakana word (ス一パ一マン)."""
    for k, u in enumerate(units):
        kana = KANJI_LIKE_KATAKANA.get(u.ch) if u.script == Script.HAN else None
        if kana is None:
            continue
        before = units[k - 1] if k and u.gap == Gap.NONE else None
        after = units[k + 1] if k + 1 < len(units) and units[k + 1].gap == Gap.NONE else None
        inside = _is_katakana(before) and _is_katakana(after)
        if not inside and (u.ch in _NUMERALS or not (_is_katakana(before) or _is_katakana(after))):
            continue
        if any(n is not None and n.script == Script.HAN for n in (before, after)):
            continue
        u.ch, u.script = kana, Script.KANA
    return units


def _tokens(units: list[_Unit]) -> list[tuple[int, int]]:
    """Maximal runs of units without a SPACE/PUNCT gap (script changes stay inside)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(units) + 1):
        if i == len(units) or units[i].gap in (Gap.SPACE, Gap.PUNCT):
            if start < i:
                bounds.append((start, i))
            start = i
    return bounds


_PINYIN_SYLLABLE = re.compile(
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:a|o|e|ai|ei|ao|ou|an|en|ang|eng|ong|er|i|ia|ie|iao|iu|ian|in|iang|ing|iong"
    r"|u|ua|uo|uai|ui|uan|un|uang|ueng|v|ve)"
)


def _without_tone_number(token: list[_Unit]) -> list[_Unit]:
    """Pinyin typed without tone marks puts the tone's number after the syllable ("Pi2 Ka3 Qiu1",
    "ma4"): a digit 1-5 that ends a word which is one pinyin syllable is that syllable's tone, not
    part of the word."""
    last = token[-1]
    if len(token) < 2 or last.script != Script.DIGIT or last.ch not in "12345":
        return token
    word = token[:-1]
    if any(u.script != Script.LATIN for u in word):
        return token
    return word if _PINYIN_SYLLABLE.fullmatch("".join(u.ch for u in word)) else token


def _resolve_homoglyphs_and_leet(units: list[_Unit]) -> list[_Unit]:
    """Steps 4-5, decided per token so genuine Cyrillic words and numbers survive."""
    kept: list[_Unit] = []
    dropped_gap = Gap.NONE
    for a, b in _tokens(units):
        token = _without_tone_number(units[a:b])
        alphabets = {_alphabet(u.raw or u.ch) for u in token if u.script in (Script.LATIN, Script.OTHER)}
        # One word in several alphabets is drawn, not written: read it by shape.
        has_latin = "LATIN" in alphabets or len(alphabets) > 1
        if not has_latin and any(u.ch in CYRILLIC_READING for u in token):
            token = _read_cyrillic(token)
        letters = [k for k, u in enumerate(token) if u.script in (Script.LATIN, Script.OTHER)]
        inner_leet = any(
            u.script == Script.DIGIT and u.ch in LEET and letters[0] < k < letters[-1]
            for k, u in enumerate(token)
            if letters
        )
        for k, u in enumerate(token):
            if u.script == Script.OTHER and has_latin and (u.raw in UPPER_HOMOGLYPHS or u.ch in HOMOGLYPHS):
                u.ch, u.script = UPPER_HOMOGLYPHS.get(u.raw) or HOMOGLYPHS[u.ch], Script.LATIN
            elif u.script == Script.DIGIT:
                inside = letters and letters[0] < k < letters[-1]
                # A word already written in leet inside is leet to its end too ("T0t0r0").
                trailing = inner_leet and letters and k == letters[-1] + 1 and k == len(token) - 1
                if (inside or trailing or (k == 0 and _leading_leet(token, letters))) and u.ch in LEET:
                    u.ch, u.script = LEET[u.ch], Script.LATIN
                elif not u.ch.isdigit():
                    # A symbol like '@' or '!' that is not inside a word is punctuation.
                    dropped_gap = max(dropped_gap, u.gap, Gap.PUNCT)
                    continue
            u.gap = max(u.gap, dropped_gap)
            dropped_gap = Gap.NONE
            kept.append(u)
    return kept


LEADING_LEET_MAX_ZIPF = 3.0
"""A digit that starts a word is a letter ("3lsa" is Elsa) when the rest is no English word: in
"1girl", "4chan", "8bit", "5star" the digit is a number before a word."""


def _leading_leet(token: list[_Unit], letters: list[int]) -> bool:
    if len(letters) < 3 or letters[0] != 1 or letters[-1] != len(token) - 1 or len(letters) != len(token) - 1:
        return False
    from kyodaku.text.ambiguity import zipf  # the word list is loaded only when a word starts so

    return zipf("".join(u.ch for u in token[1:]), "en") < LEADING_LEET_MAX_ZIPF


def _alphabet(ch: str) -> str:
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "UNKNOWN"


def _read_cyrillic(token: list[_Unit]) -> list[_Unit]:
    out: list[_Unit] = []
    for u in token:
        reading = CYRILLIC_READING.get(u.ch)
        if reading is None:
            out.append(u)
            continue
        for n, c in enumerate(reading):
            out.append(_Unit(c, u.start, u.end, u.gap if n == 0 else Gap.NONE, Script.LATIN, u.upper))
    return out


def _same_kana_run(units: list[_Unit], j: int) -> bool:
    """Kana j continues the run before it: no separator, or kana spelled out one by one ("ピ カ チ ュ ウ")."""
    if units[j].gap == Gap.NONE:
        return True
    if units[j].gap not in (Gap.SPACE, Gap.PUNCT):
        return False
    isolated_before = (
        units[j - 1].gap in (Gap.SPACE, Gap.PUNCT) or j - 1 == 0 or units[j - 2].script != Script.KANA
    )
    isolated_after = j + 1 >= len(units) or units[j + 1].gap != Gap.NONE or units[j + 1].script != Script.KANA
    return isolated_before and isolated_after


_SMALL_KANA = frozenset("ァィゥェォッャュョヮぁぃぅぇぉっゃゅょゎー")


def _join_small_kana(run: list[_Unit]) -> None:
    """Kana spelled out one by one (バ・ッ・ト・マ・ン, ス パ イ ダ ー マ ン): a small kana or the long-vowel
    mark never starts a word, and ッ doubles the consonant after it, so the separator before such
    a kana (and after ッ) is no word boundary. Without this the doubled t and the long a were
    kept apart by the separator ("bat to man") and the name's key was never met."""
    for k in range(1, len(run)):
        if run[k].ch in _SMALL_KANA or run[k - 1].ch in "ッっ":
            run[k].gap = Gap.NONE


def _romanize(units: list[_Unit]) -> list[_Unit]:
    """Step 6: kana runs become romaji units attributed to their source kana."""
    out: list[_Unit] = []
    i = 0
    while i < len(units):
        if units[i].script != Script.KANA:
            out.append(units[i])
            i += 1
            continue
        j = i
        while j < len(units) and units[j].script == Script.KANA and (j == i or _same_kana_run(units, j)):
            j += 1
        run = units[i:j]
        pieces = kana_run_to_romaji("".join(u.ch for u in run))
        # A unit that reads as nothing (a lone mark, an iteration mark) passes its gap on to the next
        # letter, and the stronger separator wins, as for dropped symbols (" ー:0": a space).
        pending = Gap.NONE
        _join_small_kana(run)
        for u, piece in zip(run, pieces, strict=True):
            if not piece:
                pending = max(pending, u.gap)
                continue
            for n, c in enumerate(piece):
                out.append(
                    _Unit(c, u.start, u.end, max(u.gap, pending) if n == 0 else Gap.NONE, Script.KANA, False)
                )
            pending = Gap.NONE
        if pending and j < len(units):
            units[j].gap = max(units[j].gap, pending)
        i = j
    return out


def _is_alpha_latin(u: _Unit) -> bool:
    return u.script in (Script.LATIN, Script.KANA) and "a" <= u.ch <= "z"


def _fold(units: list[_Unit]) -> list[_Unit]:
    """Step 7: spelling folds on romanized letters; collapse repeated letters."""
    # l, 1 and i are drawn alike and l/r are one sound in Japanese romaji: fold l to i
    for u in units:
        if u.ch == "l" and u.script == Script.LATIN:
            u.ch = "i"
    # Doubled letters first, so a fold reads "Kitty" as "Kity" does (t-y, not t-t-y: both "kich").
    units = _collapse(units)
    out: list[_Unit] = []
    i = 0
    n = len(units)
    while i < n:
        u = units[i]
        if _is_alpha_latin(u) and u.ch in _FOLD_FIRST:
            replaced = False
            for pat, rep in _FOLD_FIRST[u.ch]:
                k = len(pat)
                seg = units[i : i + k]
                if (
                    len(seg) == k
                    and all(_is_alpha_latin(s) for s in seg)
                    and "".join(s.ch for s in seg) == pat
                    and all(s.gap in (Gap.NONE, Gap.PUNCT) for s in seg[1:])
                ):
                    for m, c in enumerate(rep):
                        src = seg[min(m, k - 1)]
                        out.append(
                            _Unit(c, src.start, src.end, u.gap if m == 0 else Gap.NONE, u.script, u.upper)
                        )
                    # the last source char's span is covered by the replacement's end
                    out[-1].end = seg[-1].end
                    i += k
                    replaced = True
                    break
            if replaced:
                continue
        out.append(u)
        i += 1
    # A c that ends a word is a k ("Sonic" and "Соник" both read sonik, "Doc" dok). Only there:
    # inside a word a c-to-k fold would turn one swapped pair ("Pikahcu") into two edits. Word by
    # word, like every fold here; a lone "c" (spelled out: "P i k a c h u") stays, unless it ends a
    # name spelled out letter by letter ("S_o_n_i_c" is Sonic as much as "Sonic" is): decided once
    # the whole text's skeleton is known (`_spelled_out_final_c`).
    for k, u in enumerate(out):
        if u.ch == "c" and _is_alpha_latin(u):
            after = out[k + 1] if k + 1 < len(out) else None
            word_end = after is None or after.gap != Gap.NONE or not _is_alpha_latin(after)
            alone = u.gap != Gap.NONE or k == 0 or not _is_alpha_latin(out[k - 1])
            if word_end and not alone:
                u.ch = "k"
    return _collapse(out)


def _collapse(units: list[_Unit]) -> list[_Unit]:
    """Repeated Latin letters inside a word are one ("Kitty", "Pikkachu"), and so are two lone
    letters of a name spelled out with punctuation ("K.i.t.t.y", "E-e-v-e-e"), before any fold
    reads them ("t.t.y" must fold as "ty" does in "Kitty")."""
    collapsed: list[_Unit] = []
    for k, u in enumerate(units):
        if (
            collapsed
            and u.ch == collapsed[-1].ch
            and u.ch.isalpha()
            and _is_alpha_latin(u)
            and (
                u.gap == Gap.NONE
                or (u.gap == Gap.PUNCT and _lone_unit(units, k) and _lone_unit(units, k - 1))
            )
        ):
            collapsed[-1].end = max(collapsed[-1].end, u.end)
            continue
        collapsed.append(u)
    return collapsed


def _lone_unit(units: list[_Unit], k: int) -> bool:
    """Unit k is a letter standing alone between separators (or the chunk's ends)."""
    return (k == 0 or units[k].gap != Gap.NONE) and (k + 1 == len(units) or units[k + 1].gap != Gap.NONE)


def _mark_script_gaps(units: list[_Unit], text: str) -> None:
    classes = []
    for u in units:
        cls = _boundary_class(u, text)
        classes.append(classes[-1] if cls is None and classes else cls)
    for k in range(1, len(units)):
        if units[k].gap == Gap.NONE and classes[k] != classes[k - 1]:
            units[k].gap = Gap.SCRIPT


def _boundary_class(u: _Unit, text: str) -> int | None:
    """Writing system for word boundaries. Letters and digits of one token belong together (R2D2);
    in Japanese, a switch between katakana and hiragana ends a word (ピカチュウ|が)."""
    if u.script in (Script.LATIN, Script.DIGIT):
        return Script.LATIN
    if u.script == Script.KANA:
        ch = text[u.start]
        if ch == "ー":
            return None  # the long-vowel mark belongs to the word it lengthens
        return 20 if 0x3041 <= ord(ch) <= 0x309F else 21
    return u.script


def _full_skeleton(text: str, whole: bool = True) -> Skeleton:
    """Steps 1-7 over a whole text (the reference the word-wise path below must agree with).
    `whole=False` for one chunk of a text: the spelled-out final c waits for the whole text."""
    units = _katakana_lookalikes(_compose_jamo(_units(text)))
    units = _resolve_homoglyphs_and_leet(units)
    units = _romanize(units)
    units = _fold(units)
    _mark_script_gaps(units, text)
    key = "".join(u.ch for u in units)
    gap = tuple(int(u.gap) for u in units)
    script = tuple(int(u.script) for u in units)
    return Skeleton(
        key=_spelled_out_final_c(key, gap, script) if whole else key,
        start=tuple(u.start for u in units),
        end=tuple(u.end for u in units),
        gap=gap,
        script=script,
        upper=tuple(u.upper for u in units),
        text=text,
    )


@dataclass(frozen=True)
class _Chunk:
    """The skeleton of one whitespace-delimited chunk, offsets relative to the chunk."""

    sk: Skeleton
    kana: bool  # holds kana: may join a spelled-out kana run with its neighbour ("ピ カ チ ュ ウ")


# A chunk of plain ASCII letters, perhaps with trailing punctuation ("hair,", "smile"): most of a
# tag prompt. Steps 1-6 leave such a chunk as it is (no NFKC change, no lookalike, no leet, no
# kana), so only the folds run; tests/text/test_normalize.py checks it gives the full path's result.
_NON_SPACE = re.compile(r"\S+")
_ASCII_WORD = re.compile(r"([A-Za-z]+)[,.;:!?)]*")


def _ascii_skeleton(text: str, letters: int) -> Skeleton:
    """`_fold` on plain strings for one ASCII word: the same result, a fifth of the time."""
    word = text[:letters]
    low = word.lower().replace("l", "i")
    # Doubled letters first, as `_fold` does: [letter, start, end, upper] per run.
    runs: list[list] = []
    for i, c in enumerate(low):
        if runs and runs[-1][0] == c:
            runs[-1][2] = i + 1
        else:
            runs.append([c, i, i + 1, word[i].isupper()])
    chars = "".join(r[0] for r in runs)
    keys: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    uppers: list[bool] = []
    i, n = 0, len(runs)
    while i < n:
        for pat, rep in _FOLD_FIRST.get(chars[i], ()):
            k = len(pat)
            if chars.startswith(pat, i):
                upper = runs[i][3]
                for m, c in enumerate(rep):
                    src = runs[i + min(m, k - 1)]
                    keys.append(c)
                    starts.append(src[1])
                    ends.append(src[2])
                    uppers.append(upper)
                ends[-1] = runs[i + k - 1][2]
                i += k
                break
        else:
            keys.append(chars[i])
            starts.append(runs[i][1])
            ends.append(runs[i][2])
            uppers.append(runs[i][3])
            i += 1
    if len(keys) > 1 and keys[-1] == "c":
        keys[-1] = "k"  # a word-final c (see `_fold`)
    out_k: list[str] = []
    out_s: list[int] = []
    out_e: list[int] = []
    out_u: list[bool] = []
    for c, a, b, u in zip(keys, starts, ends, uppers, strict=True):
        if out_k and out_k[-1] == c:
            out_e[-1] = max(out_e[-1], b)
            continue
        out_k.append(c)
        out_s.append(a)
        out_e.append(b)
        out_u.append(u)
    return Skeleton(
        key="".join(out_k),
        start=tuple(out_s),
        end=tuple(out_e),
        gap=(0,) * len(out_k),
        script=(int(Script.LATIN),) * len(out_k),
        upper=tuple(out_u),
        text=text,
    )


@lru_cache(maxsize=200_000)
def _chunk(text: str) -> _Chunk:
    plain = _ASCII_WORD.fullmatch(text)
    if plain:
        return _Chunk(_ascii_skeleton(text, plain.end(1)), False)
    kana = any(script in (Script.KANA, _MARK) for ch in text for _c, script, _u, _r in _char_units(ch))
    return _Chunk(_full_skeleton(text, whole=False), kana)


def skeleton(text: str) -> Skeleton:
    """Compute the matching key of `text` (see the module docstring).

    Why word by word: every step works inside a whitespace-delimited chunk (tokens, lookalikes and
    leet are decided per token, folds and doubled letters never cross a space, script gaps need
    two touching characters), so a text's skeleton is its chunks' skeletons joined with a SPACE
    gap. Chunks repeat across prompts ("masterpiece,", "1girl,", "long hair"), so each is computed
    once and cached, and a prompt costs little more than its new words. The one step that crosses
    spaces is kana spelled out one by one ("ピ カ チ ュ ウ"): when two neighbouring chunks both
    hold kana, the whole text takes the reference path.
    """
    chunks: list[tuple[int, _Chunk]] = []
    n = len(text)
    previous_kana = False
    for m in _NON_SPACE.finditer(text):
        at = m.start()
        chunk = _chunk(m.group())
        if chunk.kana and previous_kana:
            return _full_skeleton(text)
        if chunk.kana or chunk.sk.key:  # a chunk of punctuation alone does not part kana ("ピ _ ー")
            previous_kana = chunk.kana
        chunks.append((at, chunk))
    if len(chunks) == 1 and chunks[0][0] == 0 and len(chunks[0][1].sk.text) == n:
        sk = chunks[0][1].sk
        return replace(sk, text=text, key=_spelled_out_final_c(sk.key, sk.gap, sk.script))
    key_parts: list[str] = []
    start: list[int] = []
    end_: list[int] = []
    gap: list[int] = []
    script: list[int] = []
    upper: list[bool] = []
    for offset, chunk in chunks:
        sk = chunk.sk
        if not sk.key:
            continue
        key_parts.append(sk.key)
        start.extend([s + offset for s in sk.start] if offset else sk.start)
        end_.extend([e + offset for e in sk.end] if offset else sk.end)
        first = len(gap)
        gap.extend(sk.gap)
        if offset:  # whitespace comes before this chunk
            gap[first] = max(gap[first], Gap.SPACE)
        script.extend(sk.script)
        upper.extend(sk.upper)
    joined = _spelled_out_final_c("".join(key_parts), gap, script)
    return Skeleton(joined, tuple(start), tuple(end_), tuple(gap), tuple(script), tuple(upper), text)


def _spelled_out_final_c(key: str, gap: Sequence[int], script: Sequence[int]) -> str:
    """The word-final c fold for a name spelled out letter by letter ("S o n i c", "S_o_n_i_c"): a
    c standing alone after another lone letter, and not followed by one, ends the name. Decided on
    the whole text's key, since with spaces each letter is its own chunk."""
    if "c" not in key:
        return key
    chars = list(key)
    for k, ch in enumerate(key):
        if (
            ch == "c"
            and lone_letter(key, gap, script, k)
            and lone_letter(key, gap, script, k - 1)
            and not lone_letter(key, gap, script, k + 1)
        ):
            chars[k] = "k"
    return "".join(chars)


def lone_letter(key: str, gap: Sequence[int], script: Sequence[int], k: int) -> bool:
    """Key character k is a Latin letter standing alone between separators, as in a name spelled
    out letter by letter ("S_o_n_i_c"); False outside the key."""
    return (
        0 <= k < len(key)
        and script[k] == Script.LATIN
        and key[k].isalpha()
        and (k == 0 or gap[k] != Gap.NONE)
        and (k + 1 == len(key) or gap[k + 1] != Gap.NONE)
    )


def key(text: str) -> str:
    """Just the matching key (for registered names)."""
    return skeleton(text).key
