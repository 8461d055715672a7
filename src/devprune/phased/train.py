"""Deterministic training under persistent masks: one network, or many stacked as one.

Batches alternate between the visual and the voice task (seed 000, Training protocol), each
carrying its own cue; a stage's ``tasks`` and ``alternation`` settings choose other readings
(:func:`stage_batches`). After every optimiser step the masks are re-applied, so a pruned weight
stays exactly zero even though Adam's moments would move it.

:func:`train` is the plain loop over one ``nn.Module`` (the reference, and what a paper's own
script would do). :func:`train_stacked`, which every pipeline stage uses, trains M networks as
one :class:`~devprune.phased.models.StackedMLP` and gives each exactly the numbers :func:`train` would
(same batch order from its own seed, same arithmetic; tested bit for bit on CPU). It exists for
speed: besides its matrix products, one step of a 100k-weight network spends about as long again
on per-operation overhead, which stacking pays once for all M networks (bench/profile_step.py).
Both step with :class:`LaneSafeAdam`, torch's fused Adam wherever that cannot depend on the stack.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import torch
from torch.nn import functional as F

from devprune.masks import Masks, apply_masks, density
from devprune.phased.models import StackedMLP, TaskGatedMLP
from devprune.phased.tasks import TASKS, TaskData, with_cue

log = logging.getLogger(__name__)


# The widest x86 float vector (AVX-512) holds 16 lanes. torch's fused Adam kernel runs a tensor's
# first numel - numel % lanes elements vectorised and the rest as a scalar tail, which rounds
# differently; every element of the vectorised body gets the same arithmetic whatever its offset.
# A tensor whose per-network size is a multiple of 16 therefore never meets the tail, alone or
# stacked, so its numbers cannot depend on the stack's size (tests/test_train.py checks it).
VECTOR_LANES = 16
BETAS, EPS = (0.9, 0.999), 1e-8  # torch.optim.Adam's defaults, as the paper's Adam


class LaneSafeAdam:
    """Adam (no weight decay) whose numbers for one network are the same alone and in a stack
    of any size, in one fused pass per tensor where that is safe.

    Parameters whose per-network size is a multiple of :data:`VECTOR_LANES` (all but the output
    bias, 4 per network) step with torch's fused kernel, ``torch._fused_adam_``, which reads and
    writes each weight once instead of the per-tensor loop's several passes (bench/profile_step.py).
    The rest step with plain elementwise ops, which round alike at any offset. The kernel is
    called directly, not through ``torch.optim.Adam(fused=True)`` (the same arithmetic):
    constructing a ``torch.optim`` optimiser imports torch's compiler, about 0.9 s of every
    job's start-up (bench/startup.py).
    """

    def __init__(self, parameters, lr: float, n_networks: int = 1):
        self.lr = lr
        self.parameters = list(parameters)
        # Which parameters take which path is fixed by their shapes: decided once, not every step.
        # A torch without the private fused kernel (another version, another build) steps every
        # parameter the public elementwise way: the same update, perhaps not the same last bits.
        fused_kernel = hasattr(torch, "_fused_adam_")
        self.fused = [i for i, p in enumerate(self.parameters)
                      if fused_kernel and (p.numel() // n_networks) % VECTOR_LANES == 0]
        self.elementwise = [i for i in range(len(self.parameters)) if i not in self.fused]
        self.exp_avgs = [torch.zeros_like(p) for p in self.parameters]
        self.exp_avg_sqs = [torch.zeros_like(p) for p in self.parameters]
        self.steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.parameters]

    def zero_grad(self) -> None:
        for parameter in self.parameters:
            parameter.grad = None

    @torch.no_grad()
    def step(self) -> None:
        fused = self.fused
        if fused:
            steps = [self.steps[i] for i in fused]
            torch._foreach_add_(steps, 1)
            torch._fused_adam_(
                [self.parameters[i] for i in fused], [self.parameters[i].grad for i in fused],
                [self.exp_avgs[i] for i in fused], [self.exp_avg_sqs[i] for i in fused], [], steps,
                lr=self.lr, beta1=BETAS[0], beta2=BETAS[1], weight_decay=0.0, eps=EPS, amsgrad=False, maximize=False,
            )
        for i in self.elementwise:
            self._elementwise_step(i)

    def _elementwise_step(self, i: int) -> None:
        """torch.optim.Adam's single-tensor update of parameter ``i``."""
        parameter, grad, exp_avg, exp_avg_sq = self.parameters[i], self.parameters[i].grad, self.exp_avgs[i], self.exp_avg_sqs[i]
        self.steps[i] += 1
        step = float(self.steps[i])
        exp_avg.lerp_(grad, 1 - BETAS[0])
        exp_avg_sq.mul_(BETAS[1]).addcmul_(grad, grad, value=1 - BETAS[1])
        bias_correction2_sqrt = math.sqrt(1 - BETAS[1] ** step)
        denominator = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(EPS)
        parameter.addcdiv_(exp_avg, denominator, value=-self.lr / (1 - BETAS[0] ** step))

    def moments(self, parameter: torch.Tensor) -> list[torch.Tensor]:
        """The first and second moment estimates of ``parameter``."""
        i = next(i for i, p in enumerate(self.parameters) if p is parameter)
        return [self.exp_avgs[i], self.exp_avg_sqs[i]]


#: A stage's ``tasks`` setting: which tasks it trains on. The paper trains the baseline "jointly
#: on both tasks" and says nothing of the fine-tuning stages' data.
STAGE_TASKS = {"both": TASKS, "visual": ("visual",)}
#: A stage's ``alternation`` setting: ``batch`` (a visual batch, then a voice batch, ...; the
#: paper's "batches alternated between visual and voice data"), ``epoch`` (each epoch one task:
#: the first task in odd epochs, the second in even ones) or ``mixed`` (every batch draws from
#: all the stage's tasks at once, each sample with its own cue).
ALTERNATIONS = ("batch", "epoch", "mixed")
#: Their values when a stage's settings leave them out (as the schema's defaults).
STAGE_DEFAULTS = {"tasks": "both", "alternation": "batch"}
#: The input source of a ``mixed`` batch: the stage's tasks' samples, concatenated in task order.
MIXED = "mixed"


def alternating_batches(sizes: dict[str, int], batch_size: int, generator: torch.Generator):
    """(task, index tensor) pairs for one epoch: a fresh shuffle per task (in ``sizes``' order),
    tasks interleaved."""
    per_task = {task: torch.randperm(n, generator=generator).split(batch_size) for task, n in sizes.items()}
    for step in range(max(len(batches) for batches in per_task.values())):
        for task, batches in per_task.items():
            if step < len(batches):
                yield task, batches[step]


def stage_batches(sizes: dict[str, int], settings: dict, generator: torch.Generator, epoch: int):
    """(source, index tensor) pairs of one epoch (1-based) as the stage's ``tasks`` and
    ``alternation`` say; ``source`` is a task, or :data:`MIXED` for an index into the stage's
    tasks' samples concatenated."""
    settings = {**STAGE_DEFAULTS, **settings}
    tasks = STAGE_TASKS[settings["tasks"]]
    if settings["alternation"] == "mixed":
        order = torch.randperm(sum(sizes[task] for task in tasks), generator=generator)
        yield from ((MIXED, index) for index in order.split(settings["batch_size"]))
        return
    if settings["alternation"] == "epoch":
        tasks = (tasks[(epoch - 1) % len(tasks)],)
    yield from alternating_batches({task: sizes[task] for task in tasks}, settings["batch_size"], generator)


def batch_sources(inputs: dict[str, torch.Tensor], settings: dict, sample_dim: int = 0) -> dict[str, torch.Tensor]:
    """``inputs`` (per task, samples along ``sample_dim``) plus, for a mixed stage, the stage's
    tasks concatenated as :data:`MIXED`."""
    settings = {**STAGE_DEFAULTS, **settings}
    if settings["alternation"] != "mixed":
        return inputs
    return {**inputs, MIXED: torch.cat([inputs[task] for task in STAGE_TASKS[settings["tasks"]]], dim=sample_dim)}


def source_tasks(source: str, index: torch.Tensor, sizes: dict[str, int], settings: dict) -> dict[str, torch.Tensor]:
    """Which samples of a batch belong to which task: a mask over ``index`` per task."""
    if source != MIXED:
        return {source: torch.ones_like(index, dtype=torch.bool)}
    masks, start = {}, 0
    for task in STAGE_TASKS[{**STAGE_DEFAULTS, **settings}["tasks"]]:
        masks[task] = (index >= start) & (index < start + sizes[task])
        start += sizes[task]
    return masks


def cued_inputs(data: TaskData, task_cfg: dict) -> dict[str, torch.Tensor]:
    """Each task's training stimuli with that task's cue appended."""
    cues = {"visual": task_cfg["visual_cue"], "voice": task_cfg["voice_cue"]}
    return {task: with_cue(data.stimuli[task], cues[task]) for task in TASKS}


def steps_per_epoch(sizes: dict[str, int], settings: dict) -> int:
    """Optimiser steps in one epoch of :func:`stage_batches` (the same in every epoch while the
    tasks have equal sizes)."""
    return sum(1 for _ in stage_batches(sizes, settings, torch.Generator().manual_seed(0), 1))


def _epoch_row(epoch: int, epochs: int, label: str, loss_sum: float, correct: dict, seen: dict, masks: Masks) -> dict:
    """One train-log row (mean loss over the samples seen, per-task training accuracy, NaN for a
    task the epoch did not train, density at the epoch's end), also logged as progress."""
    row = {
        "epoch": epoch,
        "loss": loss_sum / sum(seen.values()),
        **{f"{task}_train_accuracy": 100.0 * correct[task] / seen[task] if seen[task] else math.nan for task in TASKS},
        "density": density(masks),
    }
    log.info(
        "%s epoch %d/%d loss %.4f visual %.1f%% voice %.1f%% density %.4f",
        label, epoch, epochs, row["loss"], row["visual_train_accuracy"], row["voice_train_accuracy"], row["density"],
    )
    return row


@dataclass
class Network:
    """One network to train: its weights (trained in place), masks (a mask schedule replaces
    them with the final ones), training data, the seed of its batch order, and its log label."""

    model: TaskGatedMLP
    masks: Masks
    data: TaskData
    shuffle_seed: int
    label: str


def train(network: Network, task_cfg: dict, settings: dict) -> pd.DataFrame:
    """Train in place with Adam and cross-entropy (``settings``: epochs, lr, batch_size); return
    one log row per epoch."""
    model, masks, data = network.model, network.masks, network.data
    epochs = settings["epochs"]
    generator = torch.Generator().manual_seed(network.shuffle_seed)
    optimizer = LaneSafeAdam(model.parameters(), settings["lr"])
    sizes = {task: len(data.labels[task]) for task in TASKS}
    inputs = batch_sources(cued_inputs(data, task_cfg), settings)
    targets = batch_sources(data.labels, settings)
    apply_masks(model, masks)
    rows = []
    model.train()
    for epoch in range(1, epochs + 1):
        loss_sum = torch.zeros((), dtype=torch.float64, device=inputs["visual"].device)
        correct = {task: torch.zeros((), dtype=torch.long, device=loss_sum.device) for task in TASKS}
        seen = dict.fromkeys(TASKS, 0)
        for source, index in stage_batches(sizes, settings, generator, epoch):
            index = index.to(loss_sum.device)
            logits = model(inputs[source][index])
            target = targets[source][index]
            loss = F.cross_entropy(logits, target, reduction="none").mean()  # reduced as train_stacked does
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            apply_masks(model, masks)
            loss_sum += loss.detach().double() * len(index)
            hits = logits.argmax(1) == target
            for task, mine in source_tasks(source, index, sizes, settings).items():
                correct[task] += (hits & mine).sum()
                seen[task] += int(mine.sum())
        counts = {t: int(c) for t, c in correct.items()}
        rows.append(_epoch_row(epoch, epochs, network.label, float(loss_sum), counts, seen, masks))
    model.eval()
    return pd.DataFrame(rows)


def train_stacked(
    networks: list[Network],
    task_cfg: dict,
    settings: dict,
    *,
    mask_schedule=None,
    on_epoch_end: Callable[[int, list[TaskGatedMLP]], None] | None = None,
) -> list[pd.DataFrame]:
    """Train every network on its own data under its own masks and batch order, all at once
    (``settings``: epochs, lr, batch_size); the trained weights are written back into each
    ``network.model``. Returns one log per network.

    ``mask_schedule`` (a :class:`devprune.pruning.method.StageSchedule`) may change the masks
    after any step; each ``network.masks`` then holds its final mask. ``on_epoch_end(epoch,
    models)`` sees the weights after every epoch (and ``epoch`` 0 before training).
    """
    models = [n.model for n in networks]
    masks = [n.masks for n in networks]
    epochs = settings["epochs"]
    sizes = {task: len(networks[0].data.labels[task]) for task in TASKS}
    if any({task: len(n.data.labels[task]) for task in TASKS} != sizes for n in networks):
        raise ValueError(f"stacked models need training sets of one size; the first has {sizes}")
    for network in networks:
        apply_masks(network.model, network.masks)
    stack = StackedMLP(models)
    # As the weights' dtype: multiplying by a bool mask converts it on every step (same result).
    stacked_masks = [torch.stack(layer_masks).to(stack.weights[0].dtype) for layer_masks in zip(*(m.values() for m in masks))]
    optimizer = LaneSafeAdam(stack.parameters(), settings["lr"], n_networks=len(networks))
    generators = [torch.Generator().manual_seed(n.shuffle_seed) for n in networks]
    per_model_inputs = [cued_inputs(n.data, task_cfg) for n in networks]
    inputs = batch_sources({task: torch.stack([i[task] for i in per_model_inputs]) for task in TASKS}, settings, 1)
    targets = batch_sources({task: torch.stack([n.data.labels[task] for n in networks]) for task in TASKS}, settings, 1)
    device = inputs["visual"].device
    logs = [[] for _ in networks]
    if on_epoch_end is not None:
        on_epoch_end(0, models)
    step = 0
    for epoch in range(1, epochs + 1):
        loss_sum = torch.zeros(len(networks), dtype=torch.float64, device=device)
        correct = {task: torch.zeros(len(networks), dtype=torch.long, device=device) for task in TASKS}
        seen = dict.fromkeys(TASKS, 0)
        for steps in zip(*(stage_batches(sizes, settings, g, epoch) for g in generators)):
            source = steps[0][0]
            index = torch.stack([i for _, i in steps]).to(device)
            logits = stack(torch.take_along_dim(inputs[source], index.unsqueeze(2), dim=1))
            target = torch.take_along_dim(targets[source], index, dim=1)
            losses = F.cross_entropy(logits.flatten(0, 1), target.flatten(), reduction="none").view_as(target).mean(1)
            optimizer.zero_grad()
            losses.sum().backward()
            optimizer.step()
            with torch.no_grad():
                for weight, mask in zip(stack.weights, stacked_masks):
                    weight.mul_(mask)
            step += 1
            if mask_schedule is not None and mask_schedule.is_due(step):
                stacked_masks = _update_masks(stack, models, masks, stacked_masks, optimizer, mask_schedule.update, step)
            loss_sum += losses.detach().double() * index.shape[1]
            hits = logits.argmax(2) == target
            for task, mine in source_tasks(source, index, sizes, settings).items():
                correct[task] += (hits & mine).sum(1)
                seen[task] += int(mine[0].sum())  # over an epoch every network sees every sample once
        loss_sum, correct = loss_sum.tolist(), {t: c.tolist() for t, c in correct.items()}
        for i, network in enumerate(networks):
            counts = {t: c[i] for t, c in correct.items()}
            logs[i].append(_epoch_row(epoch, epochs, network.label, loss_sum[i], counts, seen, masks[i]))
        if on_epoch_end is not None:
            stack.copy_into(models)
            on_epoch_end(epoch, models)
    stack.copy_into(models)
    for network, final_masks in zip(networks, masks):
        network.masks = final_masks
    return [pd.DataFrame(rows) for rows in logs]


def _update_masks(stack: StackedMLP, models, masks: list[Masks], stacked_masks, optimizer, update, step: int):
    """Replace ``masks`` by ``update(step, models, masks, grads)`` and apply them to the stack.

    A connection that comes back (regrowth) starts afresh: its weight is zero (it was pruned) and
    so are its Adam moments, as in RigL. Returns the new stacked float masks.
    """
    stack.copy_into(models)
    names = list(masks[0])
    grads = [{name: weight.grad[i] for name, weight in zip(names, stack.weights)} for i in range(len(models))]
    masks[:] = update(step, models, list(masks), grads)
    new_stacked = [torch.stack(layer).to(stacked_masks[0].dtype) for layer in zip(*(m.values() for m in masks))]
    with torch.no_grad():
        for weight, new, old in zip(stack.weights, new_stacked, stacked_masks):
            weight.mul_(new)
            grown = new > old
            if grown.any():
                for moment in optimizer.moments(weight):
                    moment[grown] = 0.0
    return new_stacked
