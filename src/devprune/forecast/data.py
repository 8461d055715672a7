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


def split_bounds(n_rows: int, train: float, validation: float | None) -> dict[str, tuple[int, int]]:
    """Row ranges [start, stop) of the splits, in time order; without ``validation`` only a
    training and a test split (the test set then validates too: ``validation_set: test``)."""
    train_end = int(n_rows * train)
    if validation is None:
        if not 0 < train_end < n_rows:
            raise ValueError(f"{n_rows} rows cannot be split {train:g}/rest with both splits non-empty")
        return {"train": (0, train_end), "test": (train_end, n_rows)}
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


def label_and_scale(values: np.ndarray, split: dict) -> tuple[np.ndarray, np.ndarray, Scaler]:
    """The series standardised (on the training rows, or with ``scaler: all_rows`` on every
    row), each row's split by the time of its target, and the scaler: what the pipeline stores
    for a dataset. ``split``: the config's ``forecast.split``, every key filled."""
    separate = split["validation_set"] == "separate"
    bounds = split_bounds(len(values), split["train"], split["validation"] if separate else None)
    fitted_on = values if split["scaler"] == "all_rows" else values[: bounds["train"][1]]
    scaler = Scaler.fit(fitted_on)
    labels = np.repeat(list(bounds), [stop - start for start, stop in bounds.values()])
    return scaler.transform(values), labels, scaler


def split_windows(values: np.ndarray, labels: np.ndarray, target: int, length: int,
                  split: dict) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """``{split: (inputs, targets)}``. With ``by: time``, the windows whose target rows carry that
    split's label; with ``by: window``, all windows of the series cut in order by window index
    into the splits' shares. Without validation rows (``validation_set: test``) the test
    windows validate."""
    if split["by"] == "window":
        inputs, targets = windows(values, target, length, 0, len(values))
        bounds = split_bounds(len(targets), split["train"], split["validation"] if "validation" in labels else None)
        splits = {name: (inputs[start:stop], targets[start:stop]) for name, (start, stop) in bounds.items()}
    else:
        splits = {}
        for name in dict.fromkeys(labels):
            rows = np.flatnonzero(labels == name)
            splits[name] = windows(values, target, length, rows[0], rows[-1] + 1)
    splits.setdefault("validation", splits["test"])
    return splits
