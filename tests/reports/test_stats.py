"""The Wilson and Newcombe intervals: their defining properties, published values, and coverage.

Published values come from Newcombe (1998), Statistics in Medicine 17: 81/263 gives the score
interval 0.2553–0.3662 (single proportion paper, example b); 56/70 − 48/80 gives 0.0524–0.3339 and
9/10 − 3/10 gives 0.1705–0.8090 with method 10 (difference paper, Table II, examples a and c).
They are the literature's answers, not outputs of this code.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.reports.stats import difference, newcombe, wilson, z_value


@st.composite
def counts(draw, max_n: int = 5000) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=max_n))
    return draw(st.integers(min_value=0, max_value=n)), n


@settings(max_examples=300, deadline=None)
@given(counts())
def test_when_any_count_is_given_then_the_wilson_bounds_lie_in_0_1_around_the_rate(kn):
    k, n = kn
    p = wilson(k, n)
    assert 0.0 <= p.low <= p.rate <= p.high <= 1.0
    assert p.width > 0.0


@settings(max_examples=200, deadline=None)
@given(counts(max_n=2000), st.integers(min_value=2, max_value=50))
def test_when_the_same_rate_is_seen_over_more_requests_then_the_wilson_interval_narrows(kn, m):
    k, n = kn
    assert wilson(k * m, n * m).width < wilson(k, n).width


@settings(max_examples=200, deadline=None)
@given(counts(max_n=2000))
def test_when_a_bound_is_strictly_inside_then_the_score_test_there_equals_z(kn):
    """Wilson's interval is the set of p0 the score test does not reject: at each bound that is
    not clamped to 0 or 1, |p̂ − p0| / sqrt(p0(1 − p0)/n) = z."""
    k, n = kn
    p = wilson(k, n)
    z = z_value()
    for bound in (p.low, p.high):
        if 0.0 < bound < 1.0 and bound != p.rate:
            score = abs(k / n - bound) / math.sqrt(bound * (1 - bound) / n)
            assert score == pytest.approx(z, rel=1e-6)


def test_when_nothing_was_observed_then_the_rate_is_unknown_and_the_interval_is_all_of_0_1():
    p = wilson(0, 0)
    assert p.rate is None and (p.low, p.high) == (0.0, 1.0)
    d = newcombe(p, wilson(3, 4))
    assert d.estimate is None and not d.excludes_zero


def test_when_counts_are_impossible_then_wilson_refuses():
    for k, n in ((5, 4), (-1, 4), (0, -1)):
        with pytest.raises(ValueError):
            wilson(k, n)


def test_when_the_published_examples_are_computed_then_newcombes_figures_come_out():
    single = wilson(81, 263)
    assert (round(single.low, 4), round(single.high, 4)) == (0.2553, 0.3662)
    for (a, na, b, nb), expected in {
        (56, 70, 48, 80): (0.0524, 0.3339),
        (9, 10, 3, 10): (0.1705, 0.8090),
    }.items():
        d = difference(a, na, b, nb)
        assert (round(d.low, 4), round(d.high, 4)) == expected


@settings(max_examples=300, deadline=None)
@given(counts(max_n=3000), counts(max_n=3000))
def test_when_two_rates_are_compared_then_the_gap_interval_lies_in_minus1_1_around_the_gap(a, b):
    d = difference(*a, *b)
    assert -1.0 <= d.low <= d.estimate <= d.high <= 1.0
    assert d.estimate == pytest.approx(a[0] / a[1] - b[0] / b[1])


@settings(max_examples=200, deadline=None)
@given(counts(max_n=1000), counts(max_n=1000))
def test_when_the_sides_are_swapped_then_the_gap_interval_is_mirrored(a, b):
    ab, ba = difference(*a, *b), difference(*b, *a)
    assert ab.low == pytest.approx(-ba.high, abs=1e-12) and ab.high == pytest.approx(-ba.low, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(counts(max_n=1000), counts(max_n=1000), st.integers(min_value=2, max_value=30))
def test_when_both_sides_see_more_requests_then_the_gap_interval_narrows(a, b, m):
    small = difference(*a, *b)
    large = difference(a[0] * m, a[1] * m, b[0] * m, b[1] * m)
    assert large.high - large.low < small.high - small.low


def test_when_both_rates_are_one_then_the_gap_interval_still_has_width():
    """The Wald interval would say [0, 0]: 'proven equal' from ten prompts each."""
    d = difference(10, 10, 10, 10)
    assert d.estimate == 0.0 and d.low < -0.1 and d.high > 0.1 and not d.excludes_zero


def _coverage(trials: int, draw) -> float:
    return sum(draw() for _ in range(trials)) / trials


def test_when_rates_near_one_are_simulated_then_the_intervals_cover_near_their_nominal_95_percent():
    """Coverage by simulation where the Wald interval fails (p = 0.97, n = 40: Wald covers ~0.70)."""
    rng = random.Random(20251001)

    def binomial(p: float, n: int) -> int:
        return sum(rng.random() < p for _ in range(n))

    def one() -> bool:
        w = wilson(binomial(0.97, 40), 40)
        return w.low <= 0.97 <= w.high

    def gap() -> bool:
        d = difference(binomial(0.95, 120), 120, binomial(0.88, 60), 60)
        return d.low <= 0.07 <= d.high

    assert _coverage(3000, one) >= 0.92
    assert _coverage(3000, gap) >= 0.92


def test_when_a_confidence_level_is_asked_then_higher_confidence_gives_a_wider_interval():
    assert wilson(30, 50, 0.99).width > wilson(30, 50, 0.95).width > wilson(30, 50, 0.80).width
    with pytest.raises(ValueError):
        newcombe(wilson(3, 5, 0.95), wilson(3, 5, 0.9))
    with pytest.raises(ValueError):
        z_value(1.0)
