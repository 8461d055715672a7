"""All seeds together: the merged metrics table, the paper's tables and the figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from devprune import plots, tables
from devprune.io import METRICS_SCHEMA, atomic_write, write_parquet

SORT_KEYS = ["seed", "stage", "early_density", "branch", "metric", "condition", "level"]


def concat_metrics(paths, out_path: str) -> None:
    frame = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    write_parquet(frame.sort_values(SORT_KEYS, ignore_index=True), out_path, schema=METRICS_SCHEMA)


def aggregate_provenance(metrics: pd.DataFrame, config_hash: str) -> dict:
    """Provenance of a row that summarises many: the run's config hash, every seed, version, device."""
    def joined(column):
        return ",".join(str(v) for v in sorted(metrics[column].unique()))

    return {
        "config_hash": config_hash, "seed": joined("seed"), "code_version": joined("code_version"),
        "torch_version": joined("torch_version"), "device": joined("device"),
    }


def _by_name(outputs) -> dict[str, str]:
    return {Path(p).name: str(p) for p in outputs}


def write_tables(metrics_path: str, outputs, *, eval_cfg: dict, claims_cfg: dict, config_hash: str) -> None:
    metrics = pd.read_parquet(metrics_path)
    wide = tables.headline_values(metrics, eval_cfg)
    ref, cmp = claims_cfg["reference_branch"], claims_cfg["comparison_branch"]
    t1 = tables.table1(wide)
    t2 = tables.table2(wide, ref, cmp)
    claims = tables.claims_table(wide, claims_cfg, t2)
    out = _by_name(outputs)
    prov = aggregate_provenance(metrics, config_hash)
    t1_md = tables.summary_markdown(
        t1, {"visual": "visual acc", "voice": "voice acc", "stress": "stress tol.", "ambiguity": "ambiguity tol.", "blended": "blended + ambiguous"}
    )
    t2_md = tables.summary_markdown(
        t2,
        {"final_ref": f"{ref} final density", "final_cmp": f"{cmp} final density", "visual_ref": f"visual {ref}",
         "visual_cmp": f"visual {cmp}", "stress_diff": f"stress diff ({ref} - {cmp})", "ambiguity_diff": f"ambiguity diff ({ref} - {cmp})"},
        {"stress_diff_p_holm": "stress p (Holm)", "ambiguity_diff_p_holm": "ambiguity p (Holm)"},
    )
    claims_md = tables.markdown(
        claims[["claim_id", "claim", "statistic", "side", "threshold", "estimate", "ci_low", "ci_high", "n_seeds", "paper_estimate", "verdict", "detail"]]
        .round(3).fillna("–")
    )
    for name, frame, text in (("table1", t1, t1_md), ("table2", t2, t2_md), ("claims", claims, claims_md)):
        write_parquet(frame, out[f"{name}.parquet"], prov)
        atomic_write(out[f"{name}.md"], lambda tmp, text=text: Path(tmp).write_text(text))


def write_figures(metrics_path: str, outputs, *, eval_cfg: dict, claims_cfg: dict) -> None:
    metrics = pd.read_parquet(metrics_path)
    wide = tables.headline_values(metrics, eval_cfg)
    ref, cmp = claims_cfg["reference_branch"], claims_cfg["comparison_branch"]
    out = _by_name(outputs)
    plots.stress_vs_density(tables.table1(wide), out["stress_vs_density.png"])
    plots.noise_curves(metrics, out["noise_curves.png"])
    plots.ambiguity_curves(metrics, out["ambiguity_curves.png"])
    plots.branch_differences(tables.table2(wide, ref, cmp), out["branch_differences.png"], ref, cmp)
