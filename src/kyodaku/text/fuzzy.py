"""Misspelled names: "Pickachu", "Darth Vadar", "Sefiroth".

Many misspellings already meet the registered name in the skeleton (doubled
letters, ck/k, ph/f, ou/o). What is left is one edit away: a wrong, missing,
extra or swapped letter. A symmetric-deletion index (the SymSpell idea) finds
those candidates with dictionary look-ups instead of comparing against every
name: each name key of 6+ letters is stored under itself and each one-letter
deletion; a window of the prompt is looked up the same way, and candidates are
confirmed with the optimal-string-alignment distance.

Why it does not flag ordinary words: a window that is itself a common word
("maria", "lever") or an ordinary Japanese word in romaji ("hakama", "sarashi": see
text/japanese_words.py) is skipped, a window never joins the items of a list
("slip, onee"), names that need context (ambiguous ones) are never fuzzy-matched,
and names shorter than 6 letters are too close to too many words to allow an edit. What they do
allow is a letter swapped for another that spells the same sound ("Kirbi", "Elza"):
`SoundAlikeIndex`, whose hits the fuzzy matcher reads by what the spelling is of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from kyodaku.text.alias import NameVariant
from kyodaku.text.ambiguity import COMMON_WORD_ZIPF, in_dictionary, is_common_word, zipf
from kyodaku.text.japanese_words import japanese_word
from kyodaku.text.kana import is_hiragana, is_katakana
from kyodaku.text.katakana_words import ordinary_katakana
from kyodaku.text.normalize import Gap, Script, Skeleton, key
from kyodaku.text.surface import KATAKANA_PARTICLE, RUSSIAN_GRAMMAR_WORDS, cyrillic_zipf, in_cyrillic

MIN_FUZZY_KEY = 6
DICTIONARY_ZIPF = 2.5
LONG_KEY = 9  # names this long may be two edits away ("Dart Veider", "Mickie Mouse")
MAX_WINDOW_TOKENS = 3
NEAR_CACHE = 200_000  # memoised prompt windows per index


@dataclass(frozen=True)
class FuzzyHit:
    variant: NameVariant
    distance: int
    score: float
    span: tuple[int, int]
    text: str
    window_key: str


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class FuzzyIndex:
    def __init__(self, variants: Iterable[NameVariant]) -> None:
        self.variants: list[NameVariant] = []
        self._index: dict[str, list[int]] = {}
        seen: set[tuple[str, str]] = set()
        for v in variants:
            if v.ambiguous or len(v.key) < MIN_FUZZY_KEY or not v.key.isascii() or not v.key.isalpha():
                continue
            if (v.entity, v.key) in seen:
                continue
            seen.add((v.entity, v.key))
            vid = len(self.variants)
            self.variants.append(v)
            for k in {v.key, *_deletes(v.key)}:
                self._index.setdefault(k, []).append(vid)
        self._longest = max((len(v.key) for v in self.variants), default=0)
        self._near_cache: dict[str, tuple[tuple[int, int], ...]] = {}
        self._name_words = _name_words(self.variants)
        # Names of two or three words, by the keys of their words (see `_word_near`).
        self._word_keys: dict[int, tuple[str, ...]] = {}
        self._by_first_word: dict[str, list[int]] = {}
        for vid, v in enumerate(self.variants):
            words = _word_keys(v)
            if words is not None:
                self._word_keys[vid] = words
                for k in {words[0], *_deletes(words[0])}:
                    self._by_first_word.setdefault(k, []).append(vid)
        self._word_cache: dict[tuple[str, ...], tuple[tuple[int, int], ...]] = {}

    def __len__(self) -> int:
        return len(self.variants)

    def _candidates(self, key: str) -> set[int]:
        """Names sharing the key or a one-letter deletion with it: every name one edit away, and
        those two edits away by a substitution or a swap of neighbours ("Mickie"/"Mickey")."""
        out: set[int] = set()
        for k in (key, *_deletes(key)):
            out.update(self._index.get(k, ()))
        return out

    def _near(self, window: str) -> tuple[tuple[int, int], ...]:
        """(variant id, distance) of the names within the allowed edits of `window`, not equal to it.

        Memoised per index: prompt windows repeat ("long hair", "masterpiece"), and almost all of
        them are near no name, so the steady-state cost of a window is one dictionary look-up."""
        cached = self._near_cache.get(window)
        if cached is not None:
            return cached
        found = []
        for vid in self._candidates(window):
            variant = self.variants[vid]
            if variant.key == window:
                continue  # exact: the alias matcher's job (it may have rejected it on purpose)
            allowed = 2 if len(variant.key) >= LONG_KEY and len(window) >= LONG_KEY else 1
            d = OSA.distance(window, variant.key, score_cutoff=allowed)
            if d <= allowed:
                found.append((vid, d))
        result = tuple(found)
        if len(self._near_cache) >= NEAR_CACHE:
            self._near_cache.clear()  # crude but bounded; refilled by the next prompts
        self._near_cache[window] = result
        return result

    def _word_near(self, words: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
        """(variant id, distance) of the names of as many words as the window, each word of which
        is within one edit of the window's word, one or two edits in all: "Micky Mous" (Mickey
        Mouse), "Drath Vadr" (Darth Vader), "Spyder Mann". The whole-window search reaches two
        edits only by a substitution or a swap, and skips windows of words that look ordinary
        ("micky" and "mous" are frequent enough); two letters left out, or a swap and a letter left
        out, need the words compared one by one. One edit a word keeps each word recognisable,
        which two edits in one short word do not. Called only for windows with a word in no
        dictionary (`_rare`), so two ordinary words are never read as a name this way."""
        cached = self._word_cache.get(words)
        if cached is not None:
            return cached
        found = []
        if all(len(w) >= MIN_WORD_KEY for w in words):
            candidates: set[int] = set()
            for k in (words[0], *_deletes(words[0])):
                candidates.update(self._by_first_word.get(k, ()))
            for vid in candidates:
                name_words = self._word_keys[vid]
                if len(name_words) != len(words):
                    continue
                d = [OSA.distance(w, n, score_cutoff=1) for w, n in zip(words, name_words, strict=True)]
                if all(x <= 1 for x in d) and 1 <= sum(d) <= 2:
                    found.append((vid, sum(d)))
        result = tuple(found)
        if len(self._word_cache) >= NEAR_CACHE:
            self._word_cache.clear()
        self._word_cache[words] = result
        return result

    def find(self, sk: Skeleton, exact_spans: set[tuple[int, int]] | None = None) -> list[FuzzyHit]:
        """Hits for windows of 1-3 Latin tokens of the prompt that are one edit from a name."""
        if not self.variants or not sk.key:
            return []
        tokens = _latin_tokens(sk)
        hits: list[FuzzyHit] = []
        longest = self._longest + 2
        # Prefix sums of the tokens that are no ordinary word (kana tokens count as such: kana
        # windows are judged whole, below), so "all ordinary" is O(1) per window. Tokens split at
        # hyphens too: "star-shaped" is as ordinary as its words (a name cut up with hyphens still
        # meets its key exactly).
        extraordinary = [0]
        famous: list[str | None] = []  # per token: the name word it is (`_name_words`), or None
        words: list[str] = []  # per token, casefolded
        for lo, hi in tokens:
            a_, b_ = sk.span(lo, hi)
            kana_token = sk.script[lo] == Script.KANA
            raw_token = sk.text[a_:b_]
            ordinary = _ordinary(raw_token, Script.LATIN) or japanese_word(sk.key[lo:hi]) is not None
            flag = 1 if kana_token or not ordinary else 0
            extraordinary.append(extraordinary[-1] + flag)
            famous.append(raw_token.casefold() if raw_token.casefold() in self._name_words else None)
            words.append(raw_token.casefold())
        list_break = [lo > 0 and _list_separator(sk, lo) for lo, _ in tokens]
        kana_cut = [sk.script[lo] == Script.KANA and _kana_script_change(sk, lo) for lo, _ in tokens]
        cuts = any(kana_cut)  # most prompts have none: one test per prompt, not per window
        near_cache = self._near_cache
        for a in range(len(tokens)):
            for b in range(a, min(a + MAX_WINDOW_TOKENS, len(tokens))):
                i, j = tokens[a][0], tokens[b][1]
                if b > a and (tokens[b][0] != tokens[b - 1][1] or list_break[b]):
                    break  # tokens are not adjacent, or items of a list ("koma, on")
                if j - i < MIN_FUZZY_KEY - 1:
                    continue
                if j - i > longest:
                    break
                window = sk.key[i:j]
                kana = sk.script[i] == Script.KANA
                # Several words, one of them in no dictionary: also compared word by word.
                by_words = (
                    b > a and not kana and j - i >= LONG_KEY - 2 and any(_rare(w) for w in words[a : b + 1])
                )
                if near_cache.get(window) == () and not by_words:
                    continue  # known to be near no name, whatever its spelling
                # Ordinary words before the name search: a dictionary look-up per word, where the
                # search costs a dozen look-ups and a distance per candidate.
                by_fame: set[str] = set()
                whole = True  # the whole window is looked up as one key
                if not kana and extraordinary[b + 1] == extraordinary[a]:
                    # Ordinary words only, unless a famous word of a name stands beside others
                    # ("Dart Vader"): then only names holding that very word are looked for.
                    by_fame = {w for w in famous[a : b + 1] if w is not None} if b > a else set()
                    if not by_fame and b > a:
                        by_fame = _anchor_words(words[a : b + 1])
                    if not by_fame and not by_words:
                        continue
                    whole = bool(by_fame)
                span = sk.span(i, j)
                raw = sk.text[span[0] : span[1]]
                if kana and (_ordinary(raw, Script.KANA) or _cuts_katakana_run(sk.text, span)):
                    continue
                if exact_spans and any(s[0] < span[1] and span[0] < s[1] for s in exact_spans):
                    continue
                near = self._near(window) if whole else ()
                if by_fame:
                    # Only names holding the famous or anchor words as written.
                    near = tuple(
                        (vid, d)
                        for vid, d in near
                        if by_fame <= set(_NAME_WORD.findall(self.variants[vid].name.casefold()))
                    )
                if not near and by_words:
                    near = self._word_near(tuple(sk.key[lo:hi] for lo, hi in tokens[a : b + 1]))
                if cuts and any(kana_cut[a + 1 : b + 1]) and _particle_token(sk, tokens[a : b + 1]):
                    continue  # a katakana word and its particle (ラーメンと): no name's spelling
                for vid, d in near:
                    variant = self.variants[vid]
                    if _russian_word_near(raw, variant.name):
                        continue  # "Старый дом": the word "old" at a sentence's start, not Starly
                    score = 1.0 - d / max(len(variant.key), len(window))
                    hits.append(FuzzyHit(variant, d, score, span, raw, window))
        return hits


MIN_WORD_KEY = 3  # letters of each word compared one by one (`FuzzyIndex._word_near`)
MAX_NAME_WORDS = 3


def _word_keys(v: NameVariant) -> tuple[str, ...] | None:
    """The keys of a long name's two or three words, when together they are its key (the skeleton
    folds nothing across them) and each has MIN_WORD_KEY letters or more; else None."""
    if len(v.key) < LONG_KEY:
        return None
    words = tuple(key(w) for w in re.split(r"[\s\-‐–—・]+", v.name) if w)
    if not 2 <= len(words) <= MAX_NAME_WORDS or "".join(words) != v.key:
        return None
    if any(len(w) < MIN_WORD_KEY or not w.isalpha() for w in words):
        return None
    return words


_SPELLED = (Script.LATIN, Script.KANA)
_NAME_WORD = re.compile(r"[^\W\d_]{3,}")


def _name_words(variants: Iterable[NameVariant]) -> frozenset[str]:
    """Words of the registered names that are frequent only because the name is famous ("vader"
    of Darth Vader, Zipf 3.3, in no dictionary): frequency makes them look ordinary to the window
    test, so "Dart Vader" would be skipped as two ordinary words. A window of several words with
    such a word is looked up, for names that hold the word as it is written (the misspelling is in
    another word). Alone, such a word stays ordinary: "pokemon" is one edit from "Pokemons" and
    "Pokemon X" in a 40,000-character catalog. A word of a name that is also a dictionary or
    common word ("the", "mouse", "hedgehog") is no such word."""
    words = {w for v in variants for w in _NAME_WORD.findall(v.name.casefold()) if w.isascii()}
    return frozenset(w for w in words if not in_dictionary(w) and not is_common_word(w))


@lru_cache(maxsize=200_000)
def _rare(word: str) -> bool:
    """A word in no dictionary, not an inflection of one and not common: a misspelling may hide in
    it ("micky", "vadr"), not in "blossoms" (the tag "cherry blossoms" is no "Cherry Blossom")."""
    return not in_dictionary(word) and not _inflected_entry(word) and not is_common_word(word)


def _anchor_words(window_words: list[str]) -> set[str]:
    """The dictionary words of a window of ordinary words that also has a word of no dictionary
    ("micky" beside "mouse", "donal" beside "duck"): "Micky Mouse" is Mickey Mouse with its
    rarer word misspelled into another first name, which the window test took for a word. Only
    names that hold every such dictionary word as written are then looked for, so the edit falls
    on the rare word; a window of dictionary words alone ("black hat", one edit from "Black Cat")
    is still never looked up."""
    rare = [w for w in window_words if _rare(w)]
    if not rare or len(rare) == len(window_words):
        return set()
    return {w for w in window_words if w not in rare}


@lru_cache(maxsize=200_000)
def _ordinary(raw: str, script: int) -> bool:
    """A window made only of ordinary words is never a misspelled name."""
    if script == Script.KANA:
        # A frequent word, or any word UniDic records as an ordinary katakana word (マリオネット,
        # ウミガメ: text/katakana_words.py), however rare; also with the particle the skeleton
        # folded into its last letter (ミシンの: the n of ン and of の are one key letter, so the
        # window of ミシン, "sewing machine", ends after the の).
        return (
            zipf(raw, "ja") >= COMMON_WORD_ZIPF
            or ordinary_katakana(raw) is not None
            or ordinary_katakana(_without_particle(raw)) is not None
        )
    words = [w.strip(".,!?;:'\"()«»") for w in raw.split()]
    # A word frequent enough (Zipf >= 2.5, about 1 in 300,000 words) or in the dictionary
    # ("frilled" is one edit from "Friede") is a word, not a typo.
    # (`is_common_word` needs Zipf >= 3 in English, so it adds nothing to the first test.)
    return all(
        zipf(w, "en") >= DICTIONARY_ZIPF or in_dictionary(w) or _inflected_entry(w) or _cyrillic_word(w)
        for w in words
    )


def _cyrillic_word(word: str) -> bool:
    """A lower-case word in Cyrillic letters that a language written in them uses as often as
    `_ordinary` asks of English (масло "butter", старый "old": against the 40,931 Latin names of
    the Danbooru catalog, read into Latin letters, they were one edit from Mashle and Starly).
    wordfreq lists Russian words in every case form, so no inflection rule is needed."""
    if not in_cyrillic(word):
        return False
    if word.casefold() in RUSSIAN_GRAMMAR_WORDS:
        return True  # "У" opening a sentence is the preposition
    if not word[:1].islower():
        return False  # capitalised, it may be a name Russian writes (Супермен): `_russian_word_near`
    return _cyrillic_frequency(word) >= DICTIONARY_ZIPF


def _cyrillic_frequency(word: str) -> float:
    """The word's Zipf in the Cyrillic languages, the soft and hard signs restored: they write no
    sound, so no key letter, and a token may end before one (the window "полден" of полдень)."""
    forms = [word.casefold()] + [word.casefold() + sign for sign in "ьъ"]
    return max(cyrillic_zipf(w) for w in forms)


def _russian_word_near(raw: str, name: str) -> bool:
    """A capitalised Cyrillic window one edit from a Latin name, that is a word of its language
    ten times as frequent there as the name is in English (russian_words.NATIVE_MARGIN): "Старый"
    (5.3) at a sentence's start against "Starly" (1.0), where "Супермен" (3.3) stays a spelling
    of "Superman" (3.9). Lower-case words were set aside as ordinary before the search."""
    if not in_cyrillic(raw):
        return False
    from kyodaku.text.russian_words import more_at_home

    return all(more_at_home(_cyrillic_frequency(w), name) for w in raw.split())


def _without_particle(raw: str) -> str:
    """A katakana word without the KATAKANA_PARTICLE hiragana or fewer at its end ("" if none)."""
    end = len(raw)
    while end > 0 and is_hiragana(raw[end - 1]):
        end -= 1
    if end == len(raw) or len(raw) - end > KATAKANA_PARTICLE or not all(is_katakana(c) for c in raw[:end]):
        return ""
    return raw[:end]


def _inflected_entry(word: str) -> bool:
    """An inflection of a dictionary word ("slicked", "frilled"), which the dictionary leaves out."""
    w = word.casefold()
    return any(w.endswith(suffix) and in_dictionary(w[: -len(suffix)]) for suffix in _INFLECTIONS)


_INFLECTIONS = ("ed", "d", "ing", "es", "s")


def _list_separator(sk: Skeleton, k: int) -> bool:
    """A comma or semicolon (any width) separates key letters k-1 and k: items of a list, as in
    tag prompts ("slip, onee"), which no name is cut into."""
    return sk.gap[k] != Gap.NONE and any(c in _LIST_MARKS for c in sk.text[sk.end[k - 1] : sk.start[k]])


_LIST_MARKS = frozenset(",;、，；")


def _latin_tokens(sk: Skeleton) -> list[tuple[int, int]]:
    """Key ranges of tokens spelled in letters: Latin words, and romanized kana words (a change
    of script ends a kana word, which has no spaces). Hiragana and katakana are two scripts here:
    a katakana word and the particle after it ("ラーメンと", ramen + "and") are two tokens, and a
    window over both is no misspelling (`_particle_token`; ドラぇもん, a longer hiragana half, is).
    Read as one, they were one edit from Lamento, and "をドローン" from Ororon, in ordinary
    Japanese prompts against the 40,931-name Danbooru catalog (docs/benchmarks.md, section 7,
    "Katakana words that are words")."""
    out: list[tuple[int, int]] = []
    start = None
    gap, script = sk.gap, sk.script
    for k in range(len(sk.key)):
        if start is not None and (
            gap[k] != Gap.NONE or (script[k] == Script.KANA and _kana_script_change(sk, k))
        ):
            out.append((start, k))
            start = None
        if script[k] in _SPELLED:
            if start is None:
                start = k
        else:
            start = None
    if start is not None:
        out.append((start, len(sk.key)))
    return out


def _kana_script_change(sk: Skeleton, k: int) -> bool:
    """Key letters k-1 and k are kana of the two scripts, hiragana and katakana."""
    if not (k > 0 and sk.script[k] == Script.KANA and sk.script[k - 1] == Script.KANA):
        return False
    return is_hiragana(sk.text[sk.start[k]]) != is_hiragana(sk.text[sk.start[k - 1]])


def _cuts_katakana_run(text: str, span: tuple[int, int]) -> bool:
    """The window starts or ends inside a run of katakana: a misspelled katakana name is the whole
    word, and a piece of one is no name ("ミガメ" of ウミガメ, "sea turtle", is no misspelled
    Umigame; the skeleton folds the ウ after ぐ into a long vowel, so the key starts at ミ)."""
    a, b = span
    return (a > 0 and is_katakana(text[a - 1]) and is_katakana(text[a])) or (
        b < len(text) and is_katakana(text[b]) and is_katakana(text[b - 1])
    )


def _particle_token(sk: Skeleton, tokens: list[tuple[int, int]]) -> bool:
    """A hiragana token of the window, beside katakana, is KATAKANA_PARTICLE hiragana or fewer: a
    particle or an inflection (と, を, が; the い of 白い), the grammar around a katakana word. A
    longer one may be half of a name written in both scripts (ドラぇもん, ドラえもん misspelled)."""
    for lo, hi in tokens:
        a, b = sk.span(lo, hi)
        if is_hiragana(sk.text[a]) and b - a <= KATAKANA_PARTICLE:
            return True
    return False


# Short names: one letter written as another that spells the same sound ("Kirbi" for Kirby,
# "Elza" for Elsa). Names under MIN_FUZZY_KEY letters take no arbitrary edit (one edit from "Mario"
# is "Maria", "Marion", "Mart"...), but English spelling writes some sounds two ways, and a name
# written by ear may take either: y or i for the vowel (not before a vowel, where y is a
# consonant: "Yoda" is no "Ioda"), s or z (not in "sh"), k or c for /k/ (not before e, i or y,
# where c is /s/). Such a spelling is the name heard and written down; it counts as the name only
# where the swapped form is nobody's name and no word (see `SoundAlikeIndex.find`'s callers).
SHORT_SWAP_LETTERS = (4, MIN_FUZZY_KEY - 1)  # written letters of the names that get swaps
_VOWEL_LETTERS = frozenset("aeiouy")


def _same_sound(name: str, i: int) -> str:
    """The other letter that spells the sound of `name[i]` there, or ""."""
    ch, nxt = name[i], name[i + 1 : i + 2]
    if ch in "yi":
        return "" if nxt in _VOWEL_LETTERS and nxt else ("i" if ch == "y" else "y")
    if ch in "sz":
        return "" if ch == "s" and nxt == "h" else ("z" if ch == "s" else "s")
    if ch == "k":
        return "" if nxt in ("e", "i", "y") else "c"
    if ch == "c":
        return "" if nxt in ("e", "i", "y", "h", "k") else "k"
    return ""


def sound_alike_spellings(name: str) -> list[tuple[str, str]]:
    """(spelling, note) for each one-letter swap of `name` (lower case) that keeps its sound."""
    out = []
    for i in range(len(name)):
        other = _same_sound(name, i)
        if other:
            out.append((name[:i] + other + name[i + 1 :], f"{other} for {name[i]}"))
    return out


# Short names slipped while typing: two neighbouring letters swapped ("Sonci", "Zleda"), a letter
# doubled ("Elssa") or, in a name of five letters or more, one left out ("Mrio"). One arbitrary
# edit from a short name reaches words and other names ("Maria", "Else"); these three slips are
# the ones fingers make, and a slip counts only where it spells no word and nobody's name in any
# big language (the callers' `spelled_word_or_name`), as a sound-alike spelling does.
SLIP_LETTERS = (4, 8)  # written letters of the names that get slips (six and up: ambiguous only)
MIN_DROPPED = 5  # a name this long may lose a letter and keep four


def slip_spellings(name: str) -> list[tuple[str, str]]:
    """(spelling, note) for each typing slip of `name` (lower case): neighbours swapped, a letter
    doubled, and one left out of a name of MIN_DROPPED letters or more."""
    out: dict[str, str] = {}
    for i in range(len(name) - 1):
        if name[i] != name[i + 1]:
            out.setdefault(
                name[:i] + name[i + 1] + name[i] + name[i + 2 :], f"{name[i]} and {name[i + 1]} swapped"
            )
    for i in range(len(name)):
        out.setdefault(name[: i + 1] + name[i] + name[i + 1 :], f"{name[i]} doubled")
        if len(name) >= MIN_DROPPED and (i == 0 or name[i - 1] != name[i]):
            out.setdefault(name[:i] + name[i + 1 :], f"{name[i]} left out")
    out.pop(name, None)
    return list(out.items())


@dataclass(frozen=True)
class SoundAlikeHit:
    variant: NameVariant
    span: tuple[int, int]
    text: str
    swap: str  # "i for y", "n and c swapped"
    slip: bool = False  # a typing slip (`slip_spellings`), not a spelling of the sound


_LATIN_WORD_RE = re.compile(r"(?<![\w'])[A-Za-z]+(?![\w'])")


class SoundAlikeIndex:
    """Short one-word Latin names (SHORT_SWAP_LETTERS) by their sound-alike spellings
    (`sound_alike_spellings`); with `slips`, names of SLIP_LETTERS by their typing slips
    (`slip_spellings`: six letters and more only for a name the fuzzy index leaves out, an
    ambiguous one). A spelling that another entry's name has, or that two entries' names share, is
    dropped."""

    def __init__(self, variants: Iterable[NameVariant], eligible=lambda v: True, slips: bool = False) -> None:
        keys: set[str] = set()
        by_form: dict[str, dict[str, tuple[NameVariant, str]]] = {}
        self._slips = slips
        lo, hi = SLIP_LETTERS if slips else SHORT_SWAP_LETTERS
        for v in variants:
            name = v.name.strip().casefold()
            keys.add(v.key)
            if not (lo <= len(name) <= hi and name.isascii() and name.isalpha()) or not eligible(v):
                continue
            if slips and len(v.key) >= MIN_FUZZY_KEY and not v.ambiguous:
                continue  # the fuzzy index reaches it already (`FuzzyIndex`: distinctive keys of six)
            for form, swap in (slip_spellings if slips else sound_alike_spellings)(name):
                by_form.setdefault(form, {}).setdefault(v.entity, (v, swap))
        self._by_form = {
            f: next(iter(e.values())) for f, e in by_form.items() if len(e) == 1 and key(f) not in keys
        }

    def __len__(self) -> int:
        return len(self._by_form)

    def find(self, text: str) -> list[SoundAlikeHit]:
        """Capitalised words of `text` that are a sound-alike spelling of a short name: a name is
        written with a capital, and tag prompts ("1girl, kirbi") are not searched at all."""
        if not self._by_form:
            return []
        out = []
        for m in _LATIN_WORD_RE.finditer(text):
            word = m.group()
            if not word[0].isupper():
                continue
            found = self._by_form.get(word.casefold())
            if found is not None:
                out.append(SoundAlikeHit(found[0], m.span(), word, found[1], self._slips))
        return out
