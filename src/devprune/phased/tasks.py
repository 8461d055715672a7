"""The two Gaussian-blob rules that share one stimulus space (seed 000, Methods).

A stimulus is a 2-D point drawn around one of the cluster centres. The visual rule labels it
with its cluster index; the voice rule with ``voice_permutation[cluster]``. The network sees
the stimulus concatenated with a two-unit cue that says which rule to apply.
"""

from __future__ import annotations

import pandas as pd
import torch

TASKS = ("visual", "voice")


def draw_task_data(task_cfg: dict, seed: int) -> dict[str, pd.DataFrame]:
    """Train and test tables, one row per sample: split, task, cluster, x1, x2, label.

    Each task draws its own stimuli; clusters are balanced (n // k each, the remainder to the
    first clusters) and the rows are shuffled, all from one generator seeded by ``seed``.
    """
    generator = torch.Generator().manual_seed(seed)
    centers = torch.tensor(task_cfg["centers"], dtype=torch.float64)
    permutation = torch.tensor(task_cfg["voice_permutation"])
    splits = {}
    for split in ("train", "test"):
        parts = []
        for task in TASKS:
            n = task_cfg[f"n_{split}_per_task"]
            cluster = torch.arange(n) % len(centers)
            cluster = cluster[torch.randperm(n, generator=generator)]
            points = centers[cluster] + task_cfg["sigma"] * torch.randn(n, 2, generator=generator, dtype=torch.float64)
            label = cluster if task == "visual" else permutation[cluster]
            parts.append(
                pd.DataFrame(
                    {
                        "split": split,
                        "task": task,
                        "cluster": cluster.numpy(),
                        "x1": points[:, 0].float().numpy(),
                        "x2": points[:, 1].float().numpy(),
                        "label": label.numpy(),
                    }
                )
            )
        splits[split] = pd.concat(parts, ignore_index=True)
    return splits


class TaskData:
    """One split as tensors per task: stimuli (N, 2) and labels (N,)."""

    def __init__(self, frame: pd.DataFrame, device: torch.device | str = "cpu"):
        self.stimuli = {}
        self.labels = {}
        for task in TASKS:
            rows = frame[frame["task"] == task]
            self.stimuli[task] = torch.tensor(rows[["x1", "x2"]].to_numpy(), dtype=torch.float32, device=device)
            self.labels[task] = torch.tensor(rows["label"].to_numpy(), dtype=torch.long, device=device)


def with_cue(stimuli: torch.Tensor, cue) -> torch.Tensor:
    """Append the same two-unit cue to every stimulus: (N, 2) -> (N, 4)."""
    cue = torch.as_tensor(cue, dtype=stimuli.dtype, device=stimuli.device)
    return torch.cat([stimuli, cue.expand(len(stimuli), -1)], dim=1)


def blended_cue(task_cfg: dict, visual_weight: float) -> list[float]:
    """The cue w * visual_cue + (1 - w) * voice_cue; w = 0.5 is fully ambiguous."""
    return [visual_weight * v + (1 - visual_weight) * o for v, o in zip(task_cfg["visual_cue"], task_cfg["voice_cue"])]
