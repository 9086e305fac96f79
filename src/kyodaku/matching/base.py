"""The matcher interface and the registry of matchers.

A matcher looks at one kind of prepared content (a prompt, an image, a video) against its part
of the compiled snapshot and says what it found: findings with evidence, plus notes on hits it
dismissed and why. It does not decide anything; the policy does.

Matchers are registered explicitly, by a unique name, in the order they run (as ThreatExchange
registers its signal types): a new one (a scanner's opt-out signal, a claim's trace) plugs in with
`@register_matcher` and the guard picks it up without being edited. A second matcher with a name
already taken is refused at import time, so two plug-ins can never silently shadow each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar, runtime_checkable

from kyodaku.domain.errors import ConfigurationError
from kyodaku.domain.findings import Evidence, Finding, ThemeHit

if TYPE_CHECKING:
    from kyodaku.options import GuardOptions
    from kyodaku.snapshot import Snapshot


class ContentKind(StrEnum):
    PROMPT = "prompt"
    IMAGE = "image"
    VIDEO = "video"


class Stage(StrEnum):
    """When a matcher runs. FIND matchers look for registered entries; CONTEXT matchers describe the
    content further (themes) and run only once something was found, since only then do their facts
    matter to the policy (a condition like "never in war scenes" needs an entry to apply to)."""

    FIND = "find"
    CONTEXT = "context"


@dataclass
class MatchResult:
    """What one matcher found in one content."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    themes: list[ThemeHit] = field(default_factory=list)
    # Earlier findings this matcher shows to be something else, each replaced by one of its own
    # (a work named as the source of a style is a request for the style: matching/style_of_work.py).
    withdrawn: list[Finding] = field(default_factory=list)

    def extend(self, other: MatchResult) -> None:
        self.findings.extend(other.findings)
        self.notes.extend(other.notes)
        self.themes.extend(other.themes)
        self.withdrawn.extend(other.withdrawn)


C = TypeVar("C", contravariant=True)


def findings_beside(hits, earlier: Sequence[Finding], score: float, matcher: str) -> list[Finding]:
    """Findings for name hits (each with `span`, `text`, `note` and a `variant`) that overlap no span an
    earlier matcher already found: the name itself, or another, is already found there. For the
    matchers that read names another way (by sound, by ear) after the alias and fuzzy matchers."""
    named = [f.evidence.span for f in earlier if f.evidence.span is not None]
    out = []
    for hit in hits:
        if any(s[0] < hit.span[1] and hit.span[0] < s[1] for s in named):
            continue
        v = hit.variant
        ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang, note=hit.note)
        out.append(Finding(v.entity, v.kind, score, matcher, ev))
    return out


@runtime_checkable
class Matcher(Protocol[C]):
    """One matcher, built once per guard with the guard's options (`__init__(options)`).

    `name` is unique across the registry and is what every finding it makes names as its matcher.
    """

    name: ClassVar[str]
    kinds: ClassVar[frozenset[ContentKind]]
    stage: ClassVar[Stage]

    def match(self, content: C, snapshot: Snapshot, earlier: Sequence[Finding]) -> MatchResult:
        """Findings in `content`. `earlier` holds the findings of matchers that ran before it on the
        same content (a costlier tier skips references already found; an ambiguous name counts the
        semantic matcher's findings as support)."""
        ...


class MatcherClass(Protocol):
    name: ClassVar[str]
    kinds: ClassVar[frozenset[ContentKind]]
    stage: ClassVar[Stage]

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        """Whether the options switch this matcher on (a matcher that is off is never built)."""
        ...

    def __call__(self, options: GuardOptions) -> Matcher: ...


_REGISTRY: dict[str, MatcherClass] = {}

M = TypeVar("M")


def register_matcher(cls: M) -> M:
    """Class decorator: register `cls` under its unique `name`; matchers run in registration order."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise ConfigurationError(f"{getattr(cls, '__qualname__', cls)!r} has no matcher name")
    taken = _REGISTRY.get(name)
    if taken is not None and taken is not cls:
        raise ConfigurationError(
            f"matcher name {name!r} is taken by {taken.__qualname__}; "
            f"{getattr(cls, '__qualname__', cls)} needs a name of its own"
        )
    _REGISTRY[name] = cls  # type: ignore[assignment]
    return cls


def unregister_matcher(name: str) -> None:
    """Remove a matcher (a plug-in replacing one of its own, a test cleaning up)."""
    _REGISTRY.pop(name, None)


def registered_matchers() -> tuple[MatcherClass, ...]:
    """Every registered matcher class, in registration (= running) order."""
    return tuple(_REGISTRY.values())


def build_matchers(
    kind: ContentKind, options: GuardOptions, stage: Stage = Stage.FIND
) -> tuple[Matcher, ...]:
    """Instances of the matchers that run on `kind` at `stage` under `options`, in order."""
    return tuple(
        cls(options)
        for cls in _REGISTRY.values()
        if kind in cls.kinds and cls.stage is stage and cls.enabled(options)
    )
