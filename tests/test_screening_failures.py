"""Nothing lost when screening itself breaks: an item whose screening raises unexpectedly (a bug)
gets a BLOCK failed closed naming the error, the other items their own decisions, and the operator
the traceback in the log. The bug is provoked with a plug-in matcher registered through the public
`register_matcher`, or a prompt the normalizer is made to choke on."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kyodaku.domain.errors import InvalidInput, ScreeningUnavailable
from kyodaku.domain.findings import Decision, Verdict
from kyodaku.screening import SCREENING_ERROR, Guard, GuardOptions

MINI = Path(__file__).resolve().parent / "data" / "mini-catalog.yaml"
LEXICAL = GuardOptions(semantic=False, themes=False)


def _assert_failed_closed(outcome, error_class: str) -> None:
    assert isinstance(outcome, Decision), outcome
    assert outcome.verdict is Verdict.BLOCK and outcome.failed_closed
    record = outcome.to_dict()
    assert record["reason"] == SCREENING_ERROR and record["error_class"] == error_class
    assert any(error_class in note for note in outcome.notes)
    assert error_class in outcome.message["en"] and "blocked" in outcome.message["en"]
    assert error_class in outcome.message["ja"] and "ブロック" in outcome.message["ja"]
    assert not outcome.findings and not outcome.entities


def test_when_one_item_makes_a_matcher_raise_then_only_it_fails_closed_and_the_rest_are_decided(
    buggy, caplog
):
    guard = Guard.from_file(str(MINI), LEXICAL)
    items = [("a", "Pikachu on a beach"), ("b", "POISON pill"), ("c", ""), ("d", "a cloud over Mount Fuji")]
    with caplog.at_level(logging.ERROR, logger="kyodaku.screening"):
        results = guard.screen_many(items)
    assert len(results) == 4
    assert isinstance(results[0], Decision) and results[0].verdict is Verdict.BLOCK
    assert not results[0].failed_closed and results[0].findings[0].entity == "pikachu"
    _assert_failed_closed(results[1], "IndexError")
    assert results[1].id == "b"
    assert isinstance(results[2], InvalidInput)  # the caller's error stays an error, not a decision
    assert isinstance(results[3], Decision) and results[3].verdict is Verdict.ALLOW
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "'b'" in logged.getMessage() and "IndexError" in logged.getMessage()
    assert logged.exc_info is not None and logged.exc_info[0] is IndexError


def test_when_a_single_prompt_makes_a_matcher_raise_then_its_decision_is_a_block_failed_closed(buggy):
    guard = Guard.from_file(str(MINI), LEXICAL)
    _assert_failed_closed(guard.screen_prompt("POISON", item_id="x"), "IndexError")
    assert guard.screen_prompt("a dog").verdict is Verdict.ALLOW


def test_when_preparing_the_batch_fails_then_items_are_retried_alone_and_only_the_culprit_fails(
    monkeypatch,
):
    import kyodaku.matching.prepare as prepare

    real = prepare.skeleton

    def choking(text: str):
        if "POISON" in text:
            raise ValueError("zip() argument 2 is longer than argument 1")
        return real(text)

    monkeypatch.setattr(prepare, "skeleton", choking)
    guard = Guard.from_file(str(MINI), LEXICAL)
    results = guard.screen_many([("a", "Superman flying"), ("b", "POISON ivy"), ("c", "a dog")])
    assert isinstance(results[0], Decision) and results[0].entities[0].entity == "superman"
    _assert_failed_closed(results[1], "ValueError")
    assert isinstance(results[2], Decision) and results[2].verdict is Verdict.ALLOW


def test_when_fail_closed_is_off_then_a_raising_item_is_an_error_not_a_decision(buggy):
    guard = Guard.from_file(str(MINI), GuardOptions(semantic=False, themes=False, fail_closed=False))
    results = guard.screen_many([("a", "POISON"), ("b", "Pikachu")])
    assert isinstance(results[0], ScreeningUnavailable)
    assert "IndexError" in results[0].message and results[0].details["id"] == "a"
    assert isinstance(results[1], Decision) and results[1].verdict is Verdict.BLOCK
    with pytest.raises(ScreeningUnavailable, match="IndexError"):
        guard.screen_prompt("POISON")
