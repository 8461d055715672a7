"""The claims in every universe of a multiverse (:mod:`devprune.multiverse`), side by side: how
robust each verdict is to the paper's unspecified choices, and which choices move our estimate
towards the paper's value.

Every universe's claims are read by :func:`devprune.phased.claims.claims_table`, the same
function as the plain run's; the default universe's rows are the plain run's claims table.
"""

from __future__ import annotations

import math

import pandas as pd

from devprune.io import read_parquet
from devprune.markdown_tables import markdown_table
from devprune.phased import claims as claim_readings
from devprune.phased import plots, tables
from devprune.publish import outputs_by_name, summary_provenance, table_files, write_table
from devprune.stats import mean_ci

READINGS = ["estimate", "ci_low", "ci_high", "pi_low", "pi_high", "verdict", "direction", "paper_in_ci", "paper_in_pi"]


def write_universe_claims(metrics_path: str, outputs, *, eval_cfg: dict, claims_cfg: dict, methods: list[str],
                          results_hash: str) -> None:
    """One universe's claims table and per-seed values (``claims`` and ``claims_per_seed``)."""
    metrics = read_parquet(metrics_path)
    wide = tables.claims_headline_values(metrics, eval_cfg, claims_cfg)
    read = {m: claim_readings.read_claims(w, claims_cfg) for m, w in tables.by_method(wide, methods).items()}
    claims = tables.stack_methods({m: table for m, (table, _) in read.items()})
    per_seed = tables.stack_methods({m: values.reset_index() for m, (_, values) in read.items()})
    files, prov = table_files(outputs), summary_provenance(metrics, results_hash)
    write_table(claims, claim_readings.claims_markdown(claims), files["claims"], title="Claims of one universe",
                provenance=prov, parents=[metrics_path])
    write_table(per_seed, claim_readings.per_seed_markdown(per_seed), files["claims_per_seed"],
                title="Claims of one universe, per seed", provenance=prov, parents=[metrics_path])


def multiverse_table(claims: dict[str, pd.DataFrame], choices: dict[str, dict], axes: list[str]) -> pd.DataFrame:
    """One row per universe x method x claim: the universe, its value of every axis key (the
    base value where it makes no choice of that key) and the claim's readings."""
    frames = []
    for name, table in claims.items():
        frame = table[["method", "claim_id", "kind", *READINGS, "paper_estimate"]].copy()
        frame.insert(0, "universe", name)
        for position, key in enumerate(axes, start=1):
            frame.insert(position, key, str(choices[name].get(key, "(base)")))
        frame.insert(len(axes) + 1, "n_choices", len(choices[name]))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def robustness(multiverse: pd.DataFrame, default: str) -> pd.DataFrame:
    """Per method and claim: the share of universes giving the default universe's verdict and
    its direction; ``robust`` when every universe gives both."""
    rows = []
    for (method, claim_id), group in multiverse.groupby(["method", "claim_id"], sort=False):
        base = group[group["universe"] == default].iloc[0]
        same_verdict = group["verdict"] == base["verdict"]
        same_direction = group["direction"] == base["direction"]
        rows.append({"method": method, "claim_id": claim_id, "verdict": base["verdict"], "universes": len(group),
                     "same_verdict": int(same_verdict.sum()), "verdict_share": float(same_verdict.mean()),
                     "direction_share": float(same_direction.mean()),
                     "robust": bool(same_verdict.all() and same_direction.all())})
    return pd.DataFrame(rows)


def attribution(multiverse: pd.DataFrame, per_seed: dict[str, pd.DataFrame], default: str) -> pd.DataFrame:
    """Per claim, method and universe: the estimate's shift from the default universe, paired
    over the seeds both have (mean of per-seed differences, Student t 95 % CI), and whether the
    universe puts the paper's value inside our PI and CI."""
    rows = []
    base_values = per_seed[default].set_index(["method", "replicate_seed"])
    for row in multiverse.itertuples():
        values = per_seed[row.universe].set_index(["method", "replicate_seed"])
        mine = values.xs(row.method, level="method")[row.claim_id]
        base = base_values.xs(row.method, level="method")[row.claim_id]
        shift, low, high = mean_ci((mine - base).dropna().to_numpy(), bounds=None)
        rows.append({"universe": row.universe, "n_choices": row.n_choices, "method": row.method, "claim_id": row.claim_id,
                     "shift": shift, "shift_ci_low": low, "shift_ci_high": high, "estimate": row.estimate,
                     "paper_estimate": row.paper_estimate, "paper_in_pi": row.paper_in_pi, "paper_in_ci": row.paper_in_ci})
    return pd.DataFrame(rows).astype({"paper_in_pi": "boolean", "paper_in_ci": "boolean"})


def gap_explanations(attributed: pd.DataFrame, default: str) -> pd.DataFrame:
    """For each claim whose paper value lies outside the default universe's PI: the universes
    that bring it inside, fewest changed choices first (empty: none of the declared choices)."""
    rows = []
    for (method, claim_id), group in attributed.groupby(["method", "claim_id"], sort=False):
        base = group[group["universe"] == default].iloc[0]
        if pd.isna(base["paper_in_pi"]) or base["paper_in_pi"]:
            continue
        inside = group[(group["universe"] != default) & group["paper_in_pi"].fillna(False)]
        inside = inside.sort_values(["n_choices", "universe"])
        rows.append({"method": method, "claim_id": claim_id, "universes_inside": list(inside["universe"])})
    return pd.DataFrame(rows, columns=["method", "claim_id", "universes_inside"])


def write_multiverse(claims_paths: dict[str, str], per_seed_paths: dict[str, str], outputs, *, choices: dict[str, dict],
                     axes: list[str], default: str) -> None:
    """The multiverse, robustness and attribution tables (Parquet and Markdown)."""
    claims = {name: read_parquet(path) for name, path in claims_paths.items()}
    per_seed = {name: read_parquet(path) for name, path in per_seed_paths.items()}
    table = multiverse_table(claims, choices, axes)
    robust = robustness(table, default)
    attributed = attribution(table, per_seed, default)
    explained = gap_explanations(attributed, default)
    files = table_files(outputs)
    parents = [*claims_paths.values(), *per_seed_paths.values()]
    prov = {"results_hash": claims[default]["results_hash"].iloc[0], "table_code_version": claims[default]["table_code_version"].iloc[0]}
    write_table(table, multiverse_markdown(table, axes), files["multiverse"], title="Multiverse: every claim in every universe",
                provenance=prov, parents=parents)
    write_table(robust, markdown_table(robust, number_format="{:.2f}"), files["robustness"],
                title="Robustness of each verdict to the declared choices", provenance=prov, parents=parents)
    write_table(attributed, attribution_markdown(attributed, explained), files["attribution"],
                title="Gap attribution: what each universe moves", provenance=prov, parents=parents)


def multiverse_markdown(table: pd.DataFrame, axes: list[str]) -> str:
    """Per method and claim: each universe's mean [CI], verdict and direction."""
    parts = []
    for (method, claim_id), rows in table.groupby(["method", "claim_id"], sort=False):
        view = pd.DataFrame([{
            "universe": r.universe, "ours: mean [95 % CI]": f"{r.estimate:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]",
            "paper": "–" if math.isnan(r.paper_estimate) else f"{r.paper_estimate:.2f}",
            "paper in PI": claim_readings.yes_no(r.paper_in_pi), "direction": r.direction, "verdict": r.verdict,
        } for r in rows.itertuples()])
        parts.append(f"## {method}: {claim_id}\n\n{markdown_table(view)}")
    return "\n".join(parts)


def attribution_markdown(attributed: pd.DataFrame, explained: pd.DataFrame) -> str:
    """Per claim: each universe's paired shift [CI] and whether it puts the paper in our PI;
    then, for each claim outside the default PI, the universes that bring the paper inside."""
    parts = []
    for (method, claim_id), rows in attributed.groupby(["method", "claim_id"], sort=False):
        view = pd.DataFrame([{
            "universe": r.universe, "shift [95 % CI]": "–" if math.isnan(r.shift_ci_low) else
            f"{r.shift:+.2f} [{r.shift_ci_low:+.2f}, {r.shift_ci_high:+.2f}]",
            "paper in PI": claim_readings.yes_no(r.paper_in_pi), "paper in CI": claim_readings.yes_no(r.paper_in_ci),
        } for r in rows.itertuples()])
        parts.append(f"## {method}: {claim_id}\n\n{markdown_table(view)}")
    lines = [f"* {r.method} {r.claim_id}: " + (", ".join(r.universes_inside) if r.universes_inside else
                                                 "none of the declared choices brings the paper inside our PI")
             for r in explained.itertuples()]
    return "\n".join(["Paper outside the default universe's PI, and the universes that bring it inside "
                      "(fewest changed choices first):\n", *lines, "", *parts])


def write_multiverse_figures(multiverse_path: str, attribution_path: str, outputs, *, axes: list[str]) -> None:
    """The specification curves and the attribution figure."""
    out = outputs_by_name(outputs)
    plots.specification_curves(read_parquet(multiverse_path), axes, out["specification_curves.png"])
    plots.attribution_shifts(read_parquet(attribution_path), out["attribution.png"])
