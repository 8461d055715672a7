"""The forecasting benchmark's wall time under two commits, side by side, on a subset of it.

    python bench/forecast_jobs.py --before 714e72c [--after HEAD] [--rounds 2] [--cores 2] [--config config.yaml]

Each commit is checked out in a temporary worktree (its own Snakefile and ``src/``, this
environment's packages) and runs ``snakemake forecast`` from scratch on the same subset of the
default config: one dataset, every architecture and method, three sequence lengths, all trials
(``--dataset``, ``--lengths``). Runs alternate between the commits, ``--rounds`` times, so drift
of a shared machine hits both alike. Writes ``forecast_jobs.{md,parquet}`` and ``run.json`` to
``--out``: per run the wall time and the number of training jobs, the median ratio before/after,
and whether both commits gave the same metrics (every column but the training time).
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from devprune.io import machine_line  # noqa: E402
from devprune.markdown_tables import markdown_table  # noqa: E402

#: Columns that may differ between two runs of the same trainings: timing and provenance.
NOT_COMPARED = ("train_seconds", "code_version")


def subset_config(path: Path, dataset: str, lengths: list[int]) -> dict:
    config = yaml.safe_load(path.read_text())
    forecast = config["forecast"]
    forecast["datasets"] = {dataset: forecast["datasets"][dataset]}
    forecast["sequence_lengths"] = lengths
    return config


def comparable(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics.drop(columns=[c for c in NOT_COMPARED if c in metrics])


def run_once(tree: Path, workdir: Path, config: dict, cores: int) -> dict:
    workdir.mkdir(parents=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(tree / "Snakefile"), "--directory", str(workdir),
                    "--configfile", str(workdir / "config.yaml"), "--cores", str(cores), "forecast"],
                   check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    results = workdir / config["results_dir"] / config["forecast"]["experiment"]
    jobs = sum(1 for path in (results / "benchmarks").rglob("*.tsv") if not path.name.startswith("data_"))
    return {"wall_s": wall, "training_jobs": jobs, "metrics": pd.read_parquet(results / "metrics.parquet")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the commit to compare against, e.g. the one before a change")
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml", help="the config to take the subset of")
    parser.add_argument("--dataset", default="stocks")
    parser.add_argument("--lengths", type=int, nargs="+", default=[1, 7, 30])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    config = subset_config(args.config, args.dataset, args.lengths)
    commits = {label: subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", rev], check=True,
                                     capture_output=True, text=True).stdout.strip()
               for label, rev in (("before", args.before), ("after", args.after))}
    rows, metrics = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {}
        for label, commit in commits.items():
            trees[label] = Path(tmp) / f"tree_{label}"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(trees[label]), commit],
                           check=True, capture_output=True)
        try:
            for round_ in range(args.rounds):
                for label in ("before", "after"):
                    result = run_once(trees[label], Path(tmp) / f"run_{label}_{round_}", config, args.cores)
                    metrics[label] = result.pop("metrics")
                    rows.append({"commit": label, "code": commits[label], "round": round_, **result})
                    print(f"{label} ({commits[label]}), round {round_}: {result['wall_s']:.0f} s, "
                          f"{result['training_jobs']} training jobs", flush=True)
        finally:
            for tree in trees.values():
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)
    table = pd.DataFrame(rows)
    same = comparable(metrics["before"]).equals(comparable(metrics["after"]))
    medians = table.groupby("commit")["wall_s"].median()
    summary = {"before / after (median wall)": round(medians["before"] / medians["after"], 2), "same metrics": same}
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(args.out / "forecast_jobs.parquet", index=False)
    trainings = len(config["forecast"]["architectures"]) * len(config["forecast"]["methods"]) * len(args.lengths) * config["forecast"]["trials"]
    info = {"date": datetime.date.today().isoformat(), "commits": commits, "dataset": args.dataset, "lengths": args.lengths,
            "trainings": trainings, "cores": args.cores, **summary,
            "machine": machine_line(args.cores)}
    (args.out / "run.json").write_text(json.dumps(info, indent=1) + "\n")
    text = markdown_table(table.assign(wall_s=table["wall_s"].round(1)), number_format="{:g}")
    (args.out / "forecast_jobs.md").write_text(text + "\n" + json.dumps(info) + "\n")
    print(text + "\n" + json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
