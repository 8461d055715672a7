"""The four readings of a claim against hand computations on known numbers, intervals that stay
inside a statistic's range, and the stability table's seed subsets."""

import math

import numpy as np
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
    return Claim("Cx", "direction", "a quote", "an effect", "a difference (pp)", ">", threshold, 0.0,
                 claims.PERCENT_DIFFERENCE, "t", lambda results: 0.0)


def level(band, interval="bca"):
    return Claim("Cy", "level", "about 50 percent", "a level", "an accuracy (%)", "in", band, None, claims.PERCENT,
                 interval, lambda results: 0.0)


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


def test_level_claims_read_their_band():
    far = claims.read_claim(level((45.0, 55.0)), [99.0, 100.0, 99.5, 100.0, 98.5], paper=50.0)
    assert (far["direction"], far["verdict"]) == ("n/a", "not reproduced")  # the whole CI above 55
    assert far["paper_in_ci"] is False and far["paper_in_pi"] is False
    assert (far["band_low"], far["band_high"]) == (45.0, 55.0) and math.isnan(far["threshold"])
    t_level = level((45.0, 55.0), interval="t")
    inside = claims.read_claim(t_level, VALUES, paper=3.0)  # CI [1.04, 4.96] against [0, 10]
    assert claims.read_claim(level((0.0, 10.0), "t"), VALUES, paper=3.0)["verdict"] == "reproduced"
    assert inside["verdict"] == "not reproduced"  # wholly below 45
    across = claims.read_claim(level((4.0, 10.0), "t"), VALUES, paper=3.0)
    assert across["verdict"] == "inconclusive"
    # seeds needed: to the nearer band edge, 4 (the mean is 3): t(n-1) * 1.58114 / sqrt(n) < 1 first at n = 13
    assert across["seeds_needed"] == 13


def test_level_bands_widen_the_stated_value_by_the_tolerance():
    cfg = {**claims_cfg(), "level_tolerance": 5.0}
    by_id = {c.claim_id: c for c in claims.claim_statistics(cfg)}
    assert by_id["C9"].target == (79.0, 89.0)  # "about 84 percent"
    assert by_id["C14"].target == (33.0, 45.0)  # "about 38-40 percent"
    assert by_id["C1"].target == (95.0, 100.0)  # "100 percent", cut to the range
    assert by_id["C21"].target == (0.0, 5.0)  # "nearly identical": |difference| about 0
    assert by_id["C19"].target == (68.0, 78.0) and by_id["C19"].bounds == claims.PERCENT_DIFFERENCE
    assert {c.kind for c in by_id.values()} == set(claims.KINDS)
    assert all(c.quote for c in by_id.values()) and len(by_id) == 24
    narrow = {c.claim_id: c for c in claims.claim_statistics({**cfg, "level_tolerance": 1.0})}
    assert narrow["C9"].target == (83.0, 85.0)


def claims_cfg():
    from conftest import tiny_config

    return tiny_config()["claims"]


def test_bounded_intervals_stay_in_range():
    near_ceiling = [100.0, 100.0, 99.0, 100.0, 97.0, 100.0]
    mean, low, high = bootstrap_ci(near_ceiling)
    assert 97.0 <= low <= mean <= high <= 100.0
    rhos = [1.0, 0.95, 1.0, -0.2, 1.0]  # a t interval here reaches past 1
    mean, low, high = bootstrap_ci(rhos)
    assert -1.0 <= low <= mean <= high <= 1.0
    row = claims.read_claim(Claim("C3", "direction", "grew", "rises", "Spearman rho", ">", 0.0, 0.0, claims.CORRELATION,
                                  "bca", lambda results: 0.0), rhos, paper=0.99)
    assert -1.0 <= row["ci_low"] and row["ci_high"] <= 1.0 and -1.0 <= row["pi_low"] and row["pi_high"] <= 1.0
    # the normal-theory PI of these reaches past 1, so the distribution-free one is used: [min, max] of 5
    assert (row["pi_method"], row["pi_low"], row["pi_high"]) == ("order statistics", -0.2, 1.0)
    assert row["pi_level"] == pytest.approx(4 / 6) and row["pi_reason"].startswith("order statistics")
    assert bootstrap_ci(rhos) == bootstrap_ci(rhos)  # fixed generator: the same interval every time
    assert bootstrap_ci([0.5, 0.5, 0.5]) == (0.5, 0.5, 0.5)


def test_seed_counts():
    assert claims.seed_counts(2) == [2]
    assert claims.seed_counts(5) == [5]
    assert claims.seed_counts(20) == [5, 10, 20]
    assert claims.seed_counts(12) == [5, 10, 12]
    assert claims.seed_counts(60) == [5, 10, 20, 50, 60]


def test_verdict_agreement_near_one_far_from_the_threshold_and_near_half_on_it():
    rng = np.random.default_rng(7)
    values = rng.normal(0.0, 1.0, 20)
    far = claims.read_claim(difference(threshold=-3.0), values + 0.0, paper=0.0)  # CI about [-0.5, 0.5], far above -3
    assert far["verdict"] == "reproduced" and far["verdict_agreement"] >= 0.99 and far["fragile"] is False
    ci_high = claims.read_claim(difference(), values, paper=0.0)["ci_high"]
    on = claims.read_claim(difference(threshold=ci_high + 1e-9), values, paper=0.0)  # the CI ends on the threshold
    assert on["verdict"] == "not reproduced"
    assert 0.4 <= on["verdict_agreement"] <= 0.6 and on["fragile"] is True
    again = claims.read_claim(difference(threshold=ci_high + 1e-9), values, paper=0.0)
    assert again["verdict_agreement"] == on["verdict_agreement"]  # fixed generator
    assert math.isnan(claims.read_claim(difference(), [1.0], paper=0.0)["verdict_agreement"])


def test_the_pi_switches_to_order_statistics_when_normal_theory_misses_its_coverage():
    heaped = [0.0] * 3 + [100.0] * 17  # values heaped at both ends: the normal PI misses the 0s
    row = claims.read_claim(level((95.0, 100.0)), heaped, paper=50.0)
    assert row["pi_normal_coverage"] == pytest.approx(17 / 20)  # every 100 held, no 0
    assert row["pi_method"] == "order statistics" and "0.85 of left-out seeds" in row["pi_reason"]
    assert (row["pi_low"], row["pi_high"], row["pi_level"]) == (0.0, 100.0, pytest.approx(19 / 21))
    normal = claims.read_claim(difference(), np.random.default_rng(3).normal(0.0, 1.0, 20), paper=0.0)
    assert normal["pi_method"] == "normal" and normal["pi_level"] == 0.95
