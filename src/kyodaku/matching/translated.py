"""The translated-name matcher: a registered name written in another language's words
("Homem-Aranha", "Pato Donald", "Guerra nas Estrelas"); see text/translated.py for the test."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from kyodaku.domain.findings import Evidence, Finding
from kyodaku.matching.base import ContentKind, MatchResult, Stage, register_matcher
from kyodaku.matching.prepare import PreparedPrompt
from kyodaku.options import GuardOptions
from kyodaku.snapshot import Snapshot

TRANSLATION_SCORE = 0.9  # as strong as a supported ambiguous name: a pairing of words, not the name itself


@register_matcher
class TranslatedNameMatcher:
    """Registered names translated word by word. Needs the sentence encoder: on with semantic."""

    name: ClassVar[str] = "translation"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        pass

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return options.semantic

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        out = MatchResult()
        index = snapshot.match.translations
        if index is None:
            return out
        named = {(f.entity, f.evidence.span) for f in earlier if f.evidence.span is not None}
        for hit in index.find(content.text):
            v = hit.variant
            if (v.entity, hit.span) in named:
                continue
            ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang, note=hit.note)
            out.findings.append(Finding(v.entity, v.kind, TRANSLATION_SCORE, self.name, ev))
        return out
