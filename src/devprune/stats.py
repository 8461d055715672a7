"""Seeds -> means, 95 % confidence intervals, paired tests and a multiple-comparison correction.

With a handful of seeds a Wilcoxon signed-rank test cannot reach p < 0.05 (five pairs give
p >= 0.0625), so branch differences use the paired t-test (``scipy.stats.ttest_rel``);
the ten per-density p-values are Holm-corrected (family-wise error rate).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) with a Student-t interval; NaN bounds when fewer than two values."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))
    return mean, mean - half, mean + half


def paired_t_pvalue(differences) -> float:
    """Two-sided paired t-test p-value from the per-pair differences (a one-sample t-test of
    them against 0, as ``scipy.stats.ttest_rel`` does). Without spread the test is undefined:
    all-zero differences give NaN (nothing to test), a constant non-zero difference gives 0."""
    diff = np.asarray(differences, dtype=float)
    if len(diff) < 2 or not diff.any():
        return math.nan
    if np.ptp(diff) == 0:
        return 0.0
    return float(stats.ttest_1samp(diff, 0.0).pvalue)


def holm(pvalues) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (NaNs stay NaN and do not count as tests)."""
    p = np.asarray(pvalues, dtype=float)
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p[index]))
        adjusted[index] = running
    return adjusted
