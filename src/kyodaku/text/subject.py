"""Whether a name in a prompt is what the picture is *of*, and whether it belongs to a private person.

A prompt to an image generator is a request to depict something. A name the request makes its
subject ("a poster of Link", "Mario surfing at sunset", "マリオのイラスト", "마리오 그림",
"一张孙悟空的海报") must be someone or something the generator already knows how to draw: it
cannot draw a private person it has never seen from a first name alone. People bring private
persons into a prompt with a relation, an honorific, a surname or an appositive ("Elsa, my
grandmother", "doña Elsa", "マリオさん", "Mario Draghi"), and they use ordinary words as ordinary
words: after an article, before the noun they modify, in lower case ("a link to the website", "a
Kirby vacuum cleaner", "frozen yogurt").

This module reads only the text around one span: which *frame* makes the name the subject (a
depiction noun or verb linked to it, an action it performs at the head of its clause, or the
prompt opening with it), which *person cue* makes it a private person's name, and how it is
written. What that means for one registered name is decided by `kyodaku.matching.subject`, which
knows why the name is ambiguous. Latin-script text is read here, Japanese, Chinese and Korean in
`subject_cjk`; the cue words (`subject_cues`, data/subject_cues.yaml) are closed-class words and
everyday nouns for pictures per language: nothing there names a registered entry.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kyodaku.text.ambiguity import zipf
from kyodaku.text.subject_cjk import cjk_person, cjk_role
from kyodaku.text.subject_cues import CLAUSE_OPENERS, NOT_SUBJECT, NOT_SUBJECT_CASED, Frame, NameRole, cues
from kyodaku.text.surface import person_name_part

__all__ = ["Frame", "NameRole", "cues", "name_role", "noun_like", "person_cue"]

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
MIN_GERUND = 5  # "surfing", "eating": shorter "-ing" words are nouns (ring, king, thing)


def name_role(text: str, span: tuple[int, int]) -> NameRole:
    """Read the words around `text[span]` (a matched name): see `NameRole`. The frame is read
    first; a name that is not the subject has nothing else to read (and this runs for every
    unsupported ambiguous name, a dozen per tag prompt in a big catalog)."""
    start, end = span
    surface = text[start:end]
    if not surface.strip():
        return NOT_SUBJECT
    if _is_latin(surface):
        return _latin_role(text, start, end, surface)
    return cjk_role(text, start, end)


def person_cue(text: str, span: tuple[int, int]) -> str:
    """The words that make `text[span]` a private person's name ("" if none), whatever its frame."""
    start, end = span
    if _is_latin(text[start:end]):
        prev = [w.casefold() for w in _WORD.findall(text[max(0, start - 80) : start])]
        return _latin_person(text, start, end, prev, text[end:])
    return cjk_person(text[:start], text[end:])


def _is_latin(surface: str) -> bool:
    """Written in an alphabet with letter case: Latin, and Cyrillic (Марио), whose prompts capitalise
    names and surnames the same way ("Марио Драги"), so the same frames and person cues apply."""
    for c in surface:
        if c.isalpha():
            return c.isascii() or unicodedata.name(c, "").startswith(("LATIN", "CYRILLIC"))
    return False


# Endings of Russian finite verbs: present or future (-ет, -ит, -ют, -ят, -ут, -ат, and reflexive
# -ся forms) and past (-л, -ла, -ли, -лся, -лась). Russian has no articles for `_finite_verb` to
# find and no "-ing" form; a lower-case word with such an ending right after a name that opens the
# prompt is what the name does ("Марио прыгает", "Эльза создаёт ледяной замок").
_RU_VERB = re.compile(r"(?:[еёиуюяа]т|[еёиуюя]тся|ат(?:ся)?|[аеиоуяы]л(?:а|и|о|ся|ась|ись)?)$")
MIN_RU_VERB = 4


def _russian_verb(word: str) -> bool:
    """A lower-case Cyrillic word that is a finite verb: by its ending, or by the dictionary for
    the short and irregular ones the endings miss ("ест", "eats"; "спит": russian_words.finite_verb)."""
    if not word.islower() or not unicodedata.name(word[0], "").startswith("CYRILLIC"):
        return False
    if len(word) >= MIN_RU_VERB and _RU_VERB.search(word) is not None:
        return True
    from kyodaku.text.russian_words import finite_verb

    return finite_verb(word)


def _latin_role(text: str, start: int, end: int, surface: str) -> NameRole:
    if not _may_frame(text, start, end):
        return NOT_SUBJECT_CASED
    before, after = text[:start], text[end:]
    prev = [w.casefold() for w in _WORD.findall(before[-80:])]
    following = _next_words(after)  # only its own clause: in "Elsa, baking ..." the comma ends it
    frame, cue = _latin_frame(before, prev, following)
    if frame is None:
        return NOT_SUBJECT_CASED
    return NameRole(
        frame=frame,
        cue=cue,
        person=_latin_person(text, start, end, prev, after),
        proper_form=surface[:1].isupper() and not (surface.isupper() and len(surface) > 1),
        stands_alone=_stands_alone(after, following),
        cased=True,
    )


_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")
_CLAUSE_END = re.compile(r"\s*(?:$|[,;:.!?|\n、，。；！？])")


def _may_frame(text: str, start: int, end: int) -> bool:
    """A cheap test that a frame is possible: the word before the name links a picture to it, or
    the name opens its clause and a lower-case word that may show it acting follows. Most
    unsupported names in a tag prompt stop here ("..., long hair, ...")."""
    i = start
    while i and text[i - 1] in " \t":
        i -= 1
    before = text[i - 1] if i else ""
    if before and (before.isalpha() or before in "'’"):
        words = text[max(0, i - 14) : i].split()
        word = words[-1].casefold() if words else ""
        word = re.split(r"['’]", word)[-2] if before in "'’" else word
        return word in _fast_cues()[0]
    if not before and _CLAUSE_END.match(text, end):
        return True  # the prompt's first clause is the name alone
    if (before and before not in CLAUSE_OPENERS) or text[end : end + 1] not in (" ", "\t"):
        return False
    m = _NEXT_WORD.match(text, end)
    if m is None:
        return False
    word = m.group(1)
    if not word.islower():
        return False
    _, followers, actions, endings = _fast_cues()
    return (
        word in actions
        or (word.endswith("ing") and len(word) >= MIN_GERUND)
        or word.endswith("ly")
        or (len(word) >= 6 and word.endswith(endings))
        or (not before and word in followers)
        or _finite_verb(_next_words(text[end:])[:2])
        or _russian_verb(word)
        or present_tense_verb(word)
    )


MIN_FINITE_VERB = 3
VERB_ING_ZIPF = 3.0  # the -ing form of a verb people write ("waiting" 5.1 .. "surfing" 3.7)
MIN_PRESENT_VERB = 4


def present_verb(word: str) -> bool:
    """An English verb in the third person present ("jumps", "flies", "watches"): a lower-case
    word in -s whose -ing form people write at least as often as the -s form itself. A noun's
    plural is more frequent than any -ing form made from it ("figures" 4.7 against "figuring" 3.7,
    "games" 5.4 against "gaming" 4.4, "shoes", "posters", "cufflinks"); a verb's -ing form is the
    more frequent (jumping 4.2 against jumps 3.9, sleeping 4.6 against sleeps 3.7). Measured on 42
    verbs and 40 nouns of prompts: one verb lost ("waves": the plural noun is more frequent), one
    noun taken ("prints"). English prompts write what a character does in this tense ("Mario jumps
    over a pipe") as often as with a gerund ("Mario jumping over a pipe")."""
    if len(word) < MIN_PRESENT_VERB or not word.isascii() or not word.islower() or not word.endswith("s"):
        return False
    if word.endswith("ss"):
        return False
    own = zipf(word, "en")
    return any(zipf(f, "en") >= max(VERB_ING_ZIPF, own) for f in _ing_forms(word))


def _ing_forms(word: str) -> set[str]:
    """The -ing forms a verb in -s may have: jump(s), danc(e)s, fl(ies), watch(es), sit(s) -> sitting."""
    bases = {word[:-1]}
    if word.endswith("ies"):
        bases.add(word[:-3] + "y")
    if word.endswith("es"):
        bases.add(word[:-2])
    out: set[str] = set()
    for b in bases:
        if len(b) < 2:
            continue
        out.add(b + "ing")
        if b.endswith("e") and not b.endswith("ee"):
            out.add(b[:-1] + "ing")
        if len(b) >= 3 and b[-1] not in "aeiouwxy" and b[-2] in "aeiou" and b[-3] not in "aeiou":
            out.add(b + b[-1] + "ing")  # sit -> sitting, swim -> swimming
    return out


GERMAN_VERB_ZIPF = 3.0
MAX_ENGLISH_ZIPF = 2.0  # below this in English: no English word ("geht" 1.9, "sitzt" 0)


def german_verb(word: str) -> bool:
    """A German verb in the third person ("schläft", "fliegt", "sitzt", "läuft"): German writes
    every noun with a capital, so a lower-case word in -t that is a German word and no English one
    is the verb (or, seldom, an adverb) of the clause the name opens."""
    return (
        len(word) >= MIN_PRESENT_VERB
        and word.islower()
        and word.endswith("t")
        and zipf(word, "de") >= GERMAN_VERB_ZIPF
        and zipf(word, "en") < MAX_ENGLISH_ZIPF
    )


ROMANCE_LANGUAGES = ("fr", "es", "it", "pt")
ROMANCE_VERB_ZIPF = 3.0
ROMANCE_MARGIN = 1.0


def romance_verb(word: str) -> bool:
    """A lower-case word of French, Spanish, Italian or Portuguese and no English one, no
    preposition, article or conjunction of the cue lexicon: right after a name that opens the
    prompt and before a preposition or an article it is what the name does ("Mario saute sur",
    "Elsa camina por", "Luigi corre nel"), or, seldom, how it looks ("Kirby rosa en un prado"),
    which makes it the scene's subject all the same, as "Mario at the beach" is."""
    if len(word) < MIN_PRESENT_VERB or not word.islower():
        return False
    c = cues()
    if word in c.phrase_followers or word in c.object_starts or word in c.coordinators:
        return False
    best = max(zipf(word, lang) for lang in ROMANCE_LANGUAGES)
    # English text quotes these words too ("saute" 2.5, "dort" 2.3): ten times as frequent at home.
    return best >= ROMANCE_VERB_ZIPF and best - zipf(word, "en") >= ROMANCE_MARGIN


def present_tense_verb(word: str) -> bool:
    """An English, German or Romance verb in the third person present (`present_verb`,
    `german_verb`, `romance_verb`); not a gerund or an activity word (`_verb_form`: "corriendo",
    "qui"), which the reading knew before and still reads as it did."""
    if _verb_form(word):
        return False
    return present_verb(word) or german_verb(word) or romance_verb(word)


def _acts_in_present(following: list[str]) -> bool:
    """The name's own clause goes on with a verb in the present ("Mario jumps over a pipe",
    "Kirby sleeps", "Luigi walks slowly into", "Luigi runs away", "Kirby schläft auf einer Wolke"):
    the verb, then nothing, a preposition, an object's article or an adverb."""
    if not following or not present_tense_verb(following[0]):
        return False
    if len(following) == 1:
        return True
    nxt = following[1].casefold()
    c = cues()
    return nxt in c.phrase_followers or nxt in c.object_starts or nxt in c.verb_adverbs or nxt.endswith("ly")


def _finite_verb(words: list[str]) -> bool:
    """A lower-case word between the name and its object's article is the name's verb, in any
    tense and language ("Luigi repariert eine Heizung", "Mario mange une pizza", "Link holds a
    sword"): a noun there would be capitalised (German) or need no article after it ("Cloud
    server the ..." is no phrase). Prepositions and conjunctions are phrase followers, not verbs."""
    if len(words) < 2:
        return False
    verb, nxt = words[0], words[1].casefold()
    c = cues()
    return (
        verb.islower()
        and len(verb) >= MIN_FINITE_VERB
        and verb not in c.phrase_followers
        and verb not in c.object_starts
        and nxt in c.object_starts
    )


@lru_cache(maxsize=1)
def _fast_cues() -> tuple[frozenset[str], frozenset[str], frozenset[str], tuple[str, ...]]:
    c = cues()
    return c.linkers | c.depiction_verbs, c.phrase_followers, c.action_words, c.gerund_endings


def _next_words(after: str) -> list[str]:
    """The words right after the name, up to the end of its clause."""
    clause = re.split(r"[,;:.!?()\[\]\n|、，。；！？]", after, maxsplit=1)[0]
    return _WORD.findall(clause)


def _stands_alone(after: str, following: list[str]) -> bool:
    stripped = after.lstrip()
    if not stripped or stripped[0] in CLAUSE_OPENERS or stripped[0] in "、，。；！？|":
        return True
    if after[:1] in "'’":  # a possessive ("Link's ...") modifies what follows
        return False
    if not following or not after[:1].isspace():
        return False
    nxt = following[0]
    if nxt.casefold() in cues().phrase_followers:
        return True
    # "Link holding a sword" is Link at work; "Link building for SEO" and "Cloud computing
    # architecture" are compound nouns. A verb form followed by its object's article is the former.
    return _verb_form(nxt) != "" and len(following) > 1 and following[1].casefold() in cues().object_starts


def _latin_frame(before: str, prev: list[str], following: list[str]) -> tuple[Frame | None, str]:
    c = cues()
    tail = before.rstrip()
    if prev and tail and (tail[-1].isalpha() or tail[-1] in "'’"):  # the word right before the name
        last = prev[-1]
        if last in c.depiction_verbs:
            return Frame.DEPICTION, last
        if last in c.linkers and len(prev) >= 2 and _depiction_noun(prev[-2]):
            return Frame.DEPICTION, f"{prev[-2]} {last}"
    if not tail or tail[-1] in CLAUSE_OPENERS:  # the name opens its clause
        words = following[:2]
        if len(words) == 2 and words[0].islower() and words[0].endswith("ly"):
            words = words[1:]  # "Luigi nervously exploring"
        verb = _verb_form(words[0]) if words else ""
        if verb and _verb_phrase(words[0], following[following.index(words[0]) + 1 :]):
            return Frame.ACTION, verb
        if _finite_verb(following[:2]) or (following and _russian_verb(following[0])):
            return Frame.ACTION, following[0]
        if _acts_in_present(following):
            return Frame.ACTION, following[0]
        nxt = following[0] if following else ""
        if not tail and nxt.islower() and nxt in c.phrase_followers:
            return Frame.SCENE, nxt
        if not tail and not following:  # the first clause is the name alone: "Elsa, watercolor"
            return Frame.SCENE, "the prompt's first clause"
    return None, ""


def _verb_phrase(verb: str, rest: list[str]) -> bool:
    """What follows a verb form goes with a verb: nothing, a preposition, an object's article, an
    adverb ("surfing at sunset", "building an ice castle", "running fast"). A noun right after an
    "-ing" word makes it a compound ("Cloud computing architecture"); relative pronouns and
    activity words ("qui surfe", "beim Surfen") need no check."""
    if not verb.endswith("ing") or not rest:
        return True
    nxt = rest[0].casefold()
    return nxt in cues().phrase_followers or nxt in cues().object_starts or nxt.endswith("ly")


def _depiction_noun(word: str) -> bool:
    nouns = cues().depiction_nouns
    return word in nouns or (word.endswith("s") and word[:-1] in nouns)


def _verb_form(word: str) -> str:
    """The word if it shows the name acting: a relative pronoun or activity word, an English "-ing"
    form, a Romance gerund. Lower case only: a capitalised word after a name is a surname."""
    if not word or not word.islower():
        return ""
    c = cues()
    if word in c.action_words:
        return word
    if word.endswith("ing") and len(word) >= MIN_GERUND:
        return word
    if len(word) >= 6 and word.endswith(c.gerund_endings):
        return word
    return ""


def noun_like(word: str) -> bool:
    """An "-ing" word that is also a countable noun ("building", "painting": frequent plurals), so
    "Link building" may be a compound noun rather than Link at work."""
    return word.endswith("ing") and zipf(word + "s", "en") >= 3.0


def _latin_person(text: str, start: int, end: int, prev: list[str], after: str) -> str:
    c = cues()
    if person_name_part(text, (start, end)):
        return "part of a person's full name"
    tail = text[:start].rstrip()
    if prev and tail and (tail[-1].isalpha() or tail[-1] == "."):
        last = prev[-1].rstrip(".")
        if last in c.person_before:
            return f'"{last}" before it'
    return _appositive(after)


def _appositive(after: str) -> str:
    """ "Elsa, my grandmother", "Mario e Luigi, due anziani pescatori": a comma right after the name
    (or after a second name joined to it) and a possessive, article or numeral after the comma."""
    c = cues()
    head, comma, rest = after.partition(",")
    if not comma or re.search(r"[;:.!?()\n]", head):
        return ""
    between = _WORD.findall(head)
    if between and not (
        len(between) == 2 and between[0].casefold() in c.coordinators and between[1][:1].isupper()
    ):
        return ""
    first = _WORD.findall(rest[:40])
    if first and first[0].casefold() in c.appositive_starts:
        return f'an appositive ", {first[0]} ..."'
    return ""
