"""Other senses of a registered name that the grammar around it gives, read from the text alone.

A distinctive name counts as the name unless the prompt writes it as something else
(matching/text.py `other_use`). Such writings, each from general knowledge of the languages:

* a common noun the dictionary lists, after a determiner (`dictionary_noun_use`): "superman" and
  "batman" are lowercase entries of Webster's Second and GCIDE (Nietzsche's *Übermensch*; an
  officer's servant), so "Nietzsche's superman", "an officer's batman", "the superman exercise"
  use the word. A character's name takes no article in English ("Superman lifting a ship");
  after an article, a possessive or a numeral and in lower case, it is a noun phrase's head or a
  modifier of one;
* a family name after a given name (`family_name_use`): "Muriel Bowser", the mayor, is a person
  whose family name happens to be registered; a character's own full name is registered whole and
  matched whole, so a common first name right before a matched one-word name makes it somebody's
  surname;
* a real person's nickname built on his given name (`nickname_use`): "Mario Lemieux, Super Mario",
  "Super Mario Balotelli": the person is named in full beside the character's name that shares
  his given name;
* the reading of a Latin word, glossed in brackets after it (`gloss_use`): Japanese writes how an
  abbreviation or a foreign word is read in katakana after it, "EV（イーブイ）"; the katakana then
  names what the Latin word names, and イーブイ read as "EV" is no Eevee.

Each counts only with support, as a name written as a common noun does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kyodaku.text.ambiguity import (
    FIRST_NAME_ZIPF,
    in_dictionary,
    inflected,
    is_common_word,
    is_first_name,
    zipf,
)
from kyodaku.text.subject_cues import cues

NOUN_ZIPF = 3.0  # as `common_noun_use`: frequent enough to be a word people write

# A possessive noun ("Nietzsche's", "officer's").
_OWNER = r"(?<![^\W\d_])(?P<owner>[^\W\d_]{2,})['’]s"
# An article, a possessive pronoun, a numeral or a possessive noun, then at most two lower-case
# modifiers, then the name.
_DETERMINER_BEFORE = re.compile(
    r"(?:(?<![^\W\d_])(?:[Aa]n?|[Tt]he|[Mm]y|[Yy]our|[Hh]is|[Hh]er|[Ii]ts|[Oo]ur|[Tt]heir|"
    r"two|three|four|five|six|seven|eight|nine|ten|\d+)"
    rf"|{_OWNER})"
    r"\s+(?:[a-z][a-z'-]*\s+){0,2}$"
)
# "It's superman", "that's batman": a verb, not a possessive.
_CONTRACTIONS = frozenset(
    ["it", "that", "he", "she", "what", "there", "here", "who", "where", "let", "how", "this"]
)
_NEXT_WORD = re.compile(r"(?:[\s\-]+\d+)*[\s\-]+([^\W\d_]+)")  # numbers skipped: "the batman 2022 poster"
# Things made in a character's likeness, beside the depiction nouns of the cue lexicon: "a superman
# costume", "a batman cake" are the character's, whatever the dictionary says of the word.
_LIKENESS_NOUNS = frozenset({
    "costume", "costumes", "outfit", "outfits", "suit", "mask", "cape", "logo", "emblem", "symbol",
    "cake", "cupcake", "cookie", "cookies", "toy", "toys", "doll", "plushie", "lego", "shirt",
    "tshirt", "tee", "hoodie", "mug", "lunchbox", "backpack", "balloon", "pinata", "keychain",
    "pajamas", "onesie", "action",
})  # fmt: skip


# English closed-class words: after the name they start a prepositional phrase, a clause or a list
# ("the batman in the rain", "a superman and a robot"), so the name is a noun phrase's head there,
# as a character's name is.
_CLOSED_CLASS_WORDS = """
    a an the and or but nor so yet of in on at by for from to into onto over under above below near
    with without within behind beside besides between among through across along around against
    about after before during until since like as than vs versus via per off out up down upon
    is are was were be been being am has have had do does did will would can could shall should may
    might must who whom whose which that this these those there here when where while
    i me you he him she her it we us they them my your his its our their
"""
_CLOSED_CLASS = frozenset(_CLOSED_CLASS_WORDS.split())


def dictionary_noun_use(text: str, span: tuple[int, int]) -> bool:
    """The name, in lower case, is a word the dictionary lists (or that people inflect, as
    `common_noun_use` asks) and the grammar around it makes it that word:

    * after a possessive noun ("Nietzsche's superman", "a British officer's batman"): a character
      belongs to nobody in a prompt, a servant or an ideal to somebody;
    * after an article or a numeral, as the modifier of a noun that follows ("the superman
      exercise", "a superman effort"), or as the epithet after a proper name ("Saint George the
      demon slayer").

    Why so narrow: prompts are typed in lower case, and "the batman standing on a roof", "a superman
    flying over the city" are the characters. After an article the name is read as the word only
    where a noun follows it (no verb form in -ing, -ed or -s, no preposition, pronoun or conjunction:
    `_CLOSED_CLASS`), and never before a depiction noun or a thing made in a likeness
    (`_LIKENESS_NOUNS`: "a superman poster", "a superman costume" are the character's). A made-up
    name is in no dictionary and rarely inflected, so "the pikachu plush" stays the name."""
    written = text[span[0] : span[1]]
    if not written.isascii() or written != written.lower():
        return False
    words = [w for w in re.split(r"[\s\-]+", written) if w]
    if not words or not all(
        w.isalpha() and zipf(w, "en") >= NOUN_ZIPF and (in_dictionary(w) or inflected(w)) for w in words
    ):
        return False
    m = _DETERMINER_BEFORE.search(text, max(0, span[0] - 60), span[0])
    if m is None or (m.group("owner") or "").casefold() in _CONTRACTIONS:
        return False
    nxt = _NEXT_WORD.match(text, span[1])
    following = nxt.group(1) if nxt is not None else ""
    forms = (
        {following.casefold(), following.casefold()[:-1]}
        if following.endswith("s")
        else {following.casefold()}
    )
    if following and any(f in cues().depiction_nouns or f in _LIKENESS_NOUNS for f in forms):
        return False
    right_before = _POSSESSIVE_BEFORE.search(text, max(0, span[0] - 60), span[0])
    if m.group("owner") or (right_before and right_before.group("owner").casefold() not in _CONTRACTIONS):
        return True
    if _EPITHET_BEFORE.search(text, max(0, span[0] - 60), span[0]):
        return True
    return bool(following) and (
        following.islower()
        and following.casefold() not in _CLOSED_CLASS
        and not following.endswith(("ing", "ed", "s"))
    )


# "an old colonel's batman": the word right before the name is a possessive.
_POSSESSIVE_BEFORE = re.compile(_OWNER + r"\s+$")
# "Saint George the demon slayer": a proper name, "the", then (at most two modifiers and) the name.
_EPITHET_BEFORE = re.compile(r"[A-Z][^\W\d_]+\s+the\s+(?:[a-z][a-z'-]*\s+){0,2}$")


def family_name_use(text: str, span: tuple[int, int], names: Sequence[tuple[int, int]] = ()) -> bool:
    """A capitalised one-word name right after a common given name, with one space between: the
    family name of a person ("Mayor Muriel Bowser"). The given name is gender-guesser's, as
    frequent as `ambiguity` asks of a common first name, and no ordinary word ("King Bowser",
    "Princess Peach", "Cat Mario" are titles and words), and no registered name found in the
    prompt (`names`: "Mario Luigi" lists two characters)."""
    written = text[span[0] : span[1]]
    if not (len(written) >= 2 and written.isalpha() and written[0].isupper() and written[1:].islower()):
        return False
    if span[0] < 2 or text[span[0] - 1] != " " or not text[span[0] - 2].isalpha():
        return False
    given = text[: span[0] - 1].split()[-1]
    start = span[0] - 1 - len(given)
    if any(a < span[0] - 1 and start < b for a, b in names):
        return False
    return (
        given.isalpha()
        and given[0].isupper()
        and given[1:].islower()
        and is_first_name(given)
        and zipf(given, "en") >= FIRST_NAME_ZIPF
        and not is_common_word(given)
    )


_GLOSS_OPEN = "(（"
_GLOSS_CLOSE = ")）"
_LATIN_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*[ \t]*$")


def gloss_use(text: str, span: tuple[int, int]) -> bool:
    """A katakana name that is the whole of a bracketed gloss right after a Latin word: the
    reading of that word ("EV（イーブイ）の充電スタンド", an EV charging station). If the Latin word
    were the entry's name ("Eevee（イーブイ）") it is found as the name itself."""
    written = text[span[0] : span[1]]
    if not written or not all(0x30A0 <= ord(c) <= 0x30FF for c in written):
        return False
    after = text[span[1] : span[1] + 1]
    if span[0] < 2 or text[span[0] - 1] not in _GLOSS_OPEN or not after or after not in _GLOSS_CLOSE:
        return False
    return _LATIN_BEFORE.search(text, max(0, span[0] - 41), span[0] - 1) is not None


# A capitalised word this rare in English right after a given name is a family name, not an English
# word of a title: "Super Mario Balotelli" (Zipf 2.9), but "Super Mario Odyssey" (3.6), "Super Mario
# Bros" (4.1), "Super Mario Galaxy" (4.3).
FAMILY_NAME_ZIPF = 3.0
_WORD = re.compile(r"[^\W\d_]+")


def nickname_use(text: str, span: tuple[int, int], names: Sequence[tuple[int, int]] = ()) -> bool:
    """A name of several words built on a common given name ("Super Mario") that the prompt gives
    to a real person with that given name: the name stands in apposition to the person's full name
    ("Mario Lemieux, Super Mario, lifting the Stanley Cup"; "Mario Götze, genannt Super-Mario"), or
    the name ends in the given name and his family name follows ("Super Mario Balotelli"). Sports
    pages and newspapers make nicknames so, of a character who shares the person's given name; a
    prompt about the character names no other bearer of it beside the name. `names`: the spans of
    the other registered names found, which are never a family name ("Super Mario Luigi")."""
    words = list(_WORD.finditer(text, span[0], span[1]))
    if len(words) < 2:
        return False
    for k, word in enumerate(words):
        given = word.group()
        if not _common_given_name(given):
            continue
        if k == len(words) - 1 and _family_name_at(text, span[1], names, FAMILY_NAME_ZIPF):
            return True
        for other in re.finditer(rf"(?<![^\W\d_]){re.escape(given)}(?![^\W\d_])", text):
            in_longer = _inside(other.start(), [(a, b) for a, b in names if b - a > len(given)])
            family = _family_name_at(text, other.end(), names)
            if family and not in_longer and _in_apposition(text, (other.start(), family), span):
                return True
    return False


def _common_given_name(word: str) -> bool:
    """A capitalised given name as frequent as `ambiguity` asks of a common first name, and no
    ordinary word ("Princess", "Super" are words)."""
    return (
        word[:1].isupper()
        and word[1:].islower()
        and is_first_name(word)
        and zipf(word, "en") >= FIRST_NAME_ZIPF
        and not is_common_word(word)
    )


# The person's full name, a comma, a dash or a bracket, at most two words ("genannt", "known as"),
# then the nickname: an apposition, which names the person before it again.
_APPOSITION = re.compile(r"\s*[,(\u2013\u2014-]\s*(?:[^\W\d_]+\s+){0,2}")
_APPOSITION_BEFORE = re.compile(r"\s*[,(\u2013\u2014-]\s*")
_APPOSITION_END = re.compile(r"\s*(?:[,;:.)\u2013\u2014]|$)")


def _in_apposition(text: str, person: tuple[int, int], nickname: tuple[int, int]) -> bool:
    """The full name and the nickname side by side, set apart by punctuation as an apposition
    ("Mario Lemieux, Super Mario, lifting ..."; "Super Mario (Mario Götze)"). A prompt that names a
    person and the character apart ("Mario Rossi visiting a Super Mario exhibition") is no such."""
    if person[1] <= nickname[0]:
        closed = _APPOSITION_END.match(text, nickname[1]) is not None  # not a list: "X, Donald Duck and Y"
        return closed and _APPOSITION.fullmatch(text, person[1], nickname[0]) is not None
    return nickname[1] <= person[0] and _APPOSITION_BEFORE.fullmatch(text, nickname[1], person[0]) is not None


def _family_name_at(
    text: str, at: int, names: Sequence[tuple[int, int]], max_zipf: float = float("inf")
) -> int:
    """One space, then a capitalised word that is no ordinary word, no dictionary word, no given
    name and no registered name found in the prompt: a family name (under `max_zipf` in English
    where the word could be a title's). Where it ends (0: none)."""
    m = _WORD.match(text, at + 1)
    if text[at : at + 1] != " " or m is None or _inside(m.start(), names):
        return 0
    family = m.group()
    found = (
        len(family) >= 2
        and family[0].isupper()
        and family[1:].islower()
        and not is_common_word(family)
        and not in_dictionary(family.casefold())
        and not is_first_name(family)
        and zipf(family, "en") < max_zipf
    )
    return m.end() if found else 0


def _inside(at: int, names: Sequence[tuple[int, int]]) -> bool:
    return any(a <= at < b for a, b in names)
