"""One function per forecasting rule: prepare a dataset, train one trial; what the Snakemake
scripts call and what tests call without Snakemake.

Trials are paired across methods: a (dataset, architecture, sequence length, trial) draws the
same initial weights and batch order for every method, so method differences are not seed noise.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pandas as pd
import torch

from devprune.config import forecast_without_defaults, schema_defaults, stable_hash
from devprune.forecast.data import label_and_scale, split_windows
from devprune.forecast.registry import ARCHITECTURES, METHODS, load_source, lookup
from devprune.forecast.train import mae, predict, train_forecaster
from devprune.io import PROVENANCE_COLUMNS, machine, provenance, read_parquet, write_parquet
from devprune.masks import count, full_masks
from devprune.runtime import load_tensors, save_tensors
from devprune.seeds import derived_seed

log = logging.getLogger(__name__)


def prepare_dataset(name: str, spec: dict, split_cfg: dict, package_file: str | None, series_path: str,
                    scaler_path: str) -> None:
    """The dataset's series, standardised with its training rows' statistics, each row labelled
    with the split its target belongs to; the scaler beside it (to undo the scaling)."""
    table = load_source(spec, package_file)
    if spec["target"] not in table:
        raise ValueError(f"forecast.datasets.{name}.target = {spec['target']!r}: not a column of the data "
                         f"(columns: {', '.join(map(str, table.columns))})")
    values = table.to_numpy(dtype=float)
    scaled_values, labels, scaler = label_and_scale(values, {**schema_defaults("forecast.split"), **split_cfg})
    scaled = pd.DataFrame(scaled_values, columns=[str(c) for c in table.columns])
    scaled.insert(0, "split", labels)
    settings_hash = stable_hash("forecast data", spec, split_cfg)
    prov, parents = provenance(settings_hash, None, "cpu"), [package_file] if package_file else []
    write_parquet(scaled, series_path, prov, parents=parents)
    write_parquet(pd.DataFrame({"column": scaled.columns[1:], "mean": scaler.mean, "std": scaler.std}), scaler_path, prov,
                  parents=parents)
    counts = {split: int((labels == split).sum()) for split in dict.fromkeys(labels)}
    log.info("%s: %d rows x %d features, rows per split %s (%s)", name, *values.shape, counts, settings_hash)


#: The settings of the forecast section every method's training uses; each method adds its own
#: (its registry entry's ``settings``): a job gets only these, so changing one method's settings
#: reruns only that method's jobs.
SHARED_SETTINGS = ("epochs", "lr", "batch_size", "model", "early_stopping")


def method_settings(forecast: dict, method: str, architecture: str) -> dict:
    """The training settings of one method's jobs on one architecture (``cfg`` of
    :func:`train_trial`): keys at their documented default left out, so a switch added later
    changes no job's params or hash; the pruning schedule with the architecture's own settings
    (``pruning.by_architecture``) in place."""
    minimal = forecast_without_defaults(forecast)
    settings = {key: minimal[key] for key in (*SHARED_SETTINGS, *lookup(METHODS, method, "method").settings) if key in minimal}
    if method == "pruning":
        own = forecast["pruning"].get("by_architecture", {}).get(architecture, {})
        settings["pruning"] = {**{k: v for k, v in minimal["pruning"].items() if k != "by_architecture"}, **own}
    if minimal["split"].get("by") == "window":  # windows split by index need the shares; by time, the row labels suffice
        settings["split"] = forecast["split"]
    return settings


def complete_settings(cfg: dict) -> dict:
    """``cfg`` of :func:`method_settings` with every documented default filled in."""
    full = {**schema_defaults("forecast"), **cfg, "split": {**schema_defaults("forecast.split"), **cfg.get("split", {})}}
    if "pruning" in cfg:
        full["pruning"] = {**schema_defaults("forecast.pruning"), **cfg["pruning"]}
    return full


def arm_dropout(method: str, settings: dict) -> float:
    """The dropout rate a method's forecaster is built with: the dropout arms' ``dropout``, the
    pruning arm's ``pruning.dropout`` (0 unless set: pruning replaces dropout), else none."""
    return settings["pruning"]["dropout"] if method == "pruning" else settings.get("dropout", 0.0)


def build_forecaster(architecture: str, n_features: int, length: int, model_cfg: dict, dropout: float):
    """The registered architecture's forecaster for windows of ``length`` steps."""
    return lookup(ARCHITECTURES, architecture, "architecture").build(n_features, length, model_cfg, dropout)


@dataclass(frozen=True)
class Trial:
    """One cell of the benchmark: a forecaster of ``architecture`` trained with ``method`` on
    ``dataset`` (whose column ``target`` it forecasts) with windows of ``length``; ``trial``
    numbers the repeats."""

    dataset: str
    target: str
    architecture: str
    method: str
    length: int
    trial: int


@dataclass(frozen=True)
class TrialFiles:
    """A trial's input (the prepared series) and outputs."""

    series: str
    model: str
    train_log: str
    metrics: str


def training_source(method: str, cfg: dict) -> str | None:
    """The method whose trained models ``method``'s jobs test instead of training their own
    under ``cfg`` (:func:`method_settings`), or None: mc_dropout's is dropout's unless early
    stopping reads its stochastic validation."""
    entry = lookup(METHODS, method, "method")
    return entry.trains_as if entry.trains_as and entry.same_training(complete_settings(cfg)) else None


def _load_trained(model, files: TrialFiles) -> tuple[pd.DataFrame, float]:
    """Give ``model`` the weights another method's job trained for this trial (its files checked
    against their records); return that training's log and seconds."""
    model.load_state_dict(load_tensors(files.model)["state_dict"])
    train_log = read_parquet(files.train_log).drop(columns=PROVENANCE_COLUMNS)
    return train_log, float(read_parquet(files.metrics)["train_seconds"].iloc[0])


def train_trial(trial: Trial, files: TrialFiles, cfg: dict, device: str, trained: TrialFiles | None = None) -> None:
    """Train one forecaster with one method on one dataset and window length; test it.
    ``cfg``: the method's settings (:func:`method_settings`); ``trained``: the same trial's files
    of the method whose training this one shares (:func:`training_source`), whose model is
    tested instead of training the same network again (the same bits: tested)."""
    dataset, architecture, method, length = trial.dataset, trial.architecture, trial.method, trial.length
    series_path = files.series
    frame = read_parquet(series_path)
    features = [c for c in frame.columns if c != "split" and c not in PROVENANCE_COLUMNS]
    values = frame[features].to_numpy(dtype=float)
    settings = complete_settings(cfg)
    windows = split_windows(values, frame["split"].to_numpy(), features.index(trial.target), length, settings["split"])
    splits = {split: tuple(t.to(device) for t in pair) for split, pair in windows.items()}
    empty = [split for split, (_, targets) in splits.items() if len(targets) == 0]
    if empty:
        raise ValueError(f"dataset {dataset!r} has no {'/'.join(empty)} windows of length {length}: too few rows")
    seed = derived_seed("forecast", dataset, architecture, length, trial.trial)
    torch.manual_seed(seed)
    model = build_forecaster(architecture, len(features), length, cfg["model"], arm_dropout(method, settings)).to(device)
    label = f"{dataset} {architecture} {method} L={length} trial {trial.trial}"
    log.info("%s: %d training, %d test windows", label, len(splits["train"][1]), len(splits["test"][1]))
    if trained is None:
        start = time.perf_counter()
        train_log, masks = train_forecaster(model, splits, method, settings, seed)
        train_seconds = time.perf_counter() - start
    else:
        (train_log, train_seconds), masks = _load_trained(model, trained), None
        log.info("%s: tests the network trained in %s (the same training)", label, trained.model)
    for row in train_log.itertuples():
        log.info("%s epoch %d/%d train MSE %.4f validation MAE %.4f sparsity %.3f", label, row.epoch, cfg["epochs"],
                 row.train_mse, row.validation_mae, row.sparsity)
    samples = cfg.get("mc_samples", 0)  # the method's own inference
    test_inputs, test_targets = splits["test"]
    test_mae = mae(predict(model, test_inputs, mc_samples=samples, seed=seed), test_targets)
    validation_mae = mae(predict(model, splits["validation"][0], mc_samples=samples, seed=seed), splits["validation"][1])
    alive, total = count(masks if masks is not None else full_masks(model))
    settings_hash = stable_hash(str(frame["settings_hash"].iloc[0]), architecture, method, length, trial.trial, cfg)
    prov = provenance(settings_hash, trial.trial, device)
    metrics = pd.DataFrame([{
        "dataset": dataset, "architecture": architecture, "method": method, "sequence_length": length, "trial": trial.trial,
        "test_mae": test_mae, "validation_mae": validation_mae,
        "train_seconds": train_seconds, "sparsity": 1 - alive / total, "n_weights": total,
        "n_train": len(splits["train"][1]), "n_test": len(test_targets),
    }])
    meta = {**metrics.iloc[0].to_dict(), "machine": machine(device)}
    save_tensors({"state_dict": {k: v.cpu() for k, v in model.state_dict().items()}, "meta": meta}, files.model, [series_path])
    write_parquet(train_log, files.train_log, prov, parents=[series_path])
    write_parquet(metrics, files.metrics, prov, parents=[series_path])
    log.info("%s: test MAE %.4f (scaled units), %.1f s", label, test_mae, train_seconds)
