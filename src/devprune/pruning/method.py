"""A pruning method at work in one phased stage: how many weights go (the stage's target), which
(the criterion, over all layers or layer by layer) and when (the schedule).

The stage fixes the target: early - keep ``early_density`` of all weights; late - remove
``late_fraction`` of the weights the stage starts with. A schedule gets there in one step or in
several: every pruning event has a *progress* p in [0, 1] and keeps the start survivors minus
p times what the stage removes. At p = 1 the counts are exactly the paper's one-shot counts
(same rounding rule), so every method ends a stage at the same density - except whole-neuron
pruning, which stops at the nearest count at or below it.

:class:`StageSchedule` is the mask hook of :func:`devprune.phased.train.train_stacked`: it says which
training steps update the masks and computes the new masks of every stacked network.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
from torch import nn

from devprune.masks import Masks, round_half_up
from devprune.pruning.criteria import activation_neuron_scores, prune_neurons_to_count, select
from devprune.pruning.registry import CRITERIA, SCHEDULES


@dataclass(frozen=True)
class StageTarget:
    """What one stage removes: early - keep ``early_density`` of all weights; late - remove
    ``late_fraction`` of the stage's starting survivors."""

    early_density: float | None = None
    late_fraction: float | None = None

    def n_keep(self, alive: int, progress: Fraction) -> int:
        """Weights to keep, of ``alive`` at the stage's start (one layer or all), at ``progress``."""
        if self.late_fraction is None:
            return round_half_up(1 - (1 - Fraction(str(self.early_density))) * progress, alive)
        return alive - round_half_up(Fraction(str(self.late_fraction)) * progress, alive)


class Pruner:
    """Prunes one network towards its stage's target with one method's criterion and scope.

    ``generator`` drives the random criterion; ``samples`` (inputs, labels) are the training
    samples that saliency and neuron activations are measured on.
    """

    def __init__(self, method: dict, target: StageTarget, start_masks: Masks, *, generator: torch.Generator,
                 samples: tuple[torch.Tensor, torch.Tensor]):
        self.method, self.target, self.generator, self.samples = method, target, generator, samples
        self.criterion = CRITERIA[method["criterion"]]
        self.start_alive = {name: int(mask.sum()) for name, mask in start_masks.items()}

    def prune(self, model: nn.Module, masks: Masks, progress: Fraction) -> Masks:
        """The masks after the pruning event at ``progress``; survivors only ever shrink."""
        if self.criterion.structured:
            n_keep = self.target.n_keep(sum(self.start_alive.values()), progress)
            return prune_neurons_to_count(model, masks, activation_neuron_scores(model, self.samples[0]), n_keep)
        alive = {name: int(mask.sum()) for name, mask in masks.items()}
        if self.method["scope"] == "global":
            keep = min(self.target.n_keep(sum(self.start_alive.values()), progress), sum(alive.values()))
            changes = keep < sum(alive.values())
        else:
            keep = {name: min(self.target.n_keep(self.start_alive[name], progress), alive[name]) for name in masks}
            changes = any(keep[name] < alive[name] for name in masks)
        return select(self.criterion.scores(model, self.generator, self.samples), masks, keep) if changes else masks


def initial_progress(method: dict) -> Fraction:
    """Share of the stage's pruning done before its first step (the method's schedule says)."""
    return SCHEDULES[method["schedule"]].initial_progress(method)


class StageSchedule:
    """The mask hook of one stage: when the method's schedule (:mod:`.registry`) changes the masks
    while the stage trains, and the new masks of every stacked network (steps count from 1)."""

    def __init__(self, method: dict, pruners: list[Pruner], *, epochs: int, steps_per_epoch: int):
        self.pruners = pruners
        self.schedule = SCHEDULES[method["schedule"]](method, epochs=epochs, steps_per_epoch=steps_per_epoch)

    def is_due(self, step: int) -> bool:
        return self.schedule.is_due(step)

    def update(self, step: int, models: list[nn.Module], masks: list[Masks], grads: list[dict[str, torch.Tensor]]) -> list[Masks]:
        """New masks for every network after ``step`` (whose gradients are ``grads``)."""
        return self.schedule.update(step, self.pruners, models, masks, grads)
