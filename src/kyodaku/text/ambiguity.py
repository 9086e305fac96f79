"""Which registered names are ordinary words or common first names.

"Cloud", "Link", "Sonic", "Mario" and "Elsa" are real character names, but a
prompt that says "a cloud over Mount Fuji" or "Mario Draghi speaks in Brussels"
means something else. Such names only count when the prompt also carries
supporting context (the franchise, other characters, distinctive traits).

Detection is automatic and explainable, from data that ships offline:

* a common word: frequent in the language (wordfreq Zipf >= 3) *and* used
  with inflections ("clouds", "linked" ...) at least 1/25 as often as the
  word itself. Inflection is what separates an ordinary noun or verb from a
  famous proper name: "batman" and "superman" are frequent, but "batmans" is
  not;
* one of the most frequent English words (Zipf >= 4.5: "pink", "grey"),
  which no franchise name reaches ("Disney" 4.4, "Mario" 4.2);
* a common English word that is not inflected ("frozen", "hello"): frequent
  in English (Zipf >= 3.5) and at least ten times more frequent there than in
  the other big Latin-script languages. A franchise name is used worldwide at
  similar rates ("batman" is as frequent in French and Spanish); an ordinary
  English word is not;
* an English dictionary word used mostly in English: a lowercase entry of
  Webster's Second and GCIDE (the `english-words` package), Zipf >= 2.9, and at
  least 0.55 more frequent in English than in the other big Latin-script
  languages ("grey", "twilight", "navel", "ascot", "polka"). The dictionary
  says it is a word; the margin says that the word, not a franchise known
  worldwide by it, is what people write ("batman" is in the dictionary too, but
  French and Spanish text uses it as much: margin 0.28);
* a common first name: listed in gender-guesser's name dictionary *and*
  as frequent as a common word (Zipf >= 3), so "Mario" and "Elsa" count but rare names do not;
* very short names (<= 3 letters) and single-character Han names;
* in languages written without inflection markers (ja, zh, ko) we only have
  frequency: a single-token name with Zipf >= 4.5 (リンク) is ambiguous, and a
  katakana or Hangul transliteration of an ambiguous Latin name of the same
  entry (クラウド for Cloud, 마리오 for Mario) inherits its ambiguity;
* a Han name jieba counts as a word of its own (孙悟空, the Monkey King), and a
  Hangul name that is its Korean reading (손오공: `_korean_readings`).

A catalog can force a name to need context with `ambiguous_names`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

FIRST_NAME_ZIPF = COMMON_WORD_ZIPF = 3.0
CJK_WORD_ZIPF = 4.5
INFLECTION_SLACK = 1.4
ENGLISH_ONLY_ZIPF = 3.5
VERY_COMMON_ZIPF = 4.5  # about the 3,000 most frequent English words: "pink", "grey", "link"
ENGLISH_ONLY_MARGIN = 1.0
DICTIONARY_ZIPF = 2.9
DICTIONARY_MARGIN = 0.55
INFLECTED_DICTIONARY_ZIPF = 2.5  # a dictionary word this frequent ...
INFLECTED_SLACK = 1.6  # ... whose plural is at most this much rarer: "androids", "parasols", "polkas"
RARE_DICTIONARY_ZIPF = 2.0  # a rarer dictionary word ...
RARE_DICTIONARY_MARGIN = 1.0  # ... used ten times more in English than elsewhere: "sclera"
_SUFFIXES = ("s", "es", "ed", "ing", "er", "ly")
_OTHER_LATIN = ("fr", "de", "es", "it", "pt", "nl")


FIRST_NAME_REASON = "common first name"
FORCED_REASON = "marked ambiguous in the catalog"
TRANSLITERATION_REASON = "transliteration of an ambiguous name"
BARE_STYLE_REASON = "style name without a style cue"
PHRASE_REASON = "a phrase of ordinary words"
PHRASE_WORD_ZIPF = 4.0
JAPANESE_WORD_PREFIX = "common word (Japanese "
CHINESE_WORD_PREFIX = "an ordinary Chinese word"
_PHRASE_GLUE = frozenset(["the", "a", "an", "of", "and", "in", "on", "to", "for", "with", "&", "-"])


@dataclass(frozen=True)
class AmbiguityVerdict:
    ambiguous: bool
    reason: str
    by_key: bool = False  # only the matching key is a word ("Eevee" reads "eve"): the name as written is not


@lru_cache(maxsize=8)
def _freq_dict(lang: str) -> dict[str, float]:
    import wordfreq

    try:
        return wordfreq.get_frequency_dict(lang)
    except (LookupError, ValueError):
        return {}


@lru_cache(maxsize=500_000)
def zipf(word: str, lang: str) -> float:
    """Zipf frequency of a whole token, without a tokenizer (which ja would need MeCab for)."""
    freq = _freq_dict(lang).get(word.lower())
    return round(math.log10(freq * 1e9), 2) if freq else 0.0


@lru_cache(maxsize=1)
def _first_names():
    import gender_guesser.detector as gd

    return gd.Detector(case_sensitive=False)


def is_first_name(word: str) -> bool:
    return _first_names().get_gender(word) != "unknown"


def _base_lang(lang: str) -> str:
    return lang.split("-")[0].lower()


@lru_cache(maxsize=200_000)
def is_common_word(word: str, lang: str = "en") -> bool:
    """True when `word` is an ordinary word of `lang` (or of English): see the module docstring."""
    w = word.lower()
    if zipf(w, "en") >= VERY_COMMON_ZIPF:
        return True
    for code in dict.fromkeys((_base_lang(lang), "en")):
        z = zipf(w, code)
        if z < COMMON_WORD_ZIPF:
            continue
        best_inflection = max(zipf(w + suffix, code) for suffix in _SUFFIXES)
        if best_inflection >= z - INFLECTION_SLACK:
            return True
    z_en = zipf(w, "en")
    if z_en >= RARE_DICTIONARY_ZIPF:
        elsewhere = sum(zipf(w, code) for code in _OTHER_LATIN) / len(_OTHER_LATIN)
        if z_en >= ENGLISH_ONLY_ZIPF and z_en - elsewhere >= ENGLISH_ONLY_MARGIN:
            return True
        if in_dictionary(w) and (
            (z_en >= DICTIONARY_ZIPF and z_en - elsewhere >= DICTIONARY_MARGIN)
            or z_en - elsewhere >= RARE_DICTIONARY_MARGIN
            or (z_en >= INFLECTED_DICTIONARY_ZIPF and inflected(w, z_en))
        ):
            return True
    return False


def inflected(word: str, z: float | None = None, slack: float = INFLECTED_SLACK) -> bool:
    """People write the word's plural or inflections too ("androids", "parasols", "cowgirls"): a
    noun or verb, which a name is not ("batmans" is 2.6 rarer than "batman", "kittys" 2.7)."""
    w = word.lower()
    z = zipf(w, "en") if z is None else z
    return z > 0 and max(zipf(w + suffix, "en") for suffix in _SUFFIXES) >= z - slack


def in_dictionary(word: str) -> bool:
    """A lowercase entry of the English dictionary (see `_dictionary`): a word, not a typo."""
    return word.casefold() in _dictionary()


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """Lowercase entries of Webster's Second and GCIDE: words, not proper names ("Halloween" and
    "Mario" are capitalised there)."""
    from english_words import get_english_words_set

    return frozenset(
        w for w in get_english_words_set(["web2", "gcide"], lower=False, alpha=True) if w.islower()
    )


def _ordinary_phrase(name: str, lang: str) -> bool:
    """Every word of a Latin-script name is an ordinary word: "fox girl", "one piece", "black belt"
    are character and work names in a 40,000-character catalog and everyday phrases in prompts.
    Only very frequent words (Zipf >= 4: the ~10,000 most frequent) meet by chance often enough:
    "Cloud Strife" ("strife" 3.4) is two ordinary words that nobody writes together.
    Such a name needs support, which includes being written as a name ("One Piece", "Star Wars":
    see `matching.support`)."""
    words = [w for w in re.split(r"[\s\-/]+", name.lower()) if w and w not in _PHRASE_GLUE]
    return bool(words) and all(
        _is_latin_word(w) and is_common_word(w, lang) and zipf(w, _base_lang(lang)) >= PHRASE_WORD_ZIPF
        for w in words
    )


def _is_latin_word(name: str) -> bool:
    return all(("a" <= c.lower() <= "z") or c in "-'." for c in name)


def _is_kana_word(name: str) -> bool:
    return all(0x3041 <= ord(c) <= 0x30FF for c in name) and "・" not in name


def classify(name: str, lang: str, key: str | None = None) -> AmbiguityVerdict:
    """Decide whether one registered name needs context before it counts.

    `key` is the name's matching key: a name is matched by its key, so it is as
    ambiguous as the key is ("Toho" reads "to", "Dragoon" reads "dragon").
    The name as written is judged first; the key only adds ambiguity.
    """
    verdict = _classify_surface(name.strip(), lang)
    if verdict.ambiguous or key is None or not (key.isascii() and key.isalpha()):
        return verdict
    if key != name.strip().lower().replace(" ", ""):
        if len(key) <= 3:
            return AmbiguityVerdict(True, f'its matching key "{key}" is a short word', by_key=True)
        if is_common_word(key):
            return AmbiguityVerdict(True, f'its matching key "{key}" is a common word', by_key=True)
    return verdict


def _classify_surface(stripped: str, lang: str) -> AmbiguityVerdict:
    if len(stripped.split()) > 1:
        if _ordinary_phrase(stripped, lang):
            return AmbiguityVerdict(True, PHRASE_REASON)
        return AmbiguityVerdict(False, "multi-word name")
    if _is_latin_word(stripped):
        letters = sum(c.isalpha() for c in stripped)
        if letters <= 3:
            return AmbiguityVerdict(True, "short name (<= 3 letters)")
        if is_common_word(stripped, lang):
            return AmbiguityVerdict(True, f"common word (zipf {zipf(stripped, 'en'):.2f})")
        if is_first_name(stripped) and zipf(stripped, "en") >= FIRST_NAME_ZIPF:
            return AmbiguityVerdict(True, FIRST_NAME_REASON)
        return AmbiguityVerdict(False, "distinctive name")
    code = _base_lang(lang)
    if len(stripped) <= 1:
        return AmbiguityVerdict(True, "single character")
    if code in ("ja", "zh", "ko") and zipf(stripped, code) >= CJK_WORD_ZIPF:
        return AmbiguityVerdict(True, f"common word in {code} (zipf {zipf(stripped, code):.2f})")
    if _is_han(stripped):
        from kyodaku.text.segment import chinese_word_count

        count = chinese_word_count(stripped)
        if count >= CHINESE_WORD_COUNT:
            return AmbiguityVerdict(True, f"{CHINESE_WORD_PREFIX} too (counted {count} times by jieba)")
    return AmbiguityVerdict(False, "distinctive name")


def japanese_word_of(name: str) -> tuple[str, float] | None:
    """The ordinary Japanese word a romaji name reads as ("miko": 巫女), see text/japanese_words.py."""
    from kyodaku.text.japanese_words import japanese_word
    from kyodaku.text.normalize import skeleton

    return japanese_word(skeleton(name).key)


def _own_japanese_reading(name: str, names: list[tuple[str, str]]) -> bool:
    """The entry registers a Japanese name of its own, not the ordinary word, that spells this
    romaji name: 孫悟空 (son gokuu) for "Goku", not ごく ("very"); ナルト for "Naruto", not 鳴門.
    The catalog then says which Japanese word the name is."""
    from kyodaku.text.japanese_words import reading_key
    from kyodaku.text.normalize import skeleton

    word = japanese_word_of(name)
    key = skeleton(name).key
    for _, other in names:
        if other == name or other.isascii() or (word is not None and other == word[0]):
            continue
        try:
            if key in reading_key(other):
                return True
        except ImportError:  # pragma: no cover - pykakasi missing: fall back to the kana skeleton
            if key in skeleton(other).key:
                return True
    return False


def entity_ambiguities(
    names: list[tuple[str, str]], forced: tuple[str, ...] = (), keys: dict[str, str] | None = None
) -> dict[str, AmbiguityVerdict]:
    """Classify all names of one entry; kana transliterations inherit a Latin name's ambiguity.

    A one-word romaji name that reads as an ordinary Japanese word ("chibi", "miko": see
    text/japanese_words.py) is ambiguous too, unless the entry's own Japanese name spells it:
    that is judged here, where the entry's other names are known."""
    keys = keys or {}
    out = {n: classify(n, lang, keys.get(n)) for lang, n in names}
    for n, v in list(out.items()):
        if v.ambiguous or not _is_latin_word(n.strip()):
            continue
        ja = japanese_word_of(n)
        if ja is not None and not _own_japanese_reading(n, names):
            out[n] = AmbiguityVerdict(True, f"{JAPANESE_WORD_PREFIX}{ja[0]}, zipf {ja[1]:.2f} in ja)")
    for n, v in _korean_readings(names, out).items():
        out[n] = v
    for n in forced:
        out[n] = AmbiguityVerdict(True, FORCED_REASON)
    ambiguous_latin = [n for n, v in out.items() if v.ambiguous and not v.by_key and _is_latin_word(n)]
    if ambiguous_latin:
        for n, v in list(out.items()):
            kana = _is_kana_word(n) and len(n) <= 6
            if not v.ambiguous and (kana or _hangul_transliteration(n, ambiguous_latin)):
                out[n] = AmbiguityVerdict(True, TRANSLITERATION_REASON)
    return out


def transliterates(name: str, latin: list[str]) -> bool:
    """A one-word katakana or Hangul name that writes one of the `latin` names by sound (クラウド and
    클라우드 for "Cloud"): consonant frames compared as in `_hangul_transliteration`."""
    if _hangul_transliteration(name, latin):
        return True
    if not _is_kana_word(name) or not latin:
        return False
    from kyodaku.text.by_ear import heard_as
    from kyodaku.text.kana import kana_run_to_romaji

    return heard_as("".join(kana_run_to_romaji(name)), latin, min_consonants=2)


def _hangul_transliteration(name: str, latin: list[str]) -> bool:
    """A one-word Hangul name that writes an ambiguous Latin name of its entry by sound: 마리오
    (mario) for Mario, 엘사 (elsa) for Elsa, 루이지 for Luigi. Korean spells foreign first names so
    ("마리오 드라기" is Mario Draghi in Korean news), as Japanese does in katakana, so the Hangul form
    is as ambiguous as the Latin one. Sound is compared by consonant frames (text/by_ear.py), which
    a translation or a Korean reading of a Chinese name does not keep."""
    if not _is_hangul_word(name) or len(name) > 6:
        return False
    from kyodaku.text.by_ear import heard_as
    from kyodaku.text.variants import hangul_romanization

    reading = hangul_romanization(name)
    return bool(reading) and heard_as(reading, latin)


def _korean_readings(
    names: list[tuple[str, str]], verdicts: dict[str, AmbiguityVerdict]
) -> dict[str, AmbiguityVerdict]:
    """Hangul names that are the Korean reading of an ambiguous Han name of the same entry, which
    then share its other reading: 손오공 is 孫悟空 read in Korean, and the Monkey King of Journey to
    the West in Korean as 孫悟空 is in Chinese and Japanese.

    Korean reads each Han character as one syllable, so the reading has as many syllables as the
    Han name has characters. A transliteration of the entry's Latin name may too (피카츄, 皮卡丘),
    so a Hangul name whose romanization keeps the Latin name's consonants (text/by_ear.py frames:
    pikachyu and Pikachu are both P-K-C) is a transliteration, and stays distinctive; 손오공
    (sonogong, S-N-G-N-G) is not "Son Goku" (S-N-G-K) by ear."""
    han = [
        n
        for _, n in names
        if _is_han(n) and verdicts[n].ambiguous and verdicts[n].reason.startswith(CHINESE_WORD_PREFIX)
    ]
    if not han:
        return {}
    from kyodaku.text.by_ear import heard_frame, spelled_frames
    from kyodaku.text.variants import hangul_romanization

    latin_frames = {f for _, n in names if n.isascii() for f in spelled_frames(n)}
    out: dict[str, AmbiguityVerdict] = {}
    for _, n in names:
        if verdicts[n].ambiguous or not _is_hangul_word(n):
            continue
        for h in han:
            if len(h) != len(n):
                continue
            reading = hangul_romanization(n)
            if reading and heard_frame(reading) not in latin_frames:
                out[n] = AmbiguityVerdict(True, f"{verdicts[h].reason}; {n} is its Korean reading")
                break
    return out


def _is_hangul_word(name: str) -> bool:
    return bool(name) and all(0xAC00 <= ord(c) <= 0xD7AF for c in name)


CHINESE_WORD_COUNT = 100  # jieba's corpus counts: 孙悟空 247, 超人 166, 迪士尼 195; 米老鼠 38, 皮卡丘 3


def _is_han(name: str) -> bool:
    return all(0x4E00 <= ord(c) <= 0x9FFF or 0x3400 <= ord(c) <= 0x4DBF for c in name)


DISTINCTIVE_ZIPF = 3.8  # rarer than about the 10,000 most frequent English words
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def distinctive_words(description: str, lang: str) -> list[str]:
    """Words of a description rare enough to point at its entry ("plumber", "moustache",
    "swordsman", "puffball"), which therefore support an ambiguous name next to them.

    Only alphabetic words (a description in Japanese or Chinese has no spaces to cut words at:
    the semantic matcher reads those); hyphenated compounds are kept whole ("elf-eared")."""
    out: list[str] = []
    seen: set[str] = set()
    for word in _WORD.findall(description):
        low = word.casefold()
        if len(low) < 5 or low in seen or not low.isascii():
            continue
        seen.add(low)
        if max(zipf(low, _base_lang(lang)), zipf(low, "en")) <= DISTINCTIVE_ZIPF:
            out.append(word)
    return out
