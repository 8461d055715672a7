"""The forecasting benchmark's tables (seed 002, Tables 2-4) and claims, from the tidy metrics.

MAE is in standardised target units (the training split's standard deviation), so datasets are
comparable. Tests follow the paper: per dataset x architecture the blocks are the sequence
lengths (each the mean over trials); Friedman across methods, then pairwise two-sided Wilcoxon
signed-rank tests, Holm-corrected. With six sequence lengths the smallest Wilcoxon p is 0.03125.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from devprune.markdown_tables import markdown_table
from devprune.stats import holm, mean_ci
from devprune.verdicts import verdict

CELL = ["dataset", "architecture"]


def summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per dataset x architecture x method: test MAE over every sequence length and trial
    (mean, std, 95 % CI), mean training time and final sparsity."""
    rows = []
    for (dataset, architecture, method), group in metrics.groupby([*CELL, "method"], sort=False):
        mean, low, high = mean_ci(group["test_mae"])
        rows.append({"dataset": dataset, "architecture": architecture, "method": method, "n_runs": len(group),
                     "mae_mean": mean, "mae_std": float(group["test_mae"].std(ddof=1)), "mae_ci_low": low,
                     "mae_ci_high": high, "train_seconds": float(group["train_seconds"].mean()),
                     "sparsity": float(group["sparsity"].mean())})
    return pd.DataFrame(rows)


def by_length(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per dataset x architecture x method x sequence length: test MAE over trials."""
    rows = []
    for keys, group in metrics.groupby([*CELL, "method", "sequence_length"], sort=False):
        mean, low, high = mean_ci(group["test_mae"])
        rows.append(dict(zip([*CELL, "method", "sequence_length"], keys), n_trials=len(group), mae_mean=mean,
                         mae_ci_low=low, mae_ci_high=high))
    return pd.DataFrame(rows)


def _blocks(metrics: pd.DataFrame, value: str = "test_mae") -> pd.DataFrame:
    """Trial means: one row per (dataset, architecture, sequence length), one column per method."""
    return metrics.pivot_table(index=[*CELL, "sequence_length"], columns="method", values=value, aggfunc="mean", sort=False)


def tests(metrics: pd.DataFrame, methods: list[str]) -> pd.DataFrame:
    """Per dataset x architecture: Friedman p, mean rank and rank of every method, and the
    Holm-corrected Wilcoxon p of each method pair (``p_<a>_vs_<b>``)."""
    rows = []
    for (dataset, architecture), blocks in _blocks(metrics).groupby(level=CELL, sort=False):
        blocks = blocks[methods]
        row = {"dataset": dataset, "architecture": architecture, "n_blocks": len(blocks)}
        enough = len(methods) >= 3 and len(blocks) >= 2
        row["friedman_p"] = float(stats.friedmanchisquare(*blocks.T.to_numpy()).pvalue) if enough else math.nan
        ranks = blocks.rank(axis=1).mean()
        for method in methods:
            row[f"mean_rank_{method}"] = float(ranks[method])
        row["best_method"] = ranks.idxmin()
        pairs = list(itertools.combinations(methods, 2))
        raw = [_wilcoxon(blocks[a] - blocks[b]) for a, b in pairs]
        for (a, b), p in zip(pairs, holm(raw)):
            row[f"p_{a}_vs_{b}"] = p
        rows.append(row)
    return pd.DataFrame(rows)


def _wilcoxon(differences: pd.Series) -> float:
    diff = differences.to_numpy(dtype=float)
    if len(diff) < 2 or not diff.any():
        return math.nan
    return float(stats.wilcoxon(diff).pvalue)


def claims(metrics: pd.DataFrame, methods: list[str], overhead_limit: float = 10.0) -> pd.DataFrame:
    """Seed 002's claims, each a statistic over blocks (dataset x architecture x sequence
    length, trial means) with a 95 % CI and a verdict (reproduced: the whole CI on the claimed
    side; not reproduced: wholly on the other; else inconclusive)."""
    blocks = _blocks(metrics)
    seconds = _blocks(metrics, "train_seconds")
    rows = []

    def add(claim_id, claim, statistic, values, side, threshold, paper):
        mean, low, high = mean_ci(values)
        rows.append({"claim_id": claim_id, "claim": claim, "statistic": statistic, "side": side, "threshold": threshold,
                     "estimate": mean, "ci_low": low, "ci_high": high, "n_blocks": int(np.isfinite(values).sum()),
                     "paper": paper, "verdict": verdict(side, threshold, low, high)})

    if "pruning" in methods and len(methods) > 1:
        ranks = blocks[methods].rank(axis=1)
        others = ranks.drop(columns="pruning").min(axis=1)
        add("F1", "Synaptic pruning ranks best overall",
            "rank of pruning - best rank among the other methods, per block (< 0: pruning best)",
            (ranks["pruning"] - others).to_numpy(), "<", 0.0, "pruning best on average (Tables 2-4)")
    for baseline, claim_id in (("none", "F2"), ("dropout", "F3")):
        if {"pruning", baseline} <= set(methods):
            for architecture, group in blocks.groupby(level="architecture", sort=False):
                reduction = 100 * (1 - group["pruning"] / group[baseline])
                add(f"{claim_id}-{architecture}", f"Pruning lowers the MAE of {architecture} vs {baseline}",
                    f"MAE reduction vs {baseline} (%)", reduction.to_numpy(), ">", 0.0, "up to 20 % (52 % for transformers)")
    if {"pruning", "dropout"} <= set(methods):
        overhead = 100 * (seconds["pruning"] / seconds["dropout"] - 1)
        add("F4", f"Pruning costs little training time over dropout (< {overhead_limit:g} %)",
            "training-time overhead of pruning vs dropout (%)", overhead.to_numpy(), "<", overhead_limit, "about 4 %")
    return pd.DataFrame(rows)


MEAN_RANK = "mean rank of pruning"


def attribution(variants: list[dict], methods: list[str]) -> pd.DataFrame:
    """Pruning under each variant of the benchmark (``variants``: ``name``, ``kind``, ``steps``
    and its ``metrics``), one row per variant x scope (each dataset, and ``all``) x statistic:
    pruning's mean rank over blocks (1 = best of ``len(methods)``; 95 % t-interval cut to the
    ranks' range) and F1, and, over all datasets, every other claim of :func:`claims`."""
    rows = []
    for variant in variants:
        metrics = variant["metrics"]
        head = {"variant": variant["name"], "kind": variant["kind"], "steps": " + ".join(variant["steps"]) or "–",
                "n_methods": len(methods)}
        scopes = [*metrics.groupby("dataset", sort=False), ("all", metrics)]
        for scope, subset in scopes:
            ranks = _blocks(subset)[methods].rank(axis=1)["pruning"].to_numpy()
            mean, low, high = mean_ci(ranks, bounds=(1.0, float(len(methods))))
            rows.append({**head, "scope": scope, "statistic": MEAN_RANK, "estimate": mean, "ci_low": low,
                         "ci_high": high, "n_blocks": len(ranks), "verdict": "–"})
            found = claims(subset, methods)
            for claim in found[(found["claim_id"] == "F1") | (scope == "all")].itertuples():
                rows.append({**head, "scope": scope, "statistic": claim.claim_id, "estimate": claim.estimate,
                             "ci_low": claim.ci_low, "ci_high": claim.ci_high, "n_blocks": claim.n_blocks,
                             "verdict": claim.verdict})
    return pd.DataFrame(rows)


def attribution_markdown(table: pd.DataFrame) -> str:
    """The attribution table for a reader: pruning's mean rank per variant and dataset (among the
    table's ``n_methods``), then every claim's verdict (and estimate) per variant."""
    n_methods = int(table["n_methods"].iloc[0])
    ranks = table[table["statistic"] == MEAN_RANK]
    rank_view = ranks.assign(cell=[f"{m:.2f} [{lo:.2f}, {hi:.2f}]" for m, lo, hi in
                                   zip(ranks["estimate"], ranks["ci_low"], ranks["ci_high"])])
    found = table[table["statistic"] != MEAN_RANK]
    claim_view = found.assign(cell=[f"{v} ({m:+.2f})" for v, m in zip(found["verdict"], found["estimate"])],
                              statistic=[s if scope == "all" else f"{s} {scope}" for s, scope in
                                         zip(found["statistic"], found["scope"])])
    return (f"Pruning's mean rank among {n_methods} methods (1 = best; mean over blocks, 95 % t-interval cut to "
            f"[1, {n_methods}]):\n\n" + markdown_table(_by_variant(rank_view, "scope"))
            + "\nThe claims (verdict and estimate; F1 per dataset and over all, the others over all):\n\n"
            + markdown_table(_by_variant(claim_view, "statistic")))


def _by_variant(view: pd.DataFrame, columns: str) -> pd.DataFrame:
    """One row per variant (in table order), one column per ``columns`` value, cells ``cell``."""
    wide = view.pivot(index=["variant", "kind", "steps"], columns=columns, values="cell")
    wide = wide.reindex(index=list(dict.fromkeys(zip(view["variant"], view["kind"], view["steps"]))),
                        columns=list(dict.fromkeys(view[columns])))
    return wide.reset_index().rename_axis(columns=None)
