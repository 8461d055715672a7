"""The figures: our means with 95 % CIs over seeds, the paper's values as points."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from devprune.io import atomic_write  # noqa: E402
from devprune.tables import PAPER_TABLE1, PAPER_TABLE2  # noqa: E402


def _save(fig, path: str) -> None:
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)


def stress_vs_density(t1: pd.DataFrame, path: str) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    x = t1["density_pct"]
    ax.plot(x, t1["stress_mean"], "o-", label="ours (mean)")
    ax.fill_between(x, t1["stress_ci_low"], t1["stress_ci_high"], alpha=0.25, label="ours (95 % CI)")
    ax.plot(PAPER_TABLE1.index, PAPER_TABLE1["stress"], "ks", label="paper (Table 1)")
    ax.set(xlabel="early density (%)", ylabel="visual accuracy at highest noise (%)", title="Stress tolerance vs early density")
    ax.legend()
    _save(fig, path)


def _curves(metrics: pd.DataFrame, metric: str, xlabel: str, title: str, path: str) -> None:
    early = metrics[(metrics["stage"] == "early") & (metrics["metric"] == metric)]
    means = early.groupby(["early_density", "level"])["value"].mean().unstack("early_density")
    fig, ax = plt.subplots(figsize=(6, 4))
    colours = plt.cm.viridis([i / max(1, len(means.columns) - 1) for i in range(len(means.columns))])
    for colour, density in zip(colours, means.columns):
        ax.plot(means.index, means[density], "o-", color=colour, label=f"{100 * density:g} %")
    ax.set(xlabel=xlabel, ylabel="visual accuracy (%)", title=title)
    ax.legend(title="early density", fontsize="small", ncol=2)
    _save(fig, path)


def noise_curves(metrics: pd.DataFrame, path: str) -> None:
    _curves(metrics, "stress_tolerance", "hidden-noise sigma", "Noise curves (early models, mean over seeds)", path)


def ambiguity_curves(metrics: pd.DataFrame, path: str) -> None:
    _curves(metrics, "ambiguity_tolerance", "visual weight w of cue [w, 1-w]", "Ambiguity curves (early models)", path)


def branch_differences(t2: pd.DataFrame, path: str, reference: str, comparison: str) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    for ax, measure, title in zip(axes, ("stress_diff", "ambiguity_diff"), ("stress tolerance", "ambiguity tolerance")):
        mean = t2[f"{measure}_mean"]
        error = [mean - t2[f"{measure}_ci_low"], t2[f"{measure}_ci_high"] - mean]
        ax.errorbar(t2["density_pct"], mean, yerr=error, fmt="o-", capsize=3, label="ours (mean, 95 % CI)")
        ax.plot(PAPER_TABLE2.index, PAPER_TABLE2[measure], "ks", label="paper (Table 2)")
        ax.axhline(0, color="grey", lw=0.8)
        ax.set(xlabel="early density (%)", ylabel=f"{reference} - {comparison} (pp)", title=f"Late branches: {title}")
        ax.legend(fontsize="small")
    _save(fig, path)
