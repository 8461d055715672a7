"""The stage entry points the rules call, on the tiny config without Snakemake: each writes every
seed's files, and a pruning stage writes the mask its schedule ended with."""

import torch

from devprune import masks as masking
from devprune.config import resolve_method
from devprune.runtime import load_tensors
from devprune.phased.stages import Block, Method, TrainFiles, load_model, make_data, prune_early, prune_late, train_baseline

from conftest import tiny_config

CFG = tiny_config()
SEEDS = CFG["seeds"]


def per_seed(tmp_path, name):
    return [str(tmp_path / f"seed{seed}" / name) for seed in SEEDS]


def test_stages_write_every_seed_and_the_masks_a_schedule_ends_with(tmp_path):
    block = Block(SEEDS, CFG["task"], "cpu")
    make_data(CFG["task"], SEEDS, per_seed(tmp_path, "train.parquet"), per_seed(tmp_path, "test.parquet"))
    baseline = TrainFiles(per_seed(tmp_path, "train.parquet"), per_seed(tmp_path, "baseline.pt"),
                          per_seed(tmp_path, "baseline_log.parquet"), trajectory=per_seed(tmp_path, "trajectory.pt"))
    train_baseline(block, baseline, CFG["model"], CFG["baseline"])
    cubic = Method("cubic", resolve_method("cubic", {"schedule": "cubic", "prune_every": 3}, CFG))
    early = TrainFiles(baseline.train, per_seed(tmp_path, "early.pt"), per_seed(tmp_path, "early_log.parquet"),
                       mask=per_seed(tmp_path, "early_mask.pt"), parent=baseline.model)
    prune_early(block, early, {k: CFG["early"][k] for k in ("epochs", "lr", "batch_size")}, cubic, 0.3)
    late = TrainFiles(baseline.train, per_seed(tmp_path, "late.pt"), per_seed(tmp_path, "late_log.parquet"),
                      mask=per_seed(tmp_path, "late_mask.pt"), parent=early.model, parent_mask=early.mask)
    prune_late(block, late, {k: CFG["late"][k] for k in ("epochs", "lr", "batch_size")}, cubic, "asd", 0.5)
    for i, seed in enumerate(SEEDS):
        early_mask, late_mask = load_tensors(early.mask[i]), load_tensors(late.mask[i])
        alive, total = masking.count(early_mask)
        assert alive == masking.round_half_up(0.3, total)  # cubic prunes during training: the saved mask is its last
        assert masking.count(late_mask)[0] == alive - masking.round_half_up(0.5, alive)
        assert all(not (late_mask[name] & ~early_mask[name]).any() for name in early_mask)  # late only removes
        model, meta = load_model(late.model[i])
        assert (meta["seed"], meta["stage"], meta["method"], meta["branch"], meta["late_fraction"]) == (seed, "late", "cubic", "asd", 0.5)
        weights = masking.prunable_weights(model)
        assert all(torch.equal(weights[name][~mask], torch.zeros_like(weights[name][~mask])) for name, mask in late_mask.items())
