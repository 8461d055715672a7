"""A pruning method at work in one phased stage: how many weights go (the stage's target), which
(the criterion, over all layers or layer by layer) and when (the schedule).

The stage fixes the target: early - keep ``early_density`` of all weights; late - remove
``late_fraction`` of the weights the stage starts with. A schedule gets there in one step or in
several: every pruning event has a *progress* p in [0, 1] and keeps the start survivors minus
p times what the stage removes. At p = 1 the counts are exactly the paper's one-shot counts
(same rounding rule), so every method ends a stage at the same density - except whole-neuron
pruning, which stops at the nearest count at or below it.

:class:`StageSchedule` is the mask hook of :func:`devprune.train.train_stacked`: it says which
training steps update the masks and computes the new masks of every stacked network.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
from torch import nn

from devprune.masks import Masks, round_half_up
from devprune.pruning.criteria import (
    activation_neuron_scores,
    magnitude_scores,
    prune_neurons_to_count,
    random_scores,
    saliency_scores,
    select,
)
from devprune.pruning.schedules import cubic_sparsity, regrow


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
        self.start_alive = {name: int(mask.sum()) for name, mask in start_masks.items()}

    def _scores(self, model: nn.Module):
        criterion = self.method["criterion"]
        if criterion == "magnitude":
            return magnitude_scores(model)
        if criterion == "random":
            return random_scores(model, self.generator)
        return saliency_scores(model, *self.samples)

    def prune(self, model: nn.Module, masks: Masks, progress: Fraction) -> Masks:
        """The masks after the pruning event at ``progress``; survivors only ever shrink."""
        if self.method["criterion"] == "neuron_activation":
            n_keep = self.target.n_keep(sum(self.start_alive.values()), progress)
            return prune_neurons_to_count(model, masks, activation_neuron_scores(model, self.samples[0]), n_keep)
        alive = {name: int(mask.sum()) for name, mask in masks.items()}
        if self.method["scope"] == "global":
            keep = min(self.target.n_keep(sum(self.start_alive.values()), progress), sum(alive.values()))
            changes = keep < sum(alive.values())
        else:
            keep = {name: min(self.target.n_keep(self.start_alive[name], progress), alive[name]) for name in masks}
            changes = any(keep[name] < alive[name] for name in masks)
        return select(self._scores(model), masks, keep) if changes else masks


def initial_progress(method: dict) -> Fraction:
    """Progress of the pruning before a stage's first step: all of it, except for the gradual
    schedules (iterative: its first step; cubic: none)."""
    if method["schedule"] == "iterative":
        return Fraction(1, method["steps"])
    return Fraction(0) if method["schedule"] == "cubic" else Fraction(1)


class StageSchedule:
    """When a method updates the masks while a stage trains (steps count optimiser steps from 1).

    one_shot, rewind, regrow: everything is pruned before training (regrow then swaps weights
    every ``regrow_every`` steps until ``regrow_until`` of training); iterative: ``steps`` equal
    steps, the first before training, the others at evenly spaced epoch starts; cubic: nothing
    before ``warmup`` of training, then every ``prune_every`` steps towards the target along
    seed 002's cubic, reached at ``ramp_end`` (and at the latest by the last step).
    """

    def __init__(self, method: dict, pruners: list[Pruner], *, epochs: int, steps_per_epoch: int):
        self.method, self.pruners = method, pruners
        self.total_steps = epochs * steps_per_epoch
        self.schedule = method["schedule"]
        if self.schedule == "iterative":
            k = method["steps"]
            self.iterative_events = {(i * epochs // k) * steps_per_epoch: Fraction(i + 1, k) for i in range(1, k)}
        self.ramp_done = False

    def is_due(self, step: int) -> bool:
        method, share = self.method, step / self.total_steps
        if self.schedule == "iterative":
            return step in self.iterative_events
        if self.schedule == "cubic":
            return not self.ramp_done and share >= method["warmup"] and (step % method["prune_every"] == 0 or step == self.total_steps)
        if self.schedule == "regrow":
            return step % method["regrow_every"] == 0 and share <= method["regrow_until"]
        return False

    def update(self, step: int, models: list[nn.Module], masks: list[Masks], grads: list[dict[str, torch.Tensor]]) -> list[Masks]:
        """New masks for every network after ``step`` (whose gradients are ``grads``)."""
        if self.schedule == "regrow":
            return [regrow(model, m, g, self.method["regrow_fraction"]) for model, m, g in zip(models, masks, grads)]
        if self.schedule == "iterative":
            progress = self.iterative_events[step]
        else:
            p = cubic_sparsity(step / self.total_steps, warmup=self.method["warmup"], total=self.method["ramp_end"], s_min=0.0, s_max=1.0)
            progress = Fraction(1) if step == self.total_steps else Fraction(p)
            self.ramp_done = progress == 1
        return [pruner.prune(model, m, progress) for pruner, model, m in zip(self.pruners, models, masks)]

