"""Latin-script names written down by ear in another script: キャットバス for "Catbus", プリンセス・ゼルダ
for "Princess Zelda", Дарт Вейдер for "Darth Vader".

A rightsholder registers a name in English and perhaps one official Japanese name (ネコバス,
ゼルダ姫). People who write Japanese or Russian also spell the *English* name as it sounds, and no
spelling fold makes the two meet: Japanese adds a vowel after almost every consonant (ku-ra-u-do,
kya-t-to-ba-su), drops an English r after a vowel (supaidaa), and Russian writes the vowels as
they are heard (Вейдер, veider, for Vader). What both keep is the *consonant frame*: the
consonants in order, up to the sounds each language merges (l and r, b and v, s and z, th as s
or t). The test compares frames:

* the frame of a registered name is made by English spelling rules (c before e/i is s, ck is k,
  ph is f, th is t or s, an r after a vowel may go), in every reading those rules allow;
* the frame of a run of katakana or Cyrillic words of the prompt is made from its romanization
  (the same readings the skeleton uses), with the vowels, y and w left out;
* a window of the prompt (whole words, never part of one) counts when its frame is that of one
  entry's name and no other's, and the frame has at least MIN_CONSONANTS consonants: "Eevee"
  (v) or "Kirby" (k, b) are too short to tell from ordinary words, "Catbus" (k t b s) is not.

Distinctive Latin names take part (an ambiguous name needs support, which a frame cannot give);
a second index, read in Russian only, holds the names ambiguous only as a first name
(`heard_first_name`: Луиджи, Кирби), whose hits the matcher judges as it judges the written name,
with support or as the depicted subject (matching/by_ear.py). Only katakana, Cyrillic, Greek,
Hebrew and Arabic text is read: a Latin prompt is the alias and fuzzy matchers' business, and
Chinese and Korean names are registered in their own script.

Names too short for a frame ("Yoda", "Eevee", "Bowser") are still written by ear in Russian
(Йода, Иви, Боузер), where the vowels are written as heard too. For those the test is the whole
*sound key* (`sound_keys`): consonants and vowels, English spelling read the way Russian
transcribes it (ee and ea as i, ow as ou, y as i, s and z as one), which is far more specific than
a frame; the Cyrillic word must be capitalised, as Russian writes a name and not a word (йода,
"of iodine"), and be the whole word. A single katakana word is heard the same way (イーヴィー is
"Eevee" as heard; the registered イーブイ follows the older loanword spelling, ブ for v and a large
イ), its long vowels and doubled consonants one sound (`heard_katakana_key`); with no capitals to
tell a name from a loanword, it must be no word of Japanese at all and no part of a dotted full
name (イーヴィー・ウォーカー, Evie Walker).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, product

from rapidfuzz.distance import Levenshtein

from kyodaku.text.alias import NameVariant
from kyodaku.text.alphabets import ARABIC_LETTER, GREEK_LETTER, HEBREW_LETTER, readings
from kyodaku.text.ambiguity import BARE_STYLE_REASON, FIRST_NAME_REASON, zipf
from kyodaku.text.kana import kana_run_to_romaji
from kyodaku.text.katakana_words import foreign_spelling, ordinary_compound, ordinary_katakana
from kyodaku.text.normalize import CYRILLIC_READING
from kyodaku.text.surface import RUSSIAN_GRAMMAR_WORDS, cyrillic_word_use, dotted_name_part

MIN_CONSONANTS = 4
MIN_SOUND_KEY = 3  # letters: "ivi" (Eevee, Иви) is the shortest
MAX_WORDS = 4
MAX_READINGS = 16
COMMON_ZIPF = 3.5  # a window that is an ordinary word of its language is that word
RARE_KATAKANA_ZIPF = 2.0  # about once in 10 million words: a katakana word this rare is no loanword

VOWELS = frozenset("aeiouyw")

# Consonant classes shared by English spelling and the romanizations of katakana and Cyrillic.
_CLASS = {
    "b": "B", "v": "B", "p": "P", "f": "F", "h": "H", "k": "K", "q": "K", "g": "G", "j": "J",
    "s": "S", "z": "S", "t": "T", "d": "D", "l": "R", "r": "R", "m": "M", "n": "N", "x": "KS",
}  # fmt: skip
# Digraphs read as one consonant in the romanizations (Hepburn, the skeleton's Cyrillic reading).
_ROMAN_DIGRAPHS = (("shch", "S"), ("dzh", "J"), ("sh", "S"), ("ch", "C"), ("zh", "J"), ("kh", "H"))


@dataclass(frozen=True)
class ByEarHit:
    variant: NameVariant
    span: tuple[int, int]
    text: str
    frame: str

    @property
    def note(self) -> str:
        return f'"{self.text}" is "{self.variant.name}" written by ear (consonants {"-".join(self.frame)})'


def _letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if "a" <= c <= "z")


def _name_key(name: str) -> str:
    """A name's letters and digits, casefolded and without accents, spaces or punctuation: what
    tells two names apart when heard ("Spider-Man" and "spider man" are one)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if "a" <= c <= "z" or "0" <= c <= "9")


def _squeeze(classes: Iterable[str], vowel_first: bool) -> str:
    out: list[str] = []
    for c in classes:
        if c and (not out or out[-1] != c):
            out.append(c)
    return ("^" if vowel_first else "") + "".join(out)


def consonants(frame: str) -> int:
    return len(frame.lstrip("^"))


def heard_as(romanized: str, latin: Iterable[str], min_consonants: int = 0) -> bool:
    """Whether a romanized katakana, Hangul or Cyrillic name sounds like one of the `latin` names:
    its consonant frame is one their English spellings may be heard as (クラウド "kuraudo" and
    "Cloud" are both K-R-D), with at least `min_consonants` consonants."""
    frame = heard_frame(romanized)
    return consonants(frame) >= min_consonants and any(frame in spelled_frames(n) for n in latin)


@lru_cache(maxsize=100_000)
def heard_frame(romanized: str) -> str:
    """The consonant frame of a romanized katakana or Cyrillic text ("kyattobasu" -> KTBS)."""
    s = _letters(romanized)
    out: list[str] = []
    i = 0
    while i < len(s):
        for digraph, cls in _ROMAN_DIGRAPHS:
            if s.startswith(digraph, i):
                out.append(cls)
                i += len(digraph)
                break
        else:
            ch = s[i]
            out.append("" if ch in VOWELS else _CLASS.get(ch, ""))
            i += 1
    return _squeeze(out, bool(s) and s[0] in VOWELS)


@lru_cache(maxsize=200_000)
def spelled_frames(name: str) -> frozenset[str]:
    """The consonant frames an English spelling may be heard as ("Darth Vader" -> DRTBDR, DTBD,
    DSBD, ...): th as t or s, an r after a vowel kept or dropped, g before e/i as g or j."""
    s = _letters(name)
    options: list[tuple[str, ...]] = []
    i = 0
    while i < len(s):
        ch, nxt = s[i], s[i + 1 : i + 2]
        two = s[i : i + 2]
        if s.startswith("tch", i):
            options.append(("C",))
            i += 3
            continue
        if s.startswith("sch", i):
            options.append(("S",))
            i += 3
            continue
        if two == "dg" and s[i + 2 : i + 3] in ("e", "i", "y"):
            options.append(("J",))  # "hedgehog"
            i += 2
            continue
        if two in ("sh", "ch", "th", "ph", "ck", "gh", "qu"):
            options.append({"sh": ("S",), "ch": ("C",), "th": ("T", "S"), "ph": ("F",), "ck": ("K",),
                            "gh": ("",), "qu": ("K",)}[two])  # fmt: skip
            i += 2
            continue
        if ch in VOWELS:
            options.append(("",))
        elif ch == "c":
            options.append(("S",) if nxt in ("e", "i", "y") else ("K",))
        elif ch == "g" and nxt in ("e", "i", "y"):
            options.append(("G", "J"))
        elif ch == "r" and i > 0 and s[i - 1] in "aeiouy" and (not nxt or nxt not in "aeiouy"):
            options.append(("R", ""))  # Japanese drops it (supaidaa), Russian keeps it
        else:
            options.append((_CLASS.get(ch, ""),))
        i += 1
    vowel_first = bool(s) and s[0] in VOWELS
    frames: set[str] = set()
    for choice in product(*options):
        frames.add(_squeeze(choice, vowel_first))
        if len(frames) >= MAX_READINGS:
            break
    return frozenset(frames)


# English spellings of vowels and a few consonants, read as Russian transcribes them, and the
# same folds for the romanized Cyrillic (й and ы read y, which is i here).
_SOUND_FOLDS = (("gh", "g"), ("ee", "i"), ("ea", "i"), ("oo", "u"), ("ow", "ou"), ("ph", "f"), ("ck", "k"),
                ("kh", "h"), ("y", "i"), ("w", "u"), ("z", "s"))  # fmt: skip


def _sound_fold(letters: str) -> str:
    for a, b in _SOUND_FOLDS:
        letters = letters.replace(a, b)
    out: list[str] = []
    for c in letters:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


@lru_cache(maxsize=100_000)
def sound_keys(name: str) -> frozenset[str]:
    """The sound keys of an English spelling ("Eevee" -> ivi, "Bowser" -> bouser): ch and sh as
    written, th as t, c before e/i as s and as k elsewhere, g before e/i as g or dzh (Луиджи), then
    `_SOUND_FOLDS`."""
    s = _letters(name)
    keys = {""}
    i = 0
    while i < len(s):
        ch, nxt = s[i], s[i + 1 : i + 2]
        step = 1
        if ch + nxt in ("ch", "sh", "th"):
            options, step = ({"ch": "ch", "sh": "sh", "th": "t"}[ch + nxt],), 2
        elif ch == "c" and nxt != "k":
            options = ("s",) if nxt in ("e", "i", "y") else ("k",)
        elif ch == "g" and nxt in ("e", "i"):
            options = ("g", "dzh")
        else:
            options = (ch,)
        keys = {k + o for k in keys for o in options}
        i += step
    return frozenset(_sound_fold(k) for k in keys)


# How katakana writes English vowels that Russian writes otherwise: "ow" as in "how" and "ou" as in
# "mouse" are アウ (ダウン, マウス, クラウド) beside オウ, and an r after a vowel and before no vowel is
# not written, the vowel long in its place: "er", "ir", "ur" and "ar" are アー (バード "bird", サーフ
# "surf"), "or" is オー. Katakana's long vowels are one sound in `heard_katakana_key`, so a plain
# vowel here.
_KATAKANA_R = re.compile(r"([aeiou])r(?![aeiouy])")
# A word's last letters as katakana writes them: a final -ey or -ie is the long イー (ミッキー
# "Mickey", チャーリー "Charlie"), and a final e after a consonant is silent (マウス "mouse",
# ストライフ "Strife"), in words of four letters or more ("Zoe" and "Abe" keep theirs).
_KATAKANA_ENDINGS = ((re.compile(r"(?<=..)(?:ey|ie)$"), "i"), (re.compile(r"(?<=..[^aeiouy])e$"), ""))


def _katakana_word_readings(word: str) -> set[str]:
    """One English word's spellings as katakana writes it (`katakana_sound_keys`)."""
    out = {word}
    for pattern, by in _KATAKANA_ENDINGS:
        out |= {pattern.sub(by, w) for w in out}
    return out | {w.replace("ow", "au").replace("ou", "au") for w in out}


@lru_cache(maxsize=100_000)
def katakana_sound_keys(name: str) -> frozenset[str]:
    """The sound keys of an English spelling as katakana writes it ("Bowser" -> bausa, bousa;
    "Mickey Mouse" -> mikimaus), beside the ones Russian would (`sound_keys`)."""
    words = [_letters(w) for w in re.split(r"[^\w]+|_", name) if _letters(w)]
    readings = {""}
    for word in words:
        readings = {r + w for r in readings for w in _katakana_word_readings(word)}
        if len(readings) > MAX_READINGS:
            readings = set(islice(sorted(readings), MAX_READINGS))
    out = set()
    for r in readings:
        dropped = _KATAKANA_R.sub(lambda m: "o" if m.group(1) == "o" else "a", r)
        out.update(k for k in sound_keys(dropped))
    return frozenset(out | sound_keys(name))


@lru_cache(maxsize=100_000)
def katakana_heard_keys(name: str) -> frozenset[str]:
    """`katakana_sound_keys` with the consonants katakana does not have: one liquid, so an English
    l is written as an r (ゼルダ "Zelda"); a v is a b (ベイダー "Vader"; ヴ is read vu); th is an s
    (ダース "Darth", スミス "Smith"). For comparing a katakana word's vowels with a name's
    (`by_vowels`), not for the exact keys of short names, where the looser reading made カービイ
    the potato-chip maker "Calbee"."""
    spellings = {name, re.sub("th", "s", name, flags=re.IGNORECASE)}
    keys = {k for n in spellings for k in katakana_sound_keys(n)}
    return frozenset(k.replace("l", "r").replace("v", "b") for k in keys)


def heard_sound_key(cyrillic_word: str) -> str:
    """The sound key of a Cyrillic word ("Иви" -> ivi, "Боузер" -> bouser)."""
    return _sound_fold(_letters(romanized(cyrillic_word)))


def heard_katakana_key(katakana_word: str) -> str:
    """The sound key of a katakana word ("イーヴィー" -> ivi, "ヨーダ" -> ioda). Katakana writes the
    vowels as heard, as Russian does; its long vowels (ー) and doubled consonants (ッ) are one sound
    here, so they are collapsed before the folds (ヨーダ is "yoda", not "yooda" read as "yuda")."""
    letters = _letters(romanized(katakana_word))
    return _sound_fold("".join(c for i, c in enumerate(letters) if i == 0 or letters[i - 1] != c))


VOWEL_MARGIN = 2  # edits by which the nearest name must beat the next to be heard by its vowels
MAX_VOWEL_EDITS = 1
_VOWELS = "aeiou"


def bare_key(katakana_word: str) -> str:
    """The katakana word's sound key without the vowels Japanese adds to close a consonant: u after
    most consonants, o after t and d, i after ch, sh and j, where no vowel follows ("batoman" ->
    "batman", "sefirosu" -> "sefiros")."""
    key = heard_katakana_key(katakana_word)
    out = []
    for i, c in enumerate(key):
        prev, nxt = key[i - 1 : i], key[i + 1 : i + 2]
        closing = bool(prev) and prev not in _VOWELS and (not nxt or nxt not in _VOWELS + "y")
        if closing and (
            (c == "o" and prev in "td")
            or (c == "i" and (key[:i].endswith(("ch", "sh")) or prev == "j"))
            or (c == "u" and prev not in "td")
        ):
            continue
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def by_vowels(katakana_word: str, names: Iterable[NameVariant]) -> NameVariant | None:
    """Of names that share a consonant frame, the one whose English spelling, read as katakana
    writes it (`katakana_sound_keys`), is within MAX_VOWEL_EDITS of the word's sound without its
    added vowels and nearer by VOWEL_MARGIN than any other name; None when no name is so clearly
    meant. At 40,000 characters frames collide: BTMN is Batman's, Batwoman's, Betamon's,
    Botamon's and Betterman's, and SFRS is Sephiroth's and "Cyphers", so バットマン and セフィロス were
    heard as nobody (docs/benchmarks.md, section 7, "Katakana words that are words"). Their vowels
    tell them apart: "batman" is 0 edits from バットマン read bare, "batuoman" 2."""
    heard = bare_key(katakana_word).replace("v", "b")  # ヴ is a b, as `katakana_heard_keys` reads v
    scored: dict[str, tuple[int, NameVariant]] = {}
    for v in names:
        d = min(Levenshtein.distance(heard, k) for k in katakana_heard_keys(v.name))
        # One name however a catalog punctuates it: "spider-man" and "spider man" are one spelling
        # to hear, not rivals for the margin ("spider-man 2", a sequel, is another name).
        name = _name_key(v.name)
        if name not in scored or d < scored[name][0]:
            scored[name] = (d, v)
    ranked = sorted(scored.values(), key=lambda dv: dv[0])
    if not ranked or ranked[0][0] > MAX_VOWEL_EDITS:
        return None
    if len(ranked) > 1 and ranked[1][0] - ranked[0][0] < VOWEL_MARGIN:
        return None
    return ranked[0][1]


def ordinary_words(words: list[str], name: str) -> bool:
    """Katakana words joined by a name dot or a space, each an ordinary word of Japanese (a
    loanword, a native word or a place: text/katakana_words.py), that do not spell the name: their
    foreign words (a loanword's origin) or readings (a native word's), joined, are more than one
    edit from the name's letters. Japanese lists things with the same dot it writes names with
    (ミソ・ライス, ブラウス・サムライ), as `ordinary_compound` is asked of one word; a name made of
    words stays the name (スパイダー・マン, spider + man; プリンセス・ピーチ)."""
    spellings = []
    for word in words:
        listed = ordinary_katakana(word)
        if listed is None:
            return False  # クラウド of クラウド・ストライフ is no listed word: maybe a name
        spellings.append(foreign_spelling(listed) or _letters(romanized(word)))
    return Levenshtein.distance("".join(spellings), _letters(name)) > 1


MAX_VOWEL_SHARE = 1 / 3
"""At most this share of a name's letters (as katakana hears it) may differ from the katakana."""


def vowels_agree(katakana_word: str, name: str) -> bool:
    """Whether a katakana word heard as a name by its consonant frame has the name's vowels too:
    read bare or with its vowels, it is within MAX_VOWEL_SHARE of the name's letters as katakana
    hears them (`katakana_heard_keys`). A frame keeps only the consonants, and at 40,000 names
    nearly any run of katakana words has someone's: of 15,000 random pairs of ordinary katakana
    words (エッグ・ライバル, "egg rival", heard as Aglovale; ガルヴァーニ, Galvani, as Grubbin),
    860 had a name's frame against the Danbooru catalog. A name written by ear keeps most of its
    vowels as well: the names heard in the development prompts were at most a third of their
    letters away (ダース・ヴェイダー is 3 of Darth Vader's 9, キャットバス 2 of Catbus's 6)."""
    heard = {k.replace("v", "b") for k in (bare_key(katakana_word), heard_katakana_key(katakana_word))}
    keys = katakana_heard_keys(name)
    return any(Levenshtein.distance(h, k) <= MAX_VOWEL_SHARE * len(k) for h in heard for k in keys)


def russian_name_heard(words: list[str], name: str) -> bool:
    """Whether Cyrillic words whose consonant frame is a Latin name's are that name written by ear:
    Russian capitalises a name (the first word at least: "Дарт Вейдер", "Микки Маус"), none of its
    words is a preposition, a conjunction or a particle (`RUSSIAN_GRAMMAR_WORDS`: "торт на", "cake
    on", has Thorton's frame), and the words keep its vowels (`russian_vowels_agree`)."""
    if not words or not words[0][:1].isupper():
        return False
    if any(w.casefold() in RUSSIAN_GRAMMAR_WORDS for w in words):
        return False
    return russian_vowels_agree(words, name)


def russian_vowels_agree(words: list[str], name: str) -> bool:
    """`vowels_agree` for Cyrillic words heard as a name by their consonant frame: one of their
    readings, each word as written or without a case ending (`_russian_forms`: Бэтмена, Дартом),
    is within MAX_VOWEL_SHARE of the name read as Russian transcribes English (`sound_keys`).
    Russian writes the vowels it hears, so a name written by ear keeps them: Дарт Вейдер is 2 of
    Darth Vader's 9 letters away, Микки Маус 3 of Mickey Mouse's 10. Against the 40,931 Latin names
    of the Danbooru catalog, ordinary Russian prompts were read as names by consonants alone: "с
    мёдом и" ("with honey and") as Shimada Mayu, "в старой" ("in the old") as Bistro 2."""
    keys = {k.replace("x", "ks") for k in sound_keys(name)}
    forms = product(*(_russian_forms(w) for w in words))
    for combo in islice(forms, MAX_READINGS):
        heard = heard_sound_key("".join(combo))
        if any(Levenshtein.distance(heard, k) <= MAX_VOWEL_SHARE * len(k) for k in keys):
            return True
    return False


def _katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch in "ーｰ" or "\uff66" <= ch <= "\uff9d"


_BY_EAR_LETTER = re.compile(
    f"[\u30a1-\u30faーｰ\uff66-\uff9d\u0400-\u04ff{GREEK_LETTER}{HEBREW_LETTER}{ARABIC_LETTER}]"
)


def written_by_ear(text: str) -> bool:
    """The text has katakana, Cyrillic, Greek, Hebrew or Arabic letters: only those are read by
    ear. (One regex search: every prompt asks, and a per-character loop cost ~0.2 ms of a tag
    prompt's screening.)"""
    return _BY_EAR_LETTER.search(text) is not None


_KATAKANA_RUN = re.compile(r"[\u30a1-\u30faーｰ\uff66-\uff9d]+(?:[・･\s]+[\u30a1-\u30faーｰ\uff66-\uff9d]+)*")
_KATAKANA_WORD = re.compile(r"[\u30a1-\u30faーｰ\uff66-\uff9d]+")
_CYRILLIC_RUN = re.compile(r"[\u0400-\u04ff]+(?:[\s\-‐]+[\u0400-\u04ff]+)*")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
# Greek, Hebrew and Arabic words, with Hebrew points and Arabic vowel marks inside (text/alphabets.py).
_ALPHABET_RUNS = tuple(
    (re.compile(f"{word}(?:\\s+{word})*"), re.compile(word), lang)
    for word, lang in (
        (f"[{GREEK_LETTER}]+", "el"),
        (f"[{HEBREW_LETTER}\u0591-\u05c7]+", "he"),
        (f"[{ARABIC_LETTER}\u064b-\u065f\u0670]+", "ar"),
    )
)


def romanized(word: str) -> str:
    """The reading of one katakana word (Hepburn) or Cyrillic word (the skeleton's reading)."""
    if word[:1] and _katakana(word[0]):
        return "".join(kana_run_to_romaji(unicodedata.normalize("NFKC", word)))
    return "".join(CYRILLIC_READING.get(c, c) for c in word.casefold())


def windows(text: str) -> Iterable[tuple[tuple[int, int], str, str]]:
    """Runs of 1..MAX_WORDS whole katakana or Cyrillic words: (span, text, language)."""
    for run_re, word_re, lang in (
        (_KATAKANA_RUN, _KATAKANA_WORD, "ja"),
        (_CYRILLIC_RUN, _CYRILLIC_WORD, "ru"),
        *_ALPHABET_RUNS,
    ):
        for run in run_re.finditer(text):
            words = [(m.start() + run.start(), m.end() + run.start()) for m in word_re.finditer(run.group())]
            for a in range(len(words)):
                for b in range(a, min(a + MAX_WORDS, len(words))):
                    span = (words[a][0], words[b][1])
                    yield span, text[span[0] : span[1]], lang


class ByEarIndex:
    """Distinctive Latin names by their consonant frames; a frame that two names share is heard only
    by its vowels, in katakana (`by_vowels`).

    `heard` picks the names (`_eligible` by default: distinctive ones) and `langs` the scripts read
    (None: all). The by-ear matcher keeps a second index of names ambiguous only as a first name
    (`heard_first_name`), read in Russian only, whose hits it judges as the alias matcher judges
    the written name."""

    def __init__(
        self,
        variants: Iterable[NameVariant],
        heard: Callable[..., bool] | None = None,
        langs: frozenset[str] | None = None,
    ) -> None:
        heard = heard or _eligible
        self._langs = langs
        by_frame: dict[str, dict[str, NameVariant]] = {}
        by_sound: dict[str, dict[str, NameVariant]] = {}
        by_katakana: dict[str, dict[str, NameVariant]] = {}
        for v in variants:
            if heard(v):
                for frame in spelled_frames(v.name):
                    if consonants(frame) >= MIN_CONSONANTS:
                        by_frame.setdefault(frame, {}).setdefault(v.entity, v)
            # A name too short for a frame is heard in full (`sound_keys`); one ambiguous only by its
            # folded key ("Eevee" folds to the word "eve") too: Иви is Eevee, not Eve (Ева).
            if heard(v, by_key=True) and " " not in v.name.strip() and _short(v.name):
                for k in sound_keys(v.name):
                    if len(k) >= MIN_SOUND_KEY:
                        by_sound.setdefault(k, {}).setdefault(v.entity, v)
                for k in katakana_sound_keys(v.name):
                    if len(k) >= MIN_SOUND_KEY:
                        by_katakana.setdefault(k, {}).setdefault(v.entity, v)
        # Entries that share the heard name itself are one name heard, reported for each of them.
        self._same_name: dict[tuple[str, str], tuple[NameVariant, ...]] = {}
        # Frames that different names share: a katakana word may still pick one by its vowels.
        self._contested: dict[str, tuple[NameVariant, ...]] = {}
        self._by_frame = self._one_name(by_frame, self._contested)
        self._by_sound = self._one_name(by_sound)
        self._by_katakana = self._one_name(by_katakana)

    def _one_name(
        self,
        table: dict[str, dict[str, NameVariant]],
        contested: dict[str, tuple[NameVariant, ...]] | None = None,
    ) -> dict[str, NameVariant]:
        """Each key's one name: a key that several entries share is kept when they all register
        it under the same name, as a 40,000-character catalog registers a character's costumes and
        game appearances ("cloud strife", "cloud strife (ball gown)"). Dropping every shared key had
        left クラウド・ストライフ and ハローキティ unheard against the Danbooru catalog
        (docs/benchmarks.md, section 7, "Katakana words that are words"). A key that different
        names share is dropped; for frames it goes to `contested`, where a katakana word's vowels
        may still pick one name (`by_vowels`)."""
        out: dict[str, NameVariant] = {}
        for key, entries in table.items():
            variants = tuple(entries.values())
            # One name is the same letters however a catalog writes it ("spider-man", "spider man",
            # "Spiderman"); a number is part of it ("spider-man 2" is a sequel, and unheard).
            names = {_name_key(v.name) for v in variants}
            for name in names:
                group = tuple(v for v in variants if _name_key(v.name) == name)
                if len(group) > 1:
                    for v in group:
                        self._same_name[v.entity, v.name] = group
            if len(names) != 1:
                if contested is not None:  # `by_vowels` may still pick one name, for all its entries
                    contested[key] = variants
                continue
            out[key] = variants[0]
        return out

    def _each_entry(self, hits: list[ByEarHit]) -> list[ByEarHit]:
        """Each hit once per entry that registers its name (`_one_name`)."""
        out: list[ByEarHit] = []
        for hit in hits:
            same = self._same_name.get((hit.variant.entity, hit.variant.name), (hit.variant,))
            out.extend(ByEarHit(v, hit.span, hit.text, hit.frame) for v in same)
        return out

    def __len__(self) -> int:
        return len(self._by_frame)

    def find(self, text: str) -> list[ByEarHit]:
        if not (self._by_frame or self._contested or self._by_sound) or not written_by_ear(text):
            return []
        hits: list[ByEarHit] = []
        for span, written, lang in windows(text):
            if self._langs is not None and lang not in self._langs:
                continue
            words = [w for w in re.split(r"[・･\s\-‐]+", written) if w]
            if lang == "ja" and len(words) == 1 and ordinary_katakana(words[0]):
                # A loanword (ピクニック, "picnic"), a native word (ネズミ) or a place (エルサレム), as
                # UniDic records it (text/katakana_words.py), is that word, not a name heard. Not
                # so words joined by a name dot: プリンセス・ピーチ is Princess Peach.
                continue
            if lang in _ALPHABET_LANGS:
                hits.extend(self._alphabet_hits(text, span, words, lang))
                continue
            frame = heard_frame(" ".join(romanized(w) for w in words))
            variant = self._by_frame.get(frame)
            if (
                variant is None
                and lang == "ja"
                and frame in self._contested
                and not dotted_name_part(text, span)
            ):
                variant = by_vowels("".join(words), self._contested[frame])
            if variant is None and lang == "ru":
                variant, frame = self._declined(words, frame)
            if variant is not None and lang == "ru" and not russian_name_heard(words, variant.name):
                variant = None  # "сидит на" ("sits on") has Sadatou Ayano's consonants, not her vowels
            if variant is None and lang == "ru" and len(words) == 1:
                variant, frame = self._style_adjective(written, frame)
            if variant is None and lang == "ru" and len(words) == 1 and written[:1].isupper():
                for form in _russian_forms(written):
                    key = heard_sound_key(form)
                    variant = self._by_sound.get(key)
                    if variant is not None and cyrillic_word_use(form, variant.name, text, span):
                        variant = None  # Белку, "squirrel": the Russian word "Belka" romanizes
                    if variant is not None:
                        frame = key
                        break
            elif (
                variant is None
                and lang == "ja"
                and len(words) == 1
                and self._by_katakana
                and zipf(written, lang) < RARE_KATAKANA_ZIPF
                and not dotted_name_part(text, span)
            ):
                # Katakana has no capitals to tell a name from a loanword: the word must be no
                # ordinary word of Japanese (タピオカ, チーター, ジャマイカ, Zipf 3.2-3.3, are words and
                # read "tapioka", "cheeta", "jamaica", names in a 40,000-character catalog; バウザー,
                # 1.1, is only ever Bowser written by ear), and no part of a person's full name joined
                # by a name dot (イーヴィー・ウォーカー is Evie Walker: a short name heard is often a
                # person's first name heard too).
                key = heard_katakana_key(written)
                variant = self._by_katakana.get(key)
                if variant is not None:
                    frame = key
            if (
                variant is not None
                and lang == "ja"
                and len(words) == 1
                and ordinary_compound(words[0], variant.name)
            ):
                continue  # バスツアー, "bus tour": a compound of loanwords, not Beastars heard
            if variant is not None and lang == "ja":
                if len(words) > 1 and ordinary_words(words, variant.name):
                    continue  # ミソ・ライス, "miso rice": two words of Japanese, not Marseillaise heard
                if not vowels_agree("".join(words), variant.name):
                    continue  # ガルヴァーニ, Galvani: Grubbin's consonants, not his vowels
            if variant is None or (lang == "ru" and _ordinary_russian(words)):
                # A Japanese window that is an ordinary word was set aside above, by the list of
                # katakana words (text/katakana_words.py); frequency alone would also set aside the
                # famous names Japanese writes in katakana (バットマン, Zipf 3.6).
                continue
            hits.append(ByEarHit(variant, span, written, frame.lstrip("^")))
        return self._each_entry(_longest(hits))

    def _alphabet_hits(self, text: str, span: tuple[int, int], words: list[str], lang: str) -> list[ByEarHit]:
        """The window's hit, if it is a name written by ear in Greek, Hebrew or Arabic, neither a
        word of that language nor a province with its country named."""
        variant, frame = self._read_alphabet(words)
        if variant is None or not _known_spelling(words, lang, variant) or _place_there(text, span):
            return []
        return [ByEarHit(variant, span, text[span[0] : span[1]], frame.lstrip("^"))]

    def _read_alphabet(self, words: list[str]) -> tuple[NameVariant | None, str]:
        """The name whose frame one reading of the Greek, Hebrew or Arabic words has (an abjad's
        letter may stand for two consonants: text/alphabets.py `readings`)."""
        frame = ""
        for combo in islice(product(*(readings(w) for w in words)), MAX_READINGS):
            frame = heard_frame(" ".join(combo))
            variant = self._by_frame.get(frame)
            if variant is not None:
                return variant, frame
        return None, frame

    def _style_adjective(self, word: str, frame: str) -> tuple[NameVariant | None, str]:
        """A style's name made a Russian adjective (диснеевских мультфильмов, пиксаровский
        стиль: -евск-/-овск-/-ск- and a case ending, in lower case as Russian writes adjectives),
        read as the name it is made from. Styles only: a style's name counts beside a style cue
        alone, which the matcher still asks for."""
        stem = _ADJECTIVE.sub("", word.casefold())
        if stem == word.casefold() or len(stem) < 3:
            return None, frame
        for form in (stem, stem + "й"):
            key = heard_sound_key(form)
            heard = heard_frame(romanized(form))
            for variant, found in ((self._by_sound.get(key), key), (self._by_frame.get(heard), heard)):
                if variant is not None and variant.kind == "style":
                    return variant, found
        return None, frame

    def _declined(self, words: list[str], frame: str) -> tuple[NameVariant | None, str]:
        """A name Russian declines with an ending that adds a consonant (Суперменом, Дартом
        Вейдером: the instrumental -ом/-ем, the feminine -ой) has a frame one consonant too long;
        its capitalised words are read again without their ending. Vowel endings (Бэтмена) leave
        the frame as it is."""
        stems = [_russian_stem(w) for w in words]
        if stems == words:
            return None, frame
        declined = heard_frame(" ".join(romanized(w) for w in stems))
        variant = self._by_frame.get(declined)
        return variant, (declined if variant is not None else frame)


def _ordinary_russian(words: list[str]) -> bool:
    """Cyrillic words that are an ordinary word of Russian, not a name written by ear: frequent
    (COMMON_ZIPF) and, for one word, a word the dictionary knows as no proper noun
    (`russian_words.dictionary_word`). Frequency alone set aside the famous names Russian writes:
    Бэтмен is as frequent (Zipf 3.6) as many words, and no word of the dictionary."""
    from kyodaku.text.russian_words import dictionary_word

    if zipf("".join(words).casefold(), "ru") < COMMON_ZIPF:
        return False
    return len(words) > 1 or dictionary_word(words[0])


def _known_spelling(words: list[str], lang: str, variant: NameVariant) -> bool:
    """Whether Greek, Hebrew or Arabic words are the name's spelling by ear, not words of the
    language that share its consonants. An abjad's frames are loose (vowels unwritten, the
    article al- read as l): read against a 40,000-character catalog, 142 of wordfreq's 30,000
    most frequent Hebrew words, 210 Arabic and 645 Greek ones had some name's frame (ולמרות "and
    despite" as Walmart). What tells the name is its fame: wordfreq counts a famous name's spelling
    in these languages about as often as the name in English (באטמן 3.91 and Batman 4.22,
    σούπερμαν 3.74 and Superman 4.02, ספיידרמן 3.65 and "spiderman" 3.2), so a single word counts
    when the name is known in English (KNOWN_NAME_ZIPF) and the word is within FAME_MARGIN of it.
    Greek, which has capitals, must capitalise the name, and may write a name of several words
    (Νταρθ Βέιντερ), which wordfreq does not count."""
    if lang == "el" and not all(w[:1].isupper() for w in words):
        return False
    if len(words) > 1:
        return lang == "el"
    if _native_form(words[0], lang):
        return False
    name = variant.name.casefold()
    fame = max(zipf(name, "en"), zipf(re.sub(r"[\s\-‐]+", "", name), "en"))
    return fame >= KNOWN_NAME_ZIPF and abs(zipf(words[0].casefold(), lang) - fame) <= FAME_MARGIN


# Arabic's definite article al- (ال), also after the conjunctions and prepositions written into the
# word (وال "and the", بال, فال, كال, لل): a name spelled by ear takes none (Batman is باتمان),
# an ordinary noun often does (العمليات, "the operations", read as Walmart's frame).
_ARABIC_ARTICLE = re.compile("^(?:[وفبك]?ال|لل)")
# Hebrew's plural endings -ים and -ות on a word of five letters or more: nouns and adjectives of
# the language (בעיתונים "in newspapers", קליפות "peels"), not an English name spelled by ear.
_HEBREW_PLURAL = ("ים", "ות")


def _native_form(word: str, lang: str) -> bool:
    """The word carries the grammar of its own language, which a name spelled by ear does not."""
    if lang == "ar":
        return _ARABIC_ARTICLE.match(word) is not None
    return lang == "he" and len(word) >= 5 and word.endswith(_HEBREW_PLURAL)


def _place_there(text: str, span: tuple[int, int]) -> bool:
    """The word is a province written by sound with its country named (Μπάτμαν, Τουρκία): the
    alias matcher asks this of the katakana, Hangul and Cyrillic forms (text/places.py)."""
    from kyodaku.text.places import place_named

    return place_named(text, span)


def _russian_stem(word: str) -> str:
    """A capitalised Cyrillic word without a case ending that holds a consonant (-ом, -ем, -ой)."""
    cut = _case_ending(word, _CONSONANT_ENDINGS) if word[:1].isupper() else None
    return cut[0] if cut is not None else word


def _case_ending(word: str, endings: tuple[str, ...]) -> tuple[str, str] | None:
    """(stem, ending) for the first of `endings` the word ends in, leaving at least three letters."""
    low = word.casefold()
    for ending in endings:
        if low.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)], ending
    return None


# Case endings Russian puts on a foreign name (Диснея, Диснею, Диснеем; Соника, Сонику): the word
# is tried as written first, then without one of these.
_RUSSIAN_ENDINGS = ("ом", "ем", "ой", "ою", "а", "я", "у", "ю", "е", "ы")
# The endings a name in -а takes (Йода: Йоды, Йоде, Йоду, Йодой): its stem is heard with the -а back.
_A_STEM_ENDINGS = frozenset(("ы", "е", "у", "ой", "ою"))
_CONSONANT_ENDINGS = ("ом", "ем", "ой")
# A Russian relational adjective's suffix and case ending: диснеевский, диснеевских, пиксаровская.
_ADJECTIVE = re.compile(r"(?:ев|ов)?ск(?:ий|ая|ое|ие|ого|ому|ой|ую|им|их|ими|ом|ая)$")
_ALPHABET_LANGS = frozenset(("el", "he", "ar"))
KNOWN_NAME_ZIPF = 2.5  # a name English writes often enough that other alphabets have a spelling of it
FAME_MARGIN = 1.0  # Zipf, either way: the measured spellings sat within 0.5 of the English name


def _russian_forms(word: str) -> list[str]:
    forms = [word]
    cut = _case_ending(word, _RUSSIAN_ENDINGS)
    if cut is not None:
        stem, ending = cut
        forms.append(stem)
        if ending in ("я", "ю", "е", "ем"):
            forms.append(stem + "й")  # Дисней -> Диснея: the й is written as the ending's glide
        if ending in _A_STEM_ENDINGS:
            forms.append(stem + "а")
    return forms


def _short(name: str) -> bool:
    """Too few consonants for a frame in every English reading of the name."""
    return all(consonants(f) < MIN_CONSONANTS for f in spelled_frames(name))


def latin_letters(text: str) -> str:
    """The text's Latin letters, casefolded and without accents ("Pokémon" -> "pokemon")."""
    return _letters(text)


def distinctive_latin_name(v: NameVariant) -> bool:
    """A distinctive name in Latin letters (`_eligible`): what a spelling by ear or by sound can be of."""
    return _eligible(v)


def heard_first_name(v: NameVariant, by_key: bool = False) -> bool:
    """A name in Latin letters ambiguous only as a first name ("Luigi", "Kirby", "Elsa"): Russian
    writes it by ear (Луиджи, Кирби, Эльза) as it writes any name, and the written form is as
    ambiguous as the Latin one, so a hit needs support or the subject's place (matching/by_ear.py).
    A name ambiguous as a word ("Link", "Cloud") is a loanword in Russian (линк), not heard."""
    if not v.ambiguous or v.ambiguity_reason != FIRST_NAME_REASON or v.kind == "style":
        return False
    return not v.lang.endswith("-Latn") and _latin_only(v.name)


def _latin_only(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def _eligible(v: NameVariant, by_key: bool = False) -> bool:
    """A distinctive name in Latin letters (no romanization of another script: "pi ka qiu");
    `by_key`: a name ambiguous only by its folded key counts as distinctive. A style's bare name
    ("Disney", "Ghibli") too: it is ambiguous only for want of a style cue, which the by-ear
    matcher then asks for (Дисней alone is the company; в стиле Диснея asks for its look)."""
    bare_style = v.kind == "style" and v.ambiguity_reason == BARE_STYLE_REASON
    if (v.ambiguous and not (by_key and v.by_key) and not bare_style) or v.lang.endswith("-Latn"):
        return False
    if v.kind == "style" and not bare_style:
        return False
    return _latin_only(v.name)


def _longest(hits: list[ByEarHit]) -> list[ByEarHit]:
    out: list[ByEarHit] = []
    for hit in sorted(hits, key=lambda h: h.span[0] - h.span[1]):
        if all(hit.span[1] <= o.span[0] or o.span[1] <= hit.span[0] for o in out):
            out.append(hit)
    return sorted(out, key=lambda h: h.span)
