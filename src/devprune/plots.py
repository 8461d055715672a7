"""The figures: our means with 95 % CIs over seeds, the paper's values as points."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from devprune.io import atomic_write  # noqa: E402
from devprune.tables import PAPER_TABLE1, PAPER_TABLE2  # noqa: E402


def save_figure(fig, path: str) -> None:
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)


def _panels(n: int, width: float = 4.5, height: float = 3.6):
    """One axes per method, at most three to a row."""
    columns = min(n, 3)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False, sharey=True)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def stress_vs_density(t1: pd.DataFrame, path: str) -> None:
    """One line (with its CI band) per method; ``t1`` is every method's Table 1."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for method, rows in t1.groupby("method", sort=False):
        x = rows["density_pct"]
        line, = ax.plot(x, rows["stress_mean"], "o-", label=f"{method} (mean, 95 % CI)")
        ax.fill_between(x, rows["stress_ci_low"], rows["stress_ci_high"], alpha=0.2, color=line.get_color())
    ax.plot(PAPER_TABLE1.index, PAPER_TABLE1["stress"], "ks", label="paper (Table 1)")
    ax.set(xlabel="early density (%)", ylabel="visual accuracy at highest noise (%)", title="Stress tolerance vs early density")
    ax.legend(fontsize="small")
    save_figure(fig, path)


def _curves(metrics: pd.DataFrame, methods: list[str], metric: str, xlabel: str, title: str, path: str) -> None:
    fig, axes = _panels(len(methods))
    for ax, method in zip(axes, methods):
        early = metrics[(metrics["stage"] == "early") & (metrics["method"] == method) & (metrics["metric"] == metric)]
        means = early.groupby(["early_density", "level"])["value"].mean().unstack("early_density")
        colours = plt.cm.viridis([i / max(1, len(means.columns) - 1) for i in range(len(means.columns))])
        for colour, density in zip(colours, means.columns):
            ax.plot(means.index, means[density], "o-", color=colour, label=f"{100 * density:g} %")
        ax.set(xlabel=xlabel, ylabel="visual accuracy (%)", title=f"{method}: {title}")
    axes[0].legend(title="early density", fontsize="small", ncol=2)
    save_figure(fig, path)


def noise_curves(metrics: pd.DataFrame, path: str, methods: list[str]) -> None:
    _curves(metrics, methods, "stress_tolerance", "hidden-noise sigma", "noise curves (early models)", path)


def ambiguity_curves(metrics: pd.DataFrame, path: str, methods: list[str]) -> None:
    _curves(metrics, methods, "ambiguity_tolerance", "visual weight w of cue [w, 1-w]", "ambiguity curves (early models)", path)


def branch_differences(t2: pd.DataFrame, path: str, reference: str, comparison: str) -> None:
    """One panel per method: its stress and ambiguity differences (mean, 95 % CI) and the paper's."""
    methods = list(dict.fromkeys(t2["method"]))
    fig, axes = _panels(len(methods))
    for ax, method in zip(axes, methods):
        rows = t2[t2["method"] == method]
        for measure, marker in (("stress_diff", "o-"), ("ambiguity_diff", "s--")):
            mean = rows[f"{measure}_mean"]
            error = [mean - rows[f"{measure}_ci_low"], rows[f"{measure}_ci_high"] - mean]
            line = ax.errorbar(rows["density_pct"], mean, yerr=error, fmt=marker, capsize=3, label=f"{measure.split('_')[0]} (ours)")
            ax.plot(PAPER_TABLE2.index, PAPER_TABLE2[measure], "x", color=line[0].get_color(), label=f"{measure.split('_')[0]} (paper)")
        ax.axhline(0, color="grey", lw=0.8)
        ax.set(xlabel="early density (%)", ylabel=f"{reference} - {comparison} (pp)", title=f"{method}: late-branch differences")
    axes[0].legend(fontsize="small")
    save_figure(fig, path)
