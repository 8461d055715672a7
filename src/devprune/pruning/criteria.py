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
__all__ = ["activation_neuron_scores", "magnitude_scores", "prune_neurons", "random_scores", "saliency_scores", "select"]


def random_scores(model: nn.Module, generator: torch.Generator) -> Scores:
    """One uniform draw per weight, in module order; depends on nothing but the generator."""
    return {name: torch.rand(weight.shape, generator=generator) for name, weight in prunable_weights(model).items()}


def saliency_scores(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> Scores:
    """|w * dL/dw| for the cross-entropy of one batch; the model's gradients are left untouched."""
    weights = prunable_weights(model)
    grads = torch.autograd.grad(F.cross_entropy(model(inputs), targets), list(weights.values()))
    return {name: (weight.detach() * grad).abs() for (name, weight), grad in zip(weights.items(), grads)}


def select(scores: Scores, masks: Masks, density: float, scope: str = "global") -> Masks:
    """Keep the highest-scoring survivors so that ``density`` of all weights remain.

    ``global`` ranks every layer together and keeps ``round_half_up(density * total)``;
    ``layer`` keeps ``round_half_up(density * layer size)`` in each layer separately.
    """
    if scope == "global":
        return keep_largest(scores, masks, round_half_up(density, count(masks)[1]))
    if scope == "layer":
        return {
            name: keep_largest({name: scores[name]}, {name: mask}, round_half_up(density, mask.numel()))[name]
            for name, mask in masks.items()
        }
    raise ValueError(f"pruning scope {scope!r}: allowed are 'global', 'layer'")


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
    the neuron's row of incoming weights and its column of outgoing weights (ties by position)."""
    names = list(prunable_weights(model))
    new_masks = {name: mask.clone() for name, mask in masks.items()}
    for layer, scores in enumerate(neuron_scores):
        n_remove = round_half_up(fraction, len(scores))
        removed = torch.argsort(scores, stable=True)[:n_remove]
        new_masks[names[layer]][removed, :] = False
        new_masks[names[layer + 1]][:, removed] = False
    return new_masks
