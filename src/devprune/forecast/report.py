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
