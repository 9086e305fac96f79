"""The prompt matchers: semantic (descriptions), alias (names, ambiguous ones with support), fuzzy
(one edit from a name), and themes (what the scene is about, for permission conditions).

They run in that order. The semantic matcher goes first because its findings are one kind of
support an ambiguous name may have ("Cloud" next to words that describe Cloud Strife); fuzzy goes
after alias so a name already found exactly is not found again one edit away.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from kyodaku.domain.errors import ScreeningUnavailable
from kyodaku.domain.findings import Evidence, Finding
from kyodaku.domain.model import EntityKind
from kyodaku.matching.base import ContentKind, MatchResult, Stage, findings_beside, register_matcher
from kyodaku.matching.prepare import PreparedPrompt
from kyodaku.matching.subject import subject_reading
from kyodaku.matching.support import own_description_support, support_for
from kyodaku.options import GuardOptions
from kyodaku.snapshot import CONTEXT_NAME, Snapshot
from kyodaku.text.alias import AliasHit, NameVariant
from kyodaku.text.ambiguity import (
    FIRST_NAME_REASON,
    in_dictionary,
    inflected,
    is_common_word,
    is_first_name,
    japanese_word_of,
    zipf,
)
from kyodaku.text.fuzzy import FuzzyHit, SoundAlikeHit, SoundAlikeIndex
from kyodaku.text.katakana_words import ordinary_compound
from kyodaku.text.places import named_feature, place_named, subdivisions
from kyodaku.text.segment import compound_of_common_nouns, kept_animal_clause, korean_end_ok
from kyodaku.text.semantic import names_a_group
from kyodaku.text.senses import dictionary_noun_use, family_name_use, gloss_use, nickname_use
from kyodaku.text.subject import cues as subject_cues
from kyodaku.text.surface import (
    capitalised_mid_sentence,
    cyrillic_word_use,
    disguised,
    dotted_name_part,
    folded_into_word,
    hiragana_grammar,
    hiragana_near_latin,
    hiragana_word_use,
    katakana_word_use,
    pet_name_use,
    possessive_title,
    script_word_use,
    written_as_title,
)

ALIAS_SCORE = 1.0
CONTEXT_SCORE = 0.9
FUZZY_FACTOR = 0.9
PROMPT = frozenset({ContentKind.PROMPT})


@register_matcher
class SemanticMatcher:
    """Descriptions: the prompt's segments against the registered descriptions' embeddings, each
    against its own calibrated threshold. Weak resemblances are notes, not findings.

    Neighbours apart: a hit counts only where its entry's evidence (the mean margin of its best
    `SemanticOptions.rival_evidence_rows` texts) beats another work's best by the calibrated
    `SemanticOptions.rival_margin` (a work's characters are siblings, not rivals). A
    contested hit is a note naming the runner-up, or, when the prompt names a group of beings
    ("two superheroes"), a finding scored below `review_below`: held for review rather than
    blocked as one entry."""

    name: ClassVar[str] = "semantic"
    kinds: ClassVar[frozenset[ContentKind]] = PROMPT
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        self.min_score = options.semantic_min_score
        self.review_score = options.review_below - 0.05
        self._groups: tuple[object, dict[str, str]] | None = None  # (entities it was made from, groups)

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.semantic

    def groups(self, snapshot: Snapshot) -> dict[str, str]:
        """Entity -> its work (a work and a style: itself), made once per snapshot's entities."""
        cached = self._groups
        if cached is not None and cached[0] is snapshot.entities:
            return cached[1]
        groups = {eid: e.work or eid for eid, e in snapshot.entities.items()}
        self._groups = (snapshot.entities, groups)
        return groups

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        index = snapshot.match.semantic
        if index is None or content.query is None:
            raise ScreeningUnavailable(
                content.unavailable or "the semantic index is missing from the snapshot"
            )
        out = MatchResult()
        group: bool | None = None  # whether the prompt names a group; read only when a hit is contested
        for hit in index.search_encoded(content.query, self.groups(snapshot)):
            note = f"cosine {hit.cosine:.3f} vs threshold {hit.threshold:.3f}"
            if hit.runner_up is not None and hit.lead is not None:
                note = f"{note}; lead {hit.lead:+.3f} over runner-up {hit.runner_up}"
            if hit.score < self.min_score:
                out.notes.append(
                    f'"{hit.segment}" resembles the description of {hit.entity} ({note}, '
                    f"score {hit.score:.2f}), below the {self.min_score} needed on its own"
                )
                continue
            if hit.contested:
                if group is None:
                    group = names_a_group(content.text)
                rival = (
                    f"{hit.runner_up} is as close (a lead of {index.options.rival_margin} "
                    "is needed over another work's best evidence)"
                )
                if not group:
                    out.notes.append(
                        f'"{hit.segment}" resembles the description of {hit.entity} ({note}, '
                        f"score {hit.score:.2f}), but {rival}"
                    )
                    continue
                ev = Evidence(
                    span=hit.span, text=hit.segment, variant=hit.matched_text, lang=hit.lang, note=note
                )
                found = Finding(hit.entity, hit.kind, hit.score, self.name, ev)
                out.findings.append(
                    found.adjusted(
                        f"the prompt names a group of alike entries and {rival}: for review",
                        min(hit.score, self.review_score),
                    )
                )
                continue
            ev = Evidence(span=hit.span, text=hit.segment, variant=hit.matched_text, lang=hit.lang, note=note)
            out.findings.append(Finding(hit.entity, hit.kind, hit.score, self.name, ev))
        return out


@register_matcher
class AliasMatcher:
    """Registered names, exactly (on the phonetic skeleton). An ambiguous name ("Cloud", "Link",
    "Mario") counts only with support from the rest of the prompt, and then scores lower; without
    support, as the depicted subject of the request it is read by why it is ambiguous (blocked,
    or held for review: matching/subject.py)."""

    name: ClassVar[str] = "alias"
    kinds: ClassVar[frozenset[ContentKind]] = PROMPT
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        self.support_margin = options.support_margin
        subject_cues()  # the depiction-cue lexicon, read once per guard rather than on a first prompt
        subdivisions()  # and the gazetteer of provinces (text/places.py)

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return True

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        out = MatchResult()
        found = snapshot.match.aliases.find(content.skeleton)
        # A derived ordinary word written plainly ("Cloud" of Cloud Strife) stands only on its own
        # description's words, and supports nothing else.
        plain = [h for h in found if h.variant.disguise_only and not disguised(h.text, h.variant.name)]
        hits = [h for h in found if h not in plain]
        # How the prompt writes each distinctive name other than as the name ("" where it does not).
        other = [("" if h.variant.ambiguous else other_use(content.text, h, hits)) for h in hits]
        ambiguous = bool(plain) or any(h.variant.ambiguous or o for h, o in zip(hits, other, strict=True))
        context_hits = snapshot.match.context.find(content.skeleton) if ambiguous else []
        # A name the prompt writes as something else (a nickname, a place) supports no other name.
        set_aside = {h.span for h, o in zip(hits, other, strict=True) if o}
        context_hits = [c for c in context_hits if _distinctive_support(c) and c.span not in set_aside]
        context_hits.extend(_titled_works(content.text, hits, set_aside))
        described: dict[str, list[tuple[int, int]]] = {}
        for f in earlier:
            if f.matcher == SemanticMatcher.name and f.evidence.span is not None:
                described.setdefault(f.entity, []).append(f.evidence.span)
        for hit, how in zip(hits, other, strict=True):
            v = hit.variant
            if folded_into_word(hit.text, v.name):
                out.notes.append(
                    f'"{hit.text}" at {hit.span[0]}..{hit.span[1]} reads like {v.entity} ("{v.name}") '
                    "only after spelling folds, and is itself an ordinary word"
                )
                continue
            derived = f"derived: {v.derived}" if v.derived else None
            ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang, note=derived)
            noun = bool(how)
            # "Eevee" folds to the word "eve": the folded form needs context, the full name does not.
            if not noun and (not v.ambiguous or (v.by_key and hit.text.casefold() == v.name.casefold())):
                out.findings.append(Finding(v.entity, v.kind, ALIAS_SCORE, self.name, ev))
                continue
            if noun:
                found = self._common_noun(hit, how, snapshot, context_hits, described, content, hits, out)
                if found is not None:
                    out.findings.append(found)
                continue
            support = support_for(
                snapshot, hit, context_hits, described, content.query, self.support_margin, hits, content.text
            )
            if not support:
                entity = snapshot.entities.get(v.entity)
                named = _work_named(entity.work if entity else "", hit, context_hits)
                # A Latin name met only as an ordinary katakana or Cyrillic word (ウサギ for "Usagi",
                # Мама for "Mama") is that word: a picture of it is a picture of a rabbit.
                word = script_word_use(hit.text, v.name, content.text, hit.span)
                reading = None if word else subject_reading(v, entity, content.text, hit.span, named)
                if reading is None:
                    out.notes.append(
                        f'"{hit.text}" at {hit.span[0]}..{hit.span[1]} may name {v.entity}, but it is '
                        f"{v.ambiguity_reason} and nothing in the prompt supports that reading"
                    )
                    continue
                ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang, note=reading.reason)
                found = Finding(v.entity, v.kind, ALIAS_SCORE, "alias+context", ev, (reading.support,))
                out.findings.append(found.adjusted(reading.reason, reading.score))
                continue
            note = f"ambiguous name ({v.ambiguity_reason}) with supporting context"
            if derived:
                note = f"{note}; {derived}"
            ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang, note=note)
            found = Finding(v.entity, v.kind, ALIAS_SCORE, "alias+context", ev, tuple(support))
            out.findings.append(
                found.adjusted(f"ambiguous name ({v.ambiguity_reason}), supported", CONTEXT_SCORE)
            )
        for hit in plain:
            supported = self._own_description(hit, snapshot, context_hits, content)
            if supported is not None:
                out.findings.append(supported)
        for hit in hits:
            if hit.variant.ambiguous and hit.variant.kind == "character":
                titled = self._title_named_after(hit, snapshot, context_hits, content)
                if titled is not None:
                    out.findings.append(titled)
        return out

    def _title_named_after(
        self, hit: AliasHit, snapshot: Snapshot, context_hits: list[AliasHit], content: PreparedPrompt
    ) -> Finding | None:
        """A character's ambiguous name as the possessive that opens a capitalised title ("a Kirby's
        Dream Land poster": text/surface.py `possessive_title`) names something called after it: a
        game or show of its work, or a shop or a place named after a person ("Luigi's Pizza
        Palace"). It is the character's work only with the work's own description's words beside
        it ("with candy hills", for "candy-coloured hills": `own_description_support`)."""
        entity = snapshot.entities.get(hit.variant.entity)
        work = snapshot.entities.get(entity.work) if entity is not None and entity.work else None
        if work is None:
            return None
        span = possessive_title(content.text, hit.span)
        if span is None:
            return None
        title = content.text[span[0] : span[1]]
        titled = AliasHit(hit.variant, hit.start, hit.end, span, title)
        support = own_description_support(work, titled, context_hits, content.text)
        if not support:
            return None
        note = (
            f"a title named after \"{hit.variant.name}\" ({entity.id}), with its work's description's words"
        )
        ev = Evidence(span=span, text=title, variant=hit.variant.name, lang=hit.variant.lang, note=note)
        found = Finding(work.id, work.kind.value, ALIAS_SCORE, "alias+context", ev, tuple(support))
        return found.adjusted("a title named after its character, supported", CONTEXT_SCORE)

    def _own_description(
        self, hit: AliasHit, snapshot: Snapshot, context_hits: list[AliasHit], content: PreparedPrompt
    ) -> Finding | None:
        """A derived ordinary word written plainly and capitalised ("Cloud with his spiky blond
        hair"): found with its own description's words only (`own_description_support`)."""
        v = hit.variant
        entity = snapshot.entities.get(v.entity)
        support = own_description_support(entity, hit, context_hits, content.text) if entity else []
        if not support:
            return None
        note = f"a derived name that is an ordinary word, with its own description's words; {v.derived}"
        ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang, note=note)
        found = Finding(v.entity, v.kind, ALIAS_SCORE, "alias+context", ev, tuple(support))
        return found.adjusted("derived ordinary word, supported by its own description", CONTEXT_SCORE)

    def _common_noun(
        self,
        hit: AliasHit,
        how: str,
        snapshot: Snapshot,
        context_hits: list[AliasHit],
        described: dict[str, list[tuple[int, int]]],
        content: PreparedPrompt,
        hits: list[AliasHit],
        out: MatchResult,
    ) -> Finding | None:
        """A distinctive name written as something else (`other_use`: "a fuel bowser", "la ville de
        Batman", "一只龙猫") counts only with support."""
        v = hit.variant
        support = support_for(
            snapshot, hit, context_hits, described, content.query, self.support_margin, hits, content.text
        )
        if not support:
            out.notes.append(
                f'"{hit.text}" at {hit.span[0]}..{hit.span[1]} may name {v.entity}, but it is written as '
                f"{how} and nothing in the prompt supports the name"
            )
            return None
        note = "a name written as a common noun, with supporting context"
        ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang, note=note)
        found = Finding(v.entity, v.kind, ALIAS_SCORE, "alias+context", ev, tuple(support))
        return found.adjusted("a name written as a common noun, supported", CONTEXT_SCORE)


@register_matcher
class FuzzyMatcher:
    """Misspellings: one edit from a registered name, skipping ordinary words and spans an exact
    name already covers; and short names spelled by sound ("Kirbi", "Elza": `_sound_alike`)."""

    name: ClassVar[str] = "fuzzy"
    kinds: ClassVar[frozenset[ContentKind]] = PROMPT
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        self.support_margin = options.support_margin
        self._lock = threading.Lock()
        self._swaps: tuple[object, SoundAlikeIndex, SoundAlikeIndex] | None = None

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.fuzzy

    def _sound_alikes(self, snapshot: Snapshot) -> tuple[SoundAlikeIndex, SoundAlikeIndex]:
        """The sound-alike spellings' and typing slips' indexes, built from the snapshot's names on
        first need, once per snapshot (as the by-ear index)."""
        with self._lock:
            if self._swaps is None or self._swaps[0] is not snapshot.match:
                variants = snapshot.match.aliases.variants
                self._swaps = (
                    snapshot.match,
                    SoundAlikeIndex(variants, _swappable),
                    SoundAlikeIndex(variants, _swappable, slips=True),
                )
            return self._swaps[1], self._swaps[2]

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        exact = {
            f.evidence.span
            for f in earlier
            if f.matcher in (AliasMatcher.name, "alias+context") and f.evidence.span is not None
        }
        out = MatchResult()
        judged = judged_names(content, snapshot)
        for hit in snapshot.match.fuzzy.find(content.skeleton, exact):
            v = hit.variant
            if overlaps(hit.span, judged.get(v.entity, ())) and not _completes(hit, judged[v.entity]):
                continue
            if hiragana_near_latin(hit.text, v.name) or ordinary_compound(hit.text, v.name):
                continue  # をした, a verb; ローアングル, "low angle": no misspelling of a Latin name
            if not hit.text.isascii() and dotted_name_part(content.text, hit.span):
                continue  # ドラギ of マリオ・ドラギ: one part of a person's full name, no misspelt name
            ev = Evidence(
                span=hit.span,
                text=hit.text,
                variant=v.name,
                lang=v.lang,
                note=f"edit distance {hit.distance}",
            )
            found = Finding(v.entity, v.kind, hit.score, self.name, ev)
            reason = f"edit distance {hit.distance}: a misspelling is weaker evidence than the name"
            out.findings.append(found.adjusted(reason, round(FUZZY_FACTOR * hit.score, 4)))
        sounds, slips = self._sound_alikes(snapshot)
        swaps = sounds.find(content.text)
        swaps += [h for h in slips.find(content.text) if not overlaps(h.span, [s.span for s in swaps])]
        if swaps:
            names = [s for spans in judged.values() for s in spans]
            for swap in swaps:
                if not overlaps(swap.span, names):  # a registered name as written: the alias matcher's
                    self._sound_alike(swap, content, snapshot, earlier, out)
        return out

    def _sound_alike(
        self,
        swap: SoundAlikeHit,
        content: PreparedPrompt,
        snapshot: Snapshot,
        earlier: Sequence[Finding],
        out: MatchResult,
    ) -> None:
        """A short name with one letter swapped for another that spells the same sound ("Kirbi",
        "Elza": text/fuzzy.py `sound_alike_spellings`). Where the spelling is no word and nobody's
        name in any big language, it is the name written by ear and is read as the name is (a first
        name needs support or the subject's place); where it is a name of its own ("Elza" is a
        Portuguese and Hungarian first name) or a word, it counts only with support ("Queen Elza
        of Arendelle": the title its description gives)."""
        v = swap.variant
        if swap.slip:
            how = f'"{swap.text}" is "{v.name}" with a typing slip ({swap.swap})'
            what = "a name with a typing slip"
        else:
            how = f'"{swap.text}" spells "{v.name}" by sound ({swap.swap})'
            what = "a short name spelled by sound"
        hit = AliasHit(v, 0, 0, swap.span, swap.text)
        own = spelled_word_or_name(swap.text)
        judged = judge_other_reading(hit, how, what, own, content, snapshot, earlier, self.support_margin)
        if isinstance(judged, str):
            out.notes.append(judged)
            return
        ev = Evidence(span=swap.span, text=swap.text, variant=v.name, lang=v.lang, note=how)
        found = Finding(v.entity, v.kind, judged.score, self.name, ev, judged.support)
        reason = f"{judged.reason}: a misspelling is weaker evidence"
        out.findings.append(found.adjusted(reason, round(FUZZY_FACTOR * judged.score, 4)))


@dataclass(frozen=True)
class OtherReading:
    """How a name read another way (by sound, by ear) counts: its score before the reading's own
    discount, why, and its support."""

    score: float
    reason: str
    support: tuple[str, ...] = ()


def judge_other_reading(
    hit: AliasHit,
    how: str,
    what: str,
    own: str,
    content: PreparedPrompt,
    snapshot: Snapshot,
    earlier: Sequence[Finding],
    support_margin: float,
) -> OtherReading | str:
    """A name read another way, judged as the alias matcher judges the written name: an ambiguous
    name, or a spelling that is also something of its own (`own`: "a first name", a word), counts
    with support from the rest of the prompt (`support_for`); without it, an ambiguous name counts
    as the depicted subject (`subject_reading`) and a spelling of its own not at all. Returns the
    reading, or the note that says why it does not count. `how` says how the name was read."""
    v, text = hit.variant, content.text
    support: list[str] = []
    if v.ambiguous or own:
        context_hits = [c for c in snapshot.match.context.find(content.skeleton) if _distinctive_support(c)]
        described: dict[str, list[tuple[int, int]]] = {}
        for f in earlier:
            if f.matcher == SemanticMatcher.name and f.evidence.span is not None:
                described.setdefault(f.entity, []).append(f.evidence.span)
        others = [h for h in snapshot.match.aliases.find(content.skeleton) if not h.variant.disguise_only]
        support = support_for(
            snapshot, hit, context_hits, described, content.query, support_margin, others, text
        )
    if support:
        return OtherReading(CONTEXT_SCORE, f"{what}, supported", tuple(support))
    if own:
        return (
            f"{how}, but it is also {own} and nothing in the prompt supports the name at "
            f"{hit.span[0]}..{hit.span[1]}"
        )
    if not v.ambiguous:
        return OtherReading(ALIAS_SCORE, what)
    reading = subject_reading(v, snapshot.entities.get(v.entity), text, hit.span)
    if reading is None:
        return f"{how}, but {v.name} is {v.ambiguity_reason} and nothing in the prompt supports that reading"
    return OtherReading(reading.score, reading.reason, (reading.support,))


def _swappable(v: NameVariant) -> bool:
    """A name whose sound-alike spellings are looked for: registered or derived in Latin letters
    (not a romanization of another script), not a style (a bare style name wants a style cue),
    not a derived ordinary word (`disguise_only`), and distinctive or ambiguous only as a first
    name or by its folded key: a misspelt ordinary word ("Linc") is no name."""
    if v.disguise_only or v.kind == "style" or v.lang.endswith("-Latn"):
        return False
    return not v.ambiguous or v.by_key or v.ambiguity_reason == FIRST_NAME_REASON


SPELLING_ZIPF = 2.5  # a spelling this frequent in a big language is a word or name people write


def spelled_word_or_name(word: str) -> str:
    """What a sound-alike spelling is of its own, in words ("" when nothing): a first name
    (gender-guesser's list), an English dictionary word, or a spelling frequent in one of the big
    Latin-script languages (wordfreq: "Elza", Zipf 3.1 in Portuguese)."""
    w = word.casefold()
    if is_first_name(w):
        return "a first name"
    if in_dictionary(w):
        return "an English word"
    lang = next((code for code in ("en", *_OTHER_LATIN) if zipf(w, code) >= SPELLING_ZIPF), None)
    return f"a frequent spelling in {lang} (zipf {zipf(w, lang):.2f})" if lang else ""


_OTHER_LATIN = ("fr", "de", "es", "it", "pt", "nl")  # the languages `is_common_word` compares


@register_matcher
class ThemesMatcher:
    """Themes of the prompt (violence, war, ...), which permission conditions are written against.
    Built on first need (the exemplars are embedded once), reusing the prompt's embedding."""

    name: ClassVar[str] = "themes"
    kinds: ClassVar[frozenset[ContentKind]] = PROMPT
    stage: ClassVar[Stage] = Stage.CONTEXT

    def __init__(self, options: GuardOptions) -> None:
        self.semantic = options.semantic
        self._detector = None
        self._lock = threading.Lock()

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.themes

    def warm(self) -> None:
        """Load the lexicon now rather than on the first prompt that needs it (Guard.warm)."""
        with self._lock:
            if self._detector is None:
                from kyodaku.text.themes import ThemeDetector  # loads and embeds the lexicon: only on need

                self._detector = ThemeDetector(semantic=self.semantic)

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        self.warm()
        query = content.query if self.semantic else None
        return MatchResult(themes=list(self._detector.detect(content.text, query)))


def other_use(text: str, hit: AliasHit, hits: Sequence[AliasHit]) -> str:
    """How the prompt writes a distinctive name as something other than the name, in words for the
    evidence ("" when it writes it as the name). Each reading counts only with support."""
    span, name = hit.span, hit.variant.name
    if common_noun_use(text, span):
        return "a common noun (lower case, after an indefinite article, a word people inflect)"
    if dictionary_noun_use(text, span):
        return (
            "a common noun the dictionary lists (lower case, after a possessive, as an epithet, or "
            "modifying the noun after it)"
        )
    if place_use(text, span):
        return (
            "the name of a place (after a word for one, before an administrative suffix or a "
            "capitalised generic of geography, or a province with its country or a landform named)"
        )
    if japanese_word_use(text, span, name):
        return "the ordinary Japanese word it also reads as (in lower case)"
    if hiragana_word_use(hit.text, name):
        return "the ordinary Japanese word it spells in hiragana"
    if katakana_word_use(hit.text, name):
        return "the ordinary Japanese word it is in katakana (a loanword, native word or place)"
    if cyrillic_word_use(hit.text, name, text, span):
        return "the ordinary word it is in Cyrillic (in lower case, or a Russian word the name romanizes)"
    if _other_full_name(text, hit, hits):
        return "one part of a person's full name (joined to the next by a name dot)"
    if family_name_use(text, span, [h.span for h in hits if h.span != span]):
        return "a person's family name (after a common given name)"
    if nickname_use(text, span, [h.span for h in hits if h.span != span]):
        return "a real person's nickname built on his given name (the person named in full beside it)"
    if gloss_use(text, span):
        return "the reading of the Latin word before it (a gloss in brackets)"
    if counted_noun_use(text, span):
        return "a compound of common nouns counted with a numeral and a classifier"
    if kept_animal_use(text, span):
        return "a compound of common nouns read as an animal that people keep (beside a word for a pet)"
    if pet_name_use(text, span):
        return "the name of somebody's pet (after a possessive and a word for the animal)"
    if maker_use(text, span):
        return "the name of a maker (before the Japanese suffix 製, 'made by')"
    return ""


def judged_names(content: PreparedPrompt, snapshot: Snapshot) -> dict[str, list[tuple[int, int]]]:
    """Entry -> the spans where the alias matcher found one of its names exactly, whatever it then
    decided (the index keeps the prompt's hits: no second search). A matcher that reads names
    another way (one edit away, by ear) adds nothing there: the window is that name (バトマン is
    バットマン, one edit from "Batman"; になると holds なると), and the alias matcher may have set
    it aside on purpose (a place, an ordinary word), which another reading must not undo."""
    out: dict[str, list[tuple[int, int]]] = {}
    for hit in snapshot.match.aliases.find(content.skeleton):
        out.setdefault(hit.variant.entity, []).append(hit.span)
    return out


def unjudged(hits: list, content: PreparedPrompt, snapshot: Snapshot) -> list:
    """The hits (each with a `variant` and a `span`) that overlap no place where the alias matcher
    found the same entry's name exactly (`judged_names`): for the matchers that read names another
    way (by ear, by a homophone, by look-alike letters), which must not undo what it decided."""
    if not hits:
        return hits
    judged = judged_names(content, snapshot)
    return [h for h in hits if not overlaps(h.span, judged.get(h.variant.entity, ()))]


def read_otherwise(
    hits: list,
    content: PreparedPrompt,
    snapshot: Snapshot,
    earlier: Sequence[Finding],
    score: float,
    matcher: str,
) -> MatchResult:
    """The findings of a matcher that reads names another way (a homophone, look-alike letters):
    its hits where the alias matcher judged no name of the same entry (`unjudged`) and no earlier
    matcher found a name (`findings_beside`)."""
    out = MatchResult()
    out.findings.extend(findings_beside(unjudged(hits, content, snapshot), earlier, score, matcher))
    return out


class OtherReadingMatcher:
    """Base of the matchers that read names another way from one index of the snapshot (a
    homophone, look-alike letters, a spelling by sound): each names its `index` (an attribute of
    the snapshot's match index, with a `find(text)` of hits) and its `score`, and is on whenever
    the fuzzy matcher is. Not registered itself: each subclass is, under its own `name`."""

    name: ClassVar[str]
    index: ClassVar[str]
    score: ClassVar[float]
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        pass

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.fuzzy

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        index = getattr(snapshot.match, self.index)
        if index is None:
            return MatchResult()
        return read_otherwise(index.find(content.text), content, snapshot, earlier, self.score, self.name)


def overlaps(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    """Whether `span` shares a character with any of `spans`."""
    return any(s[0] < span[1] and span[0] < s[1] for s in spans)


def _completes(hit: FuzzyHit, spans: Sequence[tuple[int, int]]) -> bool:
    """A misspelled full name around a part of it the alias matcher found exactly: "Cloud Strfie",
    where "Cloud" (the given name, an ordinary word) was found and set aside. The window is then more
    than that name, a name of several words one edit away, and reading it so undoes nothing the alias
    matcher decided about "Cloud" alone. Every found span it overlaps lies strictly inside it, and
    the registered name has two words or more; a window that is the found name itself (バトマン for
    バットマン) or a one-word name around it (になると, なると) stays the alias matcher's."""
    if len(_NAME_WORDS.findall(hit.variant.name)) < 2:
        return False
    a, b = hit.span
    inside = [s for s in spans if s[0] < b and a < s[1]]
    return all(a <= s[0] and s[1] <= b and (s[1] - s[0]) < (b - a) for s in inside)


_NAME_WORDS = re.compile(r"[^\W_]+")


_ARTICLE_BEFORE = re.compile(r"\b(?:a|an)\s+(?:[a-z][a-z'-]*\s+){0,2}$")
NOUN_ZIPF = 3.0


def common_noun_use(text: str, span: tuple[int, int]) -> bool:
    """A registered name used as the common noun it also is: written in lower case after an
    indefinite article, with at most two lower-case modifiers between ("a fuel bowser", "a
    demon slayer knight"), and every word of it a word people inflect, frequent enough (Zipf >=
    3) to be a word ("bowsers", "demons", "slayers"). A name drawn as a character is written
    capitalised ("Bowser on a throne"); a made-up name is not inflected ("pikachus" is rare), so
    "a pikachu plush" stays Pikachu."""
    written = text[span[0] : span[1]]
    if not written.isascii() or written != written.lower() or not _ARTICLE_BEFORE.search(text, 0, span[0]):
        return False
    words = [w for w in re.split(r"[\s\-]+", written) if w]
    return bool(words) and all(w.isalpha() and zipf(w, "en") >= NOUN_ZIPF and inflected(w) for w in words)


def _other_full_name(text: str, hit: AliasHit, hits: Sequence[AliasHit]) -> bool:
    """The name is one part of somebody's full name written with a name dot (路易吉·皮兰德娄, Luigi
    Pirandello; マリオ・ドラギ): see `dotted_name_part`. Not when a longer hit of the same entry
    covers it, since that is the entry's own full name (克劳德 inside 克劳德·斯特莱夫), nor when a
    registered name stands on the other side of the dot: Japanese also lists names with it.
    """
    if not dotted_name_part(text, hit.span):
        return False
    a, b = hit.span
    for h in hits:
        if (
            h.variant.entity == hit.variant.entity
            and h.span[0] <= a
            and b <= h.span[1]
            and h.span != hit.span
        ):
            return False  # inside the entry's own full name
        if h.span[0] == b + 1 or h.span[1] == a - 1:
            return False  # a name on the other side of the dot: a list of names (ピカチュウ・ドラえもん)
    return True


# A numeral or demonstrative and a measure word for things and animals (not 位, for people), then
# either modifiers closed by 的 or at most two characters of adjective: 一只灰色的, 两只小, 这只.
_COUNTED_BEFORE = re.compile(
    r"(?:[一两二三四五六七八九十几数半每这那][只隻个個条條头頭匹尾群对對种種])"
    r"(?:[^\s，。、,.;；:：!！?？]{1,8}的|[^\s，。、,.;；:：!！?？的和与跟及]{0,2})$"
)


def counted_noun_use(text: str, span: tuple[int, int]) -> bool:
    """A Han name made of common nouns (龙猫: 龙 + 猫, the chinchilla: `compound_of_common_nouns`),
    counted with a numeral and a measure word ("一只灰色的龙猫宠物", "a grey chinchilla pet").
    Chinese has no articles and no plural; a numeral with a classifier is its indefinite article, so
    this is the Chinese form of "a fuel bowser" (`common_noun_use`): the compound read as the
    ordinary noun it spells, which counts only with support. A transliterated name (一只皮卡丘) is
    no compound of nouns and stays the name."""
    written = text[span[0] : span[1]]
    if not written or not all(0x4E00 <= ord(c) <= 0x9FFF or 0x3400 <= ord(c) <= 0x4DBF for c in written):
        return False
    if _COUNTED_BEFORE.search(text, max(0, span[0] - 12), span[0]) is None:
        return False
    return compound_of_common_nouns(written)


# Japanese 製 after a name: "made by" that maker (ソニック製の歯ブラシ, ドイツ製, ソニー製), or "made of"
# that material (プラスチック製). 社製: "made by the company X".
_MAKER_AFTER = re.compile(r"社?製")


def maker_use(text: str, span: tuple[int, int]) -> bool:
    """A name in katakana or Latin letters right before the Japanese suffix 製 ("made by"): the
    name of the company that made a product ("ソニック製の電動歯ブラシ", a Sonic toothbrush), as
    Japanese writes a maker or a material (ソニー製, ドイツ製, 木製). A character makes nothing, so
    the name counts only with support. A Han name is left out: 製 after a kanji may be a word's
    second half (縫製, sewing)."""
    last = text[span[1] - 1 : span[1]]
    if not last or not (0x30A0 <= ord(last) <= 0x30FF or (last.isascii() and last.isalpha())):
        return False
    return _MAKER_AFTER.match(text, span[1]) is not None


def kept_animal_use(text: str, span: tuple[int, int]) -> bool:
    """A Han name made of common nouns (龙猫, the chinchilla's common name: `compound_of_common_nouns`)
    in a clause about keeping an animal: beside jieba's word for a pet or for raising one ("宠物龙猫
    洗沙浴", "养龙猫需要注意什么": `kept_animal_clause`). The compound read as the animal it names,
    as `counted_noun_use` reads it after a measure word; a transliterated name (宠物皮卡丘) is no
    compound of nouns and stays the name."""
    written = text[span[0] : span[1]]
    if len(written) < 2 or not all(0x4E00 <= ord(c) <= 0x9FFF or 0x3400 <= ord(c) <= 0x4DBF for c in written):
        return False
    return kept_animal_clause(text, span[0], span[1]) and compound_of_common_nouns(written)


def _work_named(work: str, hit: AliasHit, context_hits: Sequence[AliasHit]) -> bool:
    """Whether one of the names of `work` (the work of the entry `hit` may name) is in the prompt,
    apart from the hit: a work's own name, not a context word of its description."""
    return bool(work) and any(
        c.variant.entity == work
        and c.variant.ambiguity_reason == CONTEXT_NAME
        and (c.span[1] <= hit.span[0] or c.span[0] >= hit.span[1])
        for c in context_hits
    )


def _titled_works(text: str, hits: Sequence[AliasHit], set_aside: set[tuple[int, int]]) -> list[AliasHit]:
    """A work's one-word ordinary name written as a title (`capitalised_mid_sentence`: "Elsa aus
    Frozen", "Elsa di Frozen"), as context for the work's own characters. The context index holds
    only distinctive names (an ordinary word supports nothing: "a frozen lake"), but the support
    matcher reads the same capital as the title for the work itself (matching/support.py), and a
    title named beside a first name is the work that name belongs to, in any language: a German or
    Italian prompt capitalises the English title as an English one does. Lower case ("un frozen de
    fresa"), the start of a sentence and title case say nothing, as for the work."""
    out: list[AliasHit] = []
    for h in hits:
        v = h.variant
        if v.kind != EntityKind.WORK.value or not v.ambiguous or h.span in set_aside:
            continue
        if not capitalised_mid_sentence(text, h.span):
            continue
        context = NameVariant(v.entity, "context", v.name, v.lang, v.key, v.splits, False, CONTEXT_NAME)
        out.append(AliasHit(context, h.start, h.end, h.span, h.text))
    return out


def _distinctive_support(hit: AliasHit) -> bool:
    """Another entry's name supports an ambiguous one only when it is itself no ordinary word as
    written: "grey", "fox girl", "black belt" are names in a 40,000-character catalog and
    everyday words in prompts, and "mole" only meets "Mollie" after spelling folds. Context
    words the rightsholder gave (or the description's rare words) count as they are, and a
    phrase of ordinary words written as a title ("Among Us") is a name."""
    if hit.variant.ambiguity_reason != CONTEXT_NAME:
        return True
    if hiragana_grammar(hit.text, hit.variant.name):
        return False  # "から" is Japanese grammar, no name of a sibling (text/surface.py)
    words = [w.strip(".,;:!?'\"()") for w in re.split(r"[\s\-‐‑]+", hit.text.casefold()) if w]
    if not (words and all(w.isalpha() and (is_common_word(w) or in_dictionary(w)) for w in words)):
        return True
    return len(words) > 1 and written_as_title(hit.text)


# Words for a settled place or a landform, and the prepositions that link them to a name, in the
# Latin-script languages of the cue lexicon: "the city of Batman", "la ville de Batman", "die
# Stadt Batman", "la ciudad de Batman". A name introduced so names a place (Batman is a city in
# Turkey): it counts only with support, as a name written as a common noun does.
_PLACE_WORDS = (
    "city town village province district region county river lake island mount "
    "ville village province région rivière fleuve lac île "
    "stadt dorf provinz region bezirk fluss see insel "
    "ciudad pueblo provincia región distrito río lago isla "
    "città paese provincia regione distretto fiume lago isola "
    "cidade vila província região distrito rio lago ilha "
    # Generics of a named feature, as `named_feature` reads them after the name in English ("the
    # Naruto Strait"): a strait, bay, gulf, canyon, gorge, peninsula, glacier, fjord, airport, dam.
    "strait bay gulf canyon gorge peninsula glacier fjord airport "
    "détroit baie golfe canyon gorges péninsule glacier fjord aéroport barrage "
    "meerenge bucht schlucht halbinsel gletscher fjord flughafen staudamm "
    "estrecho bahía golfo cañón península glaciar fiordo aeropuerto embalse "
    "stretto baia golfo canyon penisola ghiacciaio fiordo aeroporto "
    "estreito baía golfo cânion península geleira fiorde aeroporto barragem"
)
_PLACE_BEFORE = re.compile(
    r"\b(?:" + "|".join(sorted(set(_PLACE_WORDS.split()), key=len, reverse=True)) + r")"
    r"(?:\s+(?:of|de|di|du|del|da|do|d'|von))?\s+$",
    re.IGNORECASE,
)


# Japanese, Chinese and Korean put the word for an administrative place *after* the name, as a
# suffix: バトマン県 (Batman Province), 배트맨 시 / 배트맨시 (the city of Batman), 巴特曼省. Only
# administrative units: a castle (ピーチ城, 피치 성) or a mountain is a place *of* a character.
# The suffix must end the word: 市場 (market) and 시리즈 (series) are other words.
# A named feature's generic word after the name, as `named_feature` reads "Naruto Strait" in
# English: a strait, gorge, airport or great bridge (鳴門海峡 is 나루토 해협 in Korean, where the
# place is written by sound). Words of two syllables or more: one-syllable ones are particles and
# nouns too (만 "only", 강 "strong"); being two characters, they may begin a longer word (机场的).
_FEATURE_JA_ZH = "海峡|海峽|渓谷|峡谷|峽谷|空港|机场|機場|大橋|大桥|运河|運河"
_PLACE_AFTER_JA_ZH = re.compile(
    r"[ \t]?(?:(?:" + _FEATURE_JA_ZH + r")|[県市町村州省郡区县縣镇鎮區](?![\u3400-\u9fff]))"
)
_PLACE_AFTER_KO = re.compile(r"[ \t]?(?:해협|계곡|협곡|공항|대교|운하|[시군구현주])")


def place_use(text: str, span: tuple[int, int]) -> bool:
    """A name right after a word for a place ("la ville de Batman"): see `_PLACE_BEFORE`; a name
    that is a country's province, with the country named or a landform word after it
    (text/places.py: "the Batman river valley in Turkey"); the first word of a named feature or
    street, a capitalised generic of geography after it ("the Naruto Strait": `named_feature`); or, in
    Japanese, Chinese and Korean, right before the suffix of an administrative place (`_PLACE_AFTER_JA_ZH`,
    `_PLACE_AFTER_KO`)."""
    if _PLACE_BEFORE.search(text, max(0, span[0] - 40), span[0]) is not None or place_named(text, span):
        return True
    if named_feature(text, span):
        return True
    last = text[span[1] - 1 : span[1]]
    if not last:
        return False
    if 0xAC00 <= ord(last) <= 0xD7AF:
        m = _PLACE_AFTER_KO.match(text, span[1])
        if m is None:
            return False
        end = m.end()
        while end < len(text) and 0xAC00 <= ord(text[end]) <= 0xD7AF:
            end += 1
        return korean_end_ok(text[m.end() : end])  # 시의, 시에서: the suffix and a particle only
    if 0x3040 <= ord(last) <= 0x30FF or 0x3400 <= ord(last) <= 0x9FFF:
        return _PLACE_AFTER_JA_ZH.match(text, span[1]) is not None
    return False


_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")
_WORD_BEFORE = re.compile(r"[^\W\d_][ \t]+$")


def japanese_word_use(text: str, span: tuple[int, int], name: str) -> bool:
    """A one-word romaji name in lower case, inside a phrase, before the noun it modifies, that
    reads as an ordinary Japanese word: "ramen with naruto fishcake slices" (なると, the fishcake).
    The entry's own Japanese name keeps the name distinctive as a name (capitalised, or a tag of
    its own: "naruto eating ramen, 1boy"); as a modifier of a noun, in lower case, the word reading
    is as likely, so it counts only with support, as a name written as a common noun."""
    written = text[span[0] : span[1]]
    if not (written.isascii() and written.isalpha() and written.islower()):
        return False
    nxt = _NEXT_WORD.match(text, span[1])
    if nxt is None or _WORD_BEFORE.search(text, max(0, span[0] - 8), span[0]) is None:
        return False
    word = nxt.group(1)
    c = subject_cues()
    return (
        word.islower()
        and len(word) >= 3
        and not word.endswith("ing")
        and word not in c.phrase_followers
        and word not in c.object_starts
        and word not in c.action_words
        and name.isascii()
        and " " not in name.strip()
        and japanese_word_of(name) is not None
    )
