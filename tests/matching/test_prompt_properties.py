"""Screening any text at all: never a traceback, and evidence that points where it says.

Over all of Unicode (lone surrogates, NUL and control characters, combining marks on their own,
right-to-left scripts, characters whose normalization changes length), mixed with the scripts
the demo catalog's names are written in so that matches actually happen.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kyodaku.domain.errors import InvalidInput
from kyodaku.screening import Guard, GuardOptions
from kyodaku.text.normalize import key

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-catalog.yaml"
ANY_CHAR = st.characters(codec=None, categories=None)
NAMEISH = st.sampled_from(
    ["Pikachu", "ピカチュウ", "皮卡丘", "피카츄", "Totoro", "Cloud", "Mario", "Ghibli", "ジブリ風", "超人",
     "Maß",
     "ﬁ", "ﬃ", "㌀", "ⅻ", "ß", "ẞ", "ｶﾞ", "゙", "\u0301", "\u200d", "\x00", "\u202e", "שלום", " ", "P1k@chu"]
)  # fmt: skip
PROMPT = st.lists(st.one_of(ANY_CHAR, NAMEISH), max_size=25).map("".join)


@pytest.fixture(scope="module")
def lexical_guard():
    return Guard.from_file(str(DEMO), GuardOptions(semantic=False, themes=False))


def _screen_or_refuse(guard, text):
    try:
        return guard.screen_prompt(text)
    except InvalidInput as exc:
        # The only acceptable refusals: nothing to screen, or text no encoding can carry.
        assert not text.strip() or "surrogate" in exc.message, exc.message
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(PROMPT)
@example("Maß Pikachu")
@example("ﬃ Pikachu ⅻ ㌀")
@example("\u0301" * 40)
@example("Totoro0ピカチュウPikachu")
def test_when_any_text_is_screened_then_no_error_and_spans_lie_in_the_prompt(lexical_guard, text):
    decision = _screen_or_refuse(lexical_guard, text)
    if decision is None:
        return
    assert not decision.failed_closed, decision.notes
    for finding in decision.findings:
        span = finding.evidence.span
        if span is None:
            continue
        start, end = span
        assert 0 <= start < end <= len(text)
        assert text[start:end] == finding.evidence.text
        if finding.matcher == "alias":
            # The span covers the whole matched name. (Read alone it may keep a character that the
            # prompt's context folded away: in "Totoro0ピカチュウ" the 0 is leet inside a word.)
            assert key(finding.evidence.variant) in key(text[start:end])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PROMPT, min_size=1, max_size=8))
def test_when_a_batch_of_any_texts_is_screened_then_every_item_has_its_result(lexical_guard, texts):
    results = lexical_guard.screen_many([(str(n), t) for n, t in enumerate(texts)])
    assert len(results) == len(texts)
    for text, result in zip(texts, results, strict=True):
        if isinstance(result, InvalidInput):
            assert not text.strip() or "surrogate" in result.message
        else:
            assert not result.failed_closed, result.notes


def test_when_prompt_has_a_lone_surrogate_then_refused_with_its_position(lexical_guard):
    with pytest.raises(InvalidInput, match=r"lone surrogate U\+D800 at character 2"):
        lexical_guard.screen_prompt("ab\ud800 Pikachu")


def test_when_prompt_is_only_combining_marks_then_screened_and_allowed(lexical_guard):
    decision = lexical_guard.screen_prompt("\u0301\u0308" * 30)
    assert decision.verdict.value == "allow" and not decision.findings
