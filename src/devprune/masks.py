"""Pruning masks as plain bool tensors beside the weights (as in ``torch.nn.utils.prune``).

A mask set is ``{parameter name: bool tensor}`` over every weight matrix (for the MLP: every
Linear layer's); biases are never masked. Both pruning modes of seed 000 rank the surviving weights by |w| across all
layers at once (global magnitude) and keep an exact count:

* **Rounding rule.** ``prune_to_density(d)`` keeps ``round_half_up(d * total)`` weights;
  ``prune_fraction(f)`` removes ``round_half_up(f * alive)`` of the ``alive`` survivors.
  Products are computed on the decimal value of d or f (``Fraction(str(d))``), so 0.7 * 99,840
  is exactly 69,888 and not 69,887.99...
* **Ties** in |w| are broken by position (a stable sort over the layers in order), so the same
  weights always give the same mask.
"""

from __future__ import annotations

import math
from fractions import Fraction

import torch
from torch import nn

Masks = dict[str, torch.Tensor]


def prunable_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """Every weight matrix, by parameter name, in module order: Linear weights, a recurrent
    layer's ``weight_ih``/``weight_hh``, attention's ``in_proj_weight`` (seed 002, Algorithm 1:
    "each parameter that is a weight tensor"). Biases and 1-D norm scales are never pruned."""
    return {name: p for name, p in model.named_parameters() if p.dim() >= 2 and "weight" in name.rsplit(".", 1)[-1]}


def every_weight(model: nn.Module) -> dict[str, torch.Tensor]:
    """Every parameter named ``weight`` (LayerNorm gains included) and a position embedding:
    what the seed-002 authors' code prunes globally (LSTM.py:55,96; PATCHTST.py:164-167)."""
    return {name: p for name, p in model.named_parameters()
            if "weight" in name.rsplit(".", 1)[-1] or name.rsplit(".", 1)[-1] == "position"}


def linear_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """The weights of the fully connected (``nn.Linear``) layers only, attention's output
    projection included: what seed 002 masks ("all weight parameters in the fully connected
    layers", Section 3.2.1), leaving recurrent and attention input weights dense."""
    return {f"{name}.weight": module.weight for name, module in model.named_modules() if isinstance(module, nn.Linear)}


def magnitude_scores(model: nn.Module) -> dict[str, torch.Tensor]:
    """|w| of every prunable weight: the score of magnitude pruning (larger is kept)."""
    return {name: weight.detach().abs() for name, weight in prunable_weights(model).items()}


def full_masks(model: nn.Module, weights: dict[str, torch.Tensor] | None = None) -> Masks:
    """All-true masks over ``weights`` (default: every prunable weight); pruning only ever
    touches the weights its masks name."""
    weights = prunable_weights(model) if weights is None else weights
    return {name: torch.ones_like(weight, dtype=torch.bool) for name, weight in weights.items()}


def round_half_up(fraction: float, count: int) -> int:
    return math.floor(Fraction(str(fraction)) * count + Fraction(1, 2))


def count(masks: Masks) -> tuple[int, int]:
    """(surviving weights, all prunable weights)."""
    alive = sum(int(mask.sum()) for mask in masks.values())
    return alive, sum(mask.numel() for mask in masks.values())


def density(masks: Masks) -> float:
    alive, total = count(masks)
    return alive / total


def keep_largest(scores: dict[str, torch.Tensor], masks: Masks, n_keep: int) -> Masks:
    """New masks keeping the ``n_keep`` highest-scoring survivors of ``masks``, across layers."""
    alive, _ = count(masks)
    if not 0 <= n_keep <= alive:
        raise ValueError(f"cannot keep {n_keep} weights: {alive} survive")
    flat_scores = torch.cat([scores[name].detach().flatten().double().cpu() for name in masks])
    flat_alive = torch.cat([mask.flatten().cpu() for mask in masks.values()])
    flat_scores[~flat_alive] = -math.inf
    order = torch.argsort(flat_scores, descending=True, stable=True)
    keep = torch.zeros_like(flat_alive)
    keep[order[:n_keep]] = True
    new_masks, start = {}, 0
    for name, mask in masks.items():
        new_masks[name] = keep[start : start + mask.numel()].view_as(mask).to(mask.device)
        start += mask.numel()
    return new_masks


def prune_to_density(model: nn.Module, masks: Masks, target_density: float) -> Masks:
    """Global magnitude pruning until ``target_density`` of all prunable weights remain."""
    _, total = count(masks)
    return keep_largest(magnitude_scores(model), masks, round_half_up(target_density, total))


def prune_fraction(model: nn.Module, masks: Masks, fraction: float) -> Masks:
    """Global magnitude pruning of ``fraction`` of the weights that still survive."""
    alive, _ = count(masks)
    return keep_largest(magnitude_scores(model), masks, alive - round_half_up(fraction, alive))


@torch.no_grad()
def apply_masks(model: nn.Module, masks: Masks) -> None:
    """Zero every pruned weight in place; called after pruning and after every optimiser step."""
    weights = dict(model.named_parameters())  # any masked parameter, 1-D gains included (every_weight)
    for name, mask in masks.items():
        weights[name].mul_(mask)
