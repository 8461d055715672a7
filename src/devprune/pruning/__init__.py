"""The family of pruning systems around the paper's global magnitude pruning (seeds 001, 002).

Criteria (:mod:`.criteria`) score the weights that still survive, higher meaning "keep", and
turn scores into masks with exact counts, over all layers at once or layer by layer.
Schedules (:mod:`.schedules`) say how much to prune over time, and what happens to the
survivors (rewinding) or to the removed weights (regrowth). :mod:`.method` puts a criterion and
a schedule to work in one stage of the phased protocol. Masks are the plain bool tensors of
:mod:`devprune.masks`, keyed by weight name; every count follows its rounding rule.
"""

from devprune.pruning.criteria import (
    activation_neuron_scores,
    magnitude_scores,
    prune_neurons,
    prune_neurons_to_count,
    random_scores,
    saliency_scores,
    select,
)
from devprune.pruning.schedules import cubic_sparsity, prune_to_sparsity, regrow, rewind

__all__ = [
    "activation_neuron_scores", "cubic_sparsity", "magnitude_scores", "prune_neurons", "prune_neurons_to_count",
    "prune_to_sparsity", "random_scores", "regrow", "rewind", "saliency_scores", "select",
]
