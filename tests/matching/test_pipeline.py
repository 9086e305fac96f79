"""The matcher interface: registration by unique name, a plug-in picked up without editing the
guard, and what a decision tells about how its scores and time came about."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from kyodaku.domain.errors import ConfigurationError
from kyodaku.domain.findings import Evidence, Finding, Verdict
from kyodaku.matching import ContentKind, MatchResult, Stage, register_matcher, registered_matchers
from kyodaku.matching.base import unregister_matcher
from kyodaku.screening import Guard, GuardOptions

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-catalog.yaml"
LEXICAL = GuardOptions(semantic=False, themes=False)


class _Marker:
    """A plug-in matcher: flags the word "kyodaku-test-marker" as the catalog's first entry."""

    name: ClassVar[str] = "test-marker"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({ContentKind.PROMPT})
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options: GuardOptions) -> None:
        self.options = options

    @classmethod
    def enabled(cls, options: GuardOptions) -> bool:
        return True

    def match(self, content, snapshot, earlier) -> MatchResult:
        if "kyodaku-test-marker" not in content.text:
            return MatchResult()
        entity = next(iter(snapshot.entities.values()))
        return MatchResult(findings=[Finding(entity.id, entity.kind.value, 1.0, self.name, Evidence())])


@pytest.fixture
def marker():
    register_matcher(_Marker)
    yield _Marker
    unregister_matcher(_Marker.name)


def test_when_the_package_is_imported_then_builtin_matchers_are_registered_in_running_order():
    names = [m.name for m in registered_matchers()]
    for earlier, later in [("semantic", "alias"), ("alias", "fuzzy"), ("pdq", "local"), ("local", "encoder")]:
        assert names.index(earlier) < names.index(later)
    assert len(names) == len(set(names))


def test_when_a_second_matcher_takes_a_used_name_then_registration_is_refused():
    class Impostor(_Marker):
        name: ClassVar[str] = "alias"

    with pytest.raises(ConfigurationError, match="alias"):
        register_matcher(Impostor)


def test_when_a_matcher_is_registered_then_a_new_guard_uses_it_without_changes(marker):
    guard = Guard.from_file(str(MINI), LEXICAL)
    decision = guard.screen_prompt("a kyodaku-test-marker on the table")
    assert [f.matcher for f in decision.findings] == ["test-marker"]
    assert decision.verdict is Verdict.BLOCK


def test_when_a_misspelled_name_is_found_then_the_finding_explains_its_discount():
    guard = Guard.from_file(str(MINI), LEXICAL)
    decision = guard.screen_prompt("Pikahcu at the beach")
    [fuzzy] = [f for f in decision.findings if f.matcher == "fuzzy"]
    explanation = fuzzy.to_dict()["explanation"]
    assert explanation["raw_score"] > fuzzy.score
    assert explanation["steps"][-1]["after"] == round(fuzzy.score, 4)
    assert "edit distance" in explanation["steps"][0]["reason"]


def test_when_a_prompt_is_screened_then_each_step_reports_its_time():
    guard = Guard.from_file(str(MINI), LEXICAL)
    timings = guard.screen_prompt("Pikachu at the beach").to_dict()["timings_ms"]
    assert {"prepare", "alias", "fuzzy", "policy"} <= set(timings)
    assert "semantic" not in timings  # switched off: never built, never run
    assert all(ms >= 0 for ms in timings.values())
