"""The docs' measured tables, rendered from a run's results, never typed by hand.

    devprune snapshot results/paper docs/measured/paper       # after a pipeline run
    devprune snapshot results/forecast docs/measured/forecast # after the forecasting run
    devprune snapshot bench/out docs/measured/bench           # after bench/run_benchmark.py
    devprune snapshot bench/out/forecast_cost docs/measured/forecast_cost  # after bench/forecast_cost.py
    devprune docs [--check]                                   # rewrite (or check) every generated block

``snapshot`` copies a run's small summary tables into the repository (``docs/measured/<name>/``)
with ``run.json``, which says where they came from: for a pipeline run the commit, torch version
and device from the rows' provenance, the seeds and the machine the snapshot was taken on (take
it on the machine that ran the pipeline); for a benchmark, the ``run.json`` the benchmark wrote.
:func:`render` gives the blocks ``measured:<snapshot>/<table>`` (e.g. ``paper/claims``,
``bench/results``) that :mod:`devprune.docs` puts into the README and the docs pages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from devprune.forecast import tables as forecast_tables
from devprune.io import machine_line
from devprune.markdown_tables import markdown_table
from devprune.phased import claims as claim_readings
from devprune.phased.tables import summary_markdown

def run_kind(results: Path) -> str:
    """What ``results`` holds: a phased run, a forecasting run or a benchmark's output."""
    if any((results / f"{name}.parquet").exists() for name in BENCH_BLOCKS):
        return "benchmark"
    # a forecasting run's tables, or its variants' merged metrics (a phased multiverse has an
    # attribution table too, so that name alone does not tell)
    forecast = (results / "tables" / "summary.parquet").exists() or (results / "attribution" / "default").is_dir()
    return "forecast" if forecast else "pipeline"


TABLES = {"pipeline": ("claims", "pi_coverage", "stability", "table1", "table2"), "forecast": ("summary", "tests", "claims")}
#: A forecasting run's attribution over variants (``forecast.attribution``), its table and figure:
#: a run of the variants alone (a subset of the datasets) has these without the benchmark's tables.
FORECAST_ATTRIBUTION = "attribution"
#: Figures a pipeline snapshot keeps, for the README to show.
FIGURES = {"pipeline": ("claims_distributions",)}
#: What a pipeline snapshot adds when the run had a multiverse (``tables/multiverse.parquet``).
MULTIVERSE_TABLES, MULTIVERSE_FIGURES = ("multiverse", "robustness", "attribution"), ("specification_curves", "attribution")


def snapshot(results: Path, dest: Path) -> None:
    """Copy a run's summary tables to ``dest`` and say where they came from in ``run.json``."""
    dest.mkdir(parents=True, exist_ok=True)
    kind = run_kind(results)
    if kind == "benchmark":
        for name in [f"{table}.parquet" for table in BENCH_BLOCKS if (results / f"{table}.parquet").exists()] + ["run.json"]:
            shutil.copyfile(results / name, dest / name)
        return
    multiverse = (results / "tables" / "multiverse.parquet").exists()
    tables = TABLES[kind] + (MULTIVERSE_TABLES if multiverse else ())
    figures = FIGURES.get(kind, ()) + (MULTIVERSE_FIGURES if multiverse else ())
    if kind == "forecast":
        tables = tuple(name for name in tables if (results / "tables" / f"{name}.parquet").exists())
        if (results / "tables" / f"{FORECAST_ATTRIBUTION}.parquet").exists():
            tables, figures = (*tables, FORECAST_ATTRIBUTION), (FORECAST_ATTRIBUTION,)
    for name in tables:
        shutil.copyfile(results / "tables" / f"{name}.parquet", dest / f"{name}.parquet")
    for name in figures:
        shutil.copyfile(results / "figures" / f"{name}.png", dest / f"{name}.png")
    rows = pd.read_parquet(dest / f"{tables[-1] if kind == 'forecast' else 'claims'}.parquet")
    info = {
        "kind": kind, "experiment": results.name, "seeds": rows["seed"].iloc[0], "code_version": rows["code_version"].iloc[0],
        "torch_version": rows["torch_version"].iloc[0], "device": rows["device"].iloc[0],
        "results_hash": rows["results_hash"].iloc[0], "table_code_version": rows.get("table_code_version", rows["code_version"]).iloc[0],
        "machine": machine_line(),
    }
    (dest / "run.json").write_text(json.dumps(info, indent=1) + "\n")


def missing_inputs(results: Path) -> list[str]:
    """What a snapshot of ``results`` lacks: a run's tables or a benchmark's files."""
    kind = run_kind(results)
    if kind == "benchmark":
        return [] if (results / "run.json").exists() else [str(results / "run.json")]
    missing = [str(results / "tables" / f"{name}.parquet") for name in TABLES[kind]
               if not (results / "tables" / f"{name}.parquet").exists()]
    attribution = (results / "tables" / f"{FORECAST_ATTRIBUTION}.parquet").exists()
    return [] if kind == "forecast" and attribution else missing


def _source(info: dict, snapshot_dir: Path) -> str:
    n_seeds = len(str(info["seeds"]).split(","))
    unit = "trials" if info.get("kind") == "forecast" else "seeds"
    tables = info.get("table_code_version", info["code_version"])
    code = info["code_version"] if tables == info["code_version"] else f"{info['code_version']} (tables: {tables})"
    return (f"*Measured: {n_seeds} {unit}, {info['device']}, torch {info['torch_version']}, code {code}, "
            f"results hash {info['results_hash']}; machine: {info['machine']}. Rendered by "
            f"`devprune docs` from `docs/measured/{snapshot_dir.name}/`.*\n")


def claims_block(claims: pd.DataFrame, source: str) -> str:
    """Per method: every claim with its quote, kind, readings, agreement and PI, compact."""
    def render(rows: pd.DataFrame) -> str:
        view = pd.DataFrame([{
            "id": r.claim_id, "kind": r.kind, "the paper says": f"“{r.quote}”",
            "claimed": claim_readings.format_target(r), "ours: mean [95 % CI]": claim_readings.format_estimate(r),
            "one seed: PI": claim_readings.format_pi(r),
            "paper": claim_readings.format_value(r.paper_estimate, r.statistic) + (" (text)" if r.paper_source == "text" else ""),
            "paper in CI / PI": f"{claim_readings.yes_no(r.paper_in_ci)} / {claim_readings.yes_no(r.paper_in_pi)}",
            "direction": r.direction, "verdict": f"**{r.verdict}**", "agreement": claim_readings.format_agreement(r),
        } for r in rows.itertuples()])
        return markdown_table(view)
    return "\n".join([source, *_per_method(claims, render)])


def verdicts_block(claims: pd.DataFrame, source: str) -> str:
    """The headline: per method, every claim in a few words with its verdict and whether the
    paper's own value lies in our prediction interval for one run."""
    def render(rows: pd.DataFrame) -> str:
        view = pd.DataFrame([{"id": r.claim_id, "claim": r.claim, "verdict": f"**{r.verdict}**",
                              "paper's run in our PI": claim_readings.yes_no(r.paper_in_pi)} for r in rows.itertuples()])
        return markdown_table(view)
    return "\n".join([source, *_per_method(claims, render)])


def _share(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.2f}"


def pi_coverage_block(coverage: pd.DataFrame, source: str) -> str:
    """Per method: each claim's leave-one-seed-out coverage of both PIs at every subsample size."""
    def render(rows: pd.DataFrame) -> str:
        sizes = sorted(rows["seeds_per_subsample"].unique())
        table = []
        for claim_id, claim_rows in rows.groupby("claim_id", sort=False):
            by_size = claim_rows.set_index("seeds_per_subsample")
            cells = {"id": claim_id}
            for label, column, level in (("normal", "normal_coverage", "normal_level"), ("order", "order_coverage", "order_level")):
                cells |= {f"{label}, {m} seeds ({by_size.loc[m, level]:.2f})": _share(by_size.loc[m, column]) for m in sizes}
            table.append({**cells, "used": claim_rows["pi_method"].iloc[0]})
        return markdown_table(pd.DataFrame(table))
    return "\n".join([source, *_per_method(coverage, render)])


def stability_block(stability: pd.DataFrame, source: str) -> str:
    """Per method: each claim's verdict and direction on the first 5, 10, 20, ... seeds and on
    each half, with the split-half agreement."""
    agreement = claim_readings.split_half_agreement(stability)

    def render(rows: pd.DataFrame) -> str:
        cells = {(r.claim_id, r.subset): f"{r.verdict}, {r.direction}" for r in rows.itertuples()}
        claim_ids, subsets = list(dict.fromkeys(rows["claim_id"])), list(dict.fromkeys(rows["subset"]))
        text = markdown_table(pd.DataFrame([{"id": c, **{s: cells[c, s] for s in subsets}} for c in claim_ids]))
        halves = agreement[agreement["method"] == rows["method"].iloc[0]]
        if len(halves):
            text += (f"\nSplit-half agreement ({halves['first_half'].iloc[0]} against {halves['second_half'].iloc[0]}): "
                     f"the same verdict for {int(halves['same_verdict'].sum())} of {len(halves)} claims, the same "
                     f"direction for {int(halves['same_direction'].sum())} of {len(halves)}.\n")
        return text
    return "\n".join([source, *_per_method(stability, render)])


def _per_method(frame: pd.DataFrame, render) -> list[str]:
    """``render(rows)`` for each method, titled when there is more than one."""
    several = frame["method"].nunique() > 1
    return [(f"Method `{method}`:\n\n" if several else "") + render(rows)
            for method, rows in frame.groupby("method", sort=False)]


def table1_block(table1: pd.DataFrame, source: str) -> str:
    """Table 1's fragility and selectivity columns beside the paper's."""
    columns = {"stress": "stress tol.", "ambiguity": "ambiguity tol.", "blended": "blended + ambiguous"}
    return "\n".join([source, *_per_method(table1, lambda rows: summary_markdown(rows, columns))])


def table2_block(table2: pd.DataFrame, source: str) -> str:
    """Table 2's branch differences (reference - comparison branch) with their Holm-corrected p."""
    columns = {"stress_diff": "stress diff", "ambiguity_diff": "ambiguity diff"}
    extra = {"stress_diff_p_holm": "stress p (Holm)", "ambiguity_diff_p_holm": "ambiguity p (Holm)"}
    return "\n".join([source, *_per_method(table2, lambda rows: summary_markdown(rows, columns, extra))])


def bench_block(results: pd.DataFrame, info: dict) -> str:
    """Per seed count: the pipeline beside the plain reference and the dense-FLOP bound."""
    source = (f"*Measured by `bench/run_benchmark.py` on {info['date']}: code {info['code_version']}, torch "
              f"{info['torch_version']}, {info['config']}; machine: {info['machine']}; matmul "
              f"{results['matmul_gflops'].iloc[0]:.0f} GFLOP/s on {results['cores'].iloc[0]} threads. Rendered by "
              f"`devprune docs` from `docs/measured/{info['snapshot']}/`.*\n")
    rows = []
    for seeds, run in results.groupby("seeds", sort=True):
        pipeline, reference = (run[run["run"] == name].iloc[0] for name in ("pipeline", "plain reference"))
        rows.append({
            "paper protocol": f"{seeds} seed{'s' if seeds > 1 else ''}", "pipeline wall": f"{pipeline.wall_s:,.0f} s",
            "plain serial reference": f"{reference.wall_s:,.0f} s", "reference / pipeline": f"{pipeline['reference/wall']:.2f}",
            "dense-FLOP bound": f"{pipeline.bound_s:,.0f} s", "pipeline / bound": f"{pipeline['wall/bound']:.2f}",
            "no-change rerun": f"{pipeline.rerun_s:.1f} s", "peak memory of a job": f"{pipeline.max_rss_mb:,.0f} MB",
            "same metrics": claim_readings.yes_no(pipeline.same_metrics),
        })
    return source + "\n" + markdown_table(pd.DataFrame(rows))


def forecast_cost_block(cost: pd.DataFrame, info: dict) -> str:
    """A forecasting run's wall time, and its jobs, job-seconds and trainings per kind of job."""
    source = (f"*Measured by `bench/forecast_cost.py` on {info['date']}: the run of code {info['code_version']} took "
              f"**{info['wall_s'] / 60:.0f} min** wall on {info['cores']} cores ({info['metrics_rows']:,} trials); "
              f"machine: {info['machine']}. Rendered by `devprune docs` from `docs/measured/{info['snapshot']}/`.*\n")
    view = cost.assign(job_s=cost["job_s"].map(lambda s: f"{s:,.0f}"), trainings=cost["trainings"].map(lambda n: f"{n:,}"),
                       max_rss_mb=cost["max_rss_mb"].map(lambda m: f"{m:,.0f}"))
    return source + "\n" + markdown_table(view.rename(columns={"job_s": "job-seconds", "max_rss_mb": "peak MB of a job"}))


def forecast_floor_block(steps: pd.DataFrame, info: dict) -> str:
    """Per architecture and length, a training step of one trial and of ten as one batch, and the
    wall time this projects for the whole benchmark."""
    projected = info["projection"]
    source = (f"*Measured by `bench/forecast_floor.py` on {info['date']}: code {info['code_version']}, torch "
              f"{info['torch']}; machine: {info['machine']}. Projected from the snapshot run's "
              f"{projected['job_s']:,} job-seconds ({projected['wall_min_2_cores']} min on 2 cores): with every "
              f"training at its bound, {projected['stacked_job_s']:,} job-seconds, **{projected['stacked_wall_min_2_cores']} "
              f"min on 2 cores**. Rendered by `devprune docs` from `docs/measured/{info['snapshot']}/`.*\n")
    view = steps.assign(step_ms_batch64=steps["step_ms_batch64"].map("{:.1f}".format),
                        step_ms_batch640=steps["step_ms_batch640"].map("{:.1f}".format), bound=steps["bound"].map("{:.2f}".format))
    return source + "\n" + markdown_table(view.rename(columns={
        "sequence_length": "length", "step_ms_batch64": "ms per step, 1 trial (batch 64)",
        "step_ms_batch640": "ms per step, 10 trials as one batch of 640", "bound": "most stacking can gain (x)"}))


def quickstart_block(times: pd.DataFrame, info: dict) -> str:
    """The quick-start commands' wall times from a fresh clone, and what each did."""
    did = {1: lambda r: f"{r.snakemake_jobs} Snakemake jobs", 2: lambda r: f"{r.tests_passed} tests passed"}
    parts = [f"command {r.command}: **{round(r.wall_s) // 60} min {round(r.wall_s) % 60} s**, install included "
             f"({did[r.command](r)}{'' if r.rc == 0 else f', exit status {r.rc}'})" for r in times.itertuples()]
    return (f"*Measured by `bench/quickstart.py` on {info['date']}, each command in a fresh clone of "
            f"{info['code_version']}; machine: {info['machine']}. Rendered by `devprune docs` from "
            f"`docs/measured/{info['snapshot']}/`.* " + "; ".join(parts) + ".")


#: A benchmark's tables and the block each renders: bench/run_benchmark.py's results,
#: bench/forecast_cost.py's cost of a forecasting run, bench/forecast_floor.py's step costs,
#: bench/quickstart.py's quick-start times.
BENCH_BLOCKS = {"results": bench_block, "forecast_cost": forecast_cost_block, "forecast_floor": forecast_floor_block,
                "quickstart": quickstart_block}


def robustness_block(robustness: pd.DataFrame, multiverse: pd.DataFrame, source: str) -> str:
    """Per method: each claim's default verdict, how many universes give it and its direction,
    and the universes that do not, with what they give instead."""
    def render(rows: pd.DataFrame) -> str:
        method = rows["method"].iloc[0]
        table = []
        for r in rows.itertuples():
            others = multiverse[(multiverse["method"] == method) & (multiverse["claim_id"] == r.claim_id)]
            base = others[others["universe"] == "default"].iloc[0]
            differ = others[(others["verdict"] != base["verdict"]) | (others["direction"] != base["direction"])]
            table.append({"id": r.claim_id, "default verdict": r.verdict,
                          "same verdict": f"{r.same_verdict} of {r.universes}", "same direction": f"{r.direction_share:.2f}",
                          "robust": "**robust**" if r.robust else "no",
                          "universes that differ": "; ".join(f"{d.universe}: {d.verdict}, {d.direction}"
                                                             for d in differ.itertuples()) or "–"})
        return markdown_table(pd.DataFrame(table))
    return "\n".join([source, *_per_method(robustness, render)])


def attribution_block(attribution: pd.DataFrame, source: str) -> str:
    """Per method: each claim's paper value, whether the default PI holds it, the universes that
    bring it inside (fewest choices first) and the universe that moves the estimate most, with
    the paired shift and its 95 % CI."""
    def shift(r) -> str:
        return f"{r['universe']} {r['shift']:+.2f} [{r['shift_ci_low']:+.2f}, {r['shift_ci_high']:+.2f}]"

    def render(rows: pd.DataFrame) -> str:
        table = []
        for claim_id, group in rows.groupby("claim_id", sort=False):
            base = group[group["universe"] == "default"].iloc[0]
            others = group[group["universe"] != "default"]
            inside = others[others["paper_in_pi"].fillna(False).astype(bool)].sort_values(["n_choices", "universe"])
            largest = others.loc[others["shift"].abs().idxmax()] if others["shift"].notna().any() else None
            table.append({"id": claim_id, "paper": "–" if pd.isna(base.paper_estimate) else f"{base.paper_estimate:.2f}",
                          "default estimate": f"{base.estimate:.2f}",
                          "paper in default PI": claim_readings.yes_no(base.paper_in_pi),
                          "universes with the paper in our PI": ", ".join(inside["universe"]) or
                          ("–" if pd.isna(base.paper_in_pi) else "none"),
                          "largest shift [95 % CI]": "–" if largest is None else shift(largest)})
        return markdown_table(pd.DataFrame(table))
    return "\n".join([source, *_per_method(attribution, render)])


def sharing_block(sharing: pd.DataFrame, source: str) -> str:
    """Jobs and core-seconds per stage, shared against naive (``bench/multiverse_sharing.py``)."""
    return source + "\n" + markdown_table(sharing, number_format="{:g}")


def forecast_attribution_block(attribution: pd.DataFrame, source: str) -> str:
    """Pruning's mean rank and the claims per variant of the benchmark (its attribution table)."""
    return source + "\n" + forecast_tables.attribution_markdown(attribution)


def forecast_mae_block(summary: pd.DataFrame, tests: pd.DataFrame, source: str) -> str:
    """Per dataset x architecture: each method's mean test MAE (best in bold), the Friedman p over
    the blocks and pruning's mean rank."""
    methods = list(dict.fromkeys(summary["method"]))
    rows = []
    for (dataset, architecture), cell in summary.groupby(["dataset", "architecture"], sort=False):
        mae = cell.set_index("method")["mae_mean"]
        test = tests[(tests["dataset"] == dataset) & (tests["architecture"] == architecture)].iloc[0]
        rows.append({"dataset": dataset, "architecture": architecture,
                     **{m: (f"**{mae[m]:#.3g}**" if mae[m] == mae.min() else f"{mae[m]:#.3g}") for m in methods},
                     "Friedman p": f"{test.friedman_p:.3f}", "pruning's mean rank": f"{test.mean_rank_pruning:.1f}"})
    return source + "\n" + markdown_table(pd.DataFrame(rows))


def forecast_claims_block(claims: pd.DataFrame, source: str) -> str:
    """Seed 002's claims: estimate [95 % CI] over blocks, the paper's statement, the verdict."""
    view = pd.DataFrame([{
        "id": r.claim_id, "statistic": r.statistic, "measured": f"{r.estimate:.2g} [{r.ci_low:.2g}, {r.ci_high:.2g}]",
        "blocks": r.n_blocks, "paper": r.paper, "verdict": f"**{r.verdict}**",
    } for r in claims.itertuples()])
    return source + "\n" + markdown_table(view)


def render(snapshot_dir: Path) -> dict[str, str]:
    """Every block a snapshot directory gives, by name (``<snapshot>/<table>``)."""
    info = json.loads((snapshot_dir / "run.json").read_text())
    name = snapshot_dir.name
    frames = {path.stem: pd.read_parquet(path) for path in sorted(snapshot_dir.glob("*.parquet"))}
    if any(table in frames for table in BENCH_BLOCKS):
        return {f"{name}/{table}": renderer(frames[table], {**info, "snapshot": name})
                for table, renderer in BENCH_BLOCKS.items() if table in frames}
    source = _source(info, snapshot_dir)
    if info.get("kind") == "forecast":
        blocks = {}
        if "summary" in frames:
            blocks.update({f"{name}/mae": forecast_mae_block(frames["summary"], frames["tests"], source),
                           f"{name}/claims": forecast_claims_block(frames["claims"], source)})
        if FORECAST_ATTRIBUTION in frames:
            blocks[f"{name}/attribution"] = forecast_attribution_block(frames[FORECAST_ATTRIBUTION], source)
        return blocks
    renderers = {"claims": claims_block, "verdicts": verdicts_block, "pi_coverage": pi_coverage_block, "stability": stability_block,
                 "table1": table1_block, "table2": table2_block, "attribution": attribution_block,
                 "multiverse_sharing": sharing_block,
                 "robustness": lambda frame, src: robustness_block(frame, frames["multiverse"], src)}
    tables = {**frames, "verdicts": frames.get("claims")}
    return {f"{name}/{table}": renderer(tables[table], source) for table, renderer in renderers.items()
            if tables.get(table) is not None}
