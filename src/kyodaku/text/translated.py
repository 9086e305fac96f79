"""Names translated word by word into another language: "Homem-Aranha" and "Человек-паук" for
Spider-Man, "Pato Donald" for Donald Duck, "Guerra nas Estrelas" for Star Wars.

A rightsholder registers official names in a few languages; people write the name in their own.
A name made of invented words ("Pikachu") is *transliterated* into other scripts, and the
skeleton already makes those meet. A name made of meaningful words ("Spider-Man", "Donald
Duck", "Star Wars") is *translated*, and no spelling rule reaches the translation. The
multilingual sentence encoder does: it was trained to put translations of the same words close
together, in every language it knows.

The test is two-fold, so that a resemblance is not taken for a translation:

1. word by word, the candidate's content words and the name's content words pair off one to
   one, each pair either the same word (up to one edit: "Micky" for "Mickey") or a translation:
   an ordinary English word of the name ("Spider", "Mouse") met by a word of the prompt that is
   not English and embeds close to it ("Aranha", "Maus"). An invented word ("Vader", "Goku") is
   never translated, and an English word is no translation of another ("Bat" for "Spider",
   "Marvel" for "DC"); "Mickey Mantle" has a word that pairs with nothing in "Mickey Mouse";
2. the candidate phrase as a whole embeds close to the registered name.

Candidates are phrases a user writes as a name: runs of capitalised words or words in a
non-Latin alphabet (Cyrillic, Greek ...), with short function words between them ("Guerra nas
Estrelas", "La leyenda de Zelda"), hyphenated compounds counted word by word ("Homem-Aranha").
Only names of two or more content words take part, and only those with at least one ordinary
word in them: invented names are not translated, and a single-word name ("Frozen") is too easily
met by an ordinary word ("Eis", "ice").
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import permutations

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from kyodaku.text.alias import NameVariant
from kyodaku.text.ambiguity import COMMON_WORD_ZIPF, PHRASE_REASON, is_first_name, zipf
from kyodaku.text.embedding import TextEncoder
from kyodaku.text.function_words import FUNCTION_WORDS  # dropped on both sides before words are paired
from kyodaku.text.normalize import key
from kyodaku.text.russian_words import finite_verb
from kyodaku.text.surface import in_cyrillic, sentence_initial

# Calibrated on the tune halves of bench/data/devset.jsonl and freshset.jsonl (minimal catalog).
# Words are compared in lower case, where the encoder puts translations closest: word to word,
# translations of name words sat at 0.69-0.90 ("pato" ~ "duck" 0.74, "aranha" ~ "spider" 0.87),
# the closest non-translation at 0.50 ("bat" ~ "spider", refused anyway as an English word) and
# 0.39 ("mantle" ~ "mouse"). Phrases that are translations sat at 0.6-0.9.
PHRASE_MIN = 0.5
WORD_MIN = 0.6
MAX_CONTENT_WORDS = 4
MAX_LOWER_BETWEEN = 2
MAX_CANDIDATES = 16  # bounds the encoder's work on a prompt written in Title Case
WORD_CACHE = 50_000
TOP_MARGIN = 0.1
FOREIGN_WORD_ZIPF = 3.5  # "Araignée" (fr) 3.7 .. "Hombre" (es) 5.6; "Kamado" 1.2, "Kiti" 3.3
TRANSLATION_LANGUAGES = ("fr", "de", "es", "it", "pt", "nl")  # frequency lists kyodaku loads anyway
TRANSLITERATION_RATIO = 70  # romanized keys: "veider" (Вейдер) ~ "vader" 73
# Anchored by the name's own word ("Sonic le hérisson", "Sonic der Igel", "il riccio Sonic": the
# proper name travels unchanged, only the epithet is translated). The literal word already says
# which name it is, so the translated word needs only be the closer to its name word than the
# non-translations measured above (0.50, 0.39), and a rarer word of its language (hérisson 3.2,
# erizo 3.0, ouriço 2.9 in wordfreq): epithet words met at 0.56-0.62 (igel 0.57, riccio 0.58,
# erizo 0.56, hérisson 0.62), their phrases at 0.82-0.89 of the name.
ANCHORED_WORD_MIN = 0.55
ANCHORED_PHRASE_MIN = 0.75
ANCHORED_FOREIGN_ZIPF = 2.5
ANCHORED_FOREIGN_MARGIN = 1.0  # ... and ten times more frequent there than in English ("Hyrule": 0.06)

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|dell|all|nell|sull)['’]", re.IGNORECASE)
_JOINERS = re.compile(r"^[\s\-‐‑]*$")


@dataclass(frozen=True)
class Candidate:
    """A phrase of the prompt that may be a name, and its content words."""

    span: tuple[int, int]
    text: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class TranslationHit:
    variant: NameVariant
    span: tuple[int, int]
    text: str
    phrase_cosine: float
    pairs: tuple[tuple[str, str, float], ...]  # (prompt word, name word, cosine; 1.0 when literal)

    @property
    def note(self) -> str:
        words = ", ".join(
            f"{a} = {b}" if score >= 1.0 else f"{a} ~ {b} {score:.2f}" for a, b, score in self.pairs
        )
        v = self.variant
        return f'translation of "{v.name}" ({v.lang}): phrase cosine {self.phrase_cosine:.2f}; {words}'


def content_words(text: str) -> tuple[str, ...]:
    """The words that carry meaning, without elided articles ("L'Uomo" -> "Uomo")."""
    out = []
    for token in _TOKEN.findall(text):
        token = _ELISION.sub("", token)
        if token and token.casefold() not in FUNCTION_WORDS:
            out.append(token)
    return tuple(out)


def _name_like(token: str) -> bool:
    """Capitalised ("Aranha", "Паук"), or in an alphabet without case (Hebrew, Arabic, Georgian)."""
    first = token[0]
    if first.isupper():
        return True
    return first.isalpha() and not first.islower() and _alphabetic_script(first)


def _alphabetic_script(ch: str) -> bool:
    """Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian: alphabets whose names get translated.
    Not Han, kana or Hangul: their names are matched by the alias index in their own script."""
    code = ord(ch)
    return 0x0370 <= code <= 0x06FF or 0x10A0 <= code <= 0x10FF


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    name_like: bool
    function: bool
    hyphened: bool  # joined to the token before it by a hyphen ("Человек-паук")


def _runs(text: str) -> list[list[_Token]]:
    """Tokens grouped into runs that only spaces and hyphens separate (punctuation ends a run)."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    previous_end = None
    for m in _TOKEN.finditer(text):
        word = m.group()
        gap = text[previous_end : m.start()] if previous_end is not None else ""
        joined = previous_end is not None and bool(_JOINERS.match(gap)) and len(gap) <= 3
        if not joined and current:
            runs.append(current)
            current = []
        hyphened = joined and any(ch in gap for ch in "-‐‑")
        current.append(
            _Token(m.start(), m.end(), word, _name_like(word), word.casefold() in FUNCTION_WORDS, hyphened)
        )
        previous_end = m.end()
    if current:
        runs.append(current)
    return runs


def candidates(text: str) -> list[Candidate]:
    """Phrases that may be a name: they start with a capitalised word (an article too: "La leyenda
    de Zelda"; or a lowercase noun before a name: `_noun_before_name`) and end with a capitalised
    word, a word hyphened to one ("Человек-паук") or an epithet after a name and its article
    ("Sonic le hérisson": `_epithet_after_name`), with 2-4 content words and at most
    MAX_LOWER_BETWEEN lowercase ones (sentence-case titles)."""
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for run in _runs(text):
        for s, first in enumerate(run):
            if not (first.name_like or _noun_before_name(run, s)):
                continue
            content = lower = 0
            for e in range(s, len(run)):
                tok = run[e]
                if not tok.function:
                    content += 1
                    closes = (
                        tok.name_like
                        or (tok.hyphened and e > s and run[e - 1].name_like)
                        or _epithet_after_name(run, s, e)
                        or _sentence_case_title(run, s, e, text)
                    )
                    if not closes:
                        lower += 1
                    if content > MAX_CONTENT_WORDS or lower > MAX_LOWER_BETWEEN:
                        break
                    if closes and content >= 2:
                        span = (first.start, tok.end)
                        if span not in seen:
                            seen.add(span)
                            phrase = text[span[0] : span[1]]
                            out.append(Candidate(span, phrase, content_words(phrase)))
                            if len(out) >= MAX_CANDIDATES:
                                return out
    return out


def _sentence_case_title(run: Sequence[_Token], s: int, e: int, text: str) -> bool:
    """A lowercase word right after a capitalised word of a cased non-Latin alphabet: Russian and
    Greek write a title in sentence case, capitalising its first word only ("Звёздные войны" for
    "Star Wars", "фанаты Звёздных войн"), so no later capital closes it. Two words only: a longer
    phrase would be every sentence's opening ("Человек-паук летит").

    At a sentence's start the capital is the sentence's, and two words there are as often its
    subject ("Рыжая лиса в снегу прислушивается", "Девочка катается на велосипеде": a red fox, a
    girl rolling, which translate the Latin names "Red Fox" and "Rolling Girl"). There a Russian
    phrase is a title only when its clause (the run: punctuation ends it) holds no finite verb:
    "Звёздные войны, постер" is a title and a tag, "Рыжая лиса ... прислушивается" a sentence, as
    "Red fox in the snow listens" is in English, where a phrase of ordinary words needs support
    (`matching.support`). The word-by-word pairing and the phrase test still decide whether the
    phrase translates a name."""
    first = run[s].text[0]
    if not (
        e == s + 1
        and first.isupper()
        and _alphabetic_script(first)
        and run[e].text[0].islower()
        and not run[e].hyphened
    ):
        return False
    if s == 0 and in_cyrillic(run[s].text) and sentence_initial(text, run[s].start):
        return not any(finite_verb(tok.text) for tok in run[s:])
    return True


def _epithet_after_name(run: Sequence[_Token], s: int, e: int) -> bool:
    """A lowercase noun after a name and its article, as the last word of the phrase: the epithet
    a name like "Sonic the Hedgehog" carries, which each language writes with its own article and
    in lower case ("Sonic le hérisson", "Sonic el erizo", "Sonic der Igel")."""
    return (
        e == s + 2
        and run[e].text[0].islower()
        and not run[e].function
        and run[e - 1].function
        and run[s].name_like
        and not run[s].function
    )


def _noun_before_name(run: Sequence[_Token], s: int) -> bool:
    """A lowercase common noun right before a capitalised name, after an article or at the start:
    the Romance languages write a name's noun first and in lower case ("el ratón Mickey", "il
    topo Mickey", "o pato Donald"), where English capitalises it after ("Mickey Mouse")."""
    tok = run[s]
    return (
        not tok.function
        and tok.text[0].islower()
        and s + 1 < len(run)
        and run[s + 1].name_like
        and (s == 0 or run[s - 1].function)
    )


COMPOUND_PART_ZIPF = 4.0
"""Both halves of a one-word name this frequent in English make it a compound: bat|man 4.3,
cat|bus 4.8, super|man 5.1; the best splits of invented names fall below (bow|ser 3.5, fro|zen
3.3, veg|eta 3.3, pika|chu 2.6)."""
MIN_COMPOUND_PART = 3


def compound_parts(word: str) -> tuple[str, ...]:
    """The two English words a one-word name is written together from ("Batman" -> bat, man), or
    () when it is no such compound: people translate the parts ("Homem-Morcego", "Super-Homem",
    "Gatobus") as they translate a name written in two words."""
    w = word.casefold()
    if not w.isascii() or not w.isalpha():
        return ()
    best: tuple[float, str, str] | None = None
    for i in range(MIN_COMPOUND_PART, len(w) - MIN_COMPOUND_PART + 1):
        a, b = w[:i], w[i:]
        score = min(zipf(a, "en"), zipf(b, "en"))
        if score >= COMPOUND_PART_ZIPF and (best is None or score > best[0]):
            best = (score, a, b)
    return best[1:] if best is not None else ()


def name_words(name: str) -> tuple[str, ...]:
    """The content words of a name, a one-word name split into the words it is a compound of."""
    words = content_words(name)
    if len(words) == 1:
        return compound_parts(words[0]) or words
    return words


def translatable(variant: NameVariant) -> bool:
    """A registered Latin-script name of 2+ content words (a compound's two counted: "Batman"), at
    least one an ordinary English word."""
    if variant.derived or not variant.name.isascii():
        return False
    # A phrase of ordinary words ("Star Wars") needs support when written in English, where it
    # may be meant literally; its translation word by word into another language is the name.
    if variant.ambiguous and variant.ambiguity_reason != PHRASE_REASON:
        return False
    words = name_words(variant.name)
    return 2 <= len(words) <= MAX_CONTENT_WORDS and any(
        zipf(w.casefold(), "en") >= COMMON_WORD_ZIPF for w in words
    )


class TranslatedNameIndex:
    """The translatable names of a snapshot, found through their translatable words.

    Only the ordinary English words of the names are embedded when the index is built (6,220
    distinct words for the 19,435 translatable names of a 40,000-character catalog: ~2 s), not
    the names themselves (~12 s). A query embeds only the prompt's candidate words that are not
    English, looks up the name words they translate, and checks the few names that hold those
    words: word by word, then as a phrase (names embedded on first use, then kept).
    """

    def __init__(self, variants: Iterable[NameVariant], encoder: TextEncoder) -> None:
        seen: set[tuple[str, str]] = set()
        self.variants: list[NameVariant] = []
        for v in variants:
            if translatable(v) and (v.entity, v.name.casefold()) not in seen:
                seen.add((v.entity, v.name.casefold()))
                self.variants.append(v)
        self.encoder = encoder
        self.words = [name_words(v.name) for v in self.variants]
        postings: dict[str, list[int]] = {}
        for i, words in enumerate(self.words):
            for w in {w.casefold() for w in words if _translatable_word(w)}:
                postings.setdefault(w, []).append(i)
        self._literal: dict[str, list[int]] = {}  # every content word of a name -> the names
        for i, words in enumerate(self.words):
            for w in {w.casefold() for w in words}:
                self._literal.setdefault(w, []).append(i)
        self.vocabulary = sorted(postings)
        self.postings = [postings[w] for w in self.vocabulary]
        self._vocabulary_row = {w: i for i, w in enumerate(self.vocabulary)}
        self.matrix = (
            _unit(encoder.encode(self.vocabulary))
            if self.vocabulary
            else np.zeros((0, encoder.dim), np.float32)
        )
        self._prompt_words: OrderedDict[str, np.ndarray] = OrderedDict()
        self._names: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.variants)

    def find(self, text: str) -> list[TranslationHit]:
        if not self.vocabulary:
            return []
        phrases_of_prompt = candidates(text)
        found = [(c, [w.casefold() for w in c.words if _foreign_word(w)]) for c in phrases_of_prompt]
        found = [(c, foreign) for c, foreign in found if foreign]
        anchored = self._anchored(phrases_of_prompt)
        if not found:
            return anchored  # English words are read by the other matchers, not translated
        vectors = self._encode_words([w for _, foreign in found for w in foreign])
        translations = {w: self._translations(vectors[w]) for _, foreign in found for w in foreign}
        paired: list[tuple[Candidate, int, tuple[tuple[str, str, float], ...]]] = []
        for cand, foreign in found:
            names = {
                i
                for w in foreign
                for b in translations[w]
                for i in self.postings[self._vocabulary_row[b]]
                if len(self.words[i]) == len(cand.words)
            }
            for i in sorted(names):
                pairs = self._pair_off(cand.words, self.words[i], translations)
                if pairs is not None:
                    paired.append((cand, i, pairs))
        if not paired:
            return _without_overlaps(anchored)
        phrases = dict(
            zip(
                [c.text for c, _ in found],
                _unit(self.encoder.encode([c.text for c, _ in found])),
                strict=True,
            )
        )
        names = self._name_vectors(sorted({i for _, i, _ in paired}))
        best: dict[tuple[int, int], TranslationHit] = {}
        for cand, i, pairs in paired:
            cosine = float(names[i] @ phrases[cand.text])
            held = best.get(cand.span)
            if cosine >= PHRASE_MIN and (held is None or cosine > held.phrase_cosine):
                best[cand.span] = TranslationHit(self.variants[i], cand.span, cand.text, cosine, pairs)
        return _without_overlaps([*best.values(), *anchored])

    def _anchored(self, phrases: Sequence[Candidate]) -> list[TranslationHit]:
        """Phrases with one word of a name as it is and the others translated ("Sonic le hérisson"
        for "Sonic the Hedgehog"): the literal word picks the name, each other word must embed
        ANCHORED_WORD_MIN close to the name word it pairs with, and the phrase ANCHORED_PHRASE_MIN
        close to the name. A first name is never the translated word: it is what travels
        unchanged. Only names whose word count matches are tried."""
        tried: list[tuple[Candidate, int, list[str]]] = []
        for cand in phrases:
            loose = [w.casefold() for w in cand.words if _word_of_a_language(w)]
            if not loose:
                continue
            for i in sorted({i for w in cand.words for i in self._literal.get(w.casefold(), ())}):
                if len(self.words[i]) == len(cand.words):
                    tried.append((cand, i, loose))
        if not tried:
            return []
        vectors = self._encode_words([w for _, _, loose in tried for w in loose])
        paired = []
        for cand, i, _ in tried:
            pairs = self._pair_anchored(cand.words, self.words[i], vectors)
            if pairs is not None:
                paired.append((cand, i, pairs))
        if not paired:
            return []
        texts = sorted({c.text for c, _, _ in paired})
        phrase_vectors = dict(zip(texts, _unit(self.encoder.encode(texts)), strict=True))
        names = self._name_vectors(sorted({i for _, i, _ in paired}))
        out = []
        for cand, i, pairs in paired:
            cosine = float(names[i] @ phrase_vectors[cand.text])
            if cosine >= ANCHORED_PHRASE_MIN:
                out.append(TranslationHit(self.variants[i], cand.span, cand.text, cosine, pairs))
        return out

    def _pair_anchored(
        self, prompt_words: Sequence[str], name_words: Sequence[str], vectors: dict[str, np.ndarray]
    ) -> tuple[tuple[str, str, float], ...] | None:
        """A one-to-one pairing with at least one literal pair and one translated pair (see
        `_anchored`), the best by total score; None when there is none."""

        def score(a: str, b: str) -> float | None:
            if _same_word(a, b):
                return 1.0
            row = None if is_first_name(b) else self._vocabulary_row.get(b.casefold())
            vector = vectors.get(a.casefold())
            cosine = float(self.matrix[row] @ vector) if row is not None and vector is not None else 0.0
            return None if cosine < ANCHORED_WORD_MIN else round(cosine, 3)

        def anchored(pairs: Sequence[tuple[str, str, float]]) -> bool:
            return 0 < sum(1 for _, _, s in pairs if s >= 1.0) < len(pairs)

        return _best_pairing(prompt_words, name_words, score, anchored)

    def _translations(self, vector: np.ndarray) -> dict[str, float]:
        """The name words a prompt word may translate: close (WORD_MIN) and about as close as its
        closest one (TOP_MARGIN), so that "Eis" (ice) does not also translate "hare" at 0.62."""
        scores = self.matrix @ vector
        top = float(scores.max())
        keep = np.flatnonzero(scores >= max(WORD_MIN, top - TOP_MARGIN))
        return {self.vocabulary[j]: float(scores[j]) for j in keep}

    def _pair_off(
        self,
        prompt_words: Sequence[str],
        name_words: Sequence[str],
        translations: dict[str, dict[str, float]],
    ) -> tuple[tuple[str, str, float], ...] | None:
        """Pair every content word of the phrase with one of the name, each pair the same word
        (`_same_word`) or a translation (`_translations`); None when no such one-to-one pairing
        exists, or when no word is translated (the same words are the alias and fuzzy matchers'
        business)."""

        def score(a: str, b: str) -> float | None:
            cosine = translations.get(a.casefold(), {}).get(b.casefold())
            if cosine is None:
                return 1.0 if _same_word(a, b) else None
            return round(cosine, 3)

        best = _best_pairing(prompt_words, name_words, score)
        if best is None or all(s >= 1.0 for _, _, s in best):
            return None
        return best

    def _encode_words(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            known = {w: self._prompt_words[w] for w in words if w in self._prompt_words}
        missing = [w for w in dict.fromkeys(words) if w not in known]
        if missing:
            fresh = _unit(self.encoder.encode(missing))
            known.update(zip(missing, fresh, strict=True))
            with self._lock:
                for w, v in zip(missing, fresh, strict=True):
                    self._prompt_words[w] = v
                while len(self._prompt_words) > WORD_CACHE:
                    self._prompt_words.popitem(last=False)
        return known

    def _name_vectors(self, rows: Sequence[int]) -> dict[int, np.ndarray]:
        with self._lock:
            known = {i: self._names[i] for i in rows if i in self._names}
        missing = [i for i in rows if i not in known]
        if missing:
            fresh = _unit(self.encoder.encode([self.variants[i].name for i in missing]))
            known.update(zip(missing, fresh, strict=True))
            with self._lock:
                self._names.update(zip(missing, fresh, strict=True))
        return known


def _translatable_word(word: str) -> bool:
    """An ordinary English word of a name: the part of a name that gets translated."""
    return zipf(word.casefold(), "en") >= COMMON_WORD_ZIPF


def _best_pairing(
    prompt_words: Sequence[str],
    name_words: Sequence[str],
    score: Callable[[str, str], float | None],
    accept: Callable[[Sequence[tuple[str, str, float]]], bool] = lambda pairs: True,
) -> tuple[tuple[str, str, float], ...] | None:
    """The one-to-one pairing of the phrase's words with the name's (every order of the name's
    words tried: names have a few) with the highest total `score`, among those `accept` takes;
    a pair `score` gives None breaks its pairing. None when no pairing is complete and accepted."""
    best: tuple[tuple[str, str, float], ...] | None = None
    best_total = -1.0
    for order in permutations(range(len(name_words))):
        pairs = []
        for a, j in zip(prompt_words, order, strict=True):
            b = name_words[j]
            s = score(a, b)
            if s is None:
                break
            pairs.append((a, b, s))
        else:
            total = sum(s for _, _, s in pairs)
            if accept(pairs) and total > best_total:
                best, best_total = tuple(pairs), total
    return best


def _same_word(a: str, b: str) -> bool:
    """The same word up to a typo ("Micky" for "Mickey") or a transliteration ("Дарт" for
    "Darth", compared on their romanized keys)."""
    a, b = a.casefold(), b.casefold()
    if a == b:
        return True
    if a.isascii() and b.isascii():
        return min(len(a), len(b)) >= 4 and Levenshtein.distance(a, b, score_cutoff=1) <= 1
    ka, kb = key(a), key(b)
    return min(len(ka), len(kb)) >= 3 and fuzz.ratio(ka, kb) >= TRANSLITERATION_RATIO


def _word_of_a_language(word: str) -> bool:
    """A word of one of the big Latin-script languages, rarer there than `_foreign_word` asks
    ("hérisson" 3.2, "erizo" 3.0), but a word of that language and not a name people use
    everywhere: ten times more frequent there than in English ("Hyrule" is as frequent in French
    as in English), or in another alphabet."""
    w = word.casefold()
    if not all(_latin_letter(ch) for ch in w):
        return zipf(w, "en") < COMMON_WORD_ZIPF
    z_en = zipf(w, "en")
    return any(
        zipf(w, lang) >= ANCHORED_FOREIGN_ZIPF and zipf(w, lang) - z_en >= ANCHORED_FOREIGN_MARGIN
        for lang in TRANSLATION_LANGUAGES
    )


def _foreign_word(word: str) -> bool:
    """A word of the prompt that may be a translation: not English (an English word is no
    translation of another: "Bat" of "Spider", "Marvel" of "DC"), and, in the Latin alphabet, a
    word of one of the big Latin-script languages ("Aranha", "Maus"; not an invented name such
    as "Kamado" or "Wukong", which embeds close to other invented names)."""
    w = word.casefold()
    if zipf(w, "en") >= COMMON_WORD_ZIPF:
        return False
    if not all(_latin_letter(ch) for ch in w):
        return True
    return any(zipf(w, lang) >= FOREIGN_WORD_ZIPF for lang in TRANSLATION_LANGUAGES)


def _latin_letter(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f" or ch in "'’"


def _without_overlaps(hits: Iterable[TranslationHit]) -> list[TranslationHit]:
    """One hit per stretch of text: the strongest of overlapping candidates ("El Hombre Araña"
    and "Hombre Araña")."""
    out: list[TranslationHit] = []
    for hit in sorted(hits, key=lambda h: -h.phrase_cosine):
        if all(hit.span[1] <= o.span[0] or o.span[1] <= hit.span[0] for o in out):
            out.append(hit)
    return sorted(out, key=lambda h: h.span)


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms
