"""A work or character named right beside a style cue asks for its owner's style: "Dragon Ball art
style", "in the style of My Neighbor Totoro", "トトロ風の森", "드래곤볼 그림체로".

Why: a rightsholder registers a style under the studio's or the artist's name ("Studio Ghibli
style", "Akira Toriyama style"), but people ask for a look by the work they know it from. The
catalog already says whose works they are, so the style they ask for is the owner's registered
style: nothing has to be registered twice. The work or character is found as well (by the name
matchers); this adds the style, so a licence that permits imitating the style but not generating
the character is judged on both.

Only cues that ask for a manner count here ("style", "-esque", "風", "그림체"), not those that name a
medium ("film", "anime", "映画"): "a Frozen movie poster" names the film, "Frozen style" its look.
And only right beside the name (a connecting "of", "の", "的", "의" allowed), so "a Totoro plush in
watercolour style" is a watercolour, not Ghibli's style.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import ClassVar

from kyodaku.domain.findings import Finding
from kyodaku.matching.base import ContentKind, MatchResult, Stage, register_matcher
from kyodaku.matching.prepare import PreparedPrompt
from kyodaku.options import GuardOptions
from kyodaku.snapshot import Snapshot, style_cues

# Cues that name a medium or a comparison rather than a manner (see the module docstring).
_MEDIUM_CUES = frozenset({
    "like", "like a", "like an", "looks like", "film", "films", "movie", "movies", "animation", "anime",
    "artwork", "illustration", "key visual", "screenshot", "render", "映画", "アニメ", "作品", "描いた",
    "イラスト", "のような", "ような", "像", "动画", "動畫", "电影", "電影", "插画", "插畫", "처럼", "같은",
    "애니메이션", "영화", "dessin animé", "Film", "Zeichentrick", "wie ein", "wie von", "película",
    "animación", "como una", "tipo", "filme", "animação", "à la",
    # a character or a scene is what a picture shows, not its manner ("a Totoro character")
    "character", "characters", "scene", "キャラ", "キャラクター", "角色", "캐릭터", "personnage",
    "personnages", "scène", "Figur", "Figuren", "Szene", "personaje", "personajes", "escena", "personaggio",
    "personaggi", "scena", "personagem", "personagens", "персонаж", "персонажем", "персонажа", "персонажи",
})  # fmt: skip
# Words that may stand between a name and its cue: "the style of Totoro", "トトロの画風", "龙珠的画风".
_CONNECTORS_AFTER = ("'s", "’s", "の", "的", "의")
_CONNECTORS_BEFORE = ("of", "de", "di", "von", "du", "des", "do", "da", "d'")
_SEPARATORS = " \t-_・·~"
_NAMED_BY = frozenset({"alias", "alias+context", "fuzzy", "by-ear", "translation"})


@lru_cache(maxsize=1)
def _cues() -> tuple[str, ...]:
    """Manner cues, longest first, casefolded."""
    kept = {cue.casefold() for _, cue in style_cues() if cue not in _MEDIUM_CUES}
    return tuple(sorted(kept, key=len, reverse=True))


def cue_after(text: str, end: int) -> str:
    """The manner cue that follows a name ending at `end` ("" if none)."""
    rest = text[end : end + 40].casefold().lstrip(_SEPARATORS)
    connected = False
    for connector in _CONNECTORS_AFTER:
        if rest.startswith(connector):
            rest, connected = rest[len(connector) :].lstrip(_SEPARATORS), True
            break
    for cue in _cues():
        if rest.startswith(cue) and _ends_word(rest, len(cue), cue):
            if len(cue) == 1 and (connected or _han(rest[1:2])):
                continue  # 風 of 風船 ("balloon"), "ミッキーの風" (Mickey's wind): a word, not a cue
            return cue
    return ""


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _han(ch: str) -> bool:
    return bool(_HAN.match(ch))


def cue_before(text: str, start: int) -> str:
    """The manner cue that comes right before a name starting at `start` ("" if none)."""
    head = text[max(0, start - 40) : start].casefold().rstrip(_SEPARATORS)
    for connector in _CONNECTORS_BEFORE:
        if head.endswith(connector) and (
            len(head) == len(connector) or not head[-len(connector) - 1].isalpha()
        ):
            head = head[: -len(connector)].rstrip(_SEPARATORS)
            break
    for cue in _cues():
        if head.endswith(cue) and (
            len(head) == len(cue) or not (head[-len(cue) - 1].isalpha() and cue.isascii())
        ):
            return cue
    return ""


def _starts_word(text: str, at: int) -> bool:
    return at == 0 or not text[at - 1].isalpha()


def _ends_word(rest: str, n: int, cue: str) -> bool:
    """A Latin cue ends a word ("style", not "stylish"); a CJK cue needs no boundary."""
    return not cue[-1].isascii() or n == len(rest) or not rest[n].isalpha()


def _owner_name(snapshot: Snapshot, owner_id: str) -> str:
    owner = snapshot.rightsholders.get(owner_id)
    if owner is None or not owner.name:
        return owner_id
    return owner.name.get("en") or next(iter(owner.name.values()))


@register_matcher
class StyleOfWorkMatcher:
    """The owner's registered style, for a work or character named beside a manner cue."""

    name: ClassVar[str] = "style-of-work"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        _cues()

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return True

    def match(self, content: PreparedPrompt, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        out = MatchResult()
        styles = snapshot.match.styles_by_owner
        if not styles or not earlier:
            return out
        done = {f.entity for f in earlier}
        text = content.text
        for f in earlier:
            span = f.evidence.span
            if f.kind not in ("work", "character") or f.matcher not in _NAMED_BY or span is None:
                continue
            entity = snapshot.entities.get(f.entity)
            owned = styles.get(entity.owner, ()) if entity is not None else ()
            if not owned or all(s in done for s in owned):
                continue
            cue = cue_after(text, span[1]) or cue_before(text, span[0])
            if not cue:
                continue
            note = f'"{f.evidence.text}" ({f.entity}) beside the style cue "{cue}": the style of its owner'
            ev = replace(f.evidence, note=f"{note}, {_owner_name(snapshot, entity.owner)}")
            for style in owned:
                if style not in done:
                    done.add(style)
                    out.findings.append(Finding(style, "style", f.score, self.name, ev, (f.entity,)))
            if f.kind == "work":
                # "Dragon Ball art style" asks for the look, not the work: credit the style only. A
                # character stays found ("トトロ風の森" may well show Totoro).
                out.withdrawn.append(f)
                out.notes.append(
                    f'"{f.evidence.text}" at {span[0]}..{span[1]} names the work {f.entity} as the source '
                    f'of a style ("{cue}"): credited to the style'
                )
        return out
