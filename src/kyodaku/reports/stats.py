"""Intervals for block rates and for the gap between two of them.

Why intervals at all: "JP 91 %, US 97 %" over a few hundred prompts says little until it says how
far each figure could be off by chance. A parity claim ("every country is treated alike") is only
as good as the interval around the gap.

Why these methods (Newcombe 1998, "Two-sided confidence intervals for the single proportion" and
"Interval estimation for the difference between independent proportions", Statistics in Medicine
17):

* **Wilson score interval** for one rate. Block rates of a working guard sit near 1 and false-block
  rates near 0, exactly where the textbook Wald interval (p ± z·sqrt(p(1-p)/n)) fails: at 0 or n
  blocked out of n it has zero width, and near them it covers far less often than it claims and
  can leave [0, 1]. Wilson's interval inverts the score test, so it never leaves [0, 1], is never
  empty, and keeps close to its nominal coverage at the extremes and at small n.
* **Newcombe's hybrid score interval** (his method 10) for the difference p1 − p2, built from the
  two Wilson intervals: L = d − sqrt((p1−l1)² + (u2−p2)²), U = d + sqrt((u1−p1)² + (p2−l2)²).
  The Wald interval for a difference inherits every flaw above (two rates of 1.0 give the interval
  [0, 0], "proven equal" from any n); Newcombe's stays inside [−1, 1], has good coverage near the
  boundaries, needs no iteration and no statistics library (only the normal quantile, from the
  standard library), so the figures can be recomputed by anyone with a calculator.

Standard library only: the reports must run wherever the guard runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

DEFAULT_CONFIDENCE = 0.95


def z_value(confidence: float = DEFAULT_CONFIDENCE) -> float:
    """The two-sided normal quantile for `confidence` (1.959964 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


@dataclass(frozen=True)
class Proportion:
    """`successes` of `n`, the rate and its Wilson interval. With n = 0 the rate is unknown (None)
    and the interval is all of [0, 1]: nothing was observed."""

    successes: int
    n: int
    low: float
    high: float
    confidence: float = DEFAULT_CONFIDENCE

    @property
    def rate(self) -> float | None:
        return self.successes / self.n if self.n else None

    @property
    def width(self) -> float:
        return self.high - self.low

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "successes": self.successes,
            "n": self.n,
            "rate": None if rate is None else round(rate, 6),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "confidence": self.confidence,
        }


def wilson(successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Proportion:
    """The Wilson score interval for `successes` out of `n`.

    center = (p + z²/2n) / (1 + z²/n),  half = z/(1 + z²/n) · sqrt(p(1−p)/n + z²/4n²).
    At 0 successes the lower bound is exactly 0 and at n the upper bound exactly 1 (the closed form
    gives them; floating point would leave a 1e-17 either side, which would then not contain p).
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return Proportion(0, 0, 0.0, 1.0, confidence)
    z = z_value(confidence)
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    low = 0.0 if successes == 0 else max(0.0, min(p, center - half))
    high = 1.0 if successes == n else min(1.0, max(p, center + half))
    return Proportion(successes, n, low, high, confidence)


@dataclass(frozen=True)
class Difference:
    """p_a − p_b with Newcombe's hybrid score interval. `estimate` is None (and the interval all of
    [−1, 1]) when either side has no observations."""

    a: Proportion
    b: Proportion
    estimate: float | None
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.estimate is not None and (self.low > 0.0 or self.high < 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": None if self.estimate is None else round(self.estimate, 6),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "confidence": self.a.confidence,
            "method": "newcombe-hybrid-score",
        }


def newcombe(a: Proportion, b: Proportion) -> Difference:
    """The difference of two independent rates (a − b) with Newcombe's method 10 interval, from
    their Wilson intervals (which must share one confidence level)."""
    if a.confidence != b.confidence:
        raise ValueError("both rates need intervals at the same confidence level")
    if a.rate is None or b.rate is None:
        return Difference(a, b, None, -1.0, 1.0)
    p1, p2 = a.rate, b.rate
    d = p1 - p2
    low = d - math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2)
    high = d + math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2)
    return Difference(a, b, d, max(-1.0, min(d, low)), min(1.0, max(d, high)))


def difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int, confidence: float = DEFAULT_CONFIDENCE
) -> Difference:
    """Shorthand: `newcombe(wilson(a), wilson(b))`."""
    return newcombe(wilson(successes_a, n_a, confidence), wilson(successes_b, n_b, confidence))


__all__ = ["DEFAULT_CONFIDENCE", "Difference", "Proportion", "difference", "newcombe", "wilson", "z_value"]
