"""Consent first: blocked unless a permission allows this use, licensee, region and time."""

from datetime import UTC, datetime

import pytest

from kyodaku.domain.findings import ThemeHit, Verdict
from kyodaku.domain.model import (
    Catalog,
    Conditions,
    Effect,
    Entity,
    EntityKind,
    Permission,
    Rightsholder,
    Use,
)
from kyodaku.policy.engine import DEFAULT_DENY, PolicyEngine, ScreenContext

AT = datetime(2026, 6, 1, tzinfo=UTC)
PIKACHU = Entity("pikachu", EntityKind.CHARACTER, "pc", {"en": ("Pikachu",)}, work="pokemon")
GHIBLI = Entity("ghibli-style", EntityKind.STYLE, "ghibli", {"en": ("Ghibli style",)})
WAR = ThemeHit("war", 0.9, "Normandy", "lexicon")


def _engine(*perms):
    rh = (Rightsholder("pc", {"en": "PC"}, "JP"), Rightsholder("ghibli", {"en": "Ghibli"}, "JP"))
    return PolicyEngine(Catalog(rightsholders=rh, entities=(PIKACHU, GHIBLI), permissions=perms))


def _allow(**kw):
    base = dict(
        id="p1",
        owner="pc",
        subject="pikachu",
        uses=(Use.GENERATE,),
        licensees=("acme",),
        regions=("JP",),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    base.update(kw)
    return Permission(**base)


def test_when_no_permission_then_default_deny():
    out = _engine().decide(PIKACHU, ScreenContext(licensee="acme", region="JP"), AT, [])
    assert (out.verdict, out.rule) == (Verdict.BLOCK, DEFAULT_DENY)


def test_when_permission_matches_then_allowed_with_its_rule():
    out = _engine(_allow()).decide(PIKACHU, ScreenContext(licensee="acme", region="JP"), AT, [])
    assert (out.verdict, out.rule, out.permission) == (Verdict.ALLOW, "allow:p1", "p1")


@pytest.mark.parametrize(
    ("ctx", "at"),
    [
        (ScreenContext(licensee="other", region="JP"), AT),
        (ScreenContext(licensee="acme", region="US"), AT),
        (ScreenContext(licensee=None, region="JP"), AT),
        (ScreenContext(licensee="acme", region="JP"), datetime(2025, 12, 31, tzinfo=UTC)),
        (ScreenContext(licensee="acme", region="JP", use=Use.TRAIN), AT),
    ],
    ids=["other licensee", "other region", "no licensee", "before validity", "other use"],
)
def test_when_context_is_outside_the_permission_then_blocked(ctx, at):
    assert _engine(_allow()).decide(PIKACHU, ctx, at, []).verdict is Verdict.BLOCK


def test_when_permission_has_expired_then_blocked():
    engine = _engine(_allow(valid_until=datetime(2026, 3, 1, tzinfo=UTC)))
    assert (
        engine.decide(PIKACHU, ScreenContext(licensee="acme", region="JP"), AT, []).verdict is Verdict.BLOCK
    )


def test_when_forbidden_theme_is_present_then_condition_blocks():
    engine = _engine(_allow(conditions=Conditions(forbidden_themes=("war",))))
    out = engine.decide(PIKACHU, ScreenContext(licensee="acme", region="JP"), AT, [WAR])
    assert (out.verdict, out.rule) == (Verdict.BLOCK, "condition:p1")
    assert "war" in out.reason


def test_when_explicit_deny_and_allow_both_apply_then_deny_wins():
    deny = _allow(id="d1", effect=Effect.DENY, licensees=("*",), regions=("*",))
    out = _engine(_allow(), deny).decide(PIKACHU, ScreenContext(licensee="acme", region="JP"), AT, [])
    assert (out.verdict, out.rule) == (Verdict.BLOCK, "deny:d1")


@pytest.mark.parametrize("subject", ["pokemon", "*"])
def test_when_permission_covers_the_work_or_everything_then_character_is_covered(subject):
    out = _engine(_allow(subject=subject)).decide(
        PIKACHU, ScreenContext(licensee="acme", region="JP"), AT, []
    )
    assert out.verdict is Verdict.ALLOW


def test_when_style_is_requested_then_the_style_use_is_checked():
    gen = Permission("g1", "ghibli", "ghibli-style", (Use.GENERATE,))
    sty = Permission("s1", "ghibli", "ghibli-style", (Use.STYLE,))
    assert _engine(gen).decide(GHIBLI, ScreenContext(), AT, []).verdict is Verdict.BLOCK
    assert _engine(sty).decide(GHIBLI, ScreenContext(), AT, []).verdict is Verdict.ALLOW


def test_when_another_owner_grants_then_it_does_not_count():
    foreign = _allow(owner="ghibli")
    assert (
        _engine(foreign).decide(PIKACHU, ScreenContext(licensee="acme", region="JP"), AT, []).verdict
        is Verdict.BLOCK
    )
