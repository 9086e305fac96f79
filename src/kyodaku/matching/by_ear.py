"""The by-ear matcher: a Latin-script name spelled as it sounds in katakana or Cyrillic
("キャットバス" for Catbus, "Дарт Вейдер" for Darth Vader); see text/by_ear.py for the test."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar

from kyodaku.domain.findings import Evidence, Finding
from kyodaku.matching.base import ContentKind, MatchResult, Stage, findings_beside, register_matcher
from kyodaku.matching.prepare import PreparedPrompt
from kyodaku.matching.text import judge_other_reading, overlaps, place_use, unjudged
from kyodaku.options import GuardOptions
from kyodaku.snapshot import MatchIndex, Snapshot, style_cue_before, style_cues
from kyodaku.text.alias import AliasHit
from kyodaku.text.by_ear import ByEarHit, ByEarIndex, heard_first_name, written_by_ear
from kyodaku.text.surface import pet_name_use

BY_EAR_SCORE = 0.85  # a misspelling's strength: the name's consonants, in order, and nobody else's
RUSSIAN = frozenset({"ru"})


@register_matcher
class ByEarMatcher:
    """Latin names written by ear in katakana or Cyrillic. Lexical: on whenever the fuzzy matcher
    is. The index is built from the snapshot's names on the first prompt that has such text."""

    name: ClassVar[str] = "by-ear"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        self.support_margin = options.support_margin
        self._lock = threading.Lock()
        self._built: tuple[MatchIndex, ByEarIndex, ByEarIndex] | None = None

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.fuzzy

    def _indexes(self, match: MatchIndex) -> tuple[ByEarIndex, ByEarIndex]:
        """The distinctive names' index, and the first names' (read in Russian only)."""
        with self._lock:
            if self._built is None or self._built[0] is not match:
                variants = match.aliases.variants
                first_names = ByEarIndex(variants, heard=heard_first_name, langs=RUSSIAN)
                self._built = (match, ByEarIndex(variants), first_names)
            return self._built[1], self._built[2]

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        out = MatchResult()
        if not written_by_ear(content.text):
            return out
        distinctive, first_names = self._indexes(snapshot.match)
        found = distinctive.find(content.text)
        taken = [h.span for h in found]
        # A first name heard where no distinctive name was (Луиджи, Кирби, Эльзу).
        found += [h for h in first_names.find(content.text) if not overlaps(h.span, taken)]
        hits = unjudged(found, content, snapshot)
        for h in [h for h in hits if place_use(content.text, h.span)]:
            # "トルコのバットマン県": the province, as the alias matcher reads a name before 県.
            out.notes.append(f'"{h.text}" at {h.span[0]}..{h.span[1]} is written as the name of a place')
            hits.remove(h)
        for h in [h for h in hits if pet_name_use(content.text, h.span)]:
            # "мою собаку Белку": what somebody called their pet, which counts only with support, as
            # the alias matcher reads it; a pet's name heard by ear is set aside without weighing any
            # (only first names heard are judged for support, below).
            out.notes.append(f'"{h.text}" at {h.span[0]}..{h.span[1]} is written as the name of a pet')
            hits.remove(h)
        if any(h.variant.kind == "style" for h in hits):
            cued = _cued_styles(content, snapshot)
            asked = [
                h
                for h in hits
                if h.variant.kind != "style"
                or h.variant.entity in cued
                or style_cue_before(content.text, h.span)  # "под Дисней": a cue right before only
            ]
            for h in hits:
                if h not in asked:
                    out.notes.append(
                        f'"{h.text}" at {h.span[0]}..{h.span[1]} sounds like the style name '
                        f'"{h.variant.name}" ({h.variant.entity}), but no style cue asks for the style'
                    )
            hits = asked
        # A first name is judged as its written form is; a distinctive name (a bare style name asked
        # for by a cue, a name ambiguous only by its folded key) counts as heard.
        first = [h for h in hits if heard_first_name(h.variant)]
        out.findings.extend(
            findings_beside([h for h in hits if h not in first], earlier, BY_EAR_SCORE, self.name)
        )
        named = [f.evidence.span for f in earlier if f.evidence.span is not None]
        for h in first:
            if not overlaps(h.span, named):
                self._first_name(h, content, snapshot, earlier, out)
        return out

    def _first_name(
        self,
        h: ByEarHit,
        content: PreparedPrompt,
        snapshot: Snapshot,
        earlier: Sequence[Finding],
        out: MatchResult,
    ) -> None:
        """A first name written by ear (Кирби for "Kirby") is as ambiguous as the name written in
        Latin letters, and counts as it does: with support from the rest of the prompt ("Марио и
        Луиджи": the brother), or as the depicted subject ("Кирби ест торт"); never on its own.
        The reading by ear is weaker evidence than the written name: its score is discounted as a
        distinctive name's is (BY_EAR_SCORE)."""
        v = h.variant
        hit = AliasHit(v, 0, 0, h.span, h.text)
        judged = judge_other_reading(
            hit, h.note, "a first name written by ear", "", content, snapshot, earlier, self.support_margin
        )
        if isinstance(judged, str):
            out.notes.append(judged)
            return
        ev = Evidence(span=h.span, text=h.text, variant=v.name, lang=v.lang, note=h.note)
        found = Finding(v.entity, v.kind, judged.score, self.name, ev, judged.support)
        out.findings.append(
            found.adjusted(f"{judged.reason}: heard, not written", round(BY_EAR_SCORE * judged.score, 4))
        )


def _cued_styles(content: PreparedPrompt, snapshot: Snapshot) -> set[str]:
    """The styles a style cue of the prompt stands for ("в стиле", "style", "風"): a style's cues
    are context words of its own group (snapshot.py `_context_variants`)."""
    cues = _cue_words()
    return {c.variant.entity for c in snapshot.match.context.find(content.skeleton) if c.variant.name in cues}


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    return frozenset(cue for _, cue in style_cues())
