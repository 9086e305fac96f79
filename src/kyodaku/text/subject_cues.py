"""The cue lexicon and the result types of `kyodaku.text.subject`.

What a prompt says about one matched name: the `Frame` that makes it what the picture is of, and
the `NameRole` read around it. The cue words (data/subject_cues.yaml) are closed-class words
(prepositions, articles, honorifics, particles) and everyday nouns and verbs for pictures, per
language; nothing there names a registered entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib import resources

import yaml


class Frame(Enum):
    """How the request makes the name its subject."""

    DEPICTION = "depiction"  # a picture of it: "a poster of X", "Xのイラスト", "draw X"
    ACTION = "action"  # it does something, at the head of its clause: "X surfing", "サーフィンをするX"
    SCENE = "scene"  # the prompt opens with it: "X in a green cap", "X at the beach", "X, watercolor"


@dataclass(frozen=True)
class NameRole:
    """What the words around one name say about it.

    `frame` and `cue`: how the prompt makes the name its subject (None: it does not). `person`:
    the words that make it a private person's name, if any. `proper_form`: written the way a
    proper noun is in a cased script (capitalised, not shouted). `stands_alone`: nothing it
    modifies follows it (end of clause, a closed-class word or a verb), so it is a noun phrase of
    its own rather than the first half of a compound ("Cloud computing"). `cased`: the name is in
    a script with letter case (the last two mean nothing otherwise). `object_cue`: in a script
    without case, the object the name acts on as the subject of its clause ("マスターソードを" in
    "リンクがマスターソードを抜く"), "" if none."""

    frame: Frame | None = None
    cue: str = ""
    person: str = ""
    proper_form: bool = False
    stands_alone: bool = False
    cased: bool = False
    object_cue: str = ""


NOT_SUBJECT = NameRole()  # made once: a frozen dataclass costs a microsecond to build, per name
NOT_SUBJECT_CASED = NameRole(cased=True)


@dataclass(frozen=True)
class SubjectCues:
    depiction_nouns: frozenset[str]  # Latin-script languages, casefolded
    linkers: frozenset[str]
    depiction_verbs: frozenset[str]
    action_words: frozenset[str]
    gerund_endings: tuple[str, ...]
    person_before: frozenset[str]
    appositive_starts: frozenset[str]
    coordinators: frozenset[str]
    phrase_followers: frozenset[str]
    object_starts: frozenset[str]
    verb_adverbs: frozenset[str]
    nouns_after: dict[str, tuple[str, ...]]  # ja, ko, zh: depiction nouns written after the name
    verbs_after: dict[str, tuple[str, ...]]  # ja, ko: depiction verbs after the object particle
    verbs_before_zh: tuple[str, ...]
    person_before_cjk: dict[str, tuple[str, ...]]
    person_after_cjk: dict[str, tuple[str, ...]]


_CJK = ("ja", "ko", "zh")


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted({str(w) for w in words}, key=len, reverse=True))


@lru_cache(maxsize=1)
def cues() -> SubjectCues:
    """The cue lexicon (data/subject_cues.yaml), loaded once."""
    raw = yaml.safe_load(resources.files("kyodaku.data").joinpath("subject_cues.yaml").read_text("utf-8"))

    def latin(section: str) -> frozenset[str]:
        return frozenset(
            str(w).casefold() for lang, ws in raw[section].items() if lang not in _CJK for w in ws
        )

    def cjk(section: str) -> dict[str, tuple[str, ...]]:
        return {lang: _longest_first(ws) for lang, ws in raw.get(section, {}).items() if lang in _CJK}

    return SubjectCues(
        depiction_nouns=latin("depiction_nouns"),
        linkers=latin("linkers"),
        depiction_verbs=latin("depiction_verbs"),
        action_words=latin("action_words"),
        gerund_endings=_longest_first(e for ws in raw["gerund_endings"].values() for e in ws),
        person_before=latin("person_before"),
        appositive_starts=latin("appositive_starts"),
        coordinators=frozenset(str(w).casefold() for w in raw["coordinators"]),
        phrase_followers=latin("phrase_followers"),
        object_starts=latin("object_starts"),
        verb_adverbs=latin("verb_adverbs"),
        nouns_after=cjk("depiction_nouns"),
        verbs_after=cjk("depiction_verbs_after"),
        verbs_before_zh=_longest_first(raw["depiction_verbs_before"]["zh"]),
        person_before_cjk=cjk("person_before"),
        person_after_cjk=cjk("person_after"),
    )


CLAUSE_OPENERS = frozenset(",;:.!?()[]{}\"'“”«»\n—–")
CJK_CLAUSE_BREAKS = "、，。；！？"


def starts_with(s: str, words: tuple[str, ...]) -> str:
    """The first of `words` (longest first) that `s` starts with, or ""."""
    return next((w for w in words if s.startswith(w)), "")


def ends_with(s: str, words: tuple[str, ...]) -> str:
    """The first of `words` (longest first) that `s` ends with, or ""."""
    return next((w for w in words if s.endswith(w)), "")
