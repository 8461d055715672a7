"""What a finished forecasting run cost, read from the files Snakemake wrote for it: its wall
time (first to last timestamp of its Snakemake log), and per kind of job the jobs, job-seconds,
trainings and peak memory (each job's benchmark file and log).

    python bench/forecast_cost.py results/forecast .snakemake/log/<the run>.snakemake.log [--out bench/out/forecast_cost]

A training job trains its trials, or (mc_dropout by default) tests the networks another
method's job trained, which its log says per trial. Writes ``forecast_cost.{md,parquet}`` and
``run.json`` (date, code, machine) to ``--out``: a folder of its own, so that its ``run.json`` is
never another benchmark's and ``devprune snapshot`` copies this table alone.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from devprune.io import machine_line  # noqa: E402
from devprune.markdown_tables import markdown_table  # noqa: E402

#: Snakemake's job timestamps, e.g. ``[Wed Dec  2 13:20:01 2026]``.
TIMESTAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]", re.MULTILINE)
#: The cores Snakemake gave the run (``--cores``), as its log says them.
PROVIDED_CORES = re.compile(r"^Provided cores: (\d+)$", re.MULTILINE)
#: What a trial's log line says when its job tested another method's trained network.
SHARED = "tests the network trained in"


def wall_seconds_and_cores(snakemake_log: Path) -> tuple[float, int]:
    """The run's wall time (its first to its last job timestamp) and the cores it was given."""
    text = snakemake_log.read_text()
    stamps = [datetime.datetime.strptime(" ".join(s.split()), "%a %b %d %H:%M:%S %Y") for s in TIMESTAMP.findall(text)]
    cores = PROVIDED_CORES.search(text)
    if not stamps or cores is None:
        sys.exit(f"{snakemake_log}: not a Snakemake run's log (no job timestamps or no 'Provided cores:' line); "
                 "pass the log under .snakemake/log/ of the run that wrote the results")
    return (max(stamps) - min(stamps)).total_seconds(), int(cores.group(1))


def job_rows(results: Path) -> pd.DataFrame:
    """One row per job: its kind (data, training, testing), seconds, trainings and peak memory."""
    rows = []
    for record in sorted((results / "benchmarks").rglob("*.tsv")):
        bench = pd.read_csv(record, sep="\t").iloc[0]
        relative = record.relative_to(results / "benchmarks")
        if record.name.startswith("data_"):
            kind, trainings = "data", 0
        else:
            log = (results / "logs" / relative).with_suffix(".log").read_text()
            trials, shared = log.count("training, "), log.count(SHARED)
            kind, trainings = ("tests trained networks" if shared == trials else "trains"), trials - shared
        rows.append({"kind": kind, "method": relative.parts[2] if len(relative.parts) > 2 else "–", "s": bench["s"],
                     "trainings": trainings, "max_rss_mb": bench["max_rss"]})
    return pd.DataFrame(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="the run's results directory, e.g. results/forecast")
    parser.add_argument("snakemake_log", type=Path, help="the run's log under .snakemake/log/")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "forecast_cost")
    args = parser.parse_args()
    wall_s, cores = wall_seconds_and_cores(args.snakemake_log)  # a wrong file is refused before any work
    jobs = job_rows(args.results)
    table = (jobs.groupby(["kind", "method"], sort=True)
             .agg(jobs=("s", "size"), job_s=("s", "sum"), trainings=("trainings", "sum"), max_rss_mb=("max_rss_mb", "max"))
             .reset_index())
    total = {"kind": "all", "method": "–", "jobs": len(jobs), "job_s": jobs["s"].sum(), "trainings": jobs["trainings"].sum(),
             "max_rss_mb": jobs["max_rss_mb"].max()}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    metrics = pd.read_parquet(args.results / "metrics.parquet")
    info = {"date": datetime.date.today().isoformat(), "code_version": ",".join(sorted(metrics["code_version"].unique())),
            "wall_s": round(wall_s, 1), "results": str(args.results), "metrics_rows": len(metrics),
            "cores": cores, "machine": machine_line(cores)}
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(args.out / "forecast_cost.parquet", index=False)
    (args.out / "run.json").write_text(json.dumps(info, indent=1) + "\n")
    text = markdown_table(table.assign(job_s=table["job_s"].round(0)), number_format="{:g}") + "\n" + json.dumps(info) + "\n"
    (args.out / "forecast_cost.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
