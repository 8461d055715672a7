"""The paper's Tables 1 and 2 beside ours, and the methods side by side (claims: :mod:`devprune.phased.claims`).

All functions take the tidy metrics (one row per model x metric x condition, all seeds) and
reduce them to per-seed headline values first, so every estimate has a 95 % CI over seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from devprune.config import schema_defaults
from devprune.markdown_tables import markdown_table
from devprune.stats import holm, mean_ci, paired_t_pvalue

# Seed 000, Table 1: early density (%) -> visual, voice, stress (highest noise), ambiguity (w=0.5),
# blended + ambiguous; all in percent.
PAPER_TABLE1 = pd.DataFrame(
    [
        (10, 100.0, 50.0, 45.0, 100.0, 56.5), (20, 100.0, 100.0, 53.5, 69.3, 46.9),
        (30, 100.0, 100.0, 66.1, 75.2, 47.0), (40, 100.0, 100.0, 72.8, 75.5, 48.5),
        (50, 100.0, 100.0, 76.7, 82.2, 50.6), (60, 100.0, 100.0, 78.5, 50.8, 40.3),
        (70, 100.0, 100.0, 80.0, 49.1, 37.7), (80, 100.0, 100.0, 81.9, 50.2, 38.5),
        (90, 99.9, 100.0, 84.7, 75.8, 48.6), (100, 100.0, 100.0, 83.7, 53.2, 43.1),
    ],
    columns=["density_pct", "visual", "voice", "stress", "ambiguity", "blended"],
).set_index("density_pct")

# Seed 000, Table 2: early density (%) -> final densities, visual accuracy per branch and the
# normal - ASD differences in stress and ambiguity tolerance (percentage points).
PAPER_TABLE2 = pd.DataFrame(
    [
        (10, 8.0, 5.0, 100.0, 100.0, -4.2, 0.1), (20, 16.0, 10.0, 100.0, 100.0, 9.5, 13.1),
        (30, 24.0, 15.0, 100.0, 100.0, 19.1, 8.4), (40, 32.0, 20.0, 100.0, 100.0, 15.9, 55.2),
        (50, 40.0, 25.0, 100.0, 100.0, 12.8, 36.1), (60, 48.0, 30.0, 100.0, 100.0, 8.5, -21.4),
        (70, 56.0, 35.0, 100.0, 100.0, 12.1, 11.9), (80, 64.0, 40.0, 100.0, 100.0, 11.8, 1.7),
        (90, 72.0, 45.0, 100.0, 100.0, 4.7, -73.3), (100, 80.0, 50.0, 99.9, 100.0, 4.8, -25.7),
    ],
    columns=["density_pct", "final_ref", "final_cmp", "visual_ref", "visual_cmp", "stress_diff", "ambiguity_diff"],
).set_index("density_pct")

HEADLINE = ["visual", "voice", "stress", "ambiguity", "blended"]


#: ``claims.stress_readout``: Table 1's "Stress Tolerance (High Noise, %)" read as the visual
#: accuracy at the largest sigma (the column's name), or as the mean over every sigma evaluated
#: (the Methods list four sigmas and the table shows one number).
STRESS_READOUTS = ("highest_sigma", "mean_over_sigmas")


def headline_values(metrics: pd.DataFrame, eval_cfg: dict, stress_readout: str = "highest_sigma") -> pd.DataFrame:
    """One row per model (seed, stage, method, early_density, branch): the five Table 1 measures.

    stress = visual accuracy at the largest noise sigma (or its mean over the sigmas, by
    ``stress_readout``); ambiguity = at the smallest cue weight (0.5 in the paper); blended =
    sensory integration under the ambiguous cue.
    """
    pick = {
        "visual": ("visual_accuracy", None),
        "voice": ("voice_accuracy", None),
        "stress": ("stress_tolerance", max(eval_cfg["noise_sigmas"]) if stress_readout == "highest_sigma" else "mean"),
        "ambiguity": ("ambiguity_tolerance", min(eval_cfg["cue_weights"])),
        "blended": ("sensory_integration", eval_cfg["integration"]["ambiguous_cue_weight"]),
    }
    keys = ["seed", "stage", "method", "early_density", "branch"]
    columns = {}
    for name, (metric, level) in pick.items():
        rows = metrics[metrics["metric"] == metric]
        if level == "mean":  # every sigma's row of a model holds the mean; keep one of them
            rows = rows.assign(value=rows.groupby(keys, dropna=False)["value"].transform("mean"))
            level = max(eval_cfg["noise_sigmas"])
        if level is not None:
            rows = rows[np.isclose(rows["level"], level)]
        if metric == "sensory_integration":
            rows = rows[rows["condition"] == "ambiguous"]
        columns[name] = rows.set_index(keys)["value"]
    final = metrics.drop_duplicates(keys).set_index(keys)["final_density"]  # keys with NaN (baseline) match too
    wide = pd.DataFrame(columns).join(final).reset_index()
    wide["density_pct"] = (wide["early_density"] * 100).round(6)
    return wide


def claims_headline_values(metrics: pd.DataFrame, eval_cfg: dict, claims_cfg: dict) -> pd.DataFrame:
    """:func:`headline_values` with the stress read-out the claims section asks for (its
    documented default when the section leaves it out)."""
    return headline_values(metrics, eval_cfg, {**schema_defaults("claims"), **claims_cfg}["stress_readout"])


def early_frame(wide: pd.DataFrame) -> pd.DataFrame:
    return wide[wide["stage"] == "early"].set_index(["seed", "density_pct"])[HEADLINE].sort_index()


def late_frame(wide: pd.DataFrame) -> pd.DataFrame:
    """Per (seed, density, branch): the late models' five measures."""
    return wide[wide["stage"] == "late"].set_index(["seed", "density_pct", "branch"])[HEADLINE].sort_index()


#: The dense baseline's row in Table 1: 100 % of the weights, before any pruning or fine-tuning.
BASELINE_DENSITY_PCT = 100.0


def baseline_frame(wide: pd.DataFrame) -> pd.DataFrame:
    """Per seed: the dense baseline's five measures, indexed like the early models (density 100)."""
    baseline = wide[wide["stage"] == "baseline"].assign(density_pct=BASELINE_DENSITY_PCT)
    return baseline.set_index(["seed", "density_pct"])[HEADLINE].sort_index()


def branch_differences(wide: pd.DataFrame, reference: str, comparison: str) -> pd.DataFrame:
    """Per (seed, density): final densities and visual accuracy of both branches, ref - cmp diffs."""
    late = wide[wide["stage"] == "late"].set_index(["seed", "density_pct", "branch"])
    ref = late.xs(reference, level="branch")
    cmp = late.xs(comparison, level="branch")
    return pd.DataFrame(
        {
            "final_ref": 100 * ref["final_density"], "final_cmp": 100 * cmp["final_density"],
            "visual_ref": ref["visual"], "visual_cmp": cmp["visual"],
            "stress_diff": ref["stress"] - cmp["stress"], "ambiguity_diff": ref["ambiguity"] - cmp["ambiguity"],
        }
    ).sort_index()


def _summarise(per_seed: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """Per density and column: mean, 95 % t CI over seeds (cut to the column's range: percent, or
    -100..100 for differences), the paper's value."""
    rows = []
    for density, group in per_seed.groupby(level="density_pct"):
        row = {"density_pct": density, "n_seeds": len(group)}
        for column in per_seed.columns:
            bounds = (-100.0, 100.0) if column.endswith("_diff") else (0.0, 100.0)
            mean, low, high = mean_ci(group[column], bounds=bounds)
            paper_value = paper[column].get(density, math.nan) if column in paper else math.nan
            row |= {f"{column}_mean": mean, f"{column}_ci_low": low, f"{column}_ci_high": high, f"{column}_paper": paper_value}
        rows.append(row)
    return pd.DataFrame(rows)


def table1(wide: pd.DataFrame) -> pd.DataFrame:
    """The early models (``model`` early), compared with the paper's Table 1 row by row, and the
    dense baseline's own row (``model`` dense baseline), which has no paper value: the paper's
    row 100 is read as its Phase 1 model at 100 % density, fine-tuned like every other row, and
    is compared with our early model at 100 %."""
    early = _summarise(early_frame(wide), PAPER_TABLE1).assign(model="early")
    baseline = baseline_frame(wide)
    if baseline.empty:
        return early[["model", *early.columns[:-1]]]
    dense = _summarise(baseline, PAPER_TABLE1.iloc[:0]).assign(model="dense baseline")
    table = pd.concat([early, dense], ignore_index=True)
    return table[["model", *early.columns[:-1]]]


def table2(wide: pd.DataFrame, reference: str, comparison: str) -> pd.DataFrame:
    """Table 2 plus, for each difference, the paired t-test p-value and its Holm correction."""
    diffs = branch_differences(wide, reference, comparison)
    table = _summarise(diffs, PAPER_TABLE2)
    for measure in ("stress", "ambiguity"):
        by_density = diffs.groupby(level="density_pct")[f"{measure}_diff"]
        pvalues = [paired_t_pvalue(by_density.get_group(density)) for density in table["density_pct"]]
        table[f"{measure}_diff_p"] = pvalues
        table[f"{measure}_diff_p_holm"] = holm(pvalues)
    return table


# ---- methods side by side ------------------------------------------------------------------

def by_method(wide: pd.DataFrame, methods: list[str]) -> dict[str, pd.DataFrame]:
    """Each method's pruned models with the dense baseline they all start from (it belongs to no
    method), in ``methods`` order."""
    baseline = wide[wide["stage"] == "baseline"]
    return {method: pd.concat([baseline, wide[wide["method"] == method]], ignore_index=True) for method in methods}


def stack_methods(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One table from per-method tables, with the method as first column."""
    return pd.concat([frame.assign(method=method) for method, frame in frames.items()], ignore_index=True)[
        ["method", *next(iter(frames.values())).columns]
    ]


def method_comparison(t2: pd.DataFrame) -> pd.DataFrame:
    """Long form of every method's Table 2 differences: one row per method x density x measure."""
    frames = []
    for measure in ("stress", "ambiguity"):
        column = f"{measure}_diff"
        frames.append(pd.DataFrame({
            "method": t2["method"], "density_pct": t2["density_pct"], "measure": measure, "n_seeds": t2["n_seeds"],
            "mean": t2[f"{column}_mean"], "ci_low": t2[f"{column}_ci_low"], "ci_high": t2[f"{column}_ci_high"],
            "p_holm": t2[f"{column}_p_holm"], "paper": t2[f"{column}_paper"],
        }))
    return pd.concat(frames, ignore_index=True)


def method_comparison_markdown(comparison: pd.DataFrame, reference: str, comparison_branch: str) -> str:
    """Per measure, density x method: the difference as 'mean [95 % CI]', the paper's beside."""
    methods = list(dict.fromkeys(comparison["method"]))
    parts = []
    for measure in ("stress", "ambiguity"):
        rows = comparison[comparison["measure"] == measure]
        view = pd.DataFrame({"density (%)": sorted(rows["density_pct"].unique())})
        for method in methods:
            cells = rows[rows["method"] == method].set_index("density_pct")
            view[method] = [_cell(*cells.loc[d, ["mean", "ci_low", "ci_high"]]) if d in cells.index else "–"
                            for d in view["density (%)"]]
        paper = rows.drop_duplicates("density_pct").set_index("density_pct")["paper"]
        view["paper"] = [("–" if math.isnan(paper[d]) else f"{paper[d]:.1f}") for d in view["density (%)"]]
        view["density (%)"] = view["density (%)"].map("{:g}".format)
        parts.append(f"### {measure} tolerance difference ({reference} - {comparison_branch}), pp\n\n" + markdown_table(view))
    return "\n".join(parts)


# ---- Markdown ---------------------------------------------------------------------------

def _cell(mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "–"
    if math.isnan(low):
        return f"{mean:.1f}"
    return f"{mean:.1f} [{low:.1f}, {high:.1f}]"


def summary_markdown(table: pd.DataFrame, columns: dict[str, str], extra: dict[str, str] | None = None) -> str:
    """Each measure as 'mean [95 % CI]' beside the paper's value."""
    density = table["density_pct"].map("{:g}".format)
    if "model" in table:
        density = density.where(table["model"] == "early", table["model"] + " (" + density + ")")
    view = pd.DataFrame({"density (%)": density, "seeds": table["n_seeds"]})
    for column, title in columns.items():
        view[f"{title}: ours"] = [
            _cell(m, lo, hi) for m, lo, hi in zip(table[f"{column}_mean"], table[f"{column}_ci_low"], table[f"{column}_ci_high"])
        ]
        view[f"{title}: paper"] = table[f"{column}_paper"].map(lambda v: "–" if math.isnan(v) else f"{v:.1f}")
    for column, title in (extra or {}).items():
        view[title] = table[column].map(lambda v: "–" if math.isnan(v) else f"{v:.3g}")
    return markdown_table(view)
