"""The desk: filing with evidence, the moves and who may make them, deadlines, and what upholding does."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.pictures import png
from helpers.principals import ADMIN, DC, OPERATOR, POKEMON
from kyodaku.claims.desk import NewCase
from kyodaku.claims.model import FINAL, TRANSITIONS, CaseKind, CaseState
from kyodaku.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, UnsupportedMedia
from kyodaku.policy.engine import ScreenContext
from kyodaku.provenance.entry import Record
from kyodaku_samples.synthetic import draw_image

S = CaseState


def _claim(world, who=POKEMON, **kw):
    new = NewCase(kind=kw.pop("kind", CaseKind.CLAIM), entities=kw.pop("entities", ["pikachu"]),
                  text=kw.pop("text", "this output copies Pikachu"), **kw)  # fmt: skip
    return world["desk"].file(who, new)


def _walk(world, case, *states, who=OPERATOR):
    for to in states:
        case = world["desk"].move(who, case.id, to, f"to {to.value}")
    return case


def test_when_a_claim_names_a_ledger_entry_then_the_entry_is_in_its_evidence(world):
    decision = world["guard"].screen_prompt("Pikachu at the beach", ScreenContext(licensee="acme"))
    entry = world["ledger"].append(decision, Record(prompt="Pikachu at the beach"))
    case = _claim(world, ledger_id=entry.entry_id)
    assert case.state is S.RECEIVED and case.rightsholder == "pokemon-company"
    assert case.evidence["ledger_entry"]["id"] == entry.entry_id
    assert case.evidence["ledger_entry"]["verdict"] == decision.verdict.value
    assert [e.to_state for e in case.events] == [S.RECEIVED]


@pytest.mark.parametrize("forged", ["le_" + "0" * 24, "le_nothing", "../etc/passwd"])
def test_when_the_ledger_id_is_forged_then_the_claim_is_refused(world, forged):
    with pytest.raises(NotFound):
        _claim(world, ledger_id=forged)
    assert world["desk"].list(ADMIN) == []


def test_when_a_rightsholder_claims_about_another_owners_entry_then_it_looks_like_no_entry(world):
    with pytest.raises(NotFound, match="superman"):
        _claim(world, entities=["superman"], link="https://example.com/x")
    with pytest.raises(NotFound, match="mewtwo"):
        _claim(world, entities=["mewtwo"], link="https://example.com/x")


def test_when_an_operator_files_or_the_file_is_not_media_then_the_claim_is_refused(world):
    with pytest.raises(Forbidden):
        _claim(world, who=OPERATOR, link="https://example.com/x")
    with pytest.raises(UnsupportedMedia):
        _claim(world, file=b"%PDF-1.7 not an image", file_name="claim.pdf")
    with pytest.raises(InvalidInput, match="needs the output"):
        _claim(world)
    with pytest.raises(InvalidInput, match="text is empty"):
        _claim(world, text="   ", link="https://example.com/x")


def test_when_the_desk_skips_review_then_the_jump_is_refused(world):
    case = _claim(world, link="https://example.com/x")
    with pytest.raises(InvalidInput, match="cannot become upheld"):
        world["desk"].move(OPERATOR, case.id, S.UPHELD)
    case = _walk(world, case, S.ACKNOWLEDGED)
    with pytest.raises(InvalidInput, match="cannot become upheld"):
        world["desk"].move(OPERATOR, case.id, S.UPHELD)


def test_when_the_wrong_party_moves_a_case_then_it_is_forbidden(world):
    case = _claim(world, link="https://example.com/x")
    with pytest.raises(Forbidden, match="only the desk"):
        world["desk"].move(POKEMON, case.id, S.ACKNOWLEDGED)
    with pytest.raises(Forbidden, match="only the claimant"):
        world["desk"].move(OPERATOR, case.id, S.WITHDRAWN)
    with pytest.raises(NotFound):
        world["desk"].move(DC, case.id, S.WITHDRAWN)
    with pytest.raises(NotFound):
        world["desk"].get(DC, case.id)


def test_when_a_case_is_withdrawn_then_nothing_moves_it_again(world):
    case = _walk(world, _claim(world, link="https://example.com/x"), S.ACKNOWLEDGED)
    case = world["desk"].move(POKEMON, case.id, S.WITHDRAWN, "settled")
    for to in CaseState:
        with pytest.raises((InvalidInput, Forbidden)):
            world["desk"].move(ADMIN, case.id, to)
    assert [e.to_state for e in world["desk"].get(POKEMON, case.id).events] == [
        S.RECEIVED,
        S.ACKNOWLEDGED,
        S.WITHDRAWN,
    ]


def test_when_two_desk_members_decide_at_once_then_one_wins_and_the_other_gets_a_conflict(world):
    case = _walk(world, _claim(world, link="https://example.com/x"), S.ACKNOWLEDGED, S.UNDER_REVIEW)
    stale = world["desk"].get(OPERATOR, case.id)
    world["desk"].move(OPERATOR, case.id, S.REJECTED, "no match")
    with pytest.raises(Conflict):
        world["desk"].cases.move(case.id, stale.state, S.UPHELD, "k-other", world["clock"]())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(list(CaseState)), max_size=12))
def test_when_any_sequence_of_moves_is_tried_then_only_the_tables_moves_happen(sequence):
    state = S.RECEIVED
    for to in sequence:
        allowed = (state, to) in TRANSITIONS
        if state in FINAL:
            assert not allowed
        if allowed:
            state = to
    assert state in {to for _, to in TRANSITIONS} | {S.RECEIVED}


def test_when_a_claim_about_an_output_is_upheld_then_the_same_output_is_blocked_next_time(world):
    output = png(draw_image("scene", 41, (320, 320)).convert("RGB"))
    ctx = ScreenContext(licensee="acme")
    before = world["guard"].screen_output(media=[output], context=ctx)
    assert before.verdict.value == "allow"
    entry = world["ledger"].append(before, Record())
    case = _claim(world, file=output, file_name="found.png", text="this is our character")
    assert [m["entry_id"] for m in case.evidence["trace"]["matches"]] == [entry.entry_id]
    case = _walk(world, case, S.ACKNOWLEDGED, S.UNDER_REVIEW, S.UPHELD)
    assert case.state is S.UPHELD and len(case.evidence["references_added"]) == 1
    assert "blocked from now on" in case.answer["en"] and "ブロック" in case.answer["ja"]
    after = world["guard"].screen_output(media=[output], context=ctx)
    assert after.verdict.value == "block" and [e.entity for e in after.entities] == ["pikachu"]


def test_when_a_month_of_claims_is_handled_from_the_reminder_list_then_none_is_lost_or_late(world):
    desk, clock = world["desk"], world["clock"]
    rng = random.Random(5)
    start, filed = clock.now, []
    decide = {S.ACKNOWLEDGED: S.UNDER_REVIEW, S.UNDER_REVIEW: S.REJECTED}
    for day in range(30):
        for minutes in sorted(rng.randint(0, 600) for _ in range(rng.randint(0, 3))):
            clock.now = start + timedelta(days=day, minutes=minutes)
            filed.append(_claim(world, link=f"https://example.com/{len(filed)}").id)
        # Once a day the desk works only from its reminders: due within a day, or overdue.
        clock.now = start + timedelta(days=day, hours=20)
        for case in desk.due_soon(OPERATOR) + desk.overdue(OPERATOR):
            if case.state is S.RECEIVED:
                case = desk.move(OPERATOR, case.id, S.ACKNOWLEDGED)
            if case.next_deadline().due <= clock() + desk.policy.remind_before:
                while case.state in decide:
                    case = desk.move(OPERATOR, case.id, decide[case.state])
    clock.now = start + timedelta(days=60)  # nobody works any more: what is open must be listed
    cases = {c.id: c for c in desk.list(ADMIN)}
    assert set(cases) == set(filed) and len(filed) > 20
    late = {c.id for c in desk.overdue(ADMIN)}
    answered = {i for i, c in cases.items() if c.state is S.REJECTED}
    assert answered | late == set(filed) and not answered & late
    assert all(cases[i].decided_at <= cases[i].decide_by for i in answered)
    acknowledged = [desk.get(ADMIN, i).events[1] for i in answered]
    assert all(e.to_state is S.ACKNOWLEDGED and e.at <= cases[e.case_id].acknowledge_by for e in acknowledged)


def test_when_the_report_asks_for_claims_figures_then_on_time_and_overdue_are_counted(world):
    desk, clock = world["desk"], world["clock"]
    handled = _claim(world, link="https://example.com/a")
    _claim(world, link="https://example.com/b")
    clock.advance(hours=30)
    _walk(world, handled, S.ACKNOWLEDGED, S.UNDER_REVIEW, S.REJECTED)
    clock.advance(days=2)
    expected = {"received": 2, "acknowledged_on_time": 1, "decided_on_time": 1, "overdue": 1}
    assert desk.figures(ADMIN) == expected
    assert desk.figures(DC)["received"] == 0
    assert desk.figures(ADMIN, since=clock.now)["received"] == 0
