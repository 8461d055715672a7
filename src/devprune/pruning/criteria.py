"""Pruning criteria: which weights (or whole neurons) to remove.

* :func:`magnitude_scores` - |w|; global magnitude is the paper's criterion (seed 000), the
  layer-wise variant keeps the same share of every layer (seed 001, "magnitude-based").
* :func:`random_scores` - uniform noise from a seeded generator: the "random tickets" control of
  seed 001, blind to the weights by construction.
* :func:`saliency_scores` - |w * dL/dw| on a batch of training data, the connection sensitivity
  of SNIP (Lee et al. 2019; seed 001, "data-driven" criteria).
* :func:`activation_neuron_scores` + :func:`prune_neurons` - structured pruning of whole hidden
  neurons by their mean activation on data (seed 001, "structured vs unstructured").
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from devprune.masks import Masks, count, keep_largest, magnitude_scores, prunable_weights, round_half_up

Scores = dict[str, torch.Tensor]
__all__ = [
    "activation_neuron_scores", "magnitude_scores", "prune_neurons", "prune_neurons_to_count", "random_scores",
    "saliency_scores", "select",
]


def random_scores(model: nn.Module, generator: torch.Generator) -> Scores:
    """One uniform draw per weight, in module order; depends on nothing but the generator."""
    return {name: torch.rand(weight.shape, generator=generator) for name, weight in prunable_weights(model).items()}


def saliency_scores(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> Scores:
    """|w * dL/dw| for the cross-entropy of one batch; the model's gradients are left untouched."""
    weights = prunable_weights(model)
    grads = torch.autograd.grad(F.cross_entropy(model(inputs), targets), list(weights.values()))
    return {name: (weight.detach() * grad).abs() for (name, weight), grad in zip(weights.items(), grads)}


def select(scores: Scores, masks: Masks, keep: int | dict[str, int]) -> Masks:
    """Keep the highest-scoring survivors of ``masks``: ``keep`` of them across all layers (an
    int, global scope) or ``keep[name]`` in each layer separately (a dict, layer scope)."""
    if isinstance(keep, int):
        return keep_largest(scores, masks, keep)
    return {name: keep_largest({name: scores[name]}, {name: mask}, keep[name])[name] for name, mask in masks.items()}


@torch.no_grad()
def activation_neuron_scores(model: nn.Module, inputs: torch.Tensor) -> list[torch.Tensor]:
    """Mean |activation| of every hidden neuron over ``inputs``, one tensor per hidden layer."""
    scores, x = [], inputs
    for layer in model.layers[:-1]:
        x = torch.relu(layer(x))
        scores.append(x.abs().mean(0))
    return scores


def prune_neurons(model: nn.Module, masks: Masks, neuron_scores: list[torch.Tensor], fraction: float) -> Masks:
    """Remove ``round_half_up(fraction * width)`` lowest-scoring neurons of every hidden layer:
    the neuron's row of incoming weights and its column of outgoing weights (ties by position).
    Neurons already cut off (no incoming weight left) count as removed first."""
    names = list(prunable_weights(model))
    new_masks = {name: mask.clone() for name, mask in masks.items()}
    for layer, scores in enumerate(neuron_scores):
        dead = ~masks[names[layer]].any(1)
        scores = torch.where(dead.to(scores.device), -torch.inf, scores.double())
        n_remove = round_half_up(fraction, len(scores))
        removed = torch.argsort(scores, stable=True)[:n_remove]
        new_masks[names[layer]][removed, :] = False
        new_masks[names[layer + 1]][:, removed] = False
    return new_masks


def prune_neurons_to_count(model: nn.Module, masks: Masks, neuron_scores: list[torch.Tensor], n_keep: int) -> Masks:
    """:func:`prune_neurons` with the smallest fraction (the same for every hidden layer) that
    leaves at most ``n_keep`` weights. Whole neurons come in blocks of weights, so the count is
    the nearest one at or below ``n_keep``, not exact."""
    if count(masks)[0] <= n_keep:
        return masks
    low, high = 0.0, 1.0  # count(prune_neurons(high)) <= n_keep < count(prune_neurons(low))
    for _ in range(40):
        middle = (low + high) / 2
        if count(prune_neurons(model, masks, neuron_scores, middle))[0] <= n_keep:
            high = middle
        else:
            low = middle
    return prune_neurons(model, masks, neuron_scores, high)
