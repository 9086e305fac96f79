"""The guard end to end on a small real catalog (lexical matchers; the semantic ones have their own tests)."""

from pathlib import Path

import pytest

from kyodaku.domain.errors import InvalidInput, PayloadTooLarge, ScreeningUnavailable
from kyodaku.domain.findings import Verdict
from kyodaku.policy.engine import ScreenContext
from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions

MINI = Path(__file__).parent / "data" / "mini-catalog.yaml"
LEXICAL = GuardOptions(semantic=False, themes=False)


@pytest.fixture(scope="module")
def guard():
    return Guard.from_file(str(MINI), LEXICAL)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Pikachu storming the beaches of Normandy", "pikachu"),
        ("ピカチュウがノルマンディーに上陸する", "pikachu"),
        ("P1kachu", "pikachu"),
        ("Ｐｉｋａｃｈｕ", "pikachu"),
        ("ぴかちゅう", "pikachu"),
        ("Pickachu", "pikachu"),
        ("Pikachuu at the beach", "pikachu"),
        ("Supermann over Metropolis", "superman"),
        ("the Man of Steel", "superman"),
        ("Cloud swinging the buster sword in Midgar", "cloud-strife"),
        ("a Studio Ghibli style seaside town", "ghibli-style"),
        ("ジブリ風の街並み", "ghibli-style"),
        ("a poster of Final Fantasy VII", "final-fantasy-vii"),
    ],
)
def test_when_registered_entry_is_named_then_blocked_by_default(guard, text, entity):
    d = guard.screen_prompt(text)
    assert d.verdict is Verdict.BLOCK
    assert entity in {e.entity for e in d.entities}
    ed = next(e for e in d.entities if e.entity == entity)
    assert ed.rule == "default-deny"
    assert ed.rightsholder["id"]


@pytest.mark.parametrize(
    "text",
    [
        "a cloud over Mount Fuji",
        "Mario Draghi speaks in Brussels",
        "a mouse eating cheese",
        "クラウドにデータを保存する",
    ],
)
def test_when_prompt_only_shares_words_with_names_then_allowed(guard, text):
    d = guard.screen_prompt(text)
    assert d.verdict is Verdict.ALLOW, d.to_dict()


def test_when_ambiguous_name_has_no_context_then_a_note_explains_why(guard):
    # Not the subject of the picture either ("Cloud sitting in a cafe" is held for review:
    # tests/matching/test_subject.py).
    d = guard.screen_prompt("a Cloud latte art in a cafe")
    assert d.verdict is Verdict.ALLOW
    assert any("cloud-strife" in n for n in d.notes)


def test_when_decision_is_made_then_it_carries_evidence_and_version(guard):
    d = guard.screen_prompt("Pikachu storming the beaches of Normandy").to_dict()
    f = d["findings"][0]
    assert (f["entity"], f["matcher"], f["evidence"]["span"], f["evidence"]["lang"]) == (
        "pikachu",
        "alias",
        [0, 7],
        "en",
    )
    assert d["registry_version"] == 1 and d["snapshot"]
    assert d["message"]["en"] and d["message"]["ja"]


def test_when_licensee_holds_permission_then_allowed_and_elsewhere_blocked(guard):
    acme_jp = ScreenContext(licensee="acme", region="JP")
    assert guard.screen_prompt("Pikachu having a picnic", acme_jp).verdict is Verdict.ALLOW
    assert (
        guard.screen_prompt("Pikachu having a picnic", ScreenContext(licensee="acme", region="US")).verdict
        is Verdict.BLOCK
    )


def test_when_permitted_entry_appears_in_forbidden_theme_then_blocked():
    guard = Guard.from_file(str(MINI), GuardOptions(semantic=False, themes=True))  # the themes lexicon
    acme = ScreenContext(licensee="acme", region="JP")
    d = guard.screen_prompt("Pikachu storming the beaches of Normandy with soldiers", acme)
    assert d.verdict is Verdict.BLOCK
    assert d.entities[0].rule == "condition:p1"
    assert "war" in {t.theme for t in d.themes}
    assert guard.screen_prompt("Pikachu having a picnic in a meadow", acme).verdict is Verdict.ALLOW


def test_when_permission_is_added_then_next_request_obeys_it():
    from dataclasses import replace

    from kyodaku.domain.model import Permission, Use

    catalog = load_catalog(MINI)
    guard = Guard.from_catalog(catalog, LEXICAL)
    ctx = ScreenContext(licensee="acme", region="US")
    assert guard.screen_prompt("Superman", ctx).verdict is Verdict.BLOCK
    grant = Permission("p2", "dc", "superman", (Use.GENERATE,), licensees=("acme",), regions=("US",))
    guard.reload(replace(catalog, permissions=(*catalog.permissions, grant), version=2))
    d = guard.screen_prompt("Superman", ctx)
    assert (d.verdict, d.registry_version, d.entities[0].rule) == (Verdict.ALLOW, 2, "allow:p2")


@pytest.mark.parametrize(
    ("text", "error"), [("", InvalidInput), ("   ", InvalidInput), ("x" * 100_000, PayloadTooLarge)]
)
def test_when_prompt_is_empty_or_huge_then_clear_error(guard, text, error):
    with pytest.raises(error) as info:
        guard.screen_prompt(text)
    assert info.value.message


def test_when_semantic_model_is_unavailable_then_guard_fails_closed():
    guard = Guard.from_file(str(MINI), GuardOptions(semantic=False, themes=False))  # no semantic index
    guard = Guard(guard.holder, GuardOptions(semantic=True, themes=False))

    d = guard.screen_prompt("a cat on a sofa")
    assert d.verdict is Verdict.BLOCK and d.failed_closed
    assert "semantic" in d.message["en"]


def test_when_fail_open_is_configured_then_unavailability_raises():
    guard = Guard.from_file(str(MINI), LEXICAL)
    guard = Guard(guard.holder, GuardOptions(semantic=True, themes=False, fail_closed=False))
    with pytest.raises(ScreeningUnavailable):
        guard.screen_prompt("a cat on a sofa")


def test_when_a_name_only_folds_into_a_word_then_the_full_name_counts_and_the_word_does_not():
    from kyodaku.domain.model import Catalog, Entity, EntityKind, Rightsholder

    eevee = Entity("eevee", EntityKind.CHARACTER, "pc", {"en": ("Eevee",)})
    guard = Guard.from_catalog(Catalog((Rightsholder("pc", {"en": "PC"}, "JP"),), (eevee,)), LEXICAL)
    assert guard.screen_prompt("Eevee asleep on autumn leaves").verdict is Verdict.BLOCK
    assert guard.screen_prompt("dinner on Christmas eve").verdict is Verdict.ALLOW


@pytest.mark.parametrize(
    ("text", "verdict"),
    [("a red ribbon", Verdict.ALLOW), ("Ribon waving", Verdict.BLOCK), ("R i b o n waving", Verdict.BLOCK)],
)
def test_when_a_match_needs_spelling_folds_and_is_a_word_then_it_is_dismissed(text, verdict):
    from kyodaku.domain.model import Catalog, Entity, EntityKind, Rightsholder

    ribon = Entity("ribon", EntityKind.CHARACTER, "rh", {"en": ("Ribon",)})
    guard = Guard.from_catalog(Catalog((Rightsholder("rh", {"en": "RH"}, "JP"),), (ribon,)), LEXICAL)
    assert guard.screen_prompt(text).verdict is verdict


@pytest.mark.parametrize(
    "text",
    [
        "ピカチュウがノルマンディーに上陸する",
        "皮卡丘参加诺曼底登陆",
        "피카츄가 노르망디 상륙 작전에 참가한다",
    ],
)
def test_when_the_war_scene_is_written_in_cjk_then_the_condition_still_blocks(text):
    guard = Guard.from_file(str(MINI), GuardOptions(semantic=False, themes=True))
    d = guard.screen_prompt(text, ScreenContext(licensee="acme", region="JP"))
    assert d.verdict is Verdict.BLOCK
    assert d.entities[0].rule == "condition:p1"
