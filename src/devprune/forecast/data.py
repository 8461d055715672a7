"""Windows for one-step-ahead forecasting, without leaking the future into training.

A series of T time steps (rows) is split chronologically by the *time of the target*: the first
``train`` share of rows are training targets, the next ``validation`` share validation targets,
the rest test targets. A window predicts row t's target from rows t-L .. t-1 (all features,
the target's own past included), so a training window only ever sees training rows. Scaling is
a per-column standardisation fitted on the training rows alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

SPLITS = ("train", "validation", "test")


def split_bounds(n_rows: int, train: float, validation: float) -> dict[str, tuple[int, int]]:
    """Row ranges [start, stop) of the three splits, in time order."""
    train_end = int(n_rows * train)
    validation_end = int(n_rows * (train + validation))
    if not 0 < train_end < validation_end < n_rows:
        raise ValueError(f"{n_rows} rows cannot be split {train:g}/{validation:g}/rest with every split non-empty")
    return {"train": (0, train_end), "validation": (train_end, validation_end), "test": (validation_end, n_rows)}


@dataclass(frozen=True)
class Scaler:
    """Per-column mean and standard deviation of the training rows (a constant column gets 1)."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, training_rows: np.ndarray) -> "Scaler":
        std = training_rows.std(axis=0)
        return cls(training_rows.mean(axis=0), np.where(std > 0, std, 1.0))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (values - self.mean) / self.std


def windows(values: np.ndarray, target: int, length: int, start: int, stop: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (N, length, features) and targets (N,) for every target row t in [start, stop)
    that has ``length`` rows before it."""
    times = np.arange(max(start, length), stop)
    inputs = np.stack([values[t - length : t] for t in times]) if len(times) else np.empty((0, length, values.shape[1]))
    return torch.tensor(inputs, dtype=torch.float32), torch.tensor(values[times, target], dtype=torch.float32)


def make_splits(values: np.ndarray, target: int, length: int, *, train: float, validation: float):
    """``{split: (inputs, targets)}`` of the scaled series, and the scaler (fitted on training rows)."""
    bounds = split_bounds(len(values), train, validation)
    scaler = Scaler.fit(values[: bounds["train"][1]])
    scaled = scaler.transform(values)
    return {split: windows(scaled, target, length, *bounds[split]) for split in SPLITS}, scaler
