"""Exact multi-pattern matching of registered names over normalized text.

Every registered name is reduced to its skeleton (`normalize.key`) and put in
one Aho-Corasick automaton; a prompt is reduced the same way and scanned once,
so cost grows with the prompt, not with the catalog (40,000 characters cost the
same per prompt as 40). A raw hit is then checked against word boundaries,
because skeletons drop spaces:

* Latin (and other alphabetic) text: the name must start and end at a word
  boundary (an English possessive or plural "s" may follow, unless name and "s" make a word
  of their own: "serious" is no plural of Serio). Inside the hit,
  whitespace is allowed only where the registered name has it ("Son Goku"),
  never after a comma or semicolon (the items of a tag list: "tail, blue" is not Tailblue)
  unless the name is spelled out letter by letter,
  between single letters ("P i k a c h u"), or between pieces of 3+ letters
  ("Pika chu", "Harō Kiti" for ハローキティ); punctuation inside is always
  allowed ("Pika-chu", "P.i.k.a.c.h.u"). So "to toro" never reads as Totoro.
* Kana: Japanese has no spaces, so a boundary is a change of script, a
  punctuation mark (ピカチュウが) or, inside hiragana, a particle
  (ぴかちゅうが). Names of 8+ letters may sit inside compounds; short ones
  (マリオ in マリオネット) may not. A style cue glued to a katakana or kanji word needs no boundary
  after it: Japanese cues are adjectives and suffixes that inflect or run on into the noun they
  modify (ジブリみたいな森, ディズニーっぽいお姫様), and a cue only ever supports a style name.
* Hangul: the name starts a word, and only a particle or ending may follow it
  inside the word (피카츄가, not 링크드인): see text/segment.py.
* Han: the name's ends are word boundaries of the prompt as jieba segments it
  (超人 is not in 超人类, "transhuman"), and not a cut between two transliterated syllables
  (卡比 is not in 卡比巴拉, "capybara"): see text/segment.py. So is the end of a name that
  starts in Latin letters and ends in Han ("DC漫画的海报").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from kyodaku.text.ambiguity import in_dictionary, zipf
from kyodaku.text.kana import SMALL_KANA, is_kana
from kyodaku.text.normalize import Gap, Script, Skeleton, lone_letter, skeleton
from kyodaku.text.segment import chinese_boundaries, inside_proper_noun, inside_transliteration, korean_end_ok
from kyodaku.text.surface import disguised

LONG_KANA_NAME = 8
MIN_KEY = 2
MIN_PIECE = 3
# Japanese case particles and conjunctions that delimit a noun written in kana.
PARTICLES = frozenset("がはをにのともでへやかねよ")
_NO_SPACE_SCRIPTS = frozenset({Script.HAN, Script.KANA, Script.HANGUL})
_LIST_MARKS = frozenset(",;、，；")
PLURAL_WORD_ZIPF = 3.0
RUN_TOGETHER_ZIPF = 2.5
STYLE_CUE = "a style cue"
"""`NameVariant.derived` of a context word that is a style cue (data/style_cues.yaml)."""


@dataclass(frozen=True)
class NameVariant:
    """One registered name of one entry, compiled for matching."""

    entity: str
    kind: str
    name: str
    lang: str
    key: str
    splits: frozenset[int]
    ambiguous: bool
    ambiguity_reason: str
    by_key: bool = False  # ambiguous only through its key: written out in full, the name is distinctive
    derived: str = ""  # how it was derived from the registered names ("pinyin of 皮卡丘"); "" if registered
    # A derived form that is an ordinary word ("Sonic" of Sonic the Hedgehog): found only where the
    # prompt writes it in disguise (text/surface.py `disguised`: nobody disguises the ordinary word),
    # or capitalised, where the alias matcher wants its own description's words beside it.
    disguise_only: bool = False


@dataclass(frozen=True)
class AliasHit:
    variant: NameVariant
    start: int  # key index, inclusive
    end: int  # key index, exclusive
    span: tuple[int, int]
    text: str


@lru_cache(maxsize=500_000)
def name_splits(name: str) -> tuple[str, frozenset[int]]:
    """Key of a registered name and the key positions where the name has spaces.

    Memoised: a snapshot rebuild sees the same names again (and the context
    index reuses the entries' names)."""
    sk = skeleton(name)
    spaces = {i for i, g in enumerate(sk.gap) if i > 0 and g in (Gap.SPACE, Gap.PUNCT)}
    return sk.key, frozenset(spaces | _particle_splits(sk))


def _particle_splits(sk: Skeleton) -> set[int]:
    """Key positions around the particle の inside a Japanese name: romaji writes a particle as a
    word of its own ("Tonari no Totoro" for となりのトトロ), where the kana have no space at all."""
    out: set[int] = set()
    n = len(sk.key)
    for k in range(1, n):
        if sk.text[sk.start[k]] != "の" or sk.start[k - 1] == sk.start[k]:
            continue
        end = k
        while end < n and sk.start[end] == sk.start[k]:
            end += 1
        if end < n:
            out.update((k, end))
    return out


class AliasIndex:
    """Search many names at once; build once per snapshot, then read-only."""

    def __init__(self, variants: Iterable[NameVariant], min_key: int = MIN_KEY) -> None:
        self.variants: list[NameVariant] = []
        by_key: dict[str, list[int]] = {}
        for v in variants:
            if len(v.key) < min_key:
                continue
            by_key.setdefault(v.key, []).append(len(self.variants))
            self.variants.append(v)
        self._automaton = ahocorasick.Automaton()
        for k, ids in by_key.items():
            self._automaton.add_word(k, (len(k), tuple(ids)))
        if by_key:
            self._automaton.make_automaton()
        self._empty = not by_key
        self._last: tuple[Skeleton, tuple[AliasHit, ...]] | None = None  # (prompt, its hits): `find`

    def __len__(self) -> int:
        return len(self.variants)

    def find(self, sk: Skeleton) -> list[AliasHit]:
        """All boundary-respecting hits of registered names in `sk`. The last prompt's hits are
        kept, so the matchers after the alias matcher can ask which names it judged where (a name
        it set aside on purpose is not found again one edit away or by ear) at no second search."""
        last = self._last
        if last is not None and last[0] is sk:
            return list(last[1])
        hits = self._find(sk)
        self._last = (sk, tuple(hits))
        return hits

    def _find(self, sk: Skeleton) -> list[AliasHit]:
        if self._empty or not sk.key:
            return []
        best: dict[tuple[str, int, int], AliasHit] = {}
        script, gap = sk.script, sk.gap
        tagged = "#" in sk.text or "@" in sk.text
        for last, (length, ids) in self._automaton.iter(sk.key):
            start, end = last - length + 1, last + 1
            # Cheap rejection first: most raw hits of a big catalog are short names inside words,
            # and in alphabetic text every variant of a key needs a word boundary at both ends.
            if script[start] not in _NO_SPACE_SCRIPTS and (
                (start and gap[start] == Gap.NONE and not _cut_inside(sk, start, False, tagged))
                or (not _end_ok(sk, end, tagged) and script[end - 1] not in _NO_SPACE_SCRIPTS)
            ):
                continue
            if _cuts_spelled_run(sk, start, end):
                continue
            span = sk.span(start, end)
            surface = sk.text[span[0] : span[1]]
            for vid in ids:
                variant = self.variants[vid]
                if not accept(sk, start, end, variant):
                    continue
                if variant.splits and _run_together_word(sk, start, end, variant):
                    continue
                if variant.disguise_only and not _kept_plain(surface, variant):
                    continue
                slot = (variant.entity, start, end)
                hit = AliasHit(variant, start, end, span, surface)
                # Several names of one entry can share a key (Pikachu, ピカチュウ): report the
                # one written most like the prompt, so the evidence reads naturally.
                if slot not in best or _likeness(hit) > _likeness(best[slot]):
                    best[slot] = hit
        return list(best.values())


def _kept_plain(surface: str, variant: NameVariant) -> bool:
    """A disguise-only form is kept where it is disguised, or capitalised as a name is (what the
    alias matcher then asks of it: matching/support.py `own_description_support`)."""
    return surface[:1].isupper() or disguised(surface, variant.name)


def _glued_cue(before: str, variant: NameVariant) -> bool:
    """A Japanese style cue written straight after a word in katakana or kanji (ジブリみたいな森,
    ディズニーっぽいお姫様, ジブリ作品のような街): an adjective or suffix of that word, which inflects or
    runs on into the noun it modifies, so it needs no boundary after it. After hiragana it is
    only kana inside a hiragana word (ふうせん, "balloon", holds the cue ふう)."""
    return variant.derived == STYLE_CUE and bool(before) and not 0x3041 <= ord(before) <= 0x309F


def _cuts_spelled_run(sk: Skeleton, start: int, end: int) -> bool:
    """A name spelled out letter by letter ends where its letters end: "S_o_n" of "S_o_n_i_c" is
    no word, let alone Son. True when the hit starts or ends inside such a run. Keys fold doubled
    letters into one, but not across the separators of a spelled-out run ("L-i-n-k" keys "iink",
    Link "ink"), so a hit may begin or end on the second of two equal letters."""
    key, gap, script = sk.key, sk.gap, sk.script

    def lone(k: int) -> bool:
        return lone_letter(key, gap, script, k)

    cut_end = lone(end - 1) and lone(end) and key[end] != key[end - 1]
    cut_start = lone(start) and lone(start - 1) and key[start - 1] != key[start]
    return cut_end or cut_start


def _likeness(hit: AliasHit) -> tuple[bool, bool]:
    name, text = hit.variant.name.casefold(), unicodedata.normalize("NFKC", hit.text).casefold()
    return name == text, name[:1].isascii() == text[:1].isascii()


def _start_ok(sk: Skeleton, i: int, tagged: bool = True) -> bool:
    return i == 0 or sk.gap[i] != Gap.NONE or _cut_inside(sk, i, False, tagged)


def _cut_inside(sk: Skeleton, k: int, after: bool, tagged: bool) -> bool:
    """A word starts at key letter k (0 < k) inside one written word: camel case, or a hashtag
    (`tagged`: the prompt has a # or @ at all; most prompts do not, and the alias search asks
    this of every raw hit inside a word, so the cheap tests come first)."""
    if sk.upper[k] and not sk.upper[k - 1]:
        return camel_cut(sk, k)
    return tagged and _hashtag_cut(sk, k, after)


HASHTAG_WORD_ZIPF = 3.0
_HASHTAG_MARKS = ("#", "@")


def _hashtag_cut(sk: Skeleton, k: int, after: bool) -> bool:
    """A hashtag or handle in lower case runs its words together with no mark between them
    ("#pikachulover", "#teambatman"). A name inside one starts (or ends, `after`) a word where the
    rest of the tag on that side is ordinary English words and nothing else, so "#catbusiness"
    (catbus + "iness") is no Catbus."""
    text = sk.text
    if not 0 < k < len(sk.key) or not ("#" in text or "@" in text) or sk.script[k] != Script.LATIN:
        return False
    cut = sk.start[k] if not after else sk.end[k - 1]
    left = cut
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    if not text.startswith(_HASHTAG_MARKS, left):
        return False
    if not after:
        return _only_words(text[left + 1 : cut].casefold())
    right = cut
    while right < len(text) and text[right].isalpha():
        right += 1
    return _only_words(text[cut:right].casefold())


@lru_cache(maxsize=20_000)
def _only_words(run: str) -> bool:
    """`run` is one or more English words of three letters or more, written together."""
    if not run.isascii() or not run.isalpha():
        return False
    ok = [True] + [False] * len(run)
    for end in range(3, len(run) + 1):
        ok[end] = any(ok[a] and zipf(run[a:end], "en") >= HASHTAG_WORD_ZIPF for a in range(0, end - 2))
    return ok[len(run)]


_CAPITAL_INSIDE_SURNAME = frozenset({"mc", "mac"})


def camel_cut(sk: Skeleton, k: int) -> bool:
    """Key letter k starts a new word of a camel-case run ("#DarthVaderFanArt", "pikachuLover99",
    "iLoveTotoro"): hashtags, handles and file names run words together and mark each start with a
    capital. A capital after a small letter of the same Latin word is such a start, except after Mc
    and Mac, where it belongs to one surname (McDonald)."""
    if not 0 < k < len(sk.key) or sk.gap[k] != Gap.NONE or not sk.upper[k] or sk.upper[k - 1]:
        return False
    if sk.script[k] != Script.LATIN or sk.script[k - 1] != Script.LATIN:
        return False
    before = _word_before(sk, k - 1).lstrip("#@_").casefold()
    return before not in _CAPITAL_INSIDE_SURNAME


def _end_ok(sk: Skeleton, j: int, tagged: bool = True) -> bool:
    n = len(sk.key)
    if j >= n or sk.gap[j] != Gap.NONE or _cut_inside(sk, j, True, tagged):
        return True
    # English plural/possessive: "Pikachus", "Pikachu's" (the apostrophe is a gap already), unless
    # the word with its "s" is a word of its own: "serious" is not the plural of Serio.
    return (
        sk.key[j] == "s"
        and (j + 1 >= n or sk.gap[j + 1] != Gap.NONE)
        and sk.script[j] == Script.LATIN
        and not _a_word(_word_before(sk, j))
    )


def _word_before(sk: Skeleton, j: int) -> str:
    """The text of the word that ends with key letter j."""
    k = j
    while k > 0 and sk.gap[k] == Gap.NONE:
        k -= 1
    return sk.text[sk.start[k] : sk.end[j]]


@lru_cache(maxsize=50_000)
def _a_word(word: str) -> bool:
    w = word.casefold()
    return zipf(w, "en") >= PLURAL_WORD_ZIPF or in_dictionary(w)


def _inner_ok(sk: Skeleton, i: int, j: int, splits: frozenset[int]) -> bool:
    gaps = [k for k in range(i + 1, j) if sk.gap[k] != Gap.NONE]
    if not gaps:
        return True
    if any(_LIST_MARKS.intersection(sk.text[sk.end[k - 1] : sk.start[k]]) for k in gaps) and not all(
        b - a == 1 for a, b in zip([i, *gaps], [*gaps, j], strict=True)
    ):
        return False  # items of a list ("tail, blue", "pocket, cat"), not one name cut up
    spaces = [k for k in gaps if sk.gap[k] == Gap.SPACE]
    if not spaces:
        return True
    if {k - i for k in spaces} <= splits:
        return True
    pieces = [b - a for a, b in zip([i, *spaces], [*spaces, j], strict=True)]
    # Spelled out letter by letter ("P i k a c h u"), or cut into syllables ("Pika chu", and romaji
    # of a katakana name, which has no spaces to follow: "Harō Kiti"). Pieces of 1-2 letters mixed
    # with longer ones are ordinary short words ("to toro"), not a cut-up name.
    if all(p == 1 for p in pieces):
        return True
    return min(pieces) >= MIN_PIECE and not _ordinary_words_apart(sk, i, j)


def _ordinary_words_apart(sk: Skeleton, i: int, j: int) -> bool:
    """A one-word name cut where it is made of ordinary words, written in lower case: "a bat man
    costume" is a man dressed as a bat, "a super man" a great one; "Bat Man" and "Pika chu" (no
    words) stay the name cut up."""
    start, end = sk.span(i, j)
    written = sk.text[start:end]
    if written != written.lower():
        return False
    words = written.split()
    return all(w.isalpha() and zipf(w, "en") >= ORDINARY_PIECE_ZIPF for w in words)


ORDINARY_PIECE_ZIPF = 4.0
"""Frequent words only: "bat" 4.3, "man" 5.8; not "pika" (2.6, a small mammal), "poke" (3.6)."""


def accept(sk: Skeleton, i: int, j: int, variant: NameVariant) -> bool:
    """Apply the boundary rules of the module docstring to a raw hit [i, j)."""
    script = sk.script[i]
    if script == Script.HAN:
        start, end = sk.span(i, j)
        bounds = chinese_boundaries(sk.text)
        if start in bounds and end in bounds:
            return not inside_transliteration(sk.text, start, end)
        return inside_proper_noun(sk.text, start, end)
    if script == Script.HANGUL:
        end = sk.span(i, j)[1]
        rest = end
        while rest < len(sk.text) and 0xAC00 <= ord(sk.text[rest]) <= 0xD7AF:
            rest += 1
        # A style cue is a suffix in Korean: "애니처럼" ("like an anime"), "지브리풍".
        start_ok = _start_ok(sk, i) or variant.kind == "context"
        return start_ok and korean_end_ok(sk.text[end:rest])
    if script == Script.KANA:
        if _inside_kana(sk, i) or _inside_kana(sk, j):
            return False
        if len(variant.key) >= LONG_KANA_NAME:
            return True
        before = sk.text[sk.start[i] - 1] if sk.start[i] > 0 else ""
        after = sk.text[sk.start[j]] if j < len(sk.key) else ""
        return (_start_ok(sk, i) or before in PARTICLES) and (
            _end_ok(sk, j) or after in PARTICLES or _glued_cue(before, variant)
        )
    if sk.script[j - 1] == Script.HAN:
        # A name that starts in Latin letters and ends in Han ("DC漫画"): its end is a word
        # boundary of the Chinese text after it, not a space.
        end_ok = sk.span(i, j)[1] in chinese_boundaries(sk.text)
    else:
        end_ok = _end_ok(sk, j)
    return (
        _start_ok(sk, i)
        and end_ok
        and _inner_ok(sk, i, j, variant.splits)
        and not _folded_into_a_word(sk.text[sk.start[i] : sk.end[j - 1]], variant.name)
    )


def _inside_kana(sk: Skeleton, k: int) -> bool:
    """Key letters k-1 and k come from one kana, or the kana of letter k is a small one bound to the
    kana before it: a syllable (ド, "do"; イェ, "ye") cut in two. A name read from
    kana starts and ends where a kana does; "orin" starts inside the ド of ドリーイン ("dolly-in",
    key "dorin"), and "aiza" (Aleeza) inside the バ of バイザー ("visor"), which the 40,931-name
    Danbooru catalog found in ordinary Japanese prompts (docs/benchmarks.md, section 7, "Katakana
    words that are words")."""
    if not 0 <= k < len(sk.key):
        return False
    if k > 0 and sk.start[k] == sk.start[k - 1]:
        return True
    # A small kana binds to the kana before it: the ェ of イェーイ ("yay") is the second half of
    # one syllable, though イ adds no letter to the key (ye is read "e"), so "ェーイ" is no name.
    at = sk.start[k]
    return sk.text[at] in SMALL_KANA and at > 0 and is_kana(sk.text[at - 1])


@lru_cache(maxsize=100_000)
def _folded_into_a_word(written: str, name: str) -> bool:
    """The prompt's word meets the name only after spelling folds, and is a word of its own:
    "alba" is no spelling of Aiba (l/i), "linea" none of Linnea, "geta" none of Geeta. People
    change how a name is spelled to slip it past a filter, but not into another real word; and a
    word's spellings are what the folds were never meant to merge."""
    low = written.casefold()
    if not (written.isascii() and written.isalpha()) or low == "".join(
        c for c in name.casefold() if c.isalnum()
    ):
        return False
    return in_dictionary(low)


def _run_together_word(sk: Skeleton, i: int, j: int, variant: NameVariant) -> bool:
    """A name of several words written as one, where that one is an English word people inflect
    or the dictionary lists ("cowgirl", "cowgirls", is no spelling of Cow Girl), or an everyday
    Japanese word written in hiragana ("onigiri", おにぎり, is not the VTuber Oni Giri).
    "spiderman", "starwars" are no such words: they stay the names; nor are Japanese words in
    kanji, among which are famous names (孫悟空 reads "songoku")."""
    if not variant.splits or any(sk.gap[k] != Gap.NONE for k in range(i + 1, j)):
        return False
    return _ordinary_token(sk.key[i:j], sk.text[sk.start[i] : sk.end[j - 1]])


@lru_cache(maxsize=50_000)
def _ordinary_token(key: str, written: str) -> bool:
    from kyodaku.text.ambiguity import inflected
    from kyodaku.text.japanese_words import japanese_word

    low = written.casefold()
    if in_dictionary(low) or (zipf(low, "en") >= RUN_TOGETHER_ZIPF and inflected(low)):
        return True
    word = japanese_word(key)
    return word is not None and all(0x3041 <= ord(c) <= 0x309F for c in word[0])
