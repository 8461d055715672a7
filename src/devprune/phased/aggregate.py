"""All seeds together: the merged metrics table, the paper's tables and the figures."""

from __future__ import annotations

import pandas as pd

from devprune import publish
from devprune.io import METRICS_SCHEMA, read_parquet
from devprune.markdown_tables import markdown_table
from devprune.phased import claims as claim_readings
from devprune.phased import plots, tables
from devprune.publish import outputs_by_name, run_record, summary_provenance, table_files, write_table

SORT_KEYS = ["seed", "stage", "method", "early_density", "branch", "metric", "condition", "level"]


def concat_metrics(paths, out_path: str) -> None:
    """Every model's metrics as ``metrics.parquet``."""
    publish.concat_metrics(paths, out_path, SORT_KEYS, schema=METRICS_SCHEMA)


TITLES = {"table1": "Table 1: the early-pruned models and the dense baseline", "table2": "Table 2: the late branches' differences",
          "claims": "Claims: every quantitative statement of the paper, read over seeds",
          "claims_per_seed": "Claims: each seed's value of every claim's statistic",
          "pi_coverage": "Claims: leave-one-seed-out coverage of the prediction intervals",
          "methods": "Pruning methods side by side",
          "stability": "Stability: verdicts as seeds grow", "provenance": "Run and provenance"}


def _method_sections(frames: dict[str, pd.DataFrame], render) -> str:
    return "\n".join(f"## {method}\n\n{render(frame)}" for method, frame in frames.items())


def write_tables(metrics_path: str, outputs, *, eval_cfg: dict, claims_cfg: dict, methods: list[str], results_hash: str) -> None:
    """Tables 1 and 2, the claims and their stability over seeds for every method, and the
    methods side by side."""
    metrics = read_parquet(metrics_path)
    wide = tables.claims_headline_values(metrics, eval_cfg, claims_cfg)
    ref, cmp = claims_cfg["reference_branch"], claims_cfg["comparison_branch"]
    t1, t2, claims, per_seed, coverage, stability = {}, {}, {}, {}, {}, {}
    for method, method_wide in tables.by_method(wide, methods).items():
        t1[method] = tables.table1(method_wide)
        t2[method] = tables.table2(method_wide, ref, cmp)
        claims[method], values = claim_readings.read_claims(method_wide, claims_cfg)
        per_seed[method] = values.reset_index()
        coverage[method] = claim_readings.pi_coverage_table(values, claims_cfg, claims[method])
        stability[method] = claim_readings.stability_table(method_wide, claims_cfg)
    t1_md = _method_sections(t1, lambda t: tables.summary_markdown(
        t, {"visual": "visual acc", "voice": "voice acc", "stress": "stress tol.", "ambiguity": "ambiguity tol.", "blended": "blended + ambiguous"}
    ))
    t2_md = _method_sections(t2, lambda t: tables.summary_markdown(
        t,
        {"final_ref": f"{ref} final density", "final_cmp": f"{cmp} final density", "visual_ref": f"visual {ref}",
         "visual_cmp": f"visual {cmp}", "stress_diff": f"stress diff ({ref} - {cmp})", "ambiguity_diff": f"ambiguity diff ({ref} - {cmp})"},
        {"stress_diff_p_holm": "stress p (Holm)", "ambiguity_diff_p_holm": "ambiguity p (Holm)"},
    ))
    t1, t2, claims, per_seed, coverage, stability = (
        tables.stack_methods(frames) for frames in (t1, t2, claims, per_seed, coverage, stability))
    comparison = tables.method_comparison(t2)
    agreement = claim_readings.split_half_agreement(stability)
    files = table_files(outputs)
    prov = summary_provenance(metrics, results_hash)
    for name, frame, text in (
        ("table1", t1, t1_md), ("table2", t2, t2_md), ("claims", claims, claim_readings.claims_markdown(claims)),
        ("claims_per_seed", per_seed, claim_readings.per_seed_markdown(per_seed)),
        ("pi_coverage", coverage, claim_readings.pi_coverage_markdown(coverage)),
        ("methods", comparison, tables.method_comparison_markdown(comparison, ref, cmp)),
        ("stability", stability, claim_readings.stability_markdown(stability, agreement)),
        ("provenance", run_record(prov), markdown_table(run_record(prov))),
    ):
        write_table(frame, text, files[name], title=TITLES[name], provenance=prov, parents=[metrics_path])


def write_figures(metrics_path: str, claims_path: str, stability_path: str, per_seed_path: str, outputs, *,
                  eval_cfg: dict, claims_cfg: dict, methods: list[str]) -> None:
    metrics = read_parquet(metrics_path)
    wide = tables.claims_headline_values(metrics, eval_cfg, claims_cfg)
    ref, cmp = claims_cfg["reference_branch"], claims_cfg["comparison_branch"]
    per_method = tables.by_method(wide, methods)
    out = outputs_by_name(outputs)
    plots.stress_vs_density(tables.stack_methods({m: tables.table1(w) for m, w in per_method.items()}), wide,
                            out["stress_vs_density.png"])
    plots.noise_curves(metrics, out["noise_curves.png"], methods)
    plots.ambiguity_curves(metrics, out["ambiguity_curves.png"], methods)
    t2 = tables.stack_methods({m: tables.table2(w, ref, cmp) for m, w in per_method.items()})
    plots.branch_differences(t2, out["branch_differences.png"], ref, cmp)
    plots.methods_comparison(tables.method_comparison(t2), out["methods_comparison.png"], ref, cmp)
    plots.claims_forest(read_parquet(claims_path), out["claims_forest.png"])
    plots.claims_by_seeds(read_parquet(stability_path), out["claims_by_seeds.png"])
    plots.claims_distributions(read_parquet(claims_path), read_parquet(per_seed_path), out["claims_distributions.png"])
