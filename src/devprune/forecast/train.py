"""Train a forecaster with one regularisation method, and predict with it (seed 002).

* ``none``: no dropout, no pruning.
* ``dropout``: the model's dropout during training, off at test time.
* ``mc_dropout``: the same training; at test time dropout stays on and the forecast is the mean
  of ``mc_samples`` stochastic passes (Gal & Ghahramani 2016).
* ``pruning`` (synaptic pruning, Algorithms 1-5): no dropout; the weights of the fully connected
  layers (``layers: linear``, Section 3.2.1; ``all`` adds recurrent and attention input weights)
  start unmasked (Alg. 1); from epoch ``warmup`` on, every ``prune_every`` batches the masks are updated by
  global magnitude (Alg. 3) to the cubic schedule's sparsity of the epoch (Alg. 2), between the
  backward pass and the optimiser step (Alg. 4); the masks are applied right after each update and
  after every optimiser step (Alg. 5).

Training minimises the mean squared error with Adam for a fixed number of epochs; every epoch's
validation MAE (deterministic inference for every method, to show progress cheaply) and
sparsity go to the log.
"""

from __future__ import annotations

import copy

import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from devprune.forecast.registry import METHODS, lookup
from devprune.masks import Masks, apply_masks, density, every_weight, full_masks, linear_weights, prunable_weights
from devprune.pruning.schedules import cubic_sparsity, prune_to_sparsity

#: Which weights synaptic pruning masks (``forecast.pruning.layers``).
PRUNED_WEIGHTS = {"linear": linear_weights, "all": prunable_weights, "every_weight": every_weight}


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor, *, mc_samples: int = 0, seed: int = 0) -> torch.Tensor:
    """Deterministic forecasts (dropout off) or, with ``mc_samples``, the mean of that many
    passes with dropout on, drawn from ``seed`` (the global random state is left as it was)."""
    if not mc_samples:
        model.eval()
        return model(inputs)
    model.train()  # the forecasters have no batch norm: train mode only switches dropout on
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.stack([model(inputs) for _ in range(mc_samples)]).mean(0)


def mae(prediction: torch.Tensor, target: torch.Tensor) -> float:
    return float((prediction - target).abs().mean())


def train_forecaster(model: nn.Module, splits: dict, method: str, settings: dict, seed: int) -> tuple[pd.DataFrame, Masks | None]:
    """Train in place; return the per-epoch log and the final masks (pruning only).

    ``settings`` (every key filled, :func:`devprune.forecast.stages.complete_settings`):
    ``epochs``, ``lr``, ``batch_size``, ``early_stopping`` (``patience``, ``restore``),
    ``mc_validation`` and, for method ``pruning``, ``pruning``: ``layers`` (``linear``, ``all``
    or ``every_weight``), ``warmup`` (epochs), ``prune_every`` (batches), ``s_min``, ``s_max``,
    ``epoch_base``; the schedule's total is ``epochs``, so with ``epoch_base`` 1 the sparsity
    reaches ``s_max`` in the last epoch.
    """
    lookup(METHODS, method, "method")
    epochs, batch_size, pruning = settings["epochs"], settings["batch_size"], settings.get("pruning")
    stopping = settings["early_stopping"]
    torch.manual_seed(seed)  # dropout's masks
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["lr"])
    masks = full_masks(model, PRUNED_WEIGHTS[pruning["layers"]](model)) if method == "pruning" else None
    inputs, targets = splits["train"]
    rows, batch_count, best, stale = [], 0, None, 0
    for epoch in range(1, epochs + 1):
        model.train()
        loss_sum = 0.0
        for index in torch.randperm(len(targets), generator=generator).split(batch_size):
            batch_count += 1
            loss = F.mse_loss(model(inputs[index]), targets[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if masks is not None:
                masks = _prune_step(model, masks, pruning, epoch - 1 + pruning["epoch_base"], epochs, batch_count)
            optimizer.step()
            if masks is not None:
                apply_masks(model, masks)
            loss_sum += loss.item() * len(index)
        val_inputs, val_targets = splits["validation"]
        rows.append({
            "epoch": epoch, "train_mse": loss_sum / len(targets),
            "validation_mae": mae(predict(model, val_inputs), val_targets),  # deterministic: progress only
            "sparsity": 1.0 - density(masks) if masks is not None else 0.0,
        })
        if stopping["patience"]:
            loss = validation_mse(model, splits["validation"], method, settings, seed=seed + epoch)
            if best is None or loss < best[0]:
                best, stale = (loss, copy.deepcopy(model.state_dict()), masks), 0
            else:
                stale += 1
            if stale >= stopping["patience"]:
                break
    if best is not None and stopping["restore"] == "best":
        model.load_state_dict(best[1])
        masks = best[2]
    return pd.DataFrame(rows), masks


def _prune_step(model: nn.Module, masks: Masks, pruning: dict, epoch: int, epochs: int, batch_count: int) -> Masks:
    """Algorithms 2-3 between the backward pass and the optimiser step: from epoch ``warmup`` on,
    every ``prune_every`` batches, prune to the cubic schedule's sparsity (``epoch`` numbered
    from ``epoch_base``)."""
    if epoch < pruning["warmup"] or batch_count % pruning["prune_every"]:
        return masks
    sparsity = cubic_sparsity(epoch, warmup=pruning["warmup"], total=epochs, s_min=pruning["s_min"], s_max=pruning["s_max"])
    masks = prune_to_sparsity(model, masks, sparsity)
    apply_masks(model, masks)
    return masks


def validation_mse(model: nn.Module, validation: tuple, method: str, settings: dict, seed: int) -> float:
    """The loss early stopping reads: deterministic, or for mc_dropout with ``mc_validation:
    stochastic`` one pass with dropout on (the authors' validation)."""
    stochastic = method == "mc_dropout" and settings["mc_validation"] == "stochastic"
    prediction = predict(model, validation[0], mc_samples=1 if stochastic else 0, seed=seed)
    return float(F.mse_loss(prediction, validation[1]))
