"""Benchmark: the paper protocol through the pipeline, for 1 seed and for N seeds, side by side
with the plain serial reference (bench/plain_reference.py) and the dense-FLOP bound.

    python bench/run_benchmark.py                 # 1 and 10 seeds, all cores, config.yaml
    python bench/run_benchmark.py --seeds 3 --config tests/configs/tiny.yaml --out /tmp/b

Writes ``results.md`` and ``results.parquet`` (one row per run), ``stages.parquet`` (one row per
run and stage) and ``run.json`` (date, commit, torch, machine) to ``--out`` (default ``bench/out``). Every run starts from an empty
working directory. What the columns mean is in the Markdown file's footer and the README.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from devprune.config import resolve_method
from devprune.io import code_version, machine_line
from devprune.markdown_tables import markdown_table

REPO = Path(__file__).resolve().parents[1]
AGGREGATION_JOBS = ("aggregate", "tables", "figures")
PAPER_METHOD = {"criterion": "magnitude", "scope": "global", "schedule": "one_shot"}
METRIC_KEYS = ["seed", "stage", "early_density", "branch", "metric", "condition", "level"]


def matmul_gflops(threads: int, size: int = 1024, repeats: int = 30) -> float:
    """fp32 square matmul throughput with ``threads`` torch threads: the machine's compute rate."""
    code = (
        "import time, torch\n"
        f"torch.set_num_threads({threads}); a = torch.randn({size}, {size}); a @ a\n"
        f"t = time.perf_counter()\nfor _ in range({repeats}): a @ a\n"
        f"print(2 * {size}**3 * {repeats} / (time.perf_counter() - t) / 1e9)"
    )
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def dense_training_flop(cfg: dict, n_seeds: int) -> float:
    """6 x parameters x samples x epochs: forward + backward of every training step, dense."""
    widths = [4, *cfg["model"]["hidden"], len(cfg["task"]["centers"])]
    parameters = sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
    densities, branches = len(cfg["early"]["densities"]), len(cfg["late"]["branches"])
    pruned_epochs = densities * cfg["early"]["epochs"] + densities * branches * cfg["late"]["epochs"]
    epochs = cfg["baseline"]["epochs"] + len(cfg["methods"]) * pruned_epochs
    return 6.0 * parameters * 2 * cfg["task"]["n_train_per_task"] * epochs * n_seeds


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    return time.perf_counter() - start


def job_table(results: Path) -> pd.DataFrame:
    """One row per job: stage, wall seconds and peak memory (Snakemake's benchmark files), and
    the seconds the job spent training or evaluating (its log's ``timing`` line)."""
    rows = []
    for bench_file in sorted((results / "benchmarks").rglob("*.tsv")):
        name = bench_file.relative_to(results / "benchmarks").with_suffix("").as_posix()
        # block<b>/ + data, baseline, <method>/early_d10, <method>/late_d10_asd, evaluate_<method>/late/d10/asd;
        # tables, figures, aggregate_metrics
        job = re.sub(r"^block\d+/", "", name)
        stage = "evaluate" if job.startswith("evaluate_") else Path(job).name.split("_")[0]
        record = pd.read_csv(bench_file, sep="\t").iloc[0]
        log_text = (results / "logs" / f"{name}.log").read_text()
        compute = sum(float(x) for x in re.findall(r"timing \w+_s=([\d.]+)", log_text))
        # A warm job's work runs in a fork of the warm server, outside the process tree that
        # Snakemake's benchmark measures: the fork logs its own peak memory.
        forked_rss = [float(x) for x in re.findall(r"warm job: peak_rss_mb=([\d.]+)", log_text)]
        rows.append({"stage": "aggregate" if stage in AGGREGATION_JOBS else stage, "job": name, "job_s": float(record["s"]),
                     "compute_s": compute, "max_rss_mb": max([float(record["max_rss"]), *forked_rss]),
                     "warm": bool(forked_rss)})
    return pd.DataFrame(rows)


def run_pipeline(cfg: dict, workdir: Path, cores: int) -> tuple[dict, pd.DataFrame]:
    workdir.mkdir(parents=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
               "--configfile", str(workdir / "config.yaml"), "--cores", str(cores), "--quiet", "all"]
    wall = timed(command, stdout=subprocess.DEVNULL)
    rerun = timed(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = workdir / cfg["results_dir"] / cfg["experiment"]
    jobs = job_table(results)
    device = pd.read_parquet(results / "metrics.parquet", columns=["device"])["device"].iloc[0]
    summary = {
        "wall_s": wall, "rerun_s": rerun, "jobs": len(jobs), "warm_jobs": int(jobs["warm"].sum()), "job_s": jobs["job_s"].sum(),
        "compute_s": jobs["compute_s"].sum(), "max_rss_mb": jobs["max_rss_mb"].max(), "device": device,
    }
    return summary, jobs


def run_reference(config_path: Path, seeds: list[int], workdir: Path, threads: int) -> tuple[dict, pd.DataFrame]:
    command = [sys.executable, str(REPO / "bench" / "plain_reference.py"), "--config", str(config_path),
               "--seeds", *map(str, seeds), "--threads", str(threads), "--out", str(workdir)]
    wall = timed(command)
    timings = pd.read_parquet(workdir / "timings.parquet")
    summary = {"wall_s": wall, "jobs": 1, "compute_s": timings["seconds"].sum(), "device": "cpu"}
    return summary, timings.rename(columns={"seconds": "compute_s"})


def same_metrics(pipeline_results: Path, reference_dir: Path) -> bool:
    ours = pd.read_parquet(pipeline_results / "metrics.parquet").set_index(METRIC_KEYS)["value"].sort_index()
    theirs = pd.read_parquet(reference_dir / "metrics.parquet").set_index(METRIC_KEYS)["value"].sort_index()
    return ours.index.equals(theirs.index) and bool((ours.values == theirs.values).all())


FOOTER = """
- `wall_s`: end-to-end wall time (pipeline: `snakemake --cores {cores}` on an empty directory; reference: one process).
- `rerun_s`: the same command again with nothing changed.
- `warm_jobs`: jobs that ran in a fork of the warm server (config `warm_start`; the first jobs run cold while it starts).
- `job_s`: sum of the jobs' wall times (Snakemake benchmark files); `compute_s`: time inside training and evaluation
  (the jobs' `timing` log lines; for the reference, its stage timers). `overhead_s` = `job_s` - `compute_s`: process
  start, imports, file I/O, pruning. `idle_core_s` = `wall_s` x cores - `job_s`: core time no job used (Snakemake
  start-up, scheduling, stages that cannot fill every core).
- `bound_s`: dense training FLOPs (6 x parameters x samples x epochs x seeds) / the matmul rate measured in this run
  ({gflops:.0f} GFLOP/s, {size}x{size} fp32 with {cores} threads). `wall/bound` is the issue's target (<= 2).
- `reference/wall`: how many times faster than the plain serial reference with the same seeds (target: >= 1, i.e.
  never slower, already at 1 seed).
- `max_rss_mb`: the largest peak resident memory of any one job (a warm job's fork logs its own).
- `same_metrics`: every metric of the pipeline equals the reference's exactly.
"""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml", help="protocol (default: config.yaml)")
    parser.add_argument("--seeds", type=int, default=10, help="the N of the N-seed runs (default 10)")
    parser.add_argument("--cores", type=int, default=os.cpu_count(), help="cores for Snakemake and the reference")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out", help="output directory (emptied)")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.cores < 1:
        parser.error(f"--seeds and --cores must be >= 1 (got {args.seeds}, {args.cores})")
    shutil.rmtree(args.out, ignore_errors=True)
    base = yaml.safe_load(args.config.read_text())
    methods = {name: resolve_method(name, method, base) for name, method in base["methods"].items()}
    if list(methods.values()) != [PAPER_METHOD]:
        parser.error(f"config methods {list(methods)}: the benchmark compares the pipeline with a plain script of the "
                     f"paper's method, so the config must have that one method only ({PAPER_METHOD})")
    gflops = matmul_gflops(args.cores)
    print(f"matmul: {gflops:.0f} GFLOP/s with {args.cores} threads", flush=True)
    runs, stages = [], []
    for n_seeds in sorted({1, args.seeds}):
        seeds = list(range(n_seeds))
        cfg = {**base, "seeds": seeds, "results_dir": "results", "experiment": "bench"}
        workdir = args.out / f"pipeline_{n_seeds}seeds"
        print(f"pipeline, {n_seeds} seed(s) ...", flush=True)
        summary, jobs = run_pipeline(cfg, workdir, args.cores)
        print(f"reference, {n_seeds} seed(s) ...", flush=True)
        ref_dir = args.out / f"reference_{n_seeds}seeds"
        ref_summary, ref_stages = run_reference(workdir / "config.yaml", seeds, ref_dir, args.cores)
        bound = dense_training_flop(cfg, n_seeds) / (gflops * 1e9)
        same = same_metrics(workdir / "results" / "bench", ref_dir)
        for name, s in (("pipeline", summary), ("plain reference", ref_summary)):
            runs.append({
                "run": name, "seeds": n_seeds, **s, "bound_s": bound, "wall/bound": s["wall_s"] / bound,
                "reference/wall": ref_summary["wall_s"] / s["wall_s"], "same_metrics": same,
            })
        per_stage = jobs.groupby("stage", sort=False).agg(jobs=("job", "size"), job_s=("job_s", "sum"),
                                                          compute_s=("compute_s", "sum"), max_rss_mb=("max_rss_mb", "max"))
        stages.append(per_stage.reset_index().assign(run="pipeline", seeds=n_seeds))
        stages.append(ref_stages.assign(run="plain reference", seeds=n_seeds))
    table = pd.DataFrame(runs)
    table["overhead_s"] = table["job_s"] - table["compute_s"]
    table["idle_core_s"] = table["wall_s"] * args.cores - table["job_s"]
    table = table[["run", "seeds", "device", "wall_s", "rerun_s", "jobs", "warm_jobs", "job_s", "compute_s", "overhead_s",
                   "idle_core_s", "max_rss_mb", "bound_s", "wall/bound", "reference/wall", "same_metrics"]]
    table.insert(0, "cores", args.cores)
    table.insert(1, "matmul_gflops", gflops)
    stage_table = pd.concat(stages, ignore_index=True)[["run", "seeds", "stage", "jobs", "job_s", "compute_s", "max_rss_mb"]]
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(args.out / "results.parquet", index=False)
    stage_table.to_parquet(args.out / "stages.parquet", index=False)
    text = (f"# devprune benchmark ({base.get('experiment')} protocol from {args.config.name})\n\n"
            + markdown_table(table, "{:.3g}") + "\n## Per stage\n\n" + markdown_table(stage_table, "{:.3g}")
            + FOOTER.format(cores=args.cores, gflops=gflops, size=1024))
    (args.out / "results.md").write_text(text)
    (args.out / "run.json").write_text(json.dumps(run_info(args.config, args.cores), indent=1) + "\n")
    print(text)


def run_info(config: Path, cores: int) -> dict:
    """Where the numbers came from, for ``python -m devprune.measured snapshot``."""
    return {"date": datetime.date.today().isoformat(), "code_version": code_version(),
            "torch_version": metadata.version("torch"), "config": config.name,
            "machine": machine_line(cores)}


if __name__ == "__main__":
    main()
