"""The paper's claims, each read over seeds, and how those readings settle as seeds grow.

Every quantitative statement of the paper's Results and Discussion is a :class:`Claim`: the
sentence (``quote``), a ``kind`` and a statistic computed on one seed's results, so the seed is
the unit of replication. The kinds:

* ``direction``: the sign against no effect (a difference beyond the negligible-effect margin,
  or a correlation above zero);
* ``size``: the paper's stated magnitude (e.g. a difference of at least 5 points);
* ``level``: a stated value ("about 84 %") or range ("38-40 %"), widened on both sides by the
  one tolerance ``claims.level_tolerance`` (percentage points) and cut to the statistic's range.

Per claim and method the table gives:

* the mean over seeds with its 95 % CI (Student t, or BCa bootstrap for bounded statistics),
  and the ``verdict``: the whole CI on the claimed side of the threshold (inside the band, for a
  level claim) is reproduced, the whole CI beyond it not reproduced, else inconclusive;
* ``direction`` (direction and size claims): the whole CI on the paper's side of no effect
  (same), beyond it (opposite) or across it (undecided); ``n/a`` for a level;
* the prediction interval (PI) for one new seed, whether the paper's single run falls in it
  (``paper_in_pi``: if not, seed noise does not explain the gap) and in our CI (``paper_in_ci``).
  The PI is normal-theory unless its measured leave-one-seed-out coverage is below 0.90 or it
  reaches past the statistic's range; then it is the distribution-free order-statistic interval
  (``pi_method``, ``pi_level`` and ``pi_reason`` say which, at what level and why);
* ``verdict_agreement``: the share of bootstrap replications (the same number of seeds, drawn
  with replacement from ours) that give our verdict; below 0.9 the verdict is ``fragile``;
* ``seeds_needed``: for an inconclusive verdict, the seeds at which a t interval with the
  observed mean and spread would exclude the threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from devprune.config import schema_defaults
from devprune.markdown_tables import markdown_table
from devprune.phased import tables
from devprune.stats import (bootstrap_ci, holm, leave_one_out_coverage, leave_one_out_hits, mean_ci, order_statistic_pi,
                            paired_t_pvalue, prediction_interval, seeds_needed)
from devprune.verdicts import direction, verdict

PERCENT = (0.0, 100.0)
PERCENT_DIFFERENCE = (-100.0, 100.0)
CORRELATION = (-1.0, 1.0)

#: How each claim's CI is computed: bounded statistics near their bounds are skewed, and BCa
#: stays inside the range; differences are means of many per-density differences (t).
INTERVALS = {"t": "Student t", "bca": "BCa bootstrap"}
KINDS = ("direction", "size", "level")

#: The normal-theory PI is kept while its leave-one-seed-out coverage is at least this.
PI_COVERAGE_FLOOR = 0.90
PI_CONFIDENCE = 0.95
#: Bootstrap replications behind ``verdict_agreement`` (Monte-Carlo standard error at most
#: 0.5 / sqrt(500) = 0.022), with a fixed generator so a rerun gives the same share.
AGREEMENT_REPLICATES = 500
AGREEMENT_SEED = 0
#: A verdict that fewer than this share of replications repeat is marked fragile.
FRAGILE_BELOW = 0.9


@dataclass(frozen=True)
class SeedResults:
    """One seed's results as the claims read them (or the paper's, from its two tables).

    ``early`` and ``diffs`` are indexed by early density (%); ``late`` by density and branch;
    ``baseline`` is the dense baseline's five measures. The paper's tables give neither of the
    last two (None)."""

    early: pd.DataFrame
    diffs: pd.DataFrame
    late: pd.DataFrame | None = None
    baseline: pd.Series | None = None


@dataclass(frozen=True)
class Claim:
    """One claim: the paper's sentence, a per-seed statistic and how to read it.

    ``target`` is the threshold the statistic must exceed (``side`` ``>``) or stay below
    (``<``), or for a level claim (side ``in``) the band it must lie in; ``no_effect`` is the
    value that means no effect at all (direction is read against it; None for a level).
    ``paper_text`` is the paper's value where its tables cannot give the statistic (the text's
    own number, or NaN when it states none). ``most_densities`` names a difference column that
    must also be Holm-significant at more than half of the densities ("at most densities")."""

    claim_id: str
    kind: str
    quote: str
    claim: str
    statistic: str
    side: str
    target: float | tuple[float, float]
    no_effect: float | None
    bounds: tuple[float, float]
    interval: str
    fn: Callable[[SeedResults], float]
    paper_text: float | None = None
    most_densities: str | None = None


def _spearman(x, y) -> float:
    if len(x) < 3 or np.ptp(y) == 0:
        return math.nan
    return float(scipy_stats.spearmanr(x, y).statistic)


def _at(frame: pd.DataFrame, column: str, density: float) -> float:
    """The value at one early density (%); NaN when the run has no such density."""
    return float(frame[column].get(density, math.nan))


def _mean_between(frame: pd.DataFrame, column: str, low: float, high: float) -> float:
    """Mean over the early densities (%) in [low, high]; NaN when none is there."""
    index = frame.index.get_level_values("density_pct")
    chosen = frame[column][(index >= low - 1e-9) & (index <= high + 1e-9)]
    return float(chosen.mean()) if len(chosen) else math.nan


def _extremes(frame: pd.DataFrame, column: str) -> float:
    """Mean at the lowest and the highest early density."""
    return float(frame[column].iloc[[0, -1]].mean())


def _branch(results: SeedResults, branch: str) -> pd.DataFrame:
    return results.late.xs(branch, level="branch")


def claim_statistics(cfg: dict) -> list[Claim]:
    """Every quantitative statement of the paper's Results and Discussion (seed 000), in the
    paper's order of ids: C1-C7b as they were, C8 onwards added. Direction claims use the
    negligible effect as threshold; level claims the stated value +- ``level_tolerance``."""
    cfg = {**schema_defaults("claims"), **cfg}
    margin, tolerance = cfg["negligible_effect"], cfg["level_tolerance"]
    high, low = 100 * cfg["high_density"], 100 * cfg["low_density"]
    mid_low, mid_high = (100 * d for d in cfg["mid_densities"])
    ref, cmp = cfg["reference_branch"], cfg["comparison_branch"]

    def level(claim_id, quote, claim, statistic, stated, fn, bounds=PERCENT, paper_text=None):
        stated_low, stated_high = stated if isinstance(stated, tuple) else (stated, stated)
        band = (max(bounds[0], stated_low - tolerance), min(bounds[1], stated_high + tolerance))
        return Claim(claim_id, "level", quote, claim, statistic, "in", band, None, bounds, "bca", fn, paper_text)

    def difference(claim_id, kind, quote, claim, statistic, fn, threshold=margin, side=">", **extra):
        return Claim(claim_id, kind, quote, claim, statistic, side, threshold, 0.0, PERCENT_DIFFERENCE, "t", fn, **extra)

    def absolute_gap(column):
        def statistic(r):
            d = r.diffs[column].abs()
            return d[d.index > low].mean() - d[d.index <= low].mean()
        return statistic

    def both_branches_stress(r):
        return ((_branch(r, ref)["stress"] + _branch(r, cmp)["stress"]) / 2).to_frame("stress")

    mid = f"{mid_low:g}-{mid_high:g} %"
    return [
        level("C1", "Visual accuracy stayed at or near 100 percent regardless of condition",
              "Visual accuracy stays ~100 % at every density (early and both late branches)",
              "lowest visual accuracy over all pruned models (%)", 100.0,
              lambda r: min(r.early["visual"].min(), r.diffs["visual_ref"].min(), r.diffs["visual_cmp"].min())),
        level("C2a", "At the most aggressive early cut (10 percent of weights kept) voice accuracy fell to chance "
              "(roughly 50 percent)", "Voice accuracy falls to chance at the lowest early density",
              "voice accuracy at the lowest density (%)", 50.0, lambda r: r.early["voice"].iloc[0]),
        level("C2b", "but recovered to 100 percent once at least one-fifth of the original connections were present",
              "Voice accuracy recovers to ~100 % from the second-lowest density (20 %) up",
              "lowest voice accuracy over the other densities (%)", 100.0, lambda r: r.early["voice"].iloc[1:].min()),
        Claim("C3", "direction", "Noise robustness grew steadily with added connections",
              "Stress tolerance rises with early density",
              "Spearman rho(density, stress tolerance at the highest noise)", ">", 0.0, 0.0, CORRELATION, "bca",
              lambda r: _spearman(r.early.index, r.early["stress"])),
        difference("C4", "direction", "Extreme sparsity or full density produced high tolerance to cue conflict, whereas "
                   "intermediate densities (about 60–80 percent of weights) yielded the poorest ambiguous performance",
                   f"Ambiguity tolerance is U-shaped: higher at the extreme densities than at {mid}",
                   f"mean ambiguity tolerance at the two extreme densities - mean at {mid} (pp)",
                   lambda r: _extremes(r.early, "ambiguity") - _mean_between(r.early, "ambiguity", mid_low, mid_high)),
        difference("C5", "direction", "Across almost all starting densities the normally pruned branch—losing 20 percent "
                   "of its remaining weights—handled hidden noise better",
                   "The reference (normal) branch is more noise-tolerant than the comparison (ASD) branch at most densities",
                   "stress tolerance difference ref - cmp, mean over densities (pp)",
                   lambda r: r.diffs["stress_diff"].mean(), most_densities="stress_diff"),
        difference("C6", "direction", "the aggressively pruned branch—losing 50 percent—excelled at resisting cue "
                   "ambiguity when its early density had been high",
                   "The comparison (ASD) branch is more ambiguity-tolerant after high early density",
                   f"ambiguity tolerance difference cmp - ref, mean over densities >= {high:g} % (pp)",
                   lambda r: -r.diffs["ambiguity_diff"][r.diffs.index >= high].mean()),
        difference("C7a", "direction", "When early density was low (10–20 percent) the two late-pruning strategies "
                   "converged: stress tolerance differences shrank", "Branches converge at low early density: stress tolerance",
                   f"abs(stress diff) above {low:g} % - abs(stress diff) at <= {low:g} % (pp)", absolute_gap("stress_diff")),
        difference("C7b", "direction", "and ambiguity scores were nearly identical",
                   "Branches converge at low early density: ambiguity tolerance",
                   f"abs(ambiguity diff) above {low:g} % - abs(ambiguity diff) at <= {low:g} % (pp)",
                   absolute_gap("ambiguity_diff")),
        level("C8", "The dense baseline achieved ceiling-level accuracy on both visual and voice rules",
              "The dense baseline is at ceiling on both tasks", "lower of the baseline's visual and voice accuracy (%)",
              100.0, lambda r: min(r.baseline["visual"], r.baseline["voice"]), paper_text=100.0),
        level("C9", "and withstood hidden-layer noise (about 84 percent correct at the highest noise level)",
              "The dense baseline keeps ~84 % under the highest noise", "baseline stress tolerance at the highest noise (%)",
              84.0, lambda r: r.baseline["stress"], paper_text=84.0),
        level("C10", "rising from 45 percent at 10 percent density", "Stress tolerance is ~45 % at 10 % density",
              "stress tolerance at 10 % density (%)", 45.0, lambda r: _at(r.early, "stress", 10.0)),
        level("C11", "to nearly 85 percent at 90 percent density", "Stress tolerance is ~85 % at 90 % density",
              "stress tolerance at 90 % density (%)", 85.0, lambda r: _at(r.early, "stress", 90.0)),
        difference("C12", "direction", "and then dipping slightly in the fully dense model",
                   "Stress tolerance dips from 90 % to 100 % density", "stress tolerance at 100 % - at 90 % (pp)",
                   lambda r: _at(r.early, "stress", 100.0) - _at(r.early, "stress", 90.0), threshold=-margin, side="<"),
        level("C13", "intermediate densities (about 60–80 percent of weights) yielded the poorest ambiguous performance, "
              "near 50 percent correct", f"Ambiguity tolerance is ~50 % at {mid}",
              f"mean ambiguity tolerance at {mid} (%)", 50.0,
              lambda r: _mean_between(r.early, "ambiguity", mid_low, mid_high)),
        level("C14", "The same mid-range models also struggled with blended sensory inputs, dipping to about 38–40 "
              "percent accuracy", f"Blended-input accuracy is ~38-40 % at {mid}",
              f"mean blended + ambiguous accuracy at {mid} (%)", (38.0, 40.0),
              lambda r: _mean_between(r.early, "blended", mid_low, mid_high)),
        level("C15", "while the sparsest and densest networks fared better (around mid-40s to mid-50s)",
              "Blended-input accuracy at the extreme densities is in the mid-40s to mid-50s",
              "mean blended + ambiguous accuracy at the two extreme densities (%)", (45.0, 55.0),
              lambda r: _extremes(r.early, "blended")),
        difference("C16", "direction", "while the sparsest and densest networks fared better",
                   f"Blended-input accuracy is higher at the extreme densities than at {mid}",
                   f"mean blended + ambiguous accuracy at the two extremes - at {mid} (pp)",
                   lambda r: _extremes(r.early, "blended") - _mean_between(r.early, "blended", mid_low, mid_high)),
        difference("C17", "size", "handled hidden noise better, often by 5–19 percentage points",
                   "The normal branch's noise advantage is at least 5 points",
                   "stress tolerance difference ref - cmp, mean over densities (pp)",
                   lambda r: r.diffs["stress_diff"].mean(), threshold=5.0),
        difference("C18", "size", "beginning at 40 percent density then pruning hard in adolescence raised ambiguous-cue "
                   "accuracy by more than 50 points compared with the normal branch",
                   "From 40 % density the ASD branch is more than 50 points more ambiguity-tolerant",
                   "ambiguity tolerance difference cmp - ref at 40 % density (pp)",
                   lambda r: -_at(r.diffs, "ambiguity_diff", 40.0), threshold=50.0),
        level("C19", "starting at 90 percent density produced a swing of roughly 73 points in favour of the aggressive cut",
              "From 90 % density the ASD branch is ~73 points more ambiguity-tolerant",
              "ambiguity tolerance difference cmp - ref at 90 % density (pp)", 73.0,
              lambda r: -_at(r.diffs, "ambiguity_diff", 90.0), bounds=PERCENT_DIFFERENCE),
        level("C20", "Networks that started with abundant early connections and then lost half of their remaining "
              "weights ... maintaining close to 80 percent accuracy when the rule signal was fully ambiguous",
              "After high early density the ASD branch keeps ~80 % under the ambiguous cue",
              f"comparison-branch ambiguity tolerance, mean over densities >= {high:g} % (%)", 80.0,
              lambda r: _mean_between(_branch(r, cmp), "ambiguity", high, 100.0), paper_text=80.0),
        level("C21", "When early density was low (10–20 percent) ... ambiguity scores were nearly identical",
              "At low early density the branches' ambiguity tolerance is nearly identical",
              f"abs(ambiguity diff), mean over densities <= {low:g} % (pp)", 0.0,
              lambda r: _mean_between(r.diffs.abs(), "ambiguity_diff", 0.0, low)),
        difference("C22", "direction", "If early connectivity was already sparse, both late-stage strategies converged on "
                   "fragility", "Both late branches are less noise-tolerant after low than after high early density",
                   f"both branches' mean stress tolerance at >= {high:g} % - at <= {low:g} % (pp)",
                   lambda r: _mean_between(both_branches_stress(r), "stress", high, 100.0)
                   - _mean_between(both_branches_stress(r), "stress", 0.0, low), paper_text=math.nan),
    ]


# ---- reading one claim ---------------------------------------------------------------------------

def _inside(value: float, low: float, high: float):
    """Whether ``value`` lies in [low, high]; missing (NA) when any of them is unknown."""
    if any(math.isnan(v) for v in (value, low, high)):
        return pd.NA
    return bool(low <= value <= high)


def _confidence_interval(claim: Claim, values) -> tuple[float, float, float]:
    return bootstrap_ci(values) if claim.interval == "bca" else mean_ci(values, bounds=claim.bounds)


def _significant_densities(by_density: np.ndarray, alpha: float) -> int:
    """Densities (columns) whose per-seed differences are positive on average and significant
    by a paired t-test, Holm-corrected over the densities (as Table 2 reports them)."""
    pvalues = [paired_t_pvalue(column) for column in by_density.T]
    positive = np.nanmean(by_density, axis=0) > 0 if len(by_density) else np.zeros(by_density.shape[1], bool)
    return int(((holm(pvalues) < alpha) & positive).sum())


def claim_verdict(claim: Claim, values, by_density: np.ndarray | None = None, alpha: float = 0.05) -> str:
    """The verdict of ``claim`` on per-seed ``values``: its CI against its target, and for an
    "at most densities" claim a Holm-significant difference at more than half of the densities."""
    _, low, high = _confidence_interval(claim, values)
    decided = verdict(claim.side, claim.target, low, high)
    if claim.most_densities and decided == "reproduced" and 2 * _significant_densities(by_density, alpha) <= by_density.shape[1]:
        return "inconclusive"
    return decided


def choose_prediction_interval(values, bounds: tuple[float, float]) -> dict:
    """The PI for one new seed and why it is that one: normal theory while its leave-one-seed-out
    coverage is at least ``PI_COVERAGE_FLOOR`` and it stays inside the statistic's range, else
    the distribution-free order-statistic interval (its level stated)."""
    values = np.asarray(values, dtype=float)
    coverage = leave_one_out_coverage(values, lambda v: prediction_interval(v, PI_CONFIDENCE, bounds))
    raw_low, raw_high = prediction_interval(values, PI_CONFIDENCE)
    measured = not math.isnan(coverage)  # too few seeds to measure it: normal theory stays
    misses = measured and coverage < PI_COVERAGE_FLOOR
    past_range = measured and (raw_low < bounds[0] or raw_high > bounds[1])
    if misses or past_range:
        low, high, level = order_statistic_pi(values, PI_CONFIDENCE)
        method = "order statistics"
        reason = (f"order statistics: the normal-theory PI held {coverage:.2f} of left-out seeds (below "
                  f"{PI_COVERAGE_FLOOR:.2f})" if misses else
                  f"order statistics: the normal-theory PI reaches past the range [{bounds[0]:g}, {bounds[1]:g}]")
    else:
        (low, high), level, method = prediction_interval(values, PI_CONFIDENCE, bounds), PI_CONFIDENCE, "normal"
        reason = (f"normal theory: it held {coverage:.2f} of left-out seeds" if measured
                  else "normal theory: too few seeds to measure its coverage")
    return {"pi_low": low, "pi_high": high, "pi_level": level, "pi_method": method, "pi_reason": reason,
            "pi_normal_coverage": coverage}


def verdict_agreement(verdict_of: Callable[[np.ndarray], str], n: int, observed: str,
                      replicates: int = AGREEMENT_REPLICATES) -> float:
    """How often a replication with ``n`` new seeds repeats ``observed``: the share of bootstrap
    replicates (``n`` seed indices drawn with replacement, passed to ``verdict_of``) that give
    the same verdict. The seeds' own spread stands in for a new lab's. NaN below two seeds."""
    if n < 2 or replicates == 0:
        return math.nan
    rng = np.random.default_rng(AGREEMENT_SEED)
    return float(np.mean([verdict_of(rng.integers(0, n, n)) == observed for _ in range(replicates)]))


def _nearest_edge(claim: Claim, estimate: float) -> float:
    if claim.side != "in":
        return claim.target
    return min(claim.target, key=lambda edge: abs(edge - estimate))


def read_claim(claim: Claim, per_seed, paper: float, by_density: np.ndarray | None = None, alpha: float = 0.05,
               replicates: int = AGREEMENT_REPLICATES) -> dict:
    """Every reading of one claim from its per-seed values (and the paper's value): the one
    function behind the claims table, its seed subsets, halves and coverage."""
    values = np.asarray(per_seed, dtype=float)
    estimate, low, high = _confidence_interval(claim, values)
    decided = claim_verdict(claim, values, by_density, alpha)
    pi = choose_prediction_interval(values, claim.bounds)
    band = claim.target if claim.side == "in" else (math.nan, math.nan)
    n_seeds = int(np.isfinite(values).sum())
    agreement = verdict_agreement(
        lambda idx: claim_verdict(claim, values[idx], None if by_density is None else by_density[idx], alpha),
        len(values), decided, replicates if n_seeds >= 2 else 0)
    return {
        "claim_id": claim.claim_id, "kind": claim.kind, "quote": claim.quote, "claim": claim.claim,
        "statistic": claim.statistic, "side": claim.side,
        "threshold": math.nan if claim.side == "in" else claim.target, "band_low": band[0], "band_high": band[1],
        "no_effect": math.nan if claim.no_effect is None else claim.no_effect, "interval": INTERVALS[claim.interval],
        "estimate": estimate, "ci_low": low, "ci_high": high, **pi,
        "n_seeds": n_seeds, "paper_estimate": paper,
        "paper_source": "tables" if claim.paper_text is None else "text",
        "paper_in_ci": _inside(paper, low, high), "paper_in_pi": _inside(paper, pi["pi_low"], pi["pi_high"]),
        "direction": "n/a" if claim.no_effect is None else direction(claim.side, claim.no_effect, low, high),
        "verdict": decided, "verdict_agreement": agreement,
        "fragile": pd.NA if math.isnan(agreement) else bool(agreement < FRAGILE_BELOW),
        "seeds_needed": seeds_needed(values, _nearest_edge(claim, estimate)) if decided == "inconclusive" else None,
    }


# ---- a method's claims ---------------------------------------------------------------------------

def seed_results(wide: pd.DataFrame, claims_cfg: dict) -> dict[int, SeedResults]:
    """Each seed's results as the claims read them (``wide``: one method's models and the baseline)."""
    early = tables.early_frame(wide)
    diffs = tables.branch_differences(wide, claims_cfg["reference_branch"], claims_cfg["comparison_branch"])
    late, baseline = tables.late_frame(wide), tables.baseline_frame(wide)
    return {seed: SeedResults(early.xs(seed), diffs.xs(seed), late.xs(seed, level="seed"),
                              baseline.xs(seed).iloc[0] if seed in baseline.index.unique("seed") else None)
            for seed in early.index.unique("seed")}


def per_seed_values(wide: pd.DataFrame, claims_cfg: dict) -> pd.DataFrame:
    """One row per seed (index ``replicate_seed``: the table's ``seed`` column is its provenance,
    every seed joined), one column per claim: the claim's statistic on that seed."""
    claims = claim_statistics(claims_cfg)
    rows = {seed: {claim.claim_id: _statistic(claim, results) for claim in claims}
            for seed, results in seed_results(wide, claims_cfg).items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=[c.claim_id for c in claims]).rename_axis("replicate_seed")


def _statistic(claim: Claim, results: SeedResults) -> float:
    """The claim's statistic; NaN where these results lack what it reads (a density, the baseline)."""
    try:
        return float(claim.fn(results))
    except (KeyError, IndexError, TypeError, AttributeError):
        return math.nan


def paper_values(densities, diff_densities, claims_cfg: dict) -> dict[str, float]:
    """Each claim's statistic on the paper's Tables 1 and 2 (over the densities we ran), or the
    text's value where the tables cannot give it."""
    paper_early = tables.PAPER_TABLE1.loc[tables.PAPER_TABLE1.index.isin(densities)]
    paper_diffs = tables.PAPER_TABLE2.loc[tables.PAPER_TABLE2.index.isin(diff_densities)]
    complete = len(paper_early) == len(densities)
    results = SeedResults(paper_early, paper_diffs)
    return {claim.claim_id: (claim.paper_text if claim.paper_text is not None
                             else _statistic(claim, results) if complete else math.nan)
            for claim in claim_statistics(claims_cfg)}


def claims_table(wide: pd.DataFrame, claims_cfg: dict, replicates: int = AGREEMENT_REPLICATES) -> pd.DataFrame:
    """Every claim read over the seeds in ``wide`` (one method's headline values and the
    baseline); ``replicates`` 0 leaves out the verdict agreement (seed subsets)."""
    return read_claims(wide, claims_cfg, replicates)[0]


def read_claims(wide: pd.DataFrame, claims_cfg: dict,
                replicates: int = AGREEMENT_REPLICATES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims table of ``wide`` and the per-seed values it was read from
    (:func:`per_seed_values`), computed once for both."""
    values = per_seed_values(wide, claims_cfg)
    early = tables.early_frame(wide)
    diffs = tables.branch_differences(wide, claims_cfg["reference_branch"], claims_cfg["comparison_branch"])
    paper = paper_values(early.index.unique("density_pct"), diffs.index.unique("density_pct"), claims_cfg)
    rows = []
    for claim in claim_statistics(claims_cfg):
        by_density = diffs[claim.most_densities].unstack("density_pct").loc[values.index].to_numpy() if claim.most_densities else None
        row = read_claim(claim, values[claim.claim_id], paper[claim.claim_id], by_density, claims_cfg["alpha"], replicates)
        if by_density is not None:
            row["detail"] = (f"{_significant_densities(by_density, claims_cfg['alpha'])} of {by_density.shape[1]} densities "
                             f"significantly positive (paired t, Holm, alpha={claims_cfg['alpha']})")
        rows.append(row)
    table = pd.DataFrame(rows)
    if "detail" not in table:
        table["detail"] = None
    types = {"paper_in_ci": "boolean", "paper_in_pi": "boolean", "fragile": "boolean", "seeds_needed": "Int64"}
    return table.astype(types), values


# ---- prediction-interval coverage ---------------------------------------------------------------

#: Seeds per subsample in the coverage table (besides all seeds).
COVERAGE_SUBSAMPLES = (10, 20)


def pi_coverage_table(values: pd.DataFrame, claims_cfg: dict, chosen: pd.DataFrame) -> pd.DataFrame:
    """Leave-one-seed-out coverage of both PIs, per claim and subsample size m (10, 20, all):
    the seeds, in ascending order, cut into consecutive groups of m; within each group, every
    seed is held out once and tested against the PI built from the other m - 1. ``chosen`` (the
    claims table) says which PI each claim uses."""
    seeds = sorted(values.index)
    sizes = sorted({m for m in COVERAGE_SUBSAMPLES if m < len(seeds)} | {len(seeds)})
    picked = chosen.set_index("claim_id")["pi_method"]
    rows = []
    for claim in claim_statistics(claims_cfg):
        for m in sizes:
            groups = [seeds[i:i + m] for i in range(0, len(seeds) - m + 1, m)]
            normal, order = [], []
            for group in groups:
                column = values.loc[group, claim.claim_id].to_numpy(dtype=float)
                normal += leave_one_out_hits(column, lambda v: prediction_interval(v, PI_CONFIDENCE, claim.bounds))
                order += leave_one_out_hits(column, lambda v: order_statistic_pi(v, PI_CONFIDENCE))
            level = order_statistic_pi(np.arange(m - 1.0), PI_CONFIDENCE)[2] if m > 2 else math.nan
            normal_share, order_share = (float(np.mean(h)) if h else math.nan for h in (normal, order))
            rows.append({
                "claim_id": claim.claim_id, "seeds_per_subsample": m, "subsamples": len(groups), "held_out": len(normal),
                "normal_level": PI_CONFIDENCE, "normal_coverage": normal_share, "order_level": level,
                "order_coverage": order_share, "pi_method": picked[claim.claim_id],
                "chosen_coverage": order_share if picked[claim.claim_id] == "order statistics" else normal_share,
            })
    return pd.DataFrame(rows)



# ---- stability over seeds --------------------------------------------------------------------

def seed_counts(n_seeds: int) -> list[int]:
    """The seed counts the stability table reports: 5, 10, 20, 50, 100, ... up to and with all."""
    counts, step = [], 0
    while (count := (5, 10, 20)[step % 3] * 10 ** (step // 3)) < n_seeds:
        counts.append(count)
        step += 1
    return [*counts, n_seeds]


def stability_table(wide: pd.DataFrame, claims_cfg: dict) -> pd.DataFrame:
    """Claims on growing prefixes of the seeds (the first 5, 10, 20, ... in ascending order), and
    on each half (the lower and the upper half of the seeds) for split-half agreement.
    ``subset`` names the seeds used, ``subset_seeds`` counts them (``n_seeds`` counts those whose
    statistic is defined); ``kind`` is ``first`` or ``half``."""
    seeds = sorted(wide["seed"].unique())
    half = len(seeds) // 2
    subsets = [("first", f"first {k}", seeds[:k]) for k in seed_counts(len(seeds))]
    subsets += [("half", f"seeds {part[0]}-{part[-1]}", part) for part in (seeds[:half], seeds[half:]) if half]
    frames = []
    for kind, name, chosen in subsets:
        table = claims_table(wide[wide["seed"].isin(chosen)], claims_cfg, replicates=0)
        frames.append(table.assign(kind=kind, subset=name, subset_seeds=len(chosen)))
    return pd.concat(frames, ignore_index=True)


def split_half_agreement(stability: pd.DataFrame) -> pd.DataFrame:
    """Per method and claim, whether the two halves of the seeds give the same verdict and the
    same direction (empty when there are fewer than two seeds)."""
    halves = stability[stability["kind"] == "half"]
    columns = ["method", "claim_id", "first_half", "second_half", "verdict_first", "verdict_second", "same_verdict",
               "direction_first", "direction_second", "same_direction"]
    rows = []
    for (method, claim_id), group in halves.groupby(["method", "claim_id"], sort=False):
        if len(group) != 2:
            continue
        first, second = group.iloc[0], group.iloc[1]
        rows.append({"method": method, "claim_id": claim_id, "first_half": first["subset"], "second_half": second["subset"],
                     "verdict_first": first["verdict"], "verdict_second": second["verdict"],
                     "same_verdict": first["verdict"] == second["verdict"],
                     "direction_first": first["direction"], "direction_second": second["direction"],
                     "same_direction": first["direction"] == second["direction"]})
    return pd.DataFrame(rows, columns=columns)


# ---- Markdown ----------------------------------------------------------------------------------

def claims_reference_markdown(claims_cfg: dict) -> str:
    """The README's list of claims, generated from :func:`claim_statistics` so the two cannot
    drift: id, kind, the paper's sentence, the statistic, what it must give, and its CI."""
    view = pd.DataFrame([{
        "id": c.claim_id, "kind": c.kind, "the paper says": f"“{c.quote}”", "statistic": c.statistic,
        "holds when": (f"in [{c.target[0]:g}, {c.target[1]:g}]" if c.side == "in" else f"{c.side} {c.target:g}"),
        "paper's value": ("its tables'" if c.paper_text is None else "none stated" if math.isnan(c.paper_text)
                          else f"the text's ({c.paper_text:g})"), "CI": INTERVALS[c.interval],
    } for c in claim_statistics(claims_cfg)])
    return markdown_table(view)


def format_value(value: float, statistic: str) -> str:
    """Correlations to two decimals, percentages and points to one."""
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.2f}" if statistic.startswith("Spearman") else f"{value:.1f}"


def format_interval(low: float, high: float, statistic: str) -> str:
    return "–" if math.isnan(low) else f"[{format_value(low, statistic)}, {format_value(high, statistic)}]"


def yes_no(value) -> str:
    return "–" if pd.isna(value) else "yes" if value else "**no**"


def format_estimate(row) -> str:
    if math.isnan(row.estimate):
        return "–"
    return f"{format_value(row.estimate, row.statistic)} {format_interval(row.ci_low, row.ci_high, row.statistic)}"


def format_target(row) -> str:
    """What the claim needs: ``> 2``, ``< -2`` or ``in [79, 89]``."""
    if row.side == "in":
        return f"in {format_interval(row.band_low, row.band_high, row.statistic)}"
    return f"{row.side} {row.threshold:g}"


def format_pi(row) -> str:
    """The PI with its level and method: ``[-26.7, 16.7] (95 %, normal)``."""
    if math.isnan(row.pi_low):
        return "–"
    return f"{format_interval(row.pi_low, row.pi_high, row.statistic)} ({100 * row.pi_level:.0f} %, {row.pi_method})"


def format_agreement(row) -> str:
    """The verdict agreement, with *fragile* below ``FRAGILE_BELOW``."""
    if pd.isna(row.verdict_agreement):
        return "–"  # rounded down, so a share just under the line never shows as 0.90
    return f"{math.floor(100 * row.verdict_agreement) / 100:.2f}" + (" **fragile**" if row.fragile else "")


READING_GUIDE = (
    "How to read a row: *kind* is direction (the sign against no effect), size (the paper's stated magnitude) or "
    "level (a stated value +- the level tolerance); *verdict* tests the claim's target with our 95 % CI of the mean; "
    "*direction* says whether that CI lies on the paper's side of no effect (same), beyond it (opposite) or across "
    "it (undecided); the *PI* is where one new seed of ours would fall, at the level shown (normal theory, or order "
    "statistics where normal theory misses its coverage), so a paper value outside it is more than seed noise; "
    "*agreement* is the share of bootstrap replications with as many new seeds that repeat the verdict (**fragile** "
    f"below {FRAGILE_BELOW}); *seeds needed* is for an inconclusive verdict, at the observed mean and spread.\n"
)


def claims_markdown(claims: pd.DataFrame) -> str:
    """One section per method, one row per claim, then every claim's quote and PI choice."""
    parts = [READING_GUIDE]
    for method, rows in claims.groupby("method", sort=False):
        view = pd.DataFrame([{
            "id": r.claim_id, "kind": r.kind, "statistic (claimed)": f"{r.statistic} ({format_target(r)})",
            "ours: mean [95 % CI]": format_estimate(r), "one new seed: PI": format_pi(r),
            "paper": format_value(r.paper_estimate, r.statistic) + (" (text)" if r.paper_source == "text" else ""),
            "paper in CI": yes_no(r.paper_in_ci), "paper in PI": yes_no(r.paper_in_pi), "direction": r.direction,
            "verdict": f"**{r.verdict}**", "agreement": format_agreement(r),
            "seeds needed": "–" if pd.isna(r.seeds_needed) else f"{r.seeds_needed:,}", "interval": r.interval,
        } for r in rows.itertuples()])
        parts.append(f"## {method} ({int(rows['n_seeds'].max())} seeds)\n\n{markdown_table(view)}")
        parts += [f"{r.claim_id}: {r.detail}.\n" for r in rows.dropna(subset="detail").itertuples()]
        parts.append("What the paper says, and which PI each claim uses:\n")
        parts += [f"* **{r.claim_id}** ({r.kind}): “{r.quote}” — PI: {r.pi_reason}." for r in rows.itertuples()]
        parts.append("")
    return "\n".join(parts)


def pi_coverage_markdown(coverage: pd.DataFrame) -> str:
    """Per method: each claim's leave-one-seed-out coverage of both PIs, per subsample size."""
    parts = ["Leave-one-seed-out coverage: the share of held-out seeds inside the PI built from the other seeds of "
             "their subsample (nominal level in brackets; the order-statistic level depends on the seeds).\n"]
    for method, rows in coverage.groupby("method", sort=False):
        view = pd.DataFrame([{
            "id": r.claim_id, "seeds per subsample": r.seeds_per_subsample, "held out": r.held_out,
            "normal theory": _share(r.normal_coverage, r.normal_level), "order statistics": _share(r.order_coverage, r.order_level),
            "used": r.pi_method,
        } for r in rows.itertuples()])
        parts.append(f"## {method}\n\n{markdown_table(view)}")
    return "\n".join(parts)


def _share(coverage: float, level: float) -> str:
    return "–" if math.isnan(coverage) else f"{coverage:.2f} ({level:.2f})"


def per_seed_markdown(values: pd.DataFrame) -> str:
    """Per method: one row per seed, one column per claim."""
    parts = []
    for method, rows in values.groupby("method", sort=False):
        view = rows.drop(columns="method")
        parts.append(f"## {method}\n\n{markdown_table(view, number_format='{:.3g}')}")
    return "\n".join(parts)


def stability_markdown(stability: pd.DataFrame, agreement: pd.DataFrame) -> str:
    """Per method: each claim's estimate, CI, verdict and direction on every seed subset, then
    the split-half agreement."""
    parts = []
    for method, rows in stability.groupby("method", sort=False):
        cells = {(r.claim_id, r.subset): f"{format_estimate(r)} {r.verdict}, {r.direction}" for r in rows.itertuples()}
        claim_ids, subsets = list(dict.fromkeys(rows["claim_id"])), list(dict.fromkeys(rows["subset"]))
        view = pd.DataFrame([{"id": c, **{s: cells[c, s] for s in subsets}} for c in claim_ids])
        parts.append(f"## {method}\n\nmean [95 % CI] verdict, direction\n\n{markdown_table(view)}")
        halves = agreement[agreement["method"] == method]
        if len(halves):
            parts.append(
                f"Split-half agreement ({halves['first_half'].iloc[0]} against {halves['second_half'].iloc[0]}): "
                f"same verdict for {int(halves['same_verdict'].sum())} of {len(halves)} claims, "
                f"same direction for {int(halves['same_direction'].sum())} of {len(halves)}.\n"
            )
    return "\n".join(parts)
