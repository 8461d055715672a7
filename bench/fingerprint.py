"""Fingerprints of seed 0's data and dense baseline on this machine, to compare machines bit for bit.

    python bench/fingerprint.py                       # config.yaml, seed 0
    MKL_CBWR=AVX2 python bench/fingerprint.py          # with MKL's conditional numerical reproducibility
    python bench/fingerprint.py --trace-out bench/traces/intel_xeon.jsonl      # record every op's output
    python bench/fingerprint.py --trace-against bench/traces/intel_xeon.jsonl  # name the first op that differs

Trains nothing but seed 0's baseline (one network, the config's baseline stage) in a temporary
directory and prints one line of JSON: the machine (CPU, torch's CPU capability, BLAS build,
MKL_CBWR), the float64 sum of the training data's ``x1``, the float64 sum of the baseline's first
weight matrix, and the training loss after the first and the last epoch. Two machines whose
lines agree on the numbers trained the same network bit for bit.

When they do not, ``--trace-out`` finds where the bits part: it runs the same data generation and
training with every aten op intercepted (``TorchDispatchMode``) and writes, for each of the first
``--ops`` ops, its name, output shapes and the SHA-256 of its output bytes (and of the arguments
an in-place op writes), one JSON line each (the first line: the machine). ``--trace-against`` runs the same trace here and names the first
op whose output differs from the file's: every op before it gave the same bits, so that op (on
the inputs both machines agree on) is the one whose kernel differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import torch
import yaml
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from devprune.io import machine
from devprune.phased.stages import Block, TrainFiles, make_data, train_baseline

REPO = Path(__file__).resolve().parents[1]


class OpTrace(TorchDispatchMode):
    """Every aten op run inside it, with the digest of its outputs; stops the run after ``limit``."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.ops = limit, []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        # an op that writes into its arguments (Adam's fused step returns nothing) is traced by them
        written = [value for argument, value in zip(func._schema.arguments, [*args, *kwargs.values()])
                   if argument.alias_info is not None and argument.alias_info.is_write]
        tensors = [t for t in tree_flatten([out, written])[0] if isinstance(t, torch.Tensor)]
        digest = hashlib.sha256()
        for tensor in tensors:
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        self.ops.append({"op": str(func), "shapes": [list(t.shape) for t in tensors], "sha256": digest.hexdigest()[:16]})
        if len(self.ops) >= self.limit:
            raise TraceFull
        return out


class TraceFull(Exception):
    """The trace has its ops: stop the training it interrupts."""


def trace(cfg: dict, seed: int, threads: int, limit: int) -> list[dict]:
    """The first ``limit`` ops of seed 0's data generation and baseline training, with digests."""
    recorder = OpTrace(limit)
    try:
        with recorder:
            fingerprint(cfg, seed, threads)
    except TraceFull:
        pass
    return recorder.ops


def first_difference(ours: list[dict], theirs: list[dict]) -> str:
    """Where two traces part, in words."""
    for index, (a, b) in enumerate(zip(ours, theirs)):
        if a["op"] != b["op"] or a["shapes"] != b["shapes"]:
            return f"op {index}: the traces run different ops ({a['op']} {a['shapes']} here, {b['op']} {b['shapes']} there)"
        if a["sha256"] != b["sha256"]:
            return (f"op {index} is the first whose output differs: {a['op']} with outputs {a['shapes']} "
                    f"(every op before it gave the same bits)")
    return f"identical over the {min(len(ours), len(theirs))} ops both traces hold"


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
    parser.add_argument("--ops", type=int, default=3000, help="how many ops a trace records (default 3000)")
    parser.add_argument("--trace-out", type=Path, help="write this machine's op trace (JSON lines) here")
    parser.add_argument("--trace-against", type=Path, help="trace here and name the first op that differs from this file")
    args = parser.parse_args()
    cfg = yaml.safe_load(args.config.read_text())
    if not (args.trace_out or args.trace_against):
        print(json.dumps(fingerprint(cfg, args.seed, args.threads)))
        return
    ops = trace(cfg, args.seed, args.threads, args.ops)
    if args.trace_out:
        header = {**machine("cpu"), "threads": args.threads, "MKL_CBWR": os.environ.get("MKL_CBWR"),
                  "torch": torch.__version__, "config": args.config.name, "seed": args.seed}
        args.trace_out.parent.mkdir(parents=True, exist_ok=True)
        args.trace_out.write_text("".join(json.dumps(row) + "\n" for row in [header, *ops]))
    if args.trace_against:
        header, *theirs = [json.loads(line) for line in args.trace_against.read_text().splitlines()]
        print(f"this machine: {machine('cpu')['cpu']}; {args.trace_against}: {header['cpu']}")
        print(first_difference(ops, theirs))


if __name__ == "__main__":
    main()
