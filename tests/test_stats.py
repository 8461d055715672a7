"""Means, CIs, paired tests and the Holm correction against hand-computed values."""

import math

import numpy as np
import pytest
from scipy import stats

from devprune.stats import holm, mean_ci, paired_t_pvalue


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
