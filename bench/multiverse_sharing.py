"""What a multiverse cost against a naive one that runs every universe from scratch: jobs and
core-seconds, read from the benchmark files Snakemake wrote for every job of a finished run.

    python bench/multiverse_sharing.py results/paper config.yaml configs/multiverse.yaml [more.yaml] [--out bench/out]

The config files are merged as Snakemake merges ``--configfile``s (later ones win, mappings
merged key by key). For every universe the script lists the benchmark file of each job its
results come from (a shared file counts once per universe that uses it); the naive multiverse
runs all of them, the shared one each distinct file once. Core-seconds are a job's user + system
CPU time: for a warm job the ``cpu_s`` its fork logged, else the benchmark's ``cpu_time``. Writes
``multiverse_sharing.md`` and ``.parquet`` to ``--out``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from devprune.config import density_label, seed_blocks  # noqa: E402
from devprune.markdown_tables import markdown_table  # noqa: E402
from devprune.multiverse import Universe, declared_universes  # noqa: E402


def merged(paths: list[str]) -> dict:
    def merge(base: dict, extra: dict) -> dict:
        out = dict(base)
        for key, value in extra.items():
            out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        return out

    config: dict = {}
    for path in paths:
        config = merge(config, yaml.safe_load(Path(path).read_text()))
    return config


def universe_jobs(universe: Universe, config: dict, results: str) -> list[tuple[str, str]]:
    """(stage, benchmark file) of every job whose files ``universe``'s results come from."""
    densities = [density_label(d) for d in config["early"]["densities"]]
    branches, methods = list(config["late"]["branches"]), list(config["methods"])
    jobs = []
    for block in seed_blocks(config["seeds"], config["seed_block"]):
        bench = {stage: f"{universe.up_to(stage).directory(results)}/benchmarks/block{block}"
                 for stage in ("data", "baseline", "early", "late")}
        jobs += [("data", f"{bench['data']}/data.tsv"), ("baseline", f"{bench['baseline']}/baseline.tsv")]
        for method in methods:
            jobs += [("early", f"{bench['early']}/{method}/early_{d}.tsv") for d in densities]
            jobs += [("late", f"{bench['late']}/{method}/late_{d}_{b}.tsv") for d in densities for b in branches]
        evaluated = {stage: f"{universe.evaluating(stage).directory(results)}/benchmarks/block{block}"
                     for stage in ("baseline", "early", "late")}
        jobs.append(("evaluation", f"{evaluated['baseline']}/evaluate_baseline.tsv"))
        for method in methods:
            jobs.append(("evaluation", f"{evaluated['early']}/{method}/evaluate_early.tsv"))
            jobs += [("evaluation", f"{evaluated['late']}/{method}/evaluate_late_{b}.tsv") for b in branches]
    jobs.append(("aggregation", f"{universe.up_to('evaluation').directory(results)}/benchmarks/aggregate_metrics.tsv"))
    claims = "tables.tsv" if not universe.choices else "universe_claims.tsv"
    jobs.append(("tables", f"{universe.directory(results)}/benchmarks/{claims}"))
    return jobs


WARM_JOB = re.compile(r"warm job: .*cpu_s=([\d.]+)")


def core_seconds(benchmark: str) -> float:
    """A job's CPU time. A warm job runs in a fork of the warm server, which logs its own CPU time
    (``devprune.warm_jobs``); Snakemake's benchmark measures only the client that waited for it."""
    log = Path(benchmark.replace("/benchmarks/", "/logs/")).with_suffix(".log")
    if log.exists():
        found = WARM_JOB.findall(log.read_text())
        if found:
            return float(found[-1])
    return float(pd.read_csv(benchmark, sep="\t")["cpu_time"].iloc[0])


def sharing_table(results: str, config: dict) -> pd.DataFrame:
    """Per stage and in all: jobs and core-seconds of the naive and the shared multiverse."""
    used = [(stage, path) for u in declared_universes(config) for stage, path in universe_jobs(u, config, results)]
    cpu = {path: core_seconds(path) for _, path in set(used)}
    rows = []
    for stage in ("data", "baseline", "early", "late", "evaluation", "aggregation", "tables", "all"):
        mine = [(s, p) for s, p in used if stage in (s, "all")]
        distinct = set(p for _, p in mine)
        naive_s, shared_s = sum(cpu[p] for _, p in mine), sum(cpu[p] for p in distinct)
        rows.append({"stage": stage, "naive jobs": len(mine), "shared jobs": len(distinct),
                     "naive core-s": round(naive_s), "shared core-s": round(shared_s),
                     "naive / shared core-s": round(naive_s / shared_s, 2) if shared_s else None})
    return pd.DataFrame(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", help="results/<experiment> of a finished multiverse run")
    parser.add_argument("configs", nargs="+", help="the run's --configfile files, in order")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    table = sharing_table(args.results.rstrip("/"), merged(args.configs))
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(args.out / "multiverse_sharing.parquet", index=False)
    (args.out / "multiverse_sharing.md").write_text(markdown_table(table, number_format="{:g}"))
    print(markdown_table(table, number_format="{:g}"), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
