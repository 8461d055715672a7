"""Fingerprints of seed 0's data and dense baseline on this machine, to compare machines bit for bit.

    python bench/fingerprint.py                       # config.yaml, seed 0
    MKL_CBWR=AVX2 python bench/fingerprint.py          # with MKL's conditional numerical reproducibility

Trains nothing but seed 0's baseline (one network, the config's baseline stage) in a temporary
directory and prints one line of JSON: the machine (CPU, torch's CPU capability, BLAS build,
MKL_CBWR), the float64 sum of the training data's ``x1``, the float64 sum of the baseline's first
weight matrix, and the training loss after the first and the last epoch. Two machines whose
lines agree on the numbers trained the same network bit for bit.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import torch
import yaml

from devprune.io import machine
from devprune.phased.stages import Block, TrainFiles, make_data, train_baseline

REPO = Path(__file__).resolve().parents[1]


def fingerprint(cfg: dict, seed: int, threads: int) -> dict:
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: [str(Path(tmp) / name)] for name in
                 ("train.parquet", "test.parquet", "model.pt", "log.parquet", "trajectory.pt")}
        make_data(cfg["task"], [seed], paths["train.parquet"], paths["test.parquet"])
        files = TrainFiles(paths["train.parquet"], paths["model.pt"], paths["log.parquet"], trajectory=paths["trajectory.pt"])
        train_baseline(Block([seed], cfg["task"], "cpu"), files, cfg["model"], cfg["baseline"])
        data = pd.read_parquet(paths["train.parquet"][0])
        weights = torch.load(paths["model.pt"][0], weights_only=True)["state_dict"]["layers.0.weight"]
        log = pd.read_parquet(paths["log.parquet"][0])
    return {
        **machine("cpu"), "threads": threads, "MKL_CBWR": os.environ.get("MKL_CBWR"),
        "x1_sum": float(data["x1"].astype("float64").sum()), "layers.0.weight_sum": float(weights.double().sum()),
        "loss_first_epoch": float(log["loss"].iloc[0]), "loss_last_epoch": float(log["loss"].iloc[-1]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(fingerprint(yaml.safe_load(args.config.read_text()), args.seed, args.threads)))


if __name__ == "__main__":
    main()
