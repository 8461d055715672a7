"""The forecasting benchmark's merged metrics, tables (Parquet + Markdown) and figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from devprune import publish  # noqa: E402
from devprune.figures import colour, save_figure  # noqa: E402
from devprune.forecast import tables  # noqa: E402
from devprune.io import read_parquet  # noqa: E402
from devprune.markdown_tables import markdown_table  # noqa: E402
from devprune.publish import outputs_by_name, summary_provenance, table_files, write_table  # noqa: E402

SORT_KEYS = ["dataset", "architecture", "method", "sequence_length", "trial"]
TITLES = {"summary": "Forecasting: MAE per dataset, architecture and method",
          "by_length": "Forecasting: MAE per sequence length", "tests": "Forecasting: Friedman and Wilcoxon tests",
          "claims": "Forecasting: the paper's claims F1-F4"}


def concat_metrics(paths, out_path: str) -> None:
    """Every trial's metrics as one table."""
    publish.concat_metrics(paths, out_path, SORT_KEYS)


def _ordered(metrics: pd.DataFrame, methods: list[str]) -> pd.DataFrame:
    return metrics.assign(method=pd.Categorical(metrics["method"], methods, ordered=True)).sort_values(SORT_KEYS)


def write_tables(metrics_path: str, outputs, *, methods: list[str], results_hash: str) -> None:
    metrics = read_parquet(metrics_path)
    ordered = _ordered(metrics, methods)
    frames = {
        "summary": tables.summary(ordered), "by_length": tables.by_length(ordered),
        "tests": tables.tests(metrics, methods), "claims": tables.claims(metrics, methods),
    }
    files = table_files(outputs)
    prov = summary_provenance(metrics, results_hash)
    for name, frame in frames.items():
        frame = frame.assign(method=frame["method"].astype(str)) if "method" in frame else frame
        write_table(frame, markdown_table(frame.round(4).fillna("–")), files[name], title=TITLES[name], provenance=prov,
                    parents=[metrics_path])


def write_figures(metrics_path: str, outputs, *, methods: list[str]) -> None:
    metrics = _ordered(read_parquet(metrics_path), methods)
    out = outputs_by_name(outputs)
    cells = list(metrics.groupby(tables.CELL, sort=False, observed=True).groups)
    summary = tables.summary(metrics)
    fig, axes = plt.subplots(1, len(cells), figsize=(4 * len(cells), 3.6), squeeze=False)
    for ax, (dataset, architecture) in zip(axes[0], cells):
        rows = summary[(summary["dataset"] == dataset) & (summary["architecture"] == architecture)]
        error = [rows["mae_mean"] - rows["mae_ci_low"], rows["mae_ci_high"] - rows["mae_mean"]]
        ax.bar(rows["method"].astype(str), rows["mae_mean"], yerr=error, capsize=3, color=colour(0))
        ax.set(title=f"{dataset} / {architecture}", ylabel="test MAE (standardised)")
        ax.tick_params(axis="x", rotation=30)
    save_figure(fig, out["mae_by_method.png"])
    lengths = tables.by_length(metrics)
    fig, axes = plt.subplots(1, len(cells), figsize=(4 * len(cells), 3.6), squeeze=False)
    for ax, (dataset, architecture) in zip(axes[0], cells):
        rows = lengths[(lengths["dataset"] == dataset) & (lengths["architecture"] == architecture)]
        for i, (method, line) in enumerate(rows.groupby("method", sort=False, observed=True)):
            ax.plot(line["sequence_length"], line["mae_mean"], "o-", color=colour(i), label=str(method))
        ax.set(title=f"{dataset} / {architecture}", xlabel="sequence length", ylabel="test MAE (standardised)", xscale="log")
    axes[0][0].legend(fontsize="small")
    save_figure(fig, out["mae_by_length.png"])


def write_attribution(metrics_paths, outputs, *, variants: list[dict], methods: list[str], results_hash: str) -> None:
    """The attribution table (Parquet: every statistic; Markdown: pruning's mean rank per variant
    and dataset, then every claim's verdict per variant) and its figure, from each variant's
    metrics (``metrics_paths`` in the order of ``variants``)."""
    frames = [read_parquet(path) for path in metrics_paths]
    table = tables.attribution([{**variant, "metrics": frame} for variant, frame in zip(variants, frames)], methods)
    text = tables.attribution_markdown(table)
    files = table_files([path for path in outputs if not str(path).endswith(".png")])
    prov = summary_provenance(pd.concat(frames, ignore_index=True), results_hash)
    write_table(table, text, files["attribution"], title="Forecasting: attribution of the gap to the authors' protocol",
                provenance=prov, parents=list(metrics_paths))
    _attribution_figure(table[table["statistic"] == tables.MEAN_RANK], outputs_by_name(outputs)["attribution.png"],
                        len(methods))


def _attribution_figure(ranks: pd.DataFrame, path: str, n_methods: int) -> None:
    """Pruning's mean rank (and interval) per variant, one colour per dataset and over all: the
    cumulative steps joined by a line, the steps alone as points after the dashed line."""
    names = list(dict.fromkeys(ranks["variant"]))
    fig, ax = plt.subplots(figsize=(1.2 * len(names) + 3, 3.8))
    for i, (scope, rows) in enumerate(ranks.groupby("scope", sort=False)):
        for alone, part in rows.groupby(rows["kind"] == "alone", sort=True):
            x = [names.index(v) + 0.08 * (i - 1) for v in part["variant"]]
            ax.errorbar(x, part["estimate"], yerr=[part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]],
                        fmt="o" if alone else "o-", color=colour(i), capsize=3, label=None if alone else str(scope))
    if (ranks["kind"] == "alone").any():
        ax.axvline(names.index(ranks.loc[ranks["kind"] == "alone", "variant"].iloc[0]) - 0.5, color="grey", ls="--", lw=0.8)
    ax.set_xticks(range(len(names)), names, rotation=25, ha="right")
    ax.set(ylabel=f"mean rank of pruning (1 = best of {n_methods})", ylim=(n_methods + 0.2, 0.8),
           title="Cumulative steps towards the authors' protocol | each step alone")
    ax.legend(fontsize="small")
    save_figure(fig, path)
