"""Pruning schedules: how much to prune over time, and what the network keeps.

* one-shot (the paper's), iterative (seed 001: k equal steps with fine-tuning between) and cubic
  gradual pruning are put to work by :class:`devprune.pruning.method.StageSchedule`;
  :func:`cubic_sparsity` is seed 002's Algorithm 2 and :func:`prune_to_sparsity` its
  Algorithm 3 (global magnitude up to a sparsity of all weights, every f batches).
* lottery-ticket rewinding (seed 001): :func:`rewind` resets the survivors (and biases) to stored values.
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
    scores = {name: weight.detach().abs() for name, weight in model.named_parameters() if name in masks}
    return keep_largest(scores, masks, alive - n_more)


@torch.no_grad()
def rewind(model: nn.Module, masks: Masks, stored: dict[str, torch.Tensor]) -> None:
    """Reset the network to stored values (a ``state_dict`` at initialisation or an early epoch):
    surviving weights and unmasked parameters (biases) take their stored values, pruned weights
    stay zero. Lottery-ticket rewinding resets the whole ticket, not only its weights."""
    for name, parameter in model.named_parameters():
        value = stored[name].to(parameter.device)
        parameter.copy_(torch.where(masks[name], value, torch.zeros_like(value)) if name in masks else value)


@torch.no_grad()
def regrow(model: nn.Module, masks: Masks, grads: dict[str, torch.Tensor], fraction: float) -> Masks:
    """Drop ``round_half_up(fraction * alive)`` smallest-|w| survivors, then regrow as many of the
    previously pruned connections where |grad| is largest; regrown weights start at zero.
    The number of surviving weights does not change; at most as many as are pruned are swapped
    (none in a dense network)."""
    alive, total = count(masks)
    n_swap = min(round_half_up(fraction, alive), total - alive)
    kept = keep_largest(magnitude_scores(model), masks, alive - n_swap)
    pruned_before = {name: ~mask for name, mask in masks.items()}
    grown = keep_largest({name: grads[name].abs() for name in masks}, pruned_before, n_swap)
    weights = prunable_weights(model)
    for name in masks:
        weights[name][grown[name]] = 0.0
    return {name: kept[name] | grown[name] for name in masks}
