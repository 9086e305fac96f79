"""An ambiguous name that the request makes its depicted subject, read by *why* it is ambiguous.

"Mario", "Link", マリオ and 孫悟空 need support before they count (matching/support.py), because
most prompts that contain them mean something else. When nothing supports the name but the prompt
makes it what the picture is of ("a poster of Link", "Mario surfing at sunset", "マリオのイラスト":
see `kyodaku.text.subject`), what is left depends on what else the name could be:

* a first name (Mario, Elsa, Kirby; マリオ, 마리오 as their transliterations): a generator cannot
  draw a private person it has never seen, and a prompt about one says who it is (a surname, a
  relation, an honorific, an appositive: any of those leaves the name alone). A bare first name as
  the subject can only be the famous bearer the generator knows: **block**;
* an ordinary word (Link, Frozen; リンク): written as a proper noun (capitalised, standing alone, not
  before a noun it modifies) as what a picture is of, the word reading is gone: **block**. As the
  head of an action at the start of a prompt ("Link surfing") capitals say nothing and a compound
  noun reads the same ("Cloud computing"): **review**. In scripts without letter case (リンクのイラスト
  may be a link icon) a picture of it is split: **review**;
* any other reading (孫悟空 is also the Monkey King of Journey to the West, 龙猫 a chinchilla, 超人
  "superhuman"; names the catalog marks ambiguous for such reasons): the other reading can be
  pictured just as well, so a picture of it is split: **review**; an action decides nothing (the
  Monkey King fights too).

Phrases of ordinary words ("One Piece") and names several works share are left to support, and
style names need a style cue: neither is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from kyodaku.domain.model import Entity
from kyodaku.text.alias import NameVariant
from kyodaku.text.ambiguity import FIRST_NAME_REASON, FORCED_REASON, TRANSLITERATION_REASON, classify
from kyodaku.text.subject import Frame, NameRole, name_role, noun_like, present_tense_verb

SUBJECT_SCORE = 0.8
"""A name read as the depicted subject: weaker than a supported name (0.9), enough to block."""
SPLIT_SCORE = 0.6
"""A depicted subject with another reading as likely: below `review_below`, so held for review."""


class Sense(Enum):
    """What else an ambiguous name can be, which decides what being the subject settles."""

    PERSON = "a first name"
    WORD = "an ordinary word"
    OTHER = "another reading"


@dataclass(frozen=True)
class SubjectReading:
    """An ambiguous name read as the registered entry because the request makes it its subject."""

    score: float
    support: str  # the evidence, in words
    reason: str  # why this score


def subject_reading(
    variant: NameVariant,
    entity: Entity | None,
    text: str,
    span: tuple[int, int],
    work_named: bool = False,
) -> SubjectReading | None:
    """The reading of an unsupported ambiguous name at `text[span]` as the depicted subject, or
    None when the prompt does not make it the subject, or names a private person by it.
    `work_named`: the entry's own work is named elsewhere in the prompt, in another clause (in its
    own clause it is support already): see `_score`."""
    if _left_alone(variant):
        return None
    if text[span[0]].islower() and variant.ambiguity_reason.startswith(_LATIN_WORD_REASON):
        return None  # an ordinary word in lower case reads as the word (`_score`); most tags stop here
    role = name_role(text, span)
    if role.frame is None or role.person:
        return None
    sense = sense_of(variant, _latin_names(entity) if _inherits(variant) else ())
    if sense is Sense.PERSON and _epithet_of_another(entity, text, span):
        return None
    score = _score(sense, role) if sense is not None else None
    if score is None and sense is not None and _acts_in_its_work(role, work_named, sense):
        score = SPLIT_SCORE
    if score is None:
        return None
    frame = {
        Frame.DEPICTION: "what the picture is of",
        Frame.ACTION: "the one acting",
        Frame.SCENE: "the one the scene is about",
    }[role.frame]
    support = f'subject: "{role.cue}" makes "{text[span[0] : span[1]]}" {frame}'
    if role.object_cue:
        support += f', on "{role.object_cue}"'
    verdict = "read as the name" if score >= SUBJECT_SCORE else "held for review: the other reading fits too"
    reason = f"ambiguous name ({sense.value}) as the depicted subject, {verdict}"
    return SubjectReading(score, support, reason)


# "Elsa the lioness", "Luigi the old baker": "the", then lower-case words up to a preposition,
# a conjunction, a gerund or the clause's end; the last of them is the head noun.
_EPITHET = re.compile(r"[ \t]+the[ \t]+([a-z][a-z'-]*(?:[ \t]+[a-z][a-z'-]*){0,3})")
_EPITHET_STOPS = frozenset({
    "in", "on", "at", "with", "by", "from", "under", "over", "near", "beside", "behind", "inside",
    "during", "for", "and", "or", "as", "who", "while", "against", "vs", "versus", "of", "to",
    "into", "is", "was",
})  # fmt: skip
_DESCRIPTION_WORD = re.compile(r"[a-z]+")


def _epithet_of_another(entity: Entity | None, text: str, span: tuple[int, int]) -> bool:
    """A first name followed by an English epithet, "the" and a noun, says what its bearer is
    ("Elsa the lioness", "Luigi the baker"): the name is the character's only if that is what the
    character is by its own description ("Elsa the snow queen": "A young queen ..."; "Mario the
    plumber"). Anything else is another bearer of the first name. A capitalised epithet is a title
    ("Elsa the Snow Queen") and an entry without a description says nothing: both leave the reading."""
    if entity is None:
        return False
    m = _EPITHET.match(text, span[1])
    if m is None:
        return False
    head = ""
    for word in m.group(1).split():
        if word in _EPITHET_STOPS or (word.endswith("ing") and head):
            break
        head = word
    if not head:
        return False
    described = set(_DESCRIPTION_WORD.findall(entity.description.get("en", "").casefold()))
    if not described:
        return False  # no description to say what the character is: the reading stands
    return not any(form in described for form in _singulars(head))


def _singulars(word: str) -> tuple[str, ...]:
    """The word and the singulars its plural endings may hide ("puffballs", "princesses")."""
    forms = [word]
    for suffix in ("es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            forms.append(word[: -len(suffix)])
    return tuple(forms)


_SENSED = (FIRST_NAME_REASON, FORCED_REASON, TRANSLITERATION_REASON)
_LATIN_WORD_REASON = "common word ("  # "common word (zipf 4.99)"; "common word in ja (...)" is caseless
_SENSED_PREFIXES = ("common word", "derived from", "an ordinary Chinese word")


def _left_alone(variant: NameVariant) -> bool:
    """Names this module never reads (checked first: it runs for every unsupported name)."""
    reason = variant.ambiguity_reason
    return (
        not variant.ambiguous
        or variant.by_key
        or variant.kind in ("style", "context")
        or not (reason in _SENSED or reason.startswith(_SENSED_PREFIXES))
    )


def _inherits(variant: NameVariant) -> bool:
    reason = variant.ambiguity_reason
    return reason in (TRANSLITERATION_REASON, FORCED_REASON) or reason.startswith("derived from")


def _score(sense: Sense, role: NameRole) -> float | None:
    if sense is Sense.PERSON:
        return SUBJECT_SCORE
    if role.frame is Frame.SCENE:
        return None  # "Cloud over Mount Fuji", "Peach on a plate": headline-style common nouns
    if role.cased and not role.proper_form:
        return None  # "link building", "a poster of frozen peas"
    if role.frame is Frame.DEPICTION:
        if role.cased and not role.stands_alone:
            return None  # "a picture of Cloud computing"
        return SUBJECT_SCORE if sense is Sense.WORD and role.cased else SPLIT_SCORE
    if sense is Sense.WORD and role.cased and not noun_like(role.cue) and not present_tense_verb(role.cue):
        # "Link surfing" reads like "Cloud surfing"; in the present, the word acts as words do
        # ("Cloud drifts over the bay"), so that decides nothing.
        return SPLIT_SCORE
    return None


def _acts_in_its_work(role: NameRole, work_named: bool, sense: Sense) -> bool:
    """In a script without letter case, an ordinary word as the subject of an action decides
    nothing ("リンクが切れる", the link is broken: `_score`). With the name's own work named in the
    prompt ("링크가 마스터 소드를 뽑는 장면, 젤다의 전설"), the character reading fits as well as the
    word: held for review, as "Link surfing" is in English. So it does when the name is an ordinary
    word that acts on an object named in its clause ("リンクがマスターソードを抜く", Link draws the
    Master Sword: `NameRole.object_cue`), as "Link pulls the master sword" is held in English: a
    thing that a word names seldom does that. Not for a name whose other reading is a figure who
    acts as well (孫悟空が如意棒を振り回す: the Monkey King wields his staff), nor for a mere scene
    (a name that opens a prompt, as a tag list does: "pokemon, red eyes")."""
    acts_on = bool(role.object_cue) and sense is Sense.WORD
    return (work_named or acts_on) and not role.cased and role.frame is Frame.ACTION


def first_name_sense(variant: NameVariant, entity: Entity | None) -> bool:
    """The name is ambiguous only as a person's first name: Mario, or マリオ and 마리오 written
    from it (`sense_of`)."""
    inherited = _latin_names(entity) if _inherits(variant) else ()
    return sense_of(variant, inherited) is Sense.PERSON


def _latin_names(entity: Entity | None) -> tuple[tuple[str, str], ...]:
    if entity is None:
        return ()
    return tuple((lang, n) for lang, n in entity.all_names() if _single_latin_word(n))


@lru_cache(maxsize=65_536)
def sense_of(variant: NameVariant, latin_names: tuple[tuple[str, str], ...]) -> Sense | None:
    """Why `variant` is ambiguous, as a `Sense`; None for what this module leaves alone.

    A transliteration (and a kana or Hangul name the catalog marks) is ambiguous the way its
    entry's one-word Latin name is: マリオ and 마리오 like Mario, リンク and "Rinku" like Link. A Han
    name keeps its own reason: 孫悟空 is the Monkey King, not a first name."""
    if not variant.ambiguous or variant.by_key or variant.kind in ("style", "context"):
        return None
    reason = variant.ambiguity_reason
    if reason == FIRST_NAME_REASON:
        return Sense.PERSON
    if reason.startswith("common word"):
        return Sense.WORD
    transliterated = reason == TRANSLITERATION_REASON or reason.startswith("derived from")
    if transliterated or (reason == FORCED_REASON and _kana_or_hangul(variant.name)):
        inherited = {_latin_sense(lang, n) for lang, n in latin_names}
        if Sense.WORD in inherited:
            return Sense.WORD
        if Sense.PERSON in inherited:
            return Sense.PERSON
    if reason == FORCED_REASON and _single_latin_word(variant.name):
        return _latin_sense(variant.lang, variant.name) or Sense.OTHER
    if reason == FORCED_REASON or reason.startswith("an ordinary Chinese word"):
        # A Latin phrase the catalog marks ("Demon Slayer") is a phrase: support reads its title case.
        return None if _latin_phrase(variant.name) else Sense.OTHER
    return None


def _latin_phrase(name: str) -> bool:
    return all(_single_latin_word(w) for w in name.split())


def _latin_sense(lang: str, name: str) -> Sense | None:
    verdict = classify(name, lang)
    if not verdict.ambiguous:
        return None
    if verdict.reason == FIRST_NAME_REASON:
        return Sense.PERSON
    return Sense.WORD if verdict.reason.startswith("common word") else None


_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F'\-]+")


def _single_latin_word(name: str) -> bool:
    return _LATIN_WORD.fullmatch(name.strip()) is not None


def _kana_or_hangul(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(0x3041 <= ord(c) <= 0x30FF or 0xAC00 <= ord(c) <= 0xD7AF for c in letters)
