"""The family of pruning systems around the paper's global magnitude pruning (seeds 001, 002).

Criteria (:mod:`.criteria`) score the weights that still survive, higher meaning "keep", and
turn scores into masks at an exact density, over all layers at once or layer by layer.
Schedules (:mod:`.schedules`) say when and how much to prune, and what happens to the
survivors (rewinding) or to the removed weights (regrowth). Masks are the plain bool tensors of
:mod:`devprune.masks`, keyed by weight name; every count follows its rounding rule.
"""

from devprune.pruning.criteria import (
    activation_neuron_scores,
    magnitude_scores,
    prune_neurons,
    random_scores,
    saliency_scores,
    select,
)
from devprune.pruning.schedules import cubic_sparsity, iterative_densities, prune_to_sparsity, regrow, rewind

__all__ = [
    "activation_neuron_scores", "cubic_sparsity", "iterative_densities", "magnitude_scores", "prune_neurons",
    "prune_to_sparsity", "random_scores", "regrow", "rewind", "saliency_scores", "select",
]
