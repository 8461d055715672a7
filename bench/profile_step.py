"""Where one training step's time goes: torch.profiler over the stacked trainer, by kind of op.

    python bench/profile_step.py [--models 10] [--threads 1] [--out bench/out/profile.md]

Trains ``--models`` networks of the config's shape as one stack for one epoch on real task data
(after one warm-up epoch, so Adam's state and the weights are realistic) and reports the time in
matrix products, in the optimiser, and in everything else, as a Markdown table. The benchmark's
"what bounds it" rests on this table.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd
import torch
import yaml
from torch.profiler import ProfilerActivity, profile

from devprune import masks as masking
from devprune.phased.models import TaskGatedMLP
from devprune.phased.tasks import TaskData, draw_task_data
from devprune.phased.train import Network, train_stacked

REPO = Path(__file__).resolve().parents[1]
MATMUL_OPS = {"aten::bmm", "aten::baddbmm", "aten::mm", "aten::addmm"}
OPTIMIZER_OPS = {"aten::sqrt", "aten::div", "aten::lerp_", "aten::addcmul_", "aten::addcdiv_", "aten::_fused_adam_", "aten::_foreach_add_"}


def kind(name: str) -> str:
    if name in MATMUL_OPS:
        return "matrix products (forward + backward)"
    if name in OPTIMIZER_OPS or name.startswith("Optimizer."):
        return "Adam update"
    return "everything else (masks, ReLU, loss, batching, bookkeeping)"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml")
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "profile.md")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    torch.set_num_threads(args.threads)
    cfg = yaml.safe_load(args.config.read_text())
    networks = []
    for seed in range(args.models):
        data = TaskData(draw_task_data(cfg["task"], seed)["train"])
        torch.manual_seed(seed)
        model = TaskGatedMLP(cfg["model"]["hidden"], n_classes=len(cfg["task"]["centers"]))
        masks = masking.prune_to_density(model, masking.full_masks(model), 0.5)
        networks.append(Network(model, masks, data, seed, str(seed)))
    settings = {**cfg["early"], "epochs": 1}
    train_stacked(networks, cfg["task"], settings)  # warm-up: realistic weights
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        train_stacked(networks, cfg["task"], settings)
    events = pd.DataFrame([{"op": e.key, "self_s": e.self_cpu_time_total / 1e6} for e in prof.key_averages()])
    events["kind"] = events["op"].map(kind)
    table = events.groupby("kind")["self_s"].sum().sort_values(ascending=False).to_frame()
    table["share"] = table["self_s"] / table["self_s"].sum()
    steps = 2 * -(-cfg["task"]["n_train_per_task"] // cfg["early"]["batch_size"])
    table["ms_per_model_step"] = 1e3 * table["self_s"] / (steps * args.models)
    text = (f"# One epoch of {args.models} stacked networks ({cfg['model']['hidden']}), {args.threads} thread(s)\n\n"
            f"{steps} steps; torch.profiler self time by kind of op (the profiler itself adds some overhead).\n\n"
            + "| kind | seconds | share | ms per network-step |\n|---|---|---|---|\n"
            + "".join(f"| {k} | {r.self_s:.2f} | {r.share:.0%} | {r.ms_per_model_step:.3f} |\n" for k, r in table.iterrows()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
