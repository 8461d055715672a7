"""One deterministic training loop under persistent masks, used by every stage.

Batches alternate between the visual and the voice task (seed 000, Training protocol), each
carrying its own cue. After every optimiser step the masks are re-applied, so a pruned weight
stays exactly zero even though Adam's moments would move it.
"""

from __future__ import annotations

import logging

import pandas as pd
import torch
from torch import nn

from devprune.masks import Masks, apply_masks
from devprune.tasks import TASKS, TaskData, with_cue

log = logging.getLogger(__name__)


def alternating_batches(sizes: dict[str, int], batch_size: int, generator: torch.Generator):
    """(task, index tensor) pairs for one epoch: a fresh shuffle per task, tasks interleaved."""
    per_task = {task: torch.randperm(n, generator=generator).split(batch_size) for task, n in sizes.items()}
    for step in range(max(len(batches) for batches in per_task.values())):
        for task in TASKS:
            if step < len(per_task[task]):
                yield task, per_task[task][step]


def train(
    model: nn.Module,
    masks: Masks,
    data: TaskData,
    task_cfg: dict,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    label: str = "train",
) -> pd.DataFrame:
    """Train in place with Adam and cross-entropy; return one log row per epoch."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    cues = {"visual": task_cfg["visual_cue"], "voice": task_cfg["voice_cue"]}
    inputs = {task: with_cue(data.stimuli[task], cues[task]) for task in TASKS}
    sizes = {task: len(data.labels[task]) for task in TASKS}
    apply_masks(model, masks)
    rows = []
    model.train()
    for epoch in range(1, epochs + 1):
        loss_sum = torch.zeros((), dtype=torch.float64, device=inputs["visual"].device)
        correct = {task: torch.zeros((), dtype=torch.long, device=loss_sum.device) for task in TASKS}
        for task, index in alternating_batches(sizes, batch_size, generator):
            index = index.to(loss_sum.device)
            logits = model(inputs[task][index])
            target = data.labels[task][index]
            loss = loss_fn(logits, target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            apply_masks(model, masks)
            loss_sum += loss.detach().double() * len(index)
            correct[task] += (logits.argmax(1) == target).sum()
        row = {
            "epoch": epoch,
            "loss": float(loss_sum) / sum(sizes.values()),
            **{f"{task}_train_accuracy": 100.0 * float(correct[task]) / sizes[task] for task in TASKS},
        }
        rows.append(row)
        log.info(
            "%s epoch %d/%d loss %.4f visual %.1f%% voice %.1f%%",
            label, epoch, epochs, row["loss"], row["visual_train_accuracy"], row["voice_train_accuracy"],
        )
    model.eval()
    return pd.DataFrame(rows)
