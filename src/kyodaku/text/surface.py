"""How a matched name was *written*: plainly, disguised, or as an ordinary word.

The skeleton makes spellings meet; these checks look back at the original
surface to decide what the meeting means. A disguise ("M4rio") is evidence
that the name was meant, since nobody disguises ordinary words; a fold into an
ordinary word ("ribbon" meeting "Ribon") is evidence that it was not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from kyodaku.text.ambiguity import COMMON_WORD_ZIPF, in_dictionary, inflected, is_common_word, zipf
from kyodaku.text.kana import is_hiragana

_LEET_OR_SYMBOL = frozenset("0123456789@$!|_")


def disguised(surface: str, name: str) -> bool:
    """Whether a matched name was written to dodge a filter rather than typed plainly.

    People disguise names they expect to be blocked, never ordinary words:
    "M4rio", "Εlsа" (Greek and Cyrillic letters), "Ｍａｒｉｏ", "M.a.r.i.o",
    "El\u2060sa". Plain typing differs from the registered name only in case. A hiragana word
    ("なると") is an ordinary word written as Japanese writes it, no disguise of "Naruto".
    """
    if surface.casefold() == name.casefold() or hiragana_word_use(surface, name):
        return False
    if any(unicodedata.category(c) == "Cf" for c in surface):
        return True
    if any(c in _LEET_OR_SYMBOL for c in surface):
        return True
    letters = [c for c in surface if c.isalpha()]
    if (
        name.isascii()
        and any(not c.isascii() and not _by_sound(c) for c in letters)
        and not _katakana_word(surface)
        and not _native_spelling(surface)
        and not _place_by_sound(surface.strip())
        and not cyrillic_word(surface, name)
    ):
        return True
    if katakana_name(name) and letters and all(is_hiragana(c) or c == "ー" for c in letters):
        # A loanword name in hiragana that is no Japanese word ("くらうど", "りんく"): Japanese
        # writes loanwords and invented names in katakana, so this spelling is chosen to get past
        # a filter (a hiragana *word*, なると, returned above).
        return True
    inner = surface.strip()
    punctuated = all(c.isalnum() or c in _CLAUSE_MARKS for c in inner)
    if letters and punctuated and all(_by_sound(c) for c in letters):
        return False  # "け、や": kana with the sentence's own commas, no dotted-out name
    return name.isascii() and " " not in name and any(not c.isalnum() for c in inner)


# Marks that end a clause or a sentence in Japanese and Chinese. Between letters that write a name
# by sound they are the sentence's punctuation ("け、や" is the end of one clause and the start of
# the next), where a middle dot or a full stop between Latin letters ("M.a.r.i.o") dots a name out.
_CLAUSE_MARKS = frozenset("、。，")


def in_cyrillic(text: str) -> bool:
    """The text has letters, and every one of them is Cyrillic."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all("\u0400" <= c <= "\u04ff" for c in letters)


def cyrillic_word(surface: str, name: str = "") -> bool:
    """A word of a language written in Cyrillic, no spelling of a name at all: one of Russian's
    prepositions, conjunctions and particles (`RUSSIAN_GRAMMAR_WORDS`: "на", "on"), or an ordinary
    word in lower case (`cyrillic_word_use`: "тайга"). Such a word is no disguise of the Latin name
    it reads as: against the 40,931 Latin names of the Danbooru catalog, every Russian prompt with
    "на" was blocked as the name "Naa" in disguise. So is a Russian word that the Latin `name`
    romanizes, in any case (`russian_words.native_word`: Белка for "Belka"). A capitalised spelling
    of another name (Соник, Линк) stays deliberate: Russian writes the English word "sonic"
    otherwise, and a name written in another script than the one registered is chosen."""
    if not in_cyrillic(surface):
        return False
    word = "".join(c for c in surface if c.isalpha())
    if word.casefold() in RUSSIAN_GRAMMAR_WORDS or _ordinary_cyrillic(word):
        return True
    from kyodaku.text.russian_words import native_word

    return bool(name) and native_word(word, name)


# Russian's prepositions, conjunctions and particles: grammar around names, never a word of one.
RUSSIAN_GRAMMAR_WORDS = frozenset({
    "а", "в", "во", "и", "к", "ко", "о", "об", "обо", "с", "со", "у", "я", "на", "по", "за", "из", "от",
    "до", "не", "ни", "но", "же", "ли", "бы", "для", "при", "про", "над", "под", "без", "через", "как",
    "что", "это", "или",
})  # fmt: skip


def _place_by_sound(word: str) -> bool:
    """A Cyrillic, katakana or Hangul word that writes a real province's name by sound: Батман is
    how Russian writes the Turkish province Batman (text/places.py `heard_subdivision`), the
    language's own spelling of a place, no lookalike of the Latin name (as "Mário" is none of
    Mario)."""
    from kyodaku.text.places import heard_subdivision

    return bool(heard_subdivision(word))


def hiragana_near_latin(written: str, name: str) -> bool:
    """Hiragana one edit from the reading of a Latin name ("をした" from "Oshida"), as the fuzzy
    matcher meets it: no misspelling, since a misspelling is typed in the name's own script, and
    hiragana is how Japanese writes its own words and grammar. Against the 40,931 Latin names of
    the Danbooru catalog such hits blocked 21 of 119 ordinary Japanese prompts (bench/cjk_at_scale.py;
    docs/benchmarks.md, section 7, "Kana is no disguise")."""
    letters = [c for c in written if c.isalpha()]
    return name.isascii() and bool(letters) and all(is_hiragana(c) for c in letters)


def katakana_name(name: str) -> bool:
    """A name written in katakana alone (クラウド, ソニック・ザ・ヘッジホッグ)."""
    kana = [c for c in name if c.isalpha() or c == "ー"]
    return bool(kana) and all(0x30A0 <= ord(c) <= 0x30FF for c in kana)


NATIVE_SPELLING_ZIPF = 2.0
_SPELLING_LANGS = ("en", "fr", "de", "es", "it", "pt", "nl")


_BY_SOUND_SCRIPTS = ("HIRAGANA", "HANGUL", "CJK")


def _by_sound(c: str) -> bool:
    """A letter of a script that writes a Latin name by its sound, and draws nothing like a Latin
    letter: hiragana, Hangul, Han. "くう" or "쿠" for the Latin name "Kuu" is how Japanese and Korean
    write it, no disguise; and one hiragana syllable is in every Japanese sentence (咲く, 夕焼け).
    Katakana, which writes foreign names and loanwords alike, is judged by `_katakana_word`.
    Measured against the 40,931-character Danbooru catalog, whose names are Latin: 84 of 119
    ordinary Japanese prompts were blocked, nearly all through a syllable read as a short name in
    disguise; see docs/benchmarks.md, section 7, "Kana is no disguise"."""
    return unicodedata.name(c, "").startswith(_BY_SOUND_SCRIPTS)


KATAKANA_WORD_ZIPF = 3.0


_KATAKANA_RUN = re.compile("[\u30a1-\u30faー]+")


def _katakana_word(surface: str) -> bool:
    """A katakana writing that is an ordinary Japanese word, or too short to be one name (ピアノ,
    ピンク, セット; ト): Japanese writes loanwords in katakana as it writes foreign names, so such a
    writing of a Latin name is the loanword, no disguise. A rarer one (ゴクウ, Zipf 1.85) is how
    Japanese writes the name, which is what a disguise is taken to show.

    Hiragana beside the katakana is the sentence's grammar, a particle or an inflection (クマの,
    ネオンの, のホーム), so each katakana run is judged alone and the surface is the loanwords only
    when every run is one. Against the 40,931 Latin names of the Danbooru catalog, "クマの" (a bear's)
    read as a disguised Kumano, since "クマの" as a whole is no word; see docs/benchmarks.md, section
    7, "Katakana words that are words"."""
    letters = [c for c in surface if c.isalpha() or c == "ー"]
    if not letters or not all(0x30A0 <= ord(c) <= 0x30FF or is_hiragana(c) for c in letters):
        return False
    runs = _KATAKANA_RUN.findall(surface)
    return bool(runs) and all(len(r) < 3 or _loanword(r) for r in runs)


def _loanword(run: str) -> bool:
    """A common katakana word, or one UniDic records as an ordinary word (text/katakana_words.py)."""
    from kyodaku.text.katakana_words import ordinary_katakana

    return zipf(run, "ja") >= KATAKANA_WORD_ZIPF or ordinary_katakana(run) is not None


def _native_spelling(surface: str) -> bool:
    """Accented Latin letters a language writes the word with: "Mário" is how Portuguese spells
    Mario (Zipf 4.4 in pt), no disguise of it; "Pikáchu" or "Élsa" is a word of no language."""
    letters = [c for c in surface if c.isalpha()]
    if not all(unicodedata.name(c, "").startswith("LATIN") for c in letters):
        return False  # another alphabet's lookalike (Cyrillic а) is drawn, not spelled
    word = "".join(letters).casefold()
    return any(zipf(word, lang) >= NATIVE_SPELLING_ZIPF for lang in _SPELLING_LANGS)


HIRAGANA_WORD_ZIPF = 1.5  # in wordfreq's Japanese list as written: a word, however rare
SHORT_HIRAGANA = 3  # a Latin name met in this many hiragana or fewer reads as Japanese grammar


def hiragana_grammar(written: str, name: str) -> bool:
    """A Latin name met in SHORT_HIRAGANA hiragana or fewer ("から", "かな", "ち"): the Japanese
    grammar it spells (a particle, an inflection, okurigana after a kanji). Such a hit is no
    independent chance of a name, so it supports no sibling or neighbouring name (matching/support.py
    `_siblings`, matching/text.py `_distinctive_support`): against the 40,931 Latin names of the
    Danbooru catalog, "かな" and "から" read as two characters of one synthetic work
    (anna-ikeuchi-tanuma, kara-sam-yang), each the other's support. Nor does it take support
    from a name of its group elsewhere ("ピカチュウが森で遊んでいる" is no Liru); the readings that
    need no support stay (まりおが走る: the particle が makes まりお the one acting)."""
    return name.isascii() and 0 < len(written) <= SHORT_HIRAGANA and all(is_hiragana(c) for c in written)


def hiragana_word_use(written: str, name: str) -> bool:
    """A name registered in katakana or Latin letters, written in hiragana that spells an ordinary
    Japanese word: "なると" is the fishcake (鳴門, naruto), not ナルト. Japanese writes its own words
    in kanji or hiragana and invented names and loanwords in katakana (text/japanese_words.py), so a
    hiragana spelling that is a word is that word, and counts only with support; one that is no
    word ("ぴかちゅう", "くらうど") is the name spelled in hiragana and stays the name. A long-vowel
    mark (ー) is katakana spelling carried into hiragana, never a native word's: "るいーじ" folds to
    the key of 類似 but is Luigi.

    A word is one the lexicon of text/japanese_words.py reads so, or one that Japanese text writes
    in just these hiragana, however rarely (HIRAGANA_WORD_ZIPF): "かび" (mould, Zipf 2.55) is no
    hiragana Kirby. No name of the minimal catalog spelled in hiragana is in wordfreq's Japanese
    list at all (ぴかちゅう, くっぱ, りんく, ととろ, かーびぃ: Zipf 0).

    A Latin name met in SHORT_HIRAGANA hiragana or fewer is read as the Japanese it spells, word
    list or not: Japanese writes foreign and invented names in katakana, and short hiragana runs are
    its grammar (に, から, して, ような: no word list holds those as words, since wordfreq cuts them
    into morphemes). Against the 40,931 Latin names of the Danbooru catalog such pieces of ordinary
    sentences were read as names ("ような" as Yona, "から" as Kara); see docs/benchmarks.md, section 7,
    "Kana is no disguise". A longer one ("ぴかちゅう") is judged as above."""
    if not written or "ー" in written or not all(is_hiragana(c) for c in written):
        return False
    if hiragana_grammar(written, name):
        return True  # a short Latin name met in hiragana: the Japanese grammar or word it spells
    if len(written) < 2:
        return False
    if all(0x3041 <= ord(c) <= 0x309F for c in name if c.isalpha()):
        return False  # registered in hiragana (ドラえもん aside): the catalog wrote it so
    from kyodaku.text.japanese_words import japanese_word
    from kyodaku.text.normalize import skeleton

    return japanese_word(skeleton(written).key) is not None or zipf(written, "ja") >= HIRAGANA_WORD_ZIPF


KATAKANA_PARTICLE = 2  # hiragana letters beside a katakana word that are its particle (マントを)


def katakana_word_use(written: str, name: str) -> bool:
    """A Latin name met as a katakana word that is an ordinary Japanese word: a loanword (ピンク,
    "pink", for the name "Pinku"; マント for "Manto"), a native word written in katakana by custom
    (ネズミ, スイカ) or a place, as UniDic records them (text/katakana_words.py). Japanese writes
    those words as it writes names, in katakana, so the word counts as the name only with support,
    as a hiragana word does (`hiragana_word_use`). The same name written in Latin letters is
    untouched: nobody writes "pinku" in an English prompt to mean pink.

    Against the 40,931 Latin names of the Danbooru catalog, ordinary Japanese prompts were blocked
    for ピンク, マント, レンズ and スイカ read as characters (docs/benchmarks.md, section 7, "Katakana
    words that are words"). A particle of one or two hiragana may ride along in the match
    (マントを: the key folds the を into the long vowel of "manto")."""
    if not name.isascii() or not written:
        return False
    runs = _KATAKANA_RUN.findall(written)
    if len(runs) != 1:
        return False
    rest = written.replace(runs[0], "", 1)
    if len(rest) > KATAKANA_PARTICLE or not all(is_hiragana(c) for c in rest):
        return False
    from kyodaku.text.katakana_words import ordinary_katakana

    return ordinary_katakana(runs[0]) is not None


CYRILLIC_WORD_ZIPF = 3.0  # about once in a million words: a word of the language, not a name's spelling
CYRILLIC_LANGS = ("ru", "uk", "bg")


def cyrillic_zipf(word: str) -> float:
    """The word's Zipf frequency in the most frequent of the languages written in Cyrillic here."""
    low = word.casefold()
    return max(zipf(low, lang) for lang in CYRILLIC_LANGS)


def cyrillic_word_use(written: str, name: str, text: str = "", span: tuple[int, int] | None = None) -> bool:
    """A Latin name met as an ordinary word of a language written in Cyrillic, in lower case as
    that language writes its words and not its names: руки ("hands") for the name "Ruki", лето
    ("summer") for "Leto", печи ("of the oven"). Russian capitalises names, so "Марио" keeps its
    reading (Zipf 4.2, as frequent as many words); only the lower-case word is the word, and it
    counts as the name only with support, as a katakana word does (`katakana_word_use`). So does a
    Russian word the name romanizes, in any case (`russian_words.native_word`: "Белка с орехом" is
    a squirrel, not the dog "Belka"). Against the 40,931 Latin names of the Danbooru catalog,
    ordinary Russian prompts were blocked for such words (docs/benchmarks.md, section 7)."""
    if not name.isascii() or not in_cyrillic(written):
        return False
    from kyodaku.text.russian_words import native_word

    word = "".join(c for c in written if c.isalpha())
    if _ordinary_cyrillic(word):
        return True
    # Capitalised inside a sentence, the word is a name as Russian writes names ("атмосфера Гибли":
    # the studio, though гибли is also a verb); at the start of one, or lower case, it is the word.
    named = span is not None and word[:1].isupper() and not sentence_initial(text, span[0])
    return not named and native_word(word, name)


def script_word_use(written: str, name: str, text: str = "", span: tuple[int, int] | None = None) -> bool:
    """A Latin name met as an ordinary word of the script it is written in: katakana
    (`katakana_word_use`) or Cyrillic (`cyrillic_word_use`)."""
    return katakana_word_use(written, name) or cyrillic_word_use(written, name, text, span)


def sentence_initial(text: str, at: int) -> bool:
    """Nothing but a sentence's end (or nothing at all) before `at`."""
    before = text[:at].rstrip(" \t\"'«„“(")
    return not before or before[-1] in ".!?…:;\n"


def _ordinary_cyrillic(word: str) -> bool:
    """A Cyrillic word in lower case that its language uses often (`CYRILLIC_WORD_ZIPF`) or that
    the Russian dictionary knows as no proper noun (`russian_words.dictionary_word`: неон)."""
    if not word[:1].islower():
        return False
    if cyrillic_zipf(word) >= CYRILLIC_WORD_ZIPF:
        return True
    from kyodaku.text.russian_words import dictionary_word

    return dictionary_word(word)


def folded_into_word(surface: str, name: str) -> bool:
    """A match reached only through spelling folds, whose written form is an ordinary word:
    "ribbon" meets the name "Ribon", "tie" meets "Chie". Misspellings and disguises of names
    are not dictionary words; ordinary words are."""
    plain = surface.casefold()
    if plain == name.casefold() or not surface.replace(" ", "").isalpha() or not surface.isascii():
        return False
    words = plain.split()
    if len(words) == 1 and len(name.split()) > 1:
        return is_common_word(plain)  # "tie" meets "Ty Lee": a run-together evasion is no word
    if len(words) > 1 and len(name.split()) == 1 and "-" not in name:
        # A one-word name met by ordinary words ("blue sky" / "Bluesky", "garter belt"): people
        # write the words, not the name, unless the joined form is itself in use ("super man").
        joined = zipf(name.casefold(), "en")
        if joined < COMMON_WORD_ZIPF and all(len(w) >= 3 and is_common_word(w) for w in words):
            return True
    if len(words) != len(name.split()):
        return False  # cut up or run together ("P i k a c h u"): an evasion, not a word
    return all(is_common_word(w) for w in words)


def person_name_part(text: str, span: tuple[int, int], names: Sequence[tuple[int, int]] = ()) -> bool:
    """Whether the name at `span` reads as one half of a person's full name: a capitalised word
    that is not an ordinary word right after it ("Mario Draghi", "Elsa Schiaparelli") or right
    before it ("Jack Kirby"). A character's own full name is registered whole and matched whole,
    so what is left beside a matched single name is somebody else's name."""
    before = text[: span[0]].rstrip()
    after = text[span[1] :].lstrip()
    if before and before[-1].isalpha() and text[span[0] - 1 : span[0]] == " ":
        word = before.split()[-1]
        if _proper_word(word):
            return True
    if after and text[span[1] : span[1] + 1] == " ":
        words = after.split()
        word = words[0].rstrip(".,;:!?'\")")
        if _proper_word(word):
            return True
        # A family name after one or two particles: "Mário de Andrade", "Mario de la Vega",
        # "Luigi di Maio", "Link van Dijk".
        # Not when that word is itself a name found in the prompt: "Luigi de Mario Bros" is Luigi
        # of (Spanish "de") Mario Bros (`names`: the spans of the other names found).
        k = 0
        while k < min(2, len(words) - 1) and words[k] in _NAME_PARTICLES:
            k += 1
        if k and _proper_word(words[k].rstrip(".,;:!?'\")")):
            at = text.find(words[k], span[1])
            return not any(a <= at < b for a, b in names)
    return False


_NAME_PARTICLES = frozenset({
    "de", "da", "do", "dos", "das", "del", "della", "dei", "di", "du", "des", "van", "von", "der",
    "den", "ter", "le", "la", "bin", "ibn", "al", "el",
})  # fmt: skip


# The dots that join the given name and the family name of a foreign person written in Chinese or
# Japanese: 路易吉·皮兰德娄 (Luigi Pirandello), マリオ・ドラギ (Mario Draghi), and their width forms.
NAME_DOTS = frozenset("\u00b7\u30fb\uff65\u2027\u318d")


def dotted_name_part(text: str, span: tuple[int, int]) -> bool:
    """Whether the name at `span` is joined by a name dot to another word of the same script:
    one part of a foreign person's full name as Chinese and Japanese write it (路易吉·皮兰德娄,
    マリオ・ドラギ, 克劳德·莫奈). The dot is how these scripts mark where one name ends and the
    next part of the *same* person's name begins, the way a space does between capitalised words
    ("Mario Draghi"); a character's own full name is registered whole (克劳德·斯特莱夫) and matched
    whole, so the caller discounts spans inside a longer hit of the same entry."""
    start, end = span
    if not 0 <= start < end <= len(text):
        return False
    if (
        end + 1 < len(text)
        and text[end] in NAME_DOTS
        and _same_script(text[end - 1], text[end + 1])
        and not _lone_letter(text, end + 1)
    ):
        return True
    return (
        start >= 2
        and text[start - 1] in NAME_DOTS
        and _same_script(text[start], text[start - 2])
        and not _lone_letter(text, start - 2)
    )


def _lone_letter(text: str, i: int) -> bool:
    """The character at `i` stands alone between dots or the text's ends: a name spelled out
    with a dot between its letters (ピ・カ・チ・ュ・ウ), not a part of a full name, which is never
    one kana or letter long."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    # The katakana middle dot sits in the katakana block: a dot is no letter of any script here;
    # and a hiragana particle after a katakana letter is no letter of its word (ウの).
    return all(c in NAME_DOTS or _word_class(c) != _word_class(text[i]) for c in (before, after))


def _word_class(c: str) -> str:
    """`_script_class`, with hiragana apart from katakana: the letters one word is written in."""
    return "hiragana" if 0x3041 <= ord(c) <= 0x309F else _script_class(c)


def _script_class(c: str) -> str:
    o = ord(c)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
        return "han"
    if 0x30A0 <= o <= 0x30FF or 0x3041 <= o <= 0x309F or 0xFF66 <= o <= 0xFF9F:
        return "kana"
    if 0xAC00 <= o <= 0xD7AF:
        return "hangul"
    return "latin" if c.isalpha() else ""


def _same_script(a: str, b: str) -> bool:
    ca = _script_class(a)
    return bool(ca) and ca == _script_class(b)


def _proper_word(word: str) -> bool:
    """A capitalised word that is no ordinary word: for a Cyrillic one, no word the Russian
    dictionary knows as other than a name ("Нарисуй Эльзу", "draw Elsa", is no full name; "Марио
    Драги" is), English frequencies being no test of Russian words."""
    if not (len(word) >= 2 and word[0].isupper() and word[1:].islower() and word.isalpha()):
        return False
    if in_cyrillic(word):
        from kyodaku.text.russian_words import dictionary_word

        return not dictionary_word(word)
    return not is_common_word(word)


def written_as_title(surface: str) -> bool:
    """A phrase written the way names are and ordinary phrases are not: every word capitalised
    ("Star Wars", "One Piece"; articles and prepositions aside), or run together into one word
    ("spiderman"), unless the run-together word is one people inflect ("cowgirls"). Not all
    capitals (a shouted prompt); hyphens join words like spaces do
    ("Spider-Man" is a title, "one-piece swimsuit" is not)."""
    words = [w for w in re.split(r"[\s\-‐‑/]+", surface) if w]
    if len(words) == 1:  # run together: a name, unless that is a word too ("cowgirl")
        word = surface.casefold()
        return surface.isalpha() and not (is_common_word(word) or in_dictionary(word) or inflected(word))
    if surface.isupper():
        return False
    content = [w for w in words if w.casefold() not in _TITLE_GLUE]
    return bool(content) and all(w[:1].isupper() for w in content)


_TITLE_GLUE = frozenset(["the", "a", "an", "of", "and", "in", "on", "to", "for", "with"])


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“„«(\[])\s*$")
_WORD_AROUND = re.compile(r"[A-Za-z][A-Za-z'-]*")


def capitalised_mid_sentence(text: str, span: tuple[int, int]) -> bool:
    """A one-word name capitalised where English capitalises only proper nouns: not the first word
    of a sentence, its neighbouring words in lower case (so the prompt is not written in title
    case) and the name not in capitals throughout. "a Frozen movie poster", "a Frozen birthday
    cake": a title; "Frozen lake at dawn", "A Frozen Lake At Dawn": no sign of one."""
    word = text[span[0] : span[1]]
    if not word[:1].isupper() or not word.isalpha() or not word.isascii() or word.isupper():
        return False
    if _SENTENCE_START.search(text, 0, span[0]):
        return False
    before = _WORD_AROUND.findall(text[max(0, span[0] - 40) : span[0]])
    after = _WORD_AROUND.match(text[span[1] :].lstrip(" "))
    neighbours = before[-1:] + ([after.group()] if after else [])
    return bool(neighbours) and all(w[:1].islower() for w in neighbours)


# A pet: a possessive, at most two words, a word for a kept animal, then the name ("my cat
# Totoro", "our old dog Pikachu", "mein Hund Pikachu", "mon chat Totoro", "mi gato Totoro", "il
# mio gatto Totoro"), or in Japanese, Korean and Chinese the same order (うちの猫のトトロ, 우리
# 고양이 토토로, 我家的猫叫皮卡丘). The picture is of that animal, which its owner named after the
# character: a name like any person's first name, which counts only with support.
_PET_ANIMALS = (
    "cats? kittens? kitty dogs? pupp(?:y|ies) pups? hamsters? rabbits? bunn(?:y|ies) parrots? birds? "
    "budgies? fish goldfish turtles? tortoises? horses? pon(?:y|ies) ferrets? hedgehogs? chinchillas? "
    "guinea pigs? lizards? snakes? "
    "katzen? kater hunde? hündin welpen? kaninchen papageie?n? pferde? schildkröten? "
    "chat(?:te)?s? chiens?(?:ne)? chiots? chatons? lapins? perroquets? chevaux cheval tortues? "
    "gat(?:o|a|ito|ita)s? perr(?:o|a|ito|ita)s? cachorr(?:o|a)s? conejos? loros? caballos? tortugas? "
    "gatt(?:o|a|ino|ina)s? gatti cane cani cucciol[oi] conigli[oi]? pappagall[oi] cavall[oi] "
    "cão cães gatinh(?:o|a)s? coelhos? papagaios? cavalos?"
)
_PET_BEFORE = re.compile(
    r"\b(?:my|our|his|her|their|your|mein(?:e[nm]?)?|unser(?:e[nm]?)?|dein(?:e[nm]?)?|sein(?:e[nm]?)?"
    r"|ihr(?:e[nm]?)?|mon|ma|notre|ton|ta|son|sa|mes|nos|mi|mis|nuestr[oa]s?|tu|tus|su|sus"
    r"|(?:il |la )?mi[oa]|(?:il |la )?nostr[oa]|(?:o |a )?(?:meu|minha|nosso|nossa))"
    r"(?:\s+[^\W\d_]+){0,2}?\s+(?:" + "|".join(_PET_ANIMALS.split()) + r")"
    r"(?:,?\s+(?:named|called|namens|nommée?|appelée?|llamad[oa]|chiamat[oa]|chamad[oa]))?,?\s+$",
    re.IGNORECASE,
)
_PET_BEFORE_CJK = re.compile(
    r"(?:うちの|我が家の|飼い|愛|我家的?|我的|우리\s?|내\s?)(?:猫|ネコ|ねこ|犬|イヌ|いぬ|子犬|ハムスター|ウサギ|うさぎ"
    r"|猫咪|小猫|狗|小狗|仓鼠|倉鼠|兔子|고양이|강아지|개|햄스터|토끼)(?:の|叫|名叫|\s)?$"
)


# Russian: a possessive in any case, at most two words, a kept animal in any case, and perhaps "по
# кличке" / "по имени" ("мою собаку Белку", "наш рыжий кот Марио", "моего кота по кличке Соник").
_PET_BEFORE_RU = re.compile(
    r"(?:^|[^\w])(?:мо[йяеёю]|моего|моей|моему|моим|наш[аеуи]?|нашего|нашей|нашему|тво[йяеёю]|твоего|твоей)"
    r"(?:\s+[а-яё]+){0,2}?\s+(?:кот(?:а|у|ом|ик|ика|ику)?|кошк(?:а|у|ой|е|и)|котён(?:ок|ка|ку|ком)"
    r"|собак(?:а|у|ой|е|и)|пёс|пс(?:а|у|ом)|щен(?:ок|ка|ку|ком)|хомяк(?:а|у|ом)?|кролик(?:а|у|ом)?"
    r"|попуга(?:й|я|ю|ем)|черепах(?:а|у|ой|и)|лошад(?:ь|ку|ка|и)|пони)"
    r"(?:,?\s+по\s+(?:кличке|имени))?,?\s+$",
    re.IGNORECASE,
)


def pet_name_use(text: str, span: tuple[int, int]) -> bool:
    """The name is what somebody called their pet: see `_PET_BEFORE`, `_PET_BEFORE_CJK` and
    `_PET_BEFORE_RU`."""
    before = text[max(0, span[0] - 60) : span[0]]
    return any(p.search(before) is not None for p in (_PET_BEFORE, _PET_BEFORE_CJK, _PET_BEFORE_RU))


# A possessive, then capitalised words (with "of", "the", "and", "in" between them): "Kirby's Dream
# Land", "Luigi's Mansion", "Mario's Pizza Palace".
_POSSESSIVE_TITLE = re.compile(
    r"['’]s[ \t]+[A-Z][a-z]+(?:[ \t]+(?:(?:of|the|and|in)[ \t]+)?[A-Z][a-z]+)*(?![\w'’])"
)


def possessive_title(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The span of a proper noun named after the name at `span`: the name as a possessive, then
    capitalised words, in a prompt that is not written in title case (a lower-case word right
    before the name or right after the phrase): "a Kirby's Dream Land poster". English names
    works, shops and places after a person so; which one it is, the rest of the prompt must say.
    None when the name is not written so."""
    m = _POSSESSIVE_TITLE.match(text, span[1])
    if m is None:
        return None
    before = (
        []
        if _SENTENCE_START.search(text, 0, span[0])
        else _WORD_AROUND.findall(text[max(0, span[0] - 40) : span[0]])
    )
    after = _WORD_AROUND.match(text[m.end() :].lstrip(" "))
    neighbours = before[-1:] + ([after.group()] if after else [])
    if not neighbours or not all(w[:1].islower() for w in neighbours):
        return None
    return span[0], m.end()
