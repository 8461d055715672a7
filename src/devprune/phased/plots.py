"""The figures: our means with 95 % CIs over seeds, the paper's values as points
(colours and saving: :mod:`devprune.figures`)."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from devprune.figures import colour, save_figure  # noqa: E402
from devprune.phased.tables import PAPER_TABLE1, PAPER_TABLE2  # noqa: E402


def _panels(n: int, width: float = 4.5, height: float = 3.6, sharey: bool = True):
    """One axes per method (or claim), at most three to a row."""
    columns = min(n, 3)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False, sharey=sharey)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def stress_vs_density(t1: pd.DataFrame, wide: pd.DataFrame, path: str) -> None:
    """One line (with its CI band) per method, every seed's early model as a point beside it so
    the spread is visible; ``t1`` is every method's Table 1, ``wide`` the per-model values."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    methods = list(dict.fromkeys(t1["method"]))
    for i, method in enumerate(methods):
        rows = t1[(t1["method"] == method) & (t1["model"] == "early")]
        x = rows["density_pct"]
        ax.plot(x, rows["stress_mean"], "o-", color=colour(i), label=f"{method} (mean, 95 % CI)")
        ax.fill_between(x, rows["stress_ci_low"], rows["stress_ci_high"], alpha=0.2, color=colour(i))
        seeds = wide[(wide["stage"] == "early") & (wide["method"] == method)]
        offset = (i - (len(methods) - 1) / 2) * 0.8  # side by side, not on top of each other
        ax.plot(seeds["density_pct"] + offset, seeds["stress"], ".", color=colour(i), alpha=0.35, ms=4)
    ax.plot(PAPER_TABLE1.index, PAPER_TABLE1["stress"], "ks", label="paper (Table 1)")
    ax.set(xlabel="early density (%)", ylabel="visual accuracy at highest noise (%)",
           title="Stress tolerance vs early density (dots: one seed each)")
    ax.legend(fontsize="small")
    save_figure(fig, path)


def _curves(metrics: pd.DataFrame, methods: list[str], metric: str, xlabel: str, title: str, path: str) -> None:
    fig, axes = _panels(len(methods))
    for ax, method in zip(axes, methods):
        early = metrics[(metrics["stage"] == "early") & (metrics["method"] == method) & (metrics["metric"] == metric)]
        means = early.groupby(["early_density", "level"])["value"].mean().unstack("early_density")
        colours = plt.cm.viridis([i / max(1, len(means.columns) - 1) for i in range(len(means.columns))])
        for shade, density in zip(colours, means.columns):
            ax.plot(means.index, means[density], "o-", color=shade, label=f"{100 * density:g} %")
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


def methods_comparison(comparison: pd.DataFrame, path: str, reference: str, comparison_branch: str) -> None:
    """Every method in one figure: per measure, the branch difference (mean, 95 % CI band) against
    early density, one colour per method, the paper's values as black squares."""
    methods = list(dict.fromkeys(comparison["method"]))
    measures = list(dict.fromkeys(comparison["measure"]))
    fig, axes = _panels(len(measures), width=6, height=4.2, sharey=False)
    for ax, measure in zip(axes, measures):
        rows = comparison[comparison["measure"] == measure]
        for i, method in enumerate(methods):
            line = rows[rows["method"] == method]
            ax.plot(line["density_pct"], line["mean"], "o-", color=colour(i), label=method, ms=4)
            ax.fill_between(line["density_pct"], line["ci_low"], line["ci_high"], color=colour(i), alpha=0.15)
        paper = rows.drop_duplicates("density_pct")
        ax.plot(paper["density_pct"], paper["paper"], "ks", ms=5, label="paper")
        ax.axhline(0, color="grey", lw=0.8)
        ax.set(xlabel="early density (%)", ylabel=f"{reference} - {comparison_branch} (pp)",
               title=f"{measure} tolerance difference, every method")
    axes[0].legend(fontsize="small")
    save_figure(fig, path)


def _claim_panels(claim_ids: list[str]):
    return _panels(len(claim_ids), width=4.6, height=3.2, sharey=False)


def _reference_lines(ax, row, vertical: bool) -> None:
    """The claim's threshold (dashed) or a level claim's band (shaded) and, where it differs,
    no effect (grey)."""
    line = ax.axvline if vertical else ax.axhline
    if row["side"] == "in":
        (ax.axvspan if vertical else ax.axhspan)(row["band_low"], row["band_high"], color="black", alpha=0.08)
    else:
        line(row["threshold"], color="black", ls="--", lw=0.9)
    if not pd.isna(row["no_effect"]) and row["no_effect"] != row["threshold"]:
        line(row["no_effect"], color="grey", lw=0.8)


def claims_forest(claims: pd.DataFrame, path: str) -> None:
    """One panel per claim, one row per method: our mean with its 95 % CI (thick) and the
    prediction interval for one new seed (thin), the paper's value (black diamond), the
    threshold (dashed) or a level's band (shaded) and no effect (grey)."""
    _claim_intervals(claims, None, path, "Claims: mean with 95 % CI (thick) and PI for one new seed (thin); "
                     "paper = black diamond; threshold dashed or level band shaded, no effect grey")


def claims_distributions(claims: pd.DataFrame, per_seed: pd.DataFrame, path: str) -> None:
    """The forest plot with every seed's value as a dot (jittered) above each method's bars, so
    skew, heaps at a bound and outliers show beside the intervals built on them."""
    _claim_intervals(claims, per_seed, path, "Claims seed by seed: dots = one seed each; mean with 95 % CI (thick), "
                     "PI (thin); paper = black diamond; target dashed or shaded")


def _claim_intervals(claims: pd.DataFrame, per_seed: pd.DataFrame | None, path: str, title: str) -> None:
    claim_ids = list(dict.fromkeys(claims["claim_id"]))
    methods = list(dict.fromkeys(claims["method"]))
    fig, axes = _claim_panels(claim_ids)
    if per_seed is not None:
        jitter = np.random.default_rng(0).uniform(-0.18, 0.18, len(per_seed))  # fixed: the same figure on every rerun
    for ax, claim_id in zip(axes, claim_ids):
        rows = claims[claims["claim_id"] == claim_id].set_index("method").loc[methods]
        y = list(range(len(methods)))[::-1]
        for yi, (method, row) in zip(y, rows.iterrows()):
            i = methods.index(method)
            if per_seed is not None:
                mine = (per_seed["method"] == method).to_numpy()
                ax.plot(per_seed.loc[mine, claim_id], yi + 0.3 + jitter[mine], ".", color=colour(i), alpha=0.5, ms=5)
            ax.plot([row["pi_low"], row["pi_high"]], [yi, yi], color=colour(i), lw=1)
            ax.plot([row["ci_low"], row["ci_high"]], [yi, yi], color=colour(i), lw=4, solid_capstyle="butt")
            ax.plot(row["estimate"], yi, "o", color="white", mec=colour(i), ms=6)
        ax.plot(rows["paper_estimate"].iloc[0], len(methods) - 0.4, "kD", ms=6)
        _reference_lines(ax, rows.iloc[0], vertical=True)
        ax.set_yticks(y, methods)
        ax.set_ylim(-0.7, len(methods) - 0.1)
        ax.set_title(textwrap.fill(f"{claim_id} ({rows['kind'].iloc[0]}): {rows['statistic'].iloc[0]}", 48), fontsize="small")
    fig.suptitle(title, fontsize="medium")
    save_figure(fig, path)


def claims_by_seeds(stability: pd.DataFrame, path: str) -> None:
    """One panel per claim: mean and 95 % CI on the first 5, 10, 20, ... seeds, per method, with
    the threshold (dashed) and the paper's value (dotted): how the CI narrows as seeds grow."""
    prefixes = stability[stability["kind"] == "first"]
    claim_ids = list(dict.fromkeys(prefixes["claim_id"]))
    methods = list(dict.fromkeys(prefixes["method"]))
    fig, axes = _claim_panels(claim_ids)
    for ax, claim_id in zip(axes, claim_ids):
        rows = prefixes[prefixes["claim_id"] == claim_id]
        for i, method in enumerate(methods):
            line = rows[rows["method"] == method]
            x = line["subset_seeds"] * (1 + 0.04 * (i - (len(methods) - 1) / 2))  # side by side on the log axis
            ax.errorbar(x, line["estimate"], yerr=[line["estimate"] - line["ci_low"], line["ci_high"] - line["estimate"]],
                        fmt="o-", color=colour(i), capsize=3, label=method)
        _reference_lines(ax, rows.iloc[0], vertical=False)
        ax.axhline(rows["paper_estimate"].iloc[0], color="black", ls=":", lw=1)
        ax.set_xscale("log")
        counts = sorted(rows["subset_seeds"].unique())
        ax.set_xlim(counts[0] / 1.5, counts[-1] * 1.5)  # set, not inferred: a claim may have no defined value
        ax.set_xticks(counts, [str(n) for n in counts])
        ax.minorticks_off()
        ax.set(xlabel="seeds")
        ax.set_title(textwrap.fill(f"{claim_id}: {rows['statistic'].iloc[0]}", 48), fontsize="small")
    axes[0].legend(fontsize="small")
    fig.suptitle("Claims as seeds grow: mean and 95 % CI; threshold dashed, paper dotted", fontsize="medium")
    save_figure(fig, path)



VERDICT_COLOURS = {"reproduced": colour(2), "not reproduced": colour(5), "inconclusive": colour(8)}


def specification_curves(multiverse: pd.DataFrame, axes_keys: list[str], path: str) -> None:
    """Per claim (the first method's): universes ordered by estimate, each with its 95 % CI
    coloured by verdict and the paper's value as a line; beneath, which choices each universe
    makes (a dot per changed key)."""
    method = multiverse["method"].iloc[0]
    rows = multiverse[multiverse["method"] == method]
    claim_ids = list(dict.fromkeys(rows["claim_id"]))
    columns = min(3, len(claim_ids))
    fig = plt.figure(figsize=(5.2 * columns, 4.4 * -(-len(claim_ids) // columns)))
    outer = fig.add_gridspec(-(-len(claim_ids) // columns), columns)
    for cell, claim_id in zip(outer, claim_ids):
        claim = rows[rows["claim_id"] == claim_id].sort_values("estimate", kind="stable").reset_index(drop=True)
        top, bottom = cell.subgridspec(2, 1, height_ratios=[3, 1], hspace=0.05).subplots(sharex=True)
        for x, r in claim.iterrows():
            shade = VERDICT_COLOURS.get(r["verdict"], "grey")
            top.plot([x, x], [r["ci_low"], r["ci_high"]], color=shade, lw=3)
            top.plot(x, r["estimate"], "o", color="white", mec=shade, ms=5, mew=1.5 if r["universe"] != "default" else 3)
        if not claim["paper_estimate"].isna().all():
            top.axhline(claim["paper_estimate"].iloc[0], color="black", ls=":", lw=1)
        top.set_title(f"{claim_id} ({claim['kind'].iloc[0]})", fontsize="small")
        for y, key in enumerate(axes_keys):
            made = claim[key] != "(base)"
            bottom.plot(claim.index[made], [y] * int(made.sum()), "ks", ms=4)
        bottom.set_yticks(range(len(axes_keys)), axes_keys, fontsize="x-small")
        bottom.set_ylim(-0.5, len(axes_keys) - 0.5)
        bottom.set_xticks(claim.index, [""] * len(claim))
    handles = [plt.Line2D([], [], color=c, lw=3, label=v) for v, c in VERDICT_COLOURS.items()]
    fig.legend(handles=handles, loc="upper right", fontsize="small")
    fig.suptitle(f"Specification curves ({method}): universes by estimate, 95 % CI coloured by verdict, paper dotted; "
                 "beneath, each universe's choices (default circled bold)", fontsize="medium")
    save_figure(fig, path)


def attribution_shifts(attributed: pd.DataFrame, path: str) -> None:
    """Per claim (the first method's): each universe's paired shift from the default with its
    95 % CI; filled where the universe puts the paper's value inside our PI."""
    method = attributed["method"].iloc[0]
    rows = attributed[(attributed["method"] == method) & (attributed["universe"] != "default")]
    claim_ids = list(dict.fromkeys(rows["claim_id"]))
    universes = list(dict.fromkeys(rows["universe"]))
    fig, axes = _panels(len(claim_ids), width=4.8, height=0.35 * len(universes) + 1.5, sharey=True)
    for ax, claim_id in zip(axes, claim_ids):
        claim = rows[rows["claim_id"] == claim_id].set_index("universe").loc[universes]
        y = list(range(len(universes)))[::-1]
        for yi, (_, r) in zip(y, claim.iterrows()):
            inside = bool(r["paper_in_pi"]) if not pd.isna(r["paper_in_pi"]) else False
            ax.plot([r["shift_ci_low"], r["shift_ci_high"]], [yi, yi], color=colour(0), lw=2)
            ax.plot(r["shift"], yi, "o", color=colour(0) if inside else "white", mec=colour(0), ms=6)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, universes, fontsize="x-small")
        ax.set_title(claim_id, fontsize="small")
    fig.suptitle(f"Gap attribution ({method}): each universe's shift from the default, paired over seeds, "
                 "95 % CI; filled = paper inside that universe's PI", fontsize="medium")
    save_figure(fig, path)
