"""The by-ear matcher: a Latin-script name spelled as it sounds in katakana or Cyrillic
("キャットバス" for Catbus, "Дарт Вейдер" for Darth Vader); see text/by_ear.py for the test."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar

from kyodaku.domain.findings import Finding
from kyodaku.matching.base import ContentKind, MatchResult, Stage, findings_beside, register_matcher
from kyodaku.matching.prepare import PreparedPrompt
from kyodaku.matching.text import place_use, unjudged
from kyodaku.options import GuardOptions
from kyodaku.snapshot import MatchIndex, Snapshot, style_cues
from kyodaku.text.by_ear import ByEarIndex, written_by_ear
from kyodaku.text.surface import pet_name_use

BY_EAR_SCORE = 0.85  # a misspelling's strength: the name's consonants, in order, and nobody else's


@register_matcher
class ByEarMatcher:
    """Latin names written by ear in katakana or Cyrillic. Lexical: on whenever the fuzzy matcher
    is. The index is built from the snapshot's names on the first prompt that has such text."""

    name: ClassVar[str] = "by-ear"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        self._lock = threading.Lock()
        self._built: tuple[MatchIndex, ByEarIndex] | None = None

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.fuzzy

    def _index(self, match: MatchIndex) -> ByEarIndex:
        with self._lock:
            if self._built is None or self._built[0] is not match:
                self._built = (match, ByEarIndex(match.aliases.variants))
            return self._built[1]

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        out = MatchResult()
        if not written_by_ear(content.text):
            return out
        hits = unjudged(self._index(snapshot.match).find(content.text), content, snapshot)
        for h in [h for h in hits if place_use(content.text, h.span)]:
            # "トルコのバットマン県": the province, as the alias matcher reads a name before 県.
            out.notes.append(f'"{h.text}" at {h.span[0]}..{h.span[1]} is written as the name of a place')
            hits.remove(h)
        for h in [h for h in hits if pet_name_use(content.text, h.span)]:
            # "мою собаку Белку": what somebody called their pet, which counts only with support, as
            # the alias matcher reads it; a name heard by ear has no support to take.
            out.notes.append(f'"{h.text}" at {h.span[0]}..{h.span[1]} is written as the name of a pet')
            hits.remove(h)
        if any(h.variant.kind == "style" for h in hits):
            cued = _cued_styles(content, snapshot)
            for h in hits:
                if h.variant.kind == "style" and h.variant.entity not in cued:
                    out.notes.append(
                        f'"{h.text}" at {h.span[0]}..{h.span[1]} sounds like the style name '
                        f'"{h.variant.name}" ({h.variant.entity}), but no style cue asks for the style'
                    )
            hits = [h for h in hits if h.variant.kind != "style" or h.variant.entity in cued]
        out.findings.extend(findings_beside(hits, earlier, BY_EAR_SCORE, self.name))
        return out


def _cued_styles(content: PreparedPrompt, snapshot: Snapshot) -> set[str]:
    """The styles a style cue of the prompt stands for ("в стиле", "style", "風"): a style's cues
    are context words of its own group (snapshot.py `_context_variants`)."""
    cues = _cue_words()
    return {c.variant.entity for c in snapshot.match.context.find(content.skeleton) if c.variant.name in cues}


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    return frozenset(cue for _, cue in style_cues())
