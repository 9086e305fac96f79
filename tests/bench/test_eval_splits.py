"""The tune/report split and the wrong-neighbour rate of bench/eval_prompts.py; the data files they read."""

import json
import random
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _common import DEMO_CATALOG, DEVSET, FRESHSET, MINIMAL_CATALOG
from eval_prompts import (
    BENIGN_CATEGORIES,
    SPLITS,
    ItemResult,
    Record,
    SubstringBaseline,
    assign_splits,
    evaluate,
    load_records,
    relations,
    select_split,
    semantic_only,
    summarise,
    wrong_neighbours,
)

# ------------------------------------------------------------------------------------------ split


def _records(spec):
    """Records from (category, language, count) triples, with ids that do not follow the order."""
    out = []
    for category, lang, count in spec:
        for i in range(count):
            out.append(Record(f"{category[:3]}-{lang}-{i * 7919 % 1009}", f"text {i}", lang, category))
    return out


MIXED = _records(
    [
        ("direct", "en", 9),
        ("direct", "ja", 6),
        ("direct", "fr", 3),
        ("style", "en", 5),
        ("style", "zh", 2),
        ("benign", "en", 8),
        ("benign", "ko", 1),
    ]
)


def _halves(records, labels, key):
    counts = Counter((key(r), labels[r.id]) for r in records)
    return {k: (counts[k, "tune"], counts[k, "report"]) for k in {key(r) for r in records}}


def test_when_split_then_every_record_gets_tune_or_report():
    labels = assign_splits(MIXED)
    assert set(labels) == {r.id for r in MIXED}
    assert set(labels.values()) <= set(SPLITS)


def test_when_records_are_shuffled_then_the_split_is_the_same():
    shuffled = list(MIXED)
    random.Random(3).shuffle(shuffled)
    assert assign_splits(shuffled) == assign_splits(MIXED)


def test_when_split_then_each_category_is_cut_in_halves_that_differ_by_at_most_one():
    halves = _halves(MIXED, assign_splits(MIXED), lambda r: r.category)
    for tune, report in halves.values():
        assert abs(tune - report) <= 1


def test_when_split_then_each_language_inside_a_category_is_cut_in_halves_too():
    halves = _halves(MIXED, assign_splits(MIXED), lambda r: (r.category, r.lang))
    for tune, report in halves.values():
        assert abs(tune - report) <= 1


def test_when_only_texts_change_then_the_split_does_not():
    edited = [Record(r.id, r.text + " (edited)", r.lang, r.category) for r in MIXED]
    assert assign_splits(edited) == assign_splits(MIXED)


def test_when_a_record_carries_its_own_split_then_it_keeps_it_and_the_others_do_not_move():
    before = assign_splits(MIXED)
    pinned = Record("new-line", "added later", "en", "direct", split="tune")
    after = assign_splits([*MIXED, pinned])
    assert after["new-line"] == "tune"
    assert {k: v for k, v in after.items() if k != "new-line"} == before


def test_when_selecting_halves_then_tune_and_report_partition_the_set_in_order():
    tune, report = select_split(MIXED, "tune"), select_split(MIXED, "report")
    assert {r.id for r in tune}.isdisjoint({r.id for r in report})
    assert len(tune) + len(report) == len(MIXED)
    assert [r for r in MIXED if r in tune] == tune
    assert select_split(MIXED, "all") == MIXED


def test_when_the_development_set_is_split_then_every_category_is_half_and_half():
    records = load_records(DEVSET)
    halves = _halves(records, assign_splits(records), lambda r: r.category)
    assert len(halves) >= 9
    for category, (tune, report) in halves.items():
        assert abs(tune - report) <= 1, category


# ------------------------------------------------------------------------------------------ wrong neighbour

# Two works, each with two characters; a style with no work.
RELATED = relations(
    [
        ("super-mario", None),
        ("mario", "super-mario"),
        ("luigi", "super-mario"),
        ("pokemon", None),
        ("pikachu", "pokemon"),
        ("eevee", "pokemon"),
        ("pixar-style", None),
    ]
)


def test_when_a_sibling_of_the_same_work_is_flagged_then_it_is_a_wrong_neighbour():
    assert wrong_neighbours(["mario"], ["mario", "luigi"], RELATED) == ("luigi",)


def test_when_the_work_of_the_expected_character_is_flagged_then_it_is_not_wrong():
    assert wrong_neighbours(["pikachu"], ["pikachu", "pokemon"], RELATED) == ()


def test_when_a_character_of_the_expected_work_is_flagged_then_it_is_not_wrong():
    assert wrong_neighbours(["super-mario"], ["luigi"], RELATED) == ()


def test_when_an_entry_of_another_owner_is_flagged_then_it_is_wrong():
    assert wrong_neighbours(["eevee"], ["pixar-style", "mario", "eevee"], RELATED) == ("mario", "pixar-style")


def test_when_the_prompt_expects_nothing_then_nothing_is_a_wrong_neighbour():
    assert wrong_neighbours([], ["mario"], RELATED) == ()


def test_when_an_entry_is_unknown_to_the_catalog_then_it_is_related_to_nothing():
    assert wrong_neighbours(["ghost"], ["ghost", "mario"], RELATED) == ("mario",)


def test_when_relations_are_built_then_they_hold_both_ways_and_not_between_siblings():
    assert RELATED["mario"] == {"mario", "super-mario"}
    assert RELATED["super-mario"] == {"super-mario", "mario", "luigi"}
    assert "luigi" not in RELATED["mario"]


@pytest.mark.parametrize(
    ("matchers", "expected"),
    [({"semantic"}, True), ({"semantic", "alias"}, False), ({"alias"}, False)],
)
def test_when_a_wrong_entry_is_found_then_semantic_only_tells_which_matchers_found_it(matchers, expected):
    findings = [{"entity": "luigi", "matcher": m} for m in sorted(matchers)]
    findings.append({"entity": "mario", "matcher": "semantic"})
    assert semantic_only(["luigi"], findings) is expected


def _result(record, verdict, flagged, wrong=(), semantic=False):
    hit = not set(record.expected).isdisjoint(flagged) if not record.benign else verdict != "allow"
    return ItemResult(
        record, verdict, tuple(flagged), hit, (), False, 0.0, 0.0, {}, tuple(flagged), tuple(wrong), semantic
    )


MARIO = Record("n1", "a plumber in red", "en", "neighbour", ("mario",))
LUIGI = Record("n2", "a plumber in green", "en", "neighbour", ("luigi",))
PIKA = Record("d1", "Pikachu", "en", "direct", ("pikachu",))
CLEAN = Record("b1", "a cat", "en", "benign")


def test_when_summarised_then_the_wrong_neighbour_rate_is_over_flagged_positive_prompts_only():
    results = [
        _result(MARIO, "block", ["mario", "luigi"], wrong=["luigi"], semantic=True),
        _result(LUIGI, "block", ["luigi"]),
        _result(PIKA, "allow", []),  # not flagged: out of the denominator
        _result(CLEAN, "block", ["mario"]),  # benign: its own false-positive rate
    ]
    summary = summarise(results)
    assert (summary.positive.flagged, summary.positive.wrong, summary.positive.wrong_semantic) == (2, 1, 1)
    assert summary.positive.wrong_rate == 0.5
    assert summary.by_category["neighbour"].wrong_rate == 0.5
    assert summary.by_category["direct"].flagged == 0
    assert summary.benign.wrong == 0


def test_when_a_benign_prompt_flags_an_entry_then_it_is_not_a_wrong_neighbour():
    assert _result(CLEAN, "block", ["mario"], wrong=["mario"]).wrong_neighbour is False


class _FakeGuard:
    """Answers each prompt with fixed entities, each with its own verdict, found by the given matcher."""

    def __init__(self, answers):
        self.answers = answers

    def screen_prompt(self, text, ctx, item_id=None):
        rows = self.answers.get(text, [])
        entities = [SimpleNamespace(entity=e, verdict=SimpleNamespace(value=v)) for e, v, _ in rows]
        flagged = [v for _, v, _ in rows if v != "allow"]
        verdict = "block" if "block" in flagged else ("review" if flagged else "allow")
        findings = [{"entity": e, "matcher": m} for e, _, m in rows]
        return SimpleNamespace(
            entities=entities,
            verdict=SimpleNamespace(value=verdict),
            to_dict=lambda: {"verdict": verdict, "findings": findings},
        )


def test_when_evaluated_then_only_entities_the_guard_flags_can_be_wrong_neighbours():
    guard = _FakeGuard(
        {
            MARIO.text: [("mario", "block", "alias"), ("luigi", "allow", "semantic")],
            LUIGI.text: [("luigi", "block", "alias"), ("mario", "review", "semantic")],
        }
    )
    results = evaluate(guard, SubstringBaseline([]), [MARIO, LUIGI], RELATED)
    by_id = {r.record.id: r for r in results}
    assert by_id["n1"].wrong_entities == ()
    assert by_id["n2"].wrong_entities == ("mario",)
    assert by_id["n2"].wrong_semantic is True
    assert by_id["n2"].guard_hit is True


# ------------------------------------------------------------------------------------------ data files


def _catalog_ids(path):
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {s: {e["id"] for e in doc.get(s) or []} for s in ("works", "characters", "styles")}


def test_when_the_fresh_set_is_read_then_every_line_is_a_well_formed_labelled_prompt():
    records = load_records(FRESHSET)
    ids = _catalog_ids(DEMO_CATALOG)
    known = set().union(*ids.values())
    for r in records:
        assert r.id.startswith("f"), r.id
        assert r.split is None, r.id  # never tuned on: all of it is reported
        assert set(r.expected) <= known, r.id
        assert bool(r.expected) != (r.category in BENIGN_CATEGORIES), r.id
        if r.category == "style":
            assert len(r.expected) == 1 and r.expected[0] in ids["styles"], r.id


def test_when_the_fresh_set_is_read_then_each_category_has_its_minimum_size():
    records = load_records(FRESHSET)
    by_category = Counter(r.category for r in records)
    minimum = {
        "style": 60,
        "direct": 60,
        "transliteration": 50,
        "obfuscation": 20,
        "nickname": 20,
        "indirect": 30,
        "franchise": 30,
        "benign_shared": 60,
        "benign": 40,
        "neighbour": 30,
    }
    for category, n in minimum.items():
        assert by_category[category] >= n, category
    supported = [r for r in records if r.subcategory == "ambiguous-supported"]
    assert len(supported) >= 15 and {r.category for r in supported} == {"direct"}


def test_when_the_fresh_set_holds_invisible_characters_then_they_are_written_as_escapes():
    raw = FRESHSET.read_text(encoding="utf-8")
    for ch in "\u200b\u200c\u200d\u2060\u00ad\ufeff":
        assert ch not in raw
    texts = [json.loads(line)["text"] for line in raw.splitlines() if "\\u200" in line]
    assert texts and all(any(c in t for c in "\u200b\u200c\u200d") for t in texts)


def test_when_the_demo_catalog_changes_then_the_minimal_catalog_is_regenerated():
    from make_minimal_catalog import render

    assert MINIMAL_CATALOG.read_text(encoding="utf-8") == render(DEMO_CATALOG)


def test_when_the_minimal_catalog_is_made_then_it_keeps_every_entry_of_the_demo_catalog():
    assert _catalog_ids(MINIMAL_CATALOG) == _catalog_ids(DEMO_CATALOG)
