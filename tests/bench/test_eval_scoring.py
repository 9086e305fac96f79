"""The scoring rules of bench/eval_prompts.py and its substring baseline, on hand-made records."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from eval_prompts import (
    ItemResult,
    Record,
    SubstringBaseline,
    baseline_counts,
    counts,
    summarise,
)

PIKACHU = Record("p1", "Pikachu on a beach", "en", "direct", ("pikachu",))
FRANCHISE = Record("f1", "a Pokémon trainer with Pikachu", "en", "franchise", ("pokemon", "pikachu"))
BENIGN = Record("b1", "a cloud over Mount Fuji", "en", "benign_shared")


@pytest.fixture
def baseline():
    return SubstringBaseline(
        [
            ("pikachu", "Pikachu"),
            ("pikachu", "ピカチュウ"),
            ("cloud-strife", "Cloud"),
            ("pokemon", "Pokémon"),
            ("blank", "   "),
        ]
    )


@pytest.mark.parametrize(
    ("record", "verdict", "entities", "expected"),
    [
        (PIKACHU, "block", ["pikachu"], True),
        (PIKACHU, "review", ["pikachu"], True),
        (PIKACHU, "allow", ["pikachu"], False),
        (PIKACHU, "block", ["raichu"], False),
        (PIKACHU, "block", [], False),
        (FRANCHISE, "block", ["pikachu"], True),
        (BENIGN, "block", ["cloud-strife"], True),
        (BENIGN, "review", [], True),
        (BENIGN, "allow", ["cloud-strife"], False),
    ],
)
def test_when_guard_answers_then_counts_follows_the_rule(record, verdict, entities, expected):
    assert counts(record, verdict, entities) is expected


def test_when_verdict_is_an_enum_then_counts_reads_its_value():
    from kyodaku.domain.findings import Verdict

    assert counts(PIKACHU, Verdict.BLOCK, ("pikachu",)) is True


def test_when_name_differs_in_case_then_baseline_still_matches(baseline):
    assert baseline.matches("PIKACHU at the beach") == {"pikachu"}


def test_when_name_is_in_another_script_then_baseline_matches_that_name(baseline):
    assert baseline.matches("ピカチュウが走る") == {"pikachu"}


def test_when_name_is_obfuscated_then_baseline_misses_it(baseline):
    assert baseline.matches("P1kachu and Pokemon") == set()


def test_when_benign_prompt_contains_any_name_then_baseline_counts_a_false_positive(baseline):
    assert baseline_counts(BENIGN, baseline.matches(BENIGN.text)) is True


def test_when_benign_prompt_contains_no_name_then_baseline_is_clean(baseline):
    rec = Record("b2", "a cat on a windowsill", "en", "benign")
    assert baseline_counts(rec, baseline.matches(rec.text)) is False


def test_when_only_another_entity_matches_then_baseline_misses(baseline):
    rec = Record("n1", "Cloud and the Buster Sword", "en", "nickname", ("sephiroth",))
    assert baseline_counts(rec, baseline.matches(rec.text)) is False


def test_when_name_is_blank_then_baseline_ignores_it(baseline):
    assert len(baseline.names) == 4


def test_when_results_are_summarised_then_rates_are_per_category_and_language():
    def item(rec, g, b):
        return ItemResult(rec, "block" if g else "allow", (), g, (), b, 0.1, 0.01)

    ja = Record("p2", "ピカチュウ", "ja", "direct", ("pikachu",))
    summary = summarise([item(PIKACHU, True, True), item(ja, False, True), item(BENIGN, True, False)])
    assert summary.by_category["direct"].guard_rate == 0.5
    assert summary.by_category["direct"].baseline_rate == 1.0
    assert summary.by_category["benign_shared"].guard_rate == 1.0
    assert summary.by_lang_positive["ja"].guard_rate == 0.0
    assert summary.by_lang_benign["en"].n == 1
    assert list(summary.by_category) == ["direct", "benign_shared"]
    assert summary.macro(benign=False) == (0.5, 1.0)


def test_when_a_positive_prompt_is_blocked_for_another_entry_then_it_is_a_miss_flagged_elsewhere():
    result = ItemResult(
        PIKACHU, "block", ("pokemon",), counts(PIKACHU, "block", ("pokemon",)), (), False, 0, 0
    )
    summary = summarise([result])
    assert result.guard_hit is False
    assert result.elsewhere is True
    assert summary.by_category["direct"].elsewhere == 1
