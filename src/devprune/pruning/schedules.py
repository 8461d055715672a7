"""Pruning schedules: when to prune, how much, and what the network keeps.

* one-shot (the paper's): a single :func:`devprune.pruning.select` before fine-tuning.
* iterative (seed 001): :func:`iterative_densities` gives k equal steps from the current density
  to the target, with fine-tuning between them.
* cubic gradual (seed 002, Algorithms 2-4): :func:`cubic_sparsity` gives the target sparsity of
  an epoch, :func:`prune_to_sparsity` prunes survivors by global magnitude up to it (every
  f batches during training, masks re-applied after each step).
* lottery-ticket rewinding (seed 001): :func:`rewind` resets the survivors to stored values.
* regrowth (seed 001, RigL-style): :func:`regrow` drops the weakest survivors and regrows as many
  connections where the gradient is largest, at constant density.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from devprune.masks import Masks, count, keep_largest, magnitude_scores, prunable_weights, round_half_up


def cubic_sparsity(epoch: float, *, warmup: float, total: float, s_min: float, s_max: float) -> float:
    """Seed 002, Algorithm 2: 0 before ``warmup``; then s_min + (s_max - s_min) * progress**3 with
    progress = (epoch - warmup) / (total - warmup) clipped to [0, 1]."""
    if epoch < warmup:
        return 0.0
    progress = min(1.0, max(0.0, (epoch - warmup) / (total - warmup)))
    return s_min + (s_max - s_min) * progress**3


def prune_to_sparsity(model: nn.Module, masks: Masks, sparsity: float) -> Masks:
    """Seed 002, Algorithm 3: prune surviving weights by global magnitude until at least
    floor(sparsity * total) are pruned; never regrow. Exact counts (ties by position) where the
    seed thresholds with kthvalue, which can keep a few more on ties."""
    alive, total = count(masks)
    n_more = max(0, math.floor(sparsity * total) - (total - alive))
    if n_more == 0 or n_more >= alive:
        return masks
    return keep_largest(magnitude_scores(model), masks, alive - n_more)


def iterative_densities(start: float, target: float, steps: int) -> list[float]:
    """The densities after each of ``steps`` equal steps from ``start`` down to ``target``."""
    if steps < 1:
        raise ValueError(f"iterative pruning needs at least 1 step, got {steps}")
    return [start + (target - start) * (i / steps) for i in range(1, steps + 1)]


@torch.no_grad()
def rewind(model: nn.Module, masks: Masks, stored: dict[str, torch.Tensor]) -> None:
    """Reset every surviving weight to its stored value (initial or early-epoch); pruned weights
    stay zero and everything not masked (biases) keeps its current value."""
    weights = prunable_weights(model)
    for name, mask in masks.items():
        weights[name].copy_(torch.where(mask, stored[name].to(weights[name].device), torch.zeros_like(weights[name])))


@torch.no_grad()
def regrow(model: nn.Module, masks: Masks, grads: dict[str, torch.Tensor], fraction: float) -> Masks:
    """Drop ``round_half_up(fraction * alive)`` smallest-|w| survivors, then regrow as many of the
    previously pruned connections where |grad| is largest; regrown weights start at zero.
    The number of surviving weights does not change."""
    alive, _ = count(masks)
    n_swap = round_half_up(fraction, alive)
    kept = keep_largest(magnitude_scores(model), masks, alive - n_swap)
    pruned_before = {name: ~mask for name, mask in masks.items()}
    grown = keep_largest({name: grads[name].abs() for name in masks}, pruned_before, n_swap)
    weights = prunable_weights(model)
    for name in masks:
        weights[name][grown[name]] = 0.0
    return {name: kept[name] | grown[name] for name in masks}
