"""Tables 1/2 and the claims verdicts on synthetic metrics with known answers."""

import math

import pandas as pd
import pytest

from devprune.phased import claims, tables

from conftest import tiny_config

EVAL = {"noise_sigmas": [1.0, 3.0], "cue_weights": [1.0, 0.5], "integration": {"ambiguous_cue_weight": 0.5}}
CLAIMS = {**tiny_config()["claims"], "low_density": 0.2}
DENSITIES = [round(0.1 * k, 1) for k in range(1, 11)]


def synthetic_metrics(values, seeds=(0, 1, 2, 3, 4)):
    """Tidy rows; ``values(seed, stage, density, branch)`` gives the five headline numbers."""
    rows = []
    for seed in seeds:
        models = [("early", d, None) for d in DENSITIES]
        models += [("late", d, b) for d in DENSITIES for b in ("normal", "asd")]
        for stage, density, branch in models:
            v = values(seed, stage, density, branch)
            final = density * {None: 1.0, "normal": 0.8, "asd": 0.5}[branch]
            base = {"seed": seed, "stage": stage, "method": "magnitude", "early_density": density, "branch": branch, "final_density": final}
            for metric, condition, level, value in [
                ("visual_accuracy", "clean", 1.0, v["visual"]), ("voice_accuracy", "clean", 1.0, v["voice"]),
                ("stress_tolerance", "noise_sigma", 1.0, 99.0), ("stress_tolerance", "noise_sigma", 3.0, v["stress"]),
                ("ambiguity_tolerance", "cue_weight", 1.0, 100.0), ("ambiguity_tolerance", "cue_weight", 0.5, v["ambiguity"]),
                ("sensory_integration", "clear", 1.0, 60.0), ("sensory_integration", "ambiguous", 0.5, v["blended"]),
            ]:
                rows.append({**base, "metric": metric, "condition": condition, "level": level, "value": value})
    return pd.DataFrame(rows)


def paper_like(seed, stage, density, branch):
    """Stress rises with density, ambiguity is U-shaped, normal beats ASD on noise by 10 +- 1,
    ASD beats normal on ambiguity by 20 at high density; voice fails only at 10 %."""
    jitter = (seed - 2) * 0.5
    stress = 40 + 40 * density + jitter
    ambiguity = 50 + 100 * (density - 0.55) ** 2 + jitter
    if branch == "normal":
        stress += 5
    elif branch == "asd":
        stress -= 5 + jitter
        ambiguity += 20 if density >= 0.8 else 0
    voice = 50.0 + jitter if density == 0.1 else 100.0
    return {"visual": 100.0, "voice": voice, "stress": stress, "ambiguity": ambiguity, "blended": 45.0}


def test_table1_means_and_cis():
    wide = tables.headline_values(synthetic_metrics(paper_like), EVAL)
    t1 = tables.table1(wide).set_index("density_pct")
    assert list(t1.index) == [10 * k for k in range(1, 11)]
    assert t1.loc[50, "stress_mean"] == pytest.approx(60.0)
    assert t1.loc[50, "stress_ci_low"] < 60 < t1.loc[50, "stress_ci_high"]
    assert t1.loc[10, "voice_paper"] == 50.0 and t1.loc[50, "n_seeds"] == 5


def test_table2_differences_and_holm():
    wide = tables.headline_values(synthetic_metrics(paper_like), EVAL)
    t2 = tables.table2(wide, "normal", "asd").set_index("density_pct")
    assert t2["final_ref_mean"].loc[40] == pytest.approx(32.0) and t2["final_cmp_mean"].loc[40] == pytest.approx(20.0)
    assert t2["stress_diff_mean"].tolist() == pytest.approx([10.0] * 10)
    assert (t2["stress_diff_p_holm"] < 0.05).all()
    assert (t2["stress_diff_p_holm"] >= t2["stress_diff_p"]).all()
    assert t2.loc[90, "ambiguity_diff_mean"] == pytest.approx(-20.0) and t2.loc[90, "ambiguity_diff_paper"] == -73.3
    assert math.isnan(t2.loc[40, "ambiguity_diff_p"])  # identical branches: no test


def _verdicts(values, seeds=(0, 1, 2, 3, 4)):
    wide = tables.headline_values(synthetic_metrics(values, seeds), EVAL)
    return claims.claims_table(wide, CLAIMS).set_index("claim_id")


def test_claims_reproduced_on_paper_like_data():
    table = _verdicts(paper_like)
    for claim in ("C1", "C2a", "C2b", "C3", "C4", "C5", "C6"):
        assert table.loc[claim, "verdict"] == "reproduced", table.loc[claim].to_dict()
        assert table.loc[claim, "direction"] == "same"
        assert pd.isna(table.loc[claim, "seeds_needed"])  # decided
    assert table.loc["C5", "estimate"] == pytest.approx(10.0)
    assert table.loc["C3", "paper_estimate"] > 0.9  # the paper's own Table 1 rises with density


def test_claims_not_reproduced_when_effects_reverse():
    def reversed_(seed, stage, density, branch):
        v = paper_like(seed, stage, density, branch)
        v["stress"] = 90 - 40 * density + (seed - 2) * 0.5 + (8 if branch == "asd" else 0)
        v["ambiguity"] = 60 + (seed - 2) * 0.5
        return v

    table = _verdicts(reversed_)
    for claim in ("C3", "C4", "C5", "C6"):
        assert table.loc[claim, "verdict"] == "not reproduced", table.loc[claim].to_dict()
    assert (table.loc[["C3", "C5"], "direction"] == "opposite").all()
    # flat, equal ambiguity: no U and no branch difference, so the CIs are exactly 0 - on neither side
    for claim in ("C4", "C6"):
        assert table.loc[claim, ["ci_low", "ci_high"]].tolist() == [0.0, 0.0] and table.loc[claim, "direction"] == "undecided"


def test_one_seed_is_inconclusive():
    table = _verdicts(paper_like, seeds=(0,))
    assert set(table["verdict"]) == {"inconclusive"} and set(table["direction"]) == {"undecided"}
    assert table["ci_low"].isna().all() and table["pi_low"].isna().all()


def test_stability_uses_seed_prefixes_and_halves():
    wide = tables.headline_values(synthetic_metrics(paper_like, seeds=range(12)), EVAL)
    stability = claims.stability_table(wide, CLAIMS).assign(method="magnitude")
    subsets = stability.drop_duplicates("subset").set_index("subset")["subset_seeds"].to_dict()
    assert subsets == {"first 5": 5, "first 10": 10, "first 12": 12, "seeds 0-5": 6, "seeds 6-11": 6}
    c5 = stability[stability["claim_id"] == "C5"].set_index("subset")
    # the synthetic noise difference is 10 + (seed - 2) * 0.5 at every density; seeds 0-5 average 2.5
    assert c5.loc["seeds 0-5", "estimate"] == pytest.approx(10 + 0.5 * (2.5 - 2))
    agreement = claims.split_half_agreement(stability)
    assert len(agreement) == 9 and agreement["same_verdict"].all()


def test_table_intervals_stay_in_range():
    def at_ceiling(seed, stage, density, branch):
        v = paper_like(seed, stage, density, branch)
        v["visual"] = 100.0 if seed else 97.0  # a t interval of these reaches past 100
        return v

    t1 = tables.table1(tables.headline_values(synthetic_metrics(at_ceiling), EVAL))
    assert (t1["visual_ci_high"] == 100.0).all() and (t1["visual_ci_low"] < 100.0).all()


def test_one_seed_has_no_halves_to_compare():
    wide = tables.headline_values(synthetic_metrics(paper_like, seeds=(0,)), EVAL)
    stability = claims.stability_table(wide, CLAIMS).assign(method="magnitude")
    assert set(stability["subset"]) == {"first 1"}
    agreement = claims.split_half_agreement(stability)
    assert agreement.empty and "same_verdict" in agreement.columns
    assert "Split-half" not in claims.stability_markdown(stability, agreement)
