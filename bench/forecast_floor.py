"""How fast could the forecasting benchmark get with the same arithmetic? What stacking trials
can at best buy, per architecture and window length, and the wall time it projects.

    python bench/forecast_floor.py [--snapshot docs/measured/forecast_cost] [--steps 12] [--out bench/out/forecast_floor]

Stacking the ten trials of a cell into one network (as the phased wing stacks seeds) runs the
same arithmetic in fewer, larger calls. Its best case is one network taking the ten trials'
batches as one batch of 640: the same multiply-adds, one call per op. Per architecture and
length this times one training step (forward, backward, Adam) of the default forecaster at
batch 64 and at batch 640, on one core as each benchmark job runs, alternating the two so a
busy machine slows both alike. ``bound`` = 10 x (step at 64) / (step at 640): above 1, the
step is bound by per-call overhead that stacking removes; near or below 1, by arithmetic.

The projection divides each architecture's measured training seconds (the snapshot of a whole
run, ``--snapshot``) by its bound over all lengths (each length's step stacked only where that
helps, the lengths weighted by their step cost), and adds the run's other job-seconds unchanged; on 2 cores its wall time is half of that. It is an upper
bound on what stacking gains: real stacked kernels (batched matrix products over separate
weights, per-trial masks, early stopping) cost more than one large batch.
Writes ``forecast_floor.{md,parquet}`` and ``run.json`` (date, code, machine) to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import torch
import yaml
from torch.nn import functional as F

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from devprune.forecast.stages import build_forecaster  # noqa: E402
from devprune.io import machine_line  # noqa: E402
from devprune.markdown_tables import markdown_table  # noqa: E402
from devprune.runtime import use_deterministic_algorithms  # noqa: E402

TRIALS, BATCH, FEATURES = 10, 64, 7  # household power's 7 columns


def step_seconds(architecture: str, length: int, batch: int, forecast: dict, steps: int) -> float:
    """Median seconds of one training step of the default forecaster on random windows."""
    torch.manual_seed(0)
    model = build_forecaster(architecture, FEATURES, length, forecast["model"], forecast["dropout"])
    optimizer = torch.optim.Adam(model.parameters(), lr=forecast["lr"])
    inputs, targets = torch.randn(batch, length, FEATURES), torch.randn(batch)
    times = []
    for index in range(steps + 2):  # two warm-up steps
        start = time.perf_counter()
        loss = F.mse_loss(model(inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss.item()
        if index >= 2:
            times.append(time.perf_counter() - start)
    return float(pd.Series(times).median())


def measure(forecast: dict, steps: int) -> pd.DataFrame:
    rows = []
    for architecture in forecast["architectures"]:
        for length in forecast["sequence_lengths"]:
            one, stacked = [], []
            for _ in range(2):  # alternate, so drift hits both
                one.append(step_seconds(architecture, length, BATCH, forecast, steps))
                stacked.append(step_seconds(architecture, length, TRIALS * BATCH, forecast, steps))
            one_ms, stacked_ms = 1000 * min(one), 1000 * min(stacked)
            rows.append({"architecture": architecture, "sequence_length": length, "step_ms_batch64": one_ms,
                         "step_ms_batch640": stacked_ms, "bound": TRIALS * one_ms / stacked_ms})
            print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def projection(steps: pd.DataFrame, snapshot: Path) -> dict:
    """The snapshot run's job-seconds and wall time, and both with every training at its bound."""
    cost = pd.read_parquet(snapshot / "forecast_cost.parquet")
    summary = pd.read_parquet(REPO / "docs" / "measured" / "forecast_benchmark" / "summary.parquet")
    trained = summary[summary["method"] != "mc_dropout"]  # mc_dropout tests dropout's networks
    runs = summary["n_runs"].iloc[0]  # trials x lengths per cell
    train_s = trained.groupby("architecture")["train_seconds"].sum() * runs
    # stacked only where it helps: a length whose bound is below 1 keeps today's step
    best_ms = steps["step_ms_batch64"].where(steps["bound"] < 1, steps["step_ms_batch640"] / TRIALS)
    bound = steps["step_ms_batch64"].groupby(steps["architecture"]).sum() / best_ms.groupby(steps["architecture"]).sum()
    job_s = float(cost.loc[cost["kind"] == "all", "job_s"].iloc[0])
    # architectures not measured keep their cost
    stacked_job_s = job_s - train_s.sum() + (train_s / bound.reindex(train_s.index).fillna(1.0)).sum()
    return {"training_s": round(float(train_s.sum())), "job_s": round(job_s), "stacked_job_s": round(stacked_job_s),
            "wall_min_2_cores": round(job_s / 2 / 60), "stacked_wall_min_2_cores": round(stacked_job_s / 2 / 60),
            "bound_by_architecture": {a: round(float(b), 2) for a, b in bound.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, default=REPO / "docs" / "measured" / "forecast_cost")
    parser.add_argument("--steps", type=int, default=12, help="timed steps per measurement (default 12)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "forecast_floor")
    args = parser.parse_args()
    torch.set_num_threads(1)
    use_deterministic_algorithms()
    forecast = yaml.safe_load((REPO / "config.yaml").read_text())["forecast"]
    steps = measure(forecast, args.steps)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    info = {"date": datetime.date.today().isoformat(), "code_version": commit, "torch": torch.__version__,
            "machine": machine_line(1),
            "projection": projection(steps, args.snapshot)}
    args.out.mkdir(parents=True, exist_ok=True)
    steps.to_parquet(args.out / "forecast_floor.parquet", index=False)
    (args.out / "run.json").write_text(json.dumps(info, indent=1) + "\n")
    text = markdown_table(steps.round(2), number_format="{:g}") + "\n" + json.dumps(info) + "\n"
    (args.out / "forecast_floor.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
