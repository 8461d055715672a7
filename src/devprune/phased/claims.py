"""The paper's claims, each read four ways over seeds, and how those readings settle as seeds grow.

Every claim is a statistic computed on one seed's early-stage and late-branch results, so the
seed is the unit of replication. Per claim and method the table gives:

* the mean over seeds with its 95 % CI (Student t, or BCa bootstrap for bounded statistics),
  and the threshold ``verdict`` (the whole CI on the claimed side of the claim's threshold);
* ``direction``: the whole CI on the paper's side of *no effect* (zero for differences and
  correlations, the threshold for level claims), on the other side, or straddling it;
* the 95 % prediction interval for one new seed, and whether the paper's single run falls in
  it (``paper_in_pi``: if not, seed noise does not explain the gap) and in our CI
  (``paper_in_ci``: is the paper's effect size consistent with ours?);
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

from devprune.markdown_tables import markdown_table
from devprune.phased import tables
from devprune.stats import bootstrap_ci, mean_ci, prediction_interval, seeds_needed
from devprune.verdicts import direction, verdict

PERCENT = (0.0, 100.0)
PERCENT_DIFFERENCE = (-100.0, 100.0)
CORRELATION = (-1.0, 1.0)

#: How each claim's CI is computed: bounded statistics near their bounds are skewed, and BCa
#: stays inside the range; differences are means of many per-density differences (t).
INTERVALS = {"t": "Student t", "bca": "BCa bootstrap"}


@dataclass(frozen=True)
class Claim:
    """One claim: a per-seed statistic of (early, diffs) frames, and how to read it.

    The claim holds when the statistic is above (``side`` ``>``) or below (``<``) ``threshold``;
    ``no_effect`` is the value that means no effect at all (``direction`` is read against it).
    """

    claim_id: str
    claim: str
    statistic: str
    side: str
    threshold: float
    no_effect: float
    bounds: tuple[float, float]
    interval: str
    fn: Callable[[pd.DataFrame, pd.DataFrame], float]


def _spearman(x, y) -> float:
    if len(x) < 3 or np.ptp(y) == 0:
        return math.nan
    return float(scipy_stats.spearmanr(x, y).statistic)


def claim_statistics(cfg: dict) -> list[Claim]:
    """The paper's claims (seed 000). Difference claims use the negligible effect as threshold."""
    margin, high, low = cfg["negligible_effect"], 100 * cfg["high_density"], 100 * cfg["low_density"]

    def absolute_gap(column):
        def statistic(early, diffs):
            d = diffs[column].abs()
            return d[d.index > low].mean() - d[d.index <= low].mean()
        return statistic

    def level(claim_id, claim, statistic, side, threshold, fn):
        return Claim(claim_id, claim, statistic, side, threshold, threshold, PERCENT, "bca", fn)

    def difference(claim_id, claim, statistic, fn):
        return Claim(claim_id, claim, statistic, ">", margin, 0.0, PERCENT_DIFFERENCE, "t", fn)

    return [
        level("C1", "Visual accuracy stays ~100 % at every density (early and both late branches)",
              "lowest visual accuracy over all pruned models (%)", ">", 100 - margin,
              lambda early, diffs: min(early["visual"].min(), diffs["visual_ref"].min(), diffs["visual_cmp"].min())),
        level("C2a", "Voice accuracy collapses at the lowest early density (paper: 50 % at 10 %)",
              "voice accuracy at the lowest density (%)", "<", 75.0, lambda early, diffs: early["voice"].iloc[0]),
        level("C2b", "Voice accuracy recovers to ~100 % from the second-lowest density (20 %) up",
              "lowest voice accuracy over the other densities (%)", ">", 100 - margin,
              lambda early, diffs: early["voice"].iloc[1:].min()),
        Claim("C3", "Stress tolerance rises with early density",
              "Spearman rho(density, stress tolerance at the highest noise)", ">", 0.0, 0.0, CORRELATION, "bca",
              lambda early, diffs: _spearman(early.index, early["stress"])),
        difference("C4", "Ambiguity tolerance is U-shaped in early density",
                   "mean ambiguity tolerance at the two extreme densities - mean at the interior ones (pp)",
                   lambda early, diffs: early["ambiguity"].iloc[[0, -1]].mean() - early["ambiguity"].iloc[1:-1].mean()),
        difference("C5", "The reference (normal) branch is more noise-tolerant than the comparison (ASD) branch at most densities",
                   "stress tolerance difference ref - cmp, mean over densities (pp)",
                   lambda early, diffs: diffs["stress_diff"].mean()),
        difference("C6", "The comparison (ASD) branch is more ambiguity-tolerant after high early density",
                   f"ambiguity tolerance difference cmp - ref, mean over densities >= {high:g} % (pp)",
                   lambda early, diffs: -diffs["ambiguity_diff"][diffs.index >= high].mean()),
        difference("C7a", "Branches converge at low early density: stress tolerance",
                   f"abs(stress diff) above {low:g} % - abs(stress diff) at <= {low:g} % (pp)", absolute_gap("stress_diff")),
        difference("C7b", "Branches converge at low early density: ambiguity tolerance",
                   f"abs(ambiguity diff) above {low:g} % - abs(ambiguity diff) at <= {low:g} % (pp)",
                   absolute_gap("ambiguity_diff")),
    ]


def _inside(value: float, low: float, high: float):
    """Whether ``value`` lies in [low, high]; missing (NA) when any of them is unknown."""
    if any(math.isnan(v) for v in (value, low, high)):
        return pd.NA
    return bool(low <= value <= high)


def read_claim(claim: Claim, per_seed: list[float], paper: float) -> dict:
    """The four readings of one claim from its per-seed values and the paper's value."""
    interval = bootstrap_ci if claim.interval == "bca" else lambda v: mean_ci(v, bounds=claim.bounds)
    estimate, low, high = interval(per_seed)
    pi_low, pi_high = prediction_interval(per_seed, bounds=claim.bounds)
    decided = verdict(claim.side, claim.threshold, low, high)
    return {
        "claim_id": claim.claim_id, "claim": claim.claim, "statistic": claim.statistic, "side": claim.side,
        "threshold": claim.threshold, "no_effect": claim.no_effect, "interval": INTERVALS[claim.interval],
        "estimate": estimate, "ci_low": low, "ci_high": high, "pi_low": pi_low, "pi_high": pi_high,
        "n_seeds": int(np.isfinite(per_seed).sum()), "paper_estimate": paper,
        "paper_in_ci": _inside(paper, low, high), "paper_in_pi": _inside(paper, pi_low, pi_high),
        "direction": direction(claim.side, claim.no_effect, low, high), "verdict": decided,
        "seeds_needed": seeds_needed(per_seed, claim.threshold) if decided == "inconclusive" else None,
    }


def claims_table(wide: pd.DataFrame, claims_cfg: dict) -> pd.DataFrame:
    """Every claim read four ways over the seeds in ``wide`` (one method's headline values)."""
    early = tables.early_frame(wide)
    diffs = tables.branch_differences(wide, claims_cfg["reference_branch"], claims_cfg["comparison_branch"])
    densities = early.index.unique("density_pct")
    paper_early = tables.PAPER_TABLE1.loc[tables.PAPER_TABLE1.index.isin(densities)]
    paper_diffs = tables.PAPER_TABLE2.loc[tables.PAPER_TABLE2.index.isin(diffs.index.unique("density_pct"))]
    rows = []
    for claim in claim_statistics(claims_cfg):
        per_seed = [claim.fn(early.xs(seed), diffs.xs(seed)) for seed in early.index.unique("seed")]
        paper = claim.fn(paper_early, paper_diffs) if len(paper_early) == densities.size else math.nan
        rows.append(read_claim(claim, per_seed, paper))
    table = pd.DataFrame(rows).astype({"paper_in_ci": "boolean", "paper_in_pi": "boolean", "seeds_needed": "Int64"})
    table["detail"] = None
    _require_significance_at_most_densities(table, tables.table2(wide, claims_cfg["reference_branch"],
                                                                 claims_cfg["comparison_branch"]), claims_cfg["alpha"])
    return table


def _require_significance_at_most_densities(table: pd.DataFrame, t2: pd.DataFrame, alpha: float) -> None:
    """C5 says "at most densities": it is reproduced only with a Holm-significant positive
    difference at more than half of them."""
    significant = int(((t2["stress_diff_p_holm"] < alpha) & (t2["stress_diff_mean"] > 0)).sum())
    c5 = table["claim_id"] == "C5"
    table.loc[c5, "detail"] = f"{significant} of {len(t2)} densities significantly positive (paired t, Holm, alpha={alpha})"
    if significant * 2 <= len(t2) and (table.loc[c5, "verdict"] == "reproduced").all():
        table.loc[c5, "verdict"] = "inconclusive"


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
        table = claims_table(wide[wide["seed"].isin(chosen)], claims_cfg)
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


READING_GUIDE = (
    "How to read a row: *verdict* tests the claim's threshold with our 95 % CI of the mean; *direction* says "
    "whether that CI lies on the paper's side of no effect (same), beyond it (opposite) or across it (undecided); "
    "the *PI* is where one new seed of ours would fall (95 %), so a paper value outside it is more than seed "
    "noise; *seeds needed* is for an inconclusive verdict, at the observed mean and spread.\n"
)


def claims_markdown(claims: pd.DataFrame) -> str:
    """One section per method, one row per claim: the four readings side by side."""
    parts = [READING_GUIDE]
    for method, rows in claims.groupby("method", sort=False):
        view = pd.DataFrame([{
            "id": r.claim_id, "statistic (claimed)": f"{r.statistic} ({r.side} {r.threshold:g})",
            "ours: mean [95 % CI]": format_estimate(r), "one new seed: 95 % PI": format_interval(r.pi_low, r.pi_high, r.statistic),
            "paper": format_value(r.paper_estimate, r.statistic), "paper in CI": yes_no(r.paper_in_ci),
            "paper in PI": yes_no(r.paper_in_pi), "direction": r.direction, "verdict": f"**{r.verdict}**",
            "seeds needed": "–" if pd.isna(r.seeds_needed) else f"{r.seeds_needed:,}", "interval": r.interval,
        } for r in rows.itertuples()])
        parts.append(f"## {method} ({int(rows['n_seeds'].max())} seeds)\n\n{markdown_table(view)}")
        parts += [f"{r.claim_id}: {r.detail}.\n" for r in rows.dropna(subset="detail").itertuples()]
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
