"""Means, CIs, paired tests and the Holm correction against hand-computed values."""

import math

import numpy as np
import pytest
from scipy import stats

from devprune.stats import (holm, leave_one_out_coverage, mean_ci, order_statistic_pi, paired_t_pvalue,
                            prediction_interval)


def test_mean_ci_matches_student_t():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    mean, low, high = mean_ci(values)
    half = stats.t.ppf(0.975, 4) * np.std(values, ddof=1) / math.sqrt(5)
    assert (mean, low, high) == pytest.approx((3.0, 3.0 - half, 3.0 + half))


def test_mean_ci_needs_two_values():
    mean, low, high = mean_ci([4.0])
    assert mean == 4.0 and math.isnan(low) and math.isnan(high)
    assert mean_ci([2.0, 2.0]) == (2.0, 2.0, 2.0)


def test_paired_t():
    a, b = [1.0, 2.0, 3.0, 5.0], [0.5, 1.0, 2.5, 3.0]
    assert paired_t_pvalue(np.subtract(a, b)) == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert paired_t_pvalue([1.0, 1.0]) == 0.0  # constant non-zero difference
    assert math.isnan(paired_t_pvalue([0.0, 0.0]))  # no difference at all
    assert math.isnan(paired_t_pvalue([3.0]))  # one pair


def test_holm_by_hand():
    # sorted p: 0.01 (x4 = 0.04), 0.02 (x3 = 0.06), 0.03 (x2 = 0.06), 0.5 (x1 = 0.5)
    adjusted = holm([0.03, 0.01, float("nan"), 0.5, 0.02])
    assert adjusted[[1, 4, 0, 3]] == pytest.approx([0.04, 0.06, 0.06, 0.5])
    assert math.isnan(adjusted[2])


def _coverage(draw, interval, n: int, trials: int = 5000) -> float:
    """The share of ``trials`` in which ``interval`` of n draws holds one more draw."""
    samples = draw(np.random.default_rng(2026), (trials, n + 1))
    hits = []
    for row in samples:
        low, high = interval(row[:n])[:2]
        hits.append(low <= row[n] <= high)
    return float(np.mean(hits))


@pytest.mark.parametrize("n", [19, 39])
@pytest.mark.parametrize("name, draw", [
    ("lognormal (skewed)", lambda rng, size: rng.lognormal(0.0, 1.0, size)),
    ("heaped at 0 and 100", lambda rng, size: np.clip(rng.normal(60.0, 50.0, size), 0.0, 100.0)),
    ("discrete {0, 25, 50, 75, 100}", lambda rng, size: rng.choice([0.0, 25.0, 50.0, 75.0, 100.0], size, p=[.4, .1, .1, .1, .3])),
])
def test_order_statistic_pi_covers_its_level_whatever_the_distribution(name, draw, n):
    level = order_statistic_pi(np.arange(float(n)))[2]
    assert level == pytest.approx((n - 1) / (n + 1))  # k = 1 at these n: [min, max]
    # exact in expectation for a continuous distribution (Monte-Carlo SE at most 0.004); ties only add
    assert _coverage(draw, order_statistic_pi, n) >= level - 0.012, name


def test_order_statistic_pi_by_hand():
    values = list(range(1, 80))  # n = 79: k = floor(80 * 0.025) = 2, level 76/80
    assert order_statistic_pi(values) == (2.0, 78.0, pytest.approx(0.95))
    assert order_statistic_pi(values, confidence=0.5) == (20.0, 60.0, pytest.approx(40 / 80))  # k = 20
    assert all(math.isnan(v) for v in order_statistic_pi([1.0]))


def test_normal_pi_covers_95_percent_of_normal_draws():
    coverage = _coverage(lambda rng, size: rng.normal(10.0, 3.0, size), prediction_interval, 20)
    assert coverage == pytest.approx(0.95, abs=0.01)  # Monte-Carlo SE 0.003
    # on heaped values it does not: the lone 0s fall outside
    heaped = _coverage(lambda rng, size: rng.choice([0.0, 100.0], size, p=[0.08, 0.92]), prediction_interval, 20)
    assert heaped < 0.93


def test_leave_one_out_coverage_by_hand():
    values = [1.0, 2.0, 3.0, 4.0, 100.0]
    # [min, max] of the others holds 2, 3 and 4 but neither end
    assert leave_one_out_coverage(values, lambda v: (min(v), max(v))) == pytest.approx(3 / 5)
    assert math.isnan(leave_one_out_coverage([1.0], lambda v: (math.nan, math.nan)))
