"""The plain reference for the benchmark: the paper's protocol as one ordinary script.

One Python process, no workflow, no files between stages: each seed's networks are trained one
after another with the plain ``nn.Module`` loop (:func:`devprune.phased.train.train`), then evaluated.
It uses the pipeline's seeds and pruning, so its metrics must equal the pipeline's exactly;
the benchmark checks that. Writes ``metrics.parquet`` and ``timings.parquet`` to ``--out``.

    python bench/plain_reference.py --config config.yaml --seeds 0 1 --threads 2 --out DIR
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import torch
import yaml

from devprune import masks as masking
from devprune.phased.evaluate import evaluate
from devprune.phased.models import TaskGatedMLP
from devprune.phased.tasks import TaskData, draw_task_data
from devprune.phased.train import Network, train
from devprune.seeds import derived_seed


def run_seed(cfg: dict, seed: int, timings: dict) -> list[dict]:
    task_cfg = cfg["task"]
    start = time.perf_counter()
    frames = draw_task_data(task_cfg, seed)
    train_data, test_data = TaskData(frames["train"]), TaskData(frames["test"])
    timings["data"] += time.perf_counter() - start

    def fit(model, masks, stage, shuffle_seed):
        start = time.perf_counter()
        train(Network(model, masks, train_data, shuffle_seed, f"seed {seed} {stage}"), task_cfg, cfg[stage])
        timings[stage] += time.perf_counter() - start

    torch.manual_seed(derived_seed(seed, "baseline", "init"))
    baseline = TaskGatedMLP(cfg["model"]["hidden"], n_classes=len(task_cfg["centers"]))
    fit(baseline, masking.full_masks(baseline), "baseline", derived_seed(seed, "baseline"))
    models = [dict(stage="baseline", early_density=None, branch=None, model=baseline)]
    for density in cfg["early"]["densities"]:
        early = TaskGatedMLP(cfg["model"]["hidden"], n_classes=len(task_cfg["centers"]))
        early.load_state_dict(baseline.state_dict())
        early_masks = masking.prune_to_density(early, masking.full_masks(early), density)
        fit(early, early_masks, "early", derived_seed(seed, "early"))
        models.append(dict(stage="early", early_density=density, branch=None, model=early))
        for branch, fraction in cfg["late"]["branches"].items():
            late = TaskGatedMLP(cfg["model"]["hidden"], n_classes=len(task_cfg["centers"]))
            late.load_state_dict(early.state_dict())
            fit(late, masking.prune_fraction(late, early_masks, fraction), "late", derived_seed(seed, "late", density))
            models.append(dict(stage="late", early_density=density, branch=branch, model=late))
    start = time.perf_counter()
    rows = []
    for entry in models:
        for row in evaluate(entry.pop("model"), test_data, task_cfg, cfg["evaluation"], seed):
            rows.append({"seed": seed, **entry, **row})
    timings["evaluate"] += time.perf_counter() - start
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--seeds", required=True, type=int, nargs="+")
    parser.add_argument("--threads", required=True, type=int)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = yaml.safe_load(args.config.read_text())
    timings = dict.fromkeys(["data", "baseline", "early", "late", "evaluate"], 0.0)
    rows = []
    for seed in args.seeds:
        rows += run_seed(cfg, seed, timings)
        print(f"plain reference: seed {seed} done, {sum(timings.values()):.0f} s so far", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(args.out / "metrics.parquet", index=False)
    pd.DataFrame([{"stage": k, "seconds": v} for k, v in timings.items()]).to_parquet(args.out / "timings.parquet", index=False)


if __name__ == "__main__":
    main()
