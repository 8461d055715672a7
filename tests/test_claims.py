"""The four readings of a claim against hand computations on known numbers, intervals that stay
inside a statistic's range, and the stability table's seed subsets."""

import math

import pandas as pd
import pytest

from devprune.phased import claims
from devprune.phased.claims import Claim
from devprune.stats import bootstrap_ci, prediction_interval, seeds_needed

# Per-seed values 1..5: mean 3, sd sqrt(2.5) = 1.58114; t(0.975, 4) = 2.776445.
VALUES = [1.0, 2.0, 3.0, 4.0, 5.0]
SD, T4 = math.sqrt(2.5), 2.776445
CI_HALF = T4 * SD / math.sqrt(5)  # 1.96317
PI_HALF = T4 * SD * math.sqrt(1 + 1 / 5)  # 4.80894


def difference(threshold=2.0):
    return Claim("Cx", "an effect", "a difference (pp)", ">", threshold, 0.0, claims.PERCENT_DIFFERENCE, "t",
                 lambda early, diffs: 0.0)


def test_prediction_interval_by_hand():
    assert prediction_interval(VALUES) == pytest.approx((3 - PI_HALF, 3 + PI_HALF), abs=1e-5)
    assert prediction_interval(VALUES) == pytest.approx((-1.80894, 7.80894), abs=1e-5)
    low, high = prediction_interval([0.9, 0.95, 1.0], bounds=claims.CORRELATION)  # t PI reaches past 1: cut
    assert high == 1.0 and low < 0.9
    assert all(math.isnan(v) for v in prediction_interval([3.0]))


def test_seeds_needed_by_hand():
    # gap to the threshold 1: t(n-1) * 1.58114 / sqrt(n) < 1 first at n = 13
    # (n = 12: 2.2010 * 1.58114 / 3.4641 = 1.0046; n = 13: 2.1788 * 1.58114 / 3.6056 = 0.9555)
    assert seeds_needed(VALUES, threshold=2.0) == 13
    assert seeds_needed(VALUES, threshold=3.0) is None  # the mean sits on the threshold
    assert seeds_needed([5.0, 5.0], threshold=2.0) == 2


def test_read_claim_by_hand():
    row = claims.read_claim(difference(), VALUES, paper=5.0)
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx((3.0, 3 - CI_HALF, 3 + CI_HALF), abs=1e-5)
    assert (row["pi_low"], row["pi_high"]) == pytest.approx((3 - PI_HALF, 3 + PI_HALF), abs=1e-5)
    assert row["paper_in_ci"] is False  # 5 > 4.963
    assert row["paper_in_pi"] is True  # 5 < 7.809
    assert row["direction"] == "same"  # 1.037 > 0: the whole CI on the paper's side of no effect
    assert row["verdict"] == "inconclusive"  # ... but it straddles the threshold 2
    assert row["seeds_needed"] == 13
    assert row["n_seeds"] == 5 and row["interval"] == "Student t"

    inside = claims.read_claim(difference(), VALUES, paper=4.0)
    assert inside["paper_in_ci"] is True and inside["paper_in_pi"] is True
    far = claims.read_claim(difference(), VALUES, paper=9.0)
    assert far["paper_in_ci"] is False and far["paper_in_pi"] is False
    decided = claims.read_claim(difference(threshold=0.5), VALUES, paper=5.0)
    assert decided["verdict"] == "reproduced" and decided["seeds_needed"] is None
    opposite = claims.read_claim(difference(), [-v for v in VALUES], paper=5.0)
    assert (opposite["direction"], opposite["verdict"]) == ("opposite", "not reproduced")
    unknown = claims.read_claim(difference(), VALUES, paper=math.nan)
    assert unknown["paper_in_ci"] is pd.NA and unknown["paper_in_pi"] is pd.NA


def test_level_claims_read_direction_against_their_threshold():
    level = Claim("Cy", "voice collapses", "voice accuracy (%)", "<", 75.0, 75.0, claims.PERCENT, "bca",
                  lambda early, diffs: 0.0)
    row = claims.read_claim(level, [99.0, 100.0, 99.5, 100.0, 98.5], paper=50.0)
    assert (row["direction"], row["verdict"]) == ("opposite", "not reproduced")
    assert row["paper_in_ci"] is False and row["paper_in_pi"] is False


def test_bounded_intervals_stay_in_range():
    near_ceiling = [100.0, 100.0, 99.0, 100.0, 97.0, 100.0]
    mean, low, high = bootstrap_ci(near_ceiling)
    assert 97.0 <= low <= mean <= high <= 100.0
    rhos = [1.0, 0.95, 1.0, -0.2, 1.0]  # a t interval here reaches past 1
    mean, low, high = bootstrap_ci(rhos)
    assert -1.0 <= low <= mean <= high <= 1.0
    row = claims.read_claim(Claim("C3", "rises", "Spearman rho", ">", 0.0, 0.0, claims.CORRELATION, "bca",
                                  lambda early, diffs: 0.0), rhos, paper=0.99)
    assert -1.0 <= row["ci_low"] and row["ci_high"] <= 1.0 and -1.0 <= row["pi_low"] and row["pi_high"] == 1.0
    assert bootstrap_ci(rhos) == bootstrap_ci(rhos)  # fixed generator: the same interval every time
    assert bootstrap_ci([0.5, 0.5, 0.5]) == (0.5, 0.5, 0.5)


def test_seed_counts():
    assert claims.seed_counts(2) == [2]
    assert claims.seed_counts(5) == [5]
    assert claims.seed_counts(20) == [5, 10, 20]
    assert claims.seed_counts(12) == [5, 10, 12]
    assert claims.seed_counts(60) == [5, 10, 20, 50, 60]
