"""Seeds -> means, 95 % confidence and prediction intervals (normal-theory and distribution-free,
with their leave-one-seed-out coverage), paired tests and a multiple-comparison correction. The
unit of replication is the seed: every interval is over per-seed values.

With a handful of seeds a Wilcoxon signed-rank test cannot reach p < 0.05 (five pairs give
p >= 0.0625), so branch differences use the paired t-test (``scipy.stats.ttest_rel``);
the ten per-density p-values are Holm-corrected (family-wise error rate).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def _finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values[~np.isnan(values)]


def _t(confidence: float, n: int) -> float:
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1))


def _clip(low: float, high: float, bounds: tuple[float, float] | None) -> tuple[float, float]:
    """An interval cut to the statistic's range: the true value (a mean of bounded values, or a
    new run's value) lies in the range, so cutting never loses coverage."""
    if bounds is None:
        return low, high
    return max(low, bounds[0]), min(high, bounds[1])


def _mean_and_interval(values, interval) -> tuple[float, float, float]:
    """(mean, low, high), with ``interval(values, mean)`` giving the bounds; NaN bounds when fewer
    than two values, all NaN without any."""
    values = _finite(values)
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    return (mean, *interval(values, mean))


def mean_ci(values, confidence: float = 0.95, bounds: tuple[float, float] | None = None) -> tuple[float, float, float]:
    """(mean, low, high) with a Student-t interval, cut to ``bounds``."""

    def t_interval(values, mean):
        half = _t(confidence, len(values)) * float(values.std(ddof=1)) / math.sqrt(len(values))
        return _clip(mean - half, mean + half, bounds)

    return _mean_and_interval(values, t_interval)


#: Resamples of the BCa bootstrap, and its fixed generator seed: the same values always give
#: the same interval, so a rerun reproduces every table bit for bit.
BOOTSTRAP_RESAMPLES = 9999
BOOTSTRAP_SEED = 0


def bootstrap_ci(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) with a BCa bootstrap interval of the mean (``scipy.stats.bootstrap``).

    Every bootstrap mean lies between the smallest and largest value, so the interval never
    leaves a bounded statistic's range, and BCa corrects for the skew such statistics have
    near their bounds. Identical values give the point interval.
    """

    def bca_interval(values, mean):
        if np.ptp(values) == 0:
            return mean, mean
        result = stats.bootstrap((values,), np.mean, confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
                                 method="BCa", rng=np.random.default_rng(BOOTSTRAP_SEED))
        return float(result.confidence_interval.low), float(result.confidence_interval.high)

    return _mean_and_interval(values, bca_interval)


def prediction_interval(values, confidence: float = 0.95, bounds: tuple[float, float] | None = None) -> tuple[float, float]:
    """Where the value of one new run (seed) falls with probability ``confidence``:
    mean +- t(n-1) * sd * sqrt(1 + 1/n) (normal theory, as in Spence & Stanley 2016), cut to
    ``bounds``. NaN with fewer than two values."""
    values = _finite(values)
    if len(values) < 2:
        return math.nan, math.nan
    mean = float(values.mean())
    half = _t(confidence, len(values)) * float(values.std(ddof=1)) * math.sqrt(1 + 1 / len(values))
    return _clip(mean - half, mean + half, bounds)


def order_statistic_pi(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """(low, high, level): the distribution-free prediction interval [x(k), x(n+1-k)] of the
    sorted values, which holds one new exchangeable value with probability (n + 1 - 2k)/(n + 1)
    whatever the distribution (Wilks 1941). k is the largest that keeps that level at or above
    ``confidence``; with too few values for that (n < 39 at 95 %) it is [min, max] and ``level``
    says what it reaches. Ties (values heaped at a bound) only raise the coverage. NaN with
    fewer than two values."""
    values = np.sort(_finite(values))
    n = len(values)
    if n < 2:
        return math.nan, math.nan, math.nan
    k = max(1, math.floor((n + 1) * (1 - confidence) / 2))
    return float(values[k - 1]), float(values[n - k]), (n + 1 - 2 * k) / (n + 1)


def leave_one_out_hits(values, interval) -> list[bool]:
    """For each value: whether it lies in ``interval(others)`` (a (low, high, ...) tuple) built
    from all the other values; values whose interval cannot be built are left out."""
    values = _finite(values)
    hits = []
    for i in range(len(values)):
        low, high = interval(np.delete(values, i))[:2]
        if not math.isnan(low):
            hits.append(bool(low <= values[i] <= high))
    return hits


def leave_one_out_coverage(values, interval) -> float:
    """How often ``interval``, built from n - 1 seeds, holds the seed left out (the share of
    :func:`leave_one_out_hits`); NaN when no interval can be built (fewer than three values)."""
    hits = leave_one_out_hits(values, interval)
    return float(np.mean(hits)) if hits else math.nan


def seeds_needed(values, threshold: float, confidence: float = 0.95) -> int | None:
    """The fewest seeds whose t interval, at the observed mean and standard deviation, would
    exclude ``threshold``: the smallest n with t(n-1) * sd / sqrt(n) < |mean - threshold|.
    None when no number would (the mean sits on the threshold) or there is no spread yet."""
    values = _finite(values)
    if len(values) < 2:
        return None
    gap, sd = abs(float(values.mean()) - threshold), float(values.std(ddof=1))
    if gap == 0:
        return None
    if sd == 0:
        return 2
    n = max(2, math.ceil((stats.norm.ppf(0.5 + confidence / 2) * sd / gap) ** 2))  # t > z: never past the answer
    while _t(confidence, n) * sd / math.sqrt(n) >= gap:
        n += 1
    return n


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
