"""The switches for the seed-002 authors' choices (forecast section): each changes exactly the
computation it names, at library level; left at their defaults they change nothing."""

import copy
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from devprune import masks as masking
from devprune.config import forecast_results_hash
from devprune.forecast.data import label_and_scale, split_windows, windows
from devprune.forecast.models import PatchTST, RecurrentForecaster
from devprune.forecast.stages import (Trial, TrialFiles, arm_dropout, complete_settings, method_settings, prepare_dataset,
                                      train_trial, training_source)
from devprune.forecast.train import train_forecaster, validation_mse
from devprune.pruning.schedules import cubic_sparsity

from conftest import tiny_config

SPLIT = {"train": 0.7, "validation": 0.15}


def _split(**switches):
    return complete_settings({"split": {**SPLIT, **switches}})["split"]


def _series(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return np.sin(np.arange(n)[:, None] / 9 + np.arange(3)) + 0.1 * rng.standard_normal((n, 3))


def _splits(values, length=5, **switches):
    split = _split(**switches)
    scaled, labels, scaler = label_and_scale(values, split)
    return split_windows(scaled, labels, 0, length, split), labels, scaler


def _lstm(dropout=0.0):
    torch.manual_seed(0)
    return RecurrentForecaster(3, cell="lstm", hidden=8, layers=1, dropout=dropout)


def test_test_set_validation_validates_on_the_test_windows():
    values = _series()
    splits, labels, _ = _splits(values, validation_set="test")
    assert list(dict.fromkeys(labels)) == ["train", "test"] and (labels == "train").sum() == int(0.7 * len(values))
    assert all(torch.equal(a, b) for a, b in zip(splits["validation"], splits["test"]))
    separate, _, _ = _splits(values)
    assert len(separate["validation"][1]) < len(splits["test"][1])  # by default a split of its own, before the test rows


def test_all_row_scaling_fits_on_every_row_and_training_rows_by_default():
    values = _series()
    _, _, on_train = _splits(values)
    _, _, on_all = _splits(values, scaler="all_rows")
    assert np.allclose(on_train.mean, values[: int(0.7 * len(values))].mean(0))
    assert np.allclose(on_all.mean, values.mean(0)) and np.allclose(on_all.std, values.std(0))


@pytest.mark.parametrize("length", [1, 7, 30])
def test_windows_split_by_index_cut_the_whole_series_first(length):
    values = _series()
    by_window, _, _ = _splits(values, length=length, by="window")
    inputs, targets = windows(label_and_scale(values, _split())[0], 0, length, 0, len(values))
    n = len(targets)
    train_end, validation_end = int(n * 0.7), int(n * 0.85)
    assert torch.equal(by_window["train"][1], targets[:train_end])
    assert torch.equal(by_window["test"][0], inputs[validation_end:])
    by_time, _, _ = _splits(values, length=length)
    assert len(by_time["test"][1]) == len(values) - int(0.85 * len(values))  # by time: the test rows do not move with L
    assert len(by_window["test"][1]) == n - validation_end  # by window: they shift with L


def _train(model, splits, method="none", epochs=12, **settings):
    cfg = complete_settings({"epochs": epochs, "lr": 0.05, "batch_size": 16, **settings})
    return train_forecaster(model, splits, method, cfg, 1)


def test_early_stopping_restores_the_best_or_keeps_the_last_epoch():
    """Against models trained for exactly 1, 2, ... epochs (the same batches): restore last keeps
    the weights of the epoch it stopped after, restore best those of the epoch whose validation
    MSE was lowest."""
    splits, _, _ = _splits(_series())
    assert len(_train(_lstm(), splits)[0]) == 12  # by default it never stops
    for restore in ("last", "best"):
        model = _lstm()
        log, _ = _train(model, splits, early_stopping={"patience": 1, "restore": restore})
        assert len(log) < 12  # it stopped early
        after = [_lstm() for _ in range(len(log))]
        for epochs, replay in enumerate(after, start=1):
            _train(replay, splits, epochs=epochs)
        losses = [validation_mse(m, splits["validation"], "none", complete_settings({}), 0) for m in after]
        chosen = len(log) - 1 if restore == "last" else int(np.argmin(losses))
        assert restore == "last" or chosen < len(log) - 1  # the best is not the last: the two differ
        assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), after[chosen].state_dict().values()))


def test_stochastic_mc_validation_is_one_pass_with_dropout_on():
    splits, _, _ = _splits(_series())
    model = _lstm(dropout=0.5)
    deterministic = complete_settings({})
    stochastic = complete_settings({"mc_validation": "stochastic"})
    base = validation_mse(model, splits["validation"], "mc_dropout", deterministic, 0)
    assert validation_mse(model, splits["validation"], "mc_dropout", stochastic, 0) != base
    assert validation_mse(model, splits["validation"], "dropout", stochastic, 0) == base  # only mc_dropout's


def test_the_pruning_arm_keeps_dropout_only_when_asked():
    assert arm_dropout("pruning", complete_settings({"dropout": 0.2, "pruning": {}})) == 0.0
    assert arm_dropout("pruning", complete_settings({"dropout": 0.2, "pruning": {"dropout": 0.3}})) == 0.3
    assert arm_dropout("dropout", complete_settings({"dropout": 0.2})) == 0.2


PRUNING = {"layers": "all", "warmup": 2, "prune_every": 2, "s_min": 0.3, "s_max": 0.7}


def test_epochs_counted_from_zero_start_pruning_later_and_never_reach_s_max():
    splits, _, _ = _splits(_series())
    log, masks = _train(_lstm(), splits, "pruning", epochs=6, pruning={**PRUNING, "epoch_base": 0})
    total = masking.count(masks)[1]
    for epoch, sparsity in zip(log["epoch"], log["sparsity"]):
        expected = cubic_sparsity(epoch - 1, warmup=2, total=6, s_min=0.3, s_max=0.7)
        assert round(sparsity * total) == math.floor(expected * total)
    assert log["sparsity"].iloc[1] == 0.0 and log["sparsity"].iloc[-1] < 0.7 - 1 / total


def test_the_authors_lstm_schedule_saturates_below_one():
    """0.7 -> 1.2 every 2 batches, epochs from 0: a target of 1 or more prunes nothing, so the
    sparsity stays at the last target below 1 (about 99 %), as in the authors' code."""
    splits, _, _ = _splits(_series())
    schedule = {"layers": "all", "warmup": 2, "prune_every": 2, "s_min": 0.7, "s_max": 1.2, "epoch_base": 0}
    log, masks = _train(_lstm(), splits, "pruning", epochs=20, pruning=schedule)
    targets = [cubic_sparsity(e, warmup=2, total=20, s_min=0.7, s_max=1.2) for e in range(20)]
    below_one = max(t for t in targets if t < 1)
    total = masking.count(masks)[1]
    assert max(targets) > 1 and log["sparsity"].iloc[-1] == pytest.approx(math.floor(below_one * total) / total)
    assert 0.9 < log["sparsity"].iloc[-1] < 1


def test_every_weight_adds_norm_gains_and_the_position_embedding():
    torch.manual_seed(0)
    model = PatchTST(3, length=8, patch_len=4, d_model=8, heads=2, layers=1, dropout=0.0)
    every = masking.every_weight(model)
    assert {"position", "encoder.layers.0.norm1.weight", "encoder.layers.0.self_attn.in_proj_weight"} <= set(every)
    assert set(masking.prunable_weights(model)) < set(every) and not any(n.endswith("bias") for n in every)


def test_per_architecture_schedules_replace_the_shared_one_for_that_architecture_only():
    forecast = copy.deepcopy(tiny_config()["forecast"])
    forecast["pruning"]["by_architecture"] = {"lstm": {"s_min": 0.7, "s_max": 1.2, "prune_every": 2}}
    lstm, patchtst = (method_settings(forecast, "pruning", a)["pruning"] for a in ("lstm", "patchtst"))
    assert (lstm["s_min"], lstm["s_max"], lstm["prune_every"]) == (0.7, 1.2, 2) and "by_architecture" not in lstm
    assert patchtst == {k: v for k, v in forecast["pruning"].items() if k != "by_architecture"}


def test_switches_at_their_defaults_change_no_params_or_hash():
    """Every new key written out at its default: the same job settings and results hash as a
    config that leaves them out (a run made before the switches reruns nothing)."""
    plain = tiny_config()
    explicit = copy.deepcopy(plain)
    forecast = explicit["forecast"]
    forecast.update(mc_validation="deterministic", early_stopping={"patience": 0, "restore": "best"}, trial_block=10)
    forecast["split"].update(validation_set="separate", scaler="train_rows", by="time")
    forecast["pruning"].update(dropout=0.0, epoch_base=1, by_architecture={})
    assert forecast_results_hash(explicit) == forecast_results_hash(plain)
    for method in plain["forecast"]["methods"]:
        assert method_settings(forecast, method, "lstm") == method_settings(plain["forecast"], method, "lstm")
    assert method_settings(plain["forecast"], "pruning", "lstm")["pruning"] == plain["forecast"]["pruning"]


@pytest.mark.parametrize("patience, mc_validation, shares", [(0, "deterministic", True), (0, "stochastic", True),
                                                              (3, "deterministic", True), (3, "stochastic", False)])
def test_mc_dropout_shares_dropouts_training_unless_early_stopping_reads_its_stochastic_pass(patience, mc_validation, shares):
    forecast = copy.deepcopy(tiny_config()["forecast"])
    forecast |= {"early_stopping": {"patience": patience, "restore": "best"}, "mc_validation": mc_validation}
    assert training_source("mc_dropout", method_settings(forecast, "mc_dropout", "lstm")) == ("dropout" if shares else None)
    assert all(training_source(m, method_settings(forecast, m, "lstm")) is None for m in ("none", "dropout", "pruning"))


def test_testing_dropouts_network_gives_mc_dropout_the_bits_of_its_own_training(tmp_path):
    """mc_dropout's job tests dropout's trained network (its log and training time too): the
    same metrics, log and weights as training its own."""
    forecast = tiny_config()["forecast"]
    series = tmp_path / "series.parquet"
    prepare_dataset("stocks", forecast["datasets"]["stocks"], forecast["split"], None, series, tmp_path / "scaler.parquet")
    trial = Trial("stocks", forecast["datasets"]["stocks"]["target"], "lstm", "dropout", 7, 0)

    def run(method, name, trained=None):
        files = TrialFiles(series, *(tmp_path / f"{name}_{part}" for part in ("model.pt", "log.parquet", "metrics.parquet")))
        train_trial(replace(trial, method=method), files, method_settings(forecast, method, "lstm"), "cpu", trained)
        return files

    dropout = run("dropout", "dropout")
    own, shared = run("mc_dropout", "own"), run("mc_dropout", "shared", trained=dropout)
    metrics = {files: pd.read_parquet(files.metrics) for files in (dropout, own, shared)}
    assert metrics[shared]["train_seconds"].tolist() == metrics[dropout]["train_seconds"].tolist()
    pd.testing.assert_frame_equal(metrics[shared].drop(columns="train_seconds"), metrics[own].drop(columns="train_seconds"))
    pd.testing.assert_frame_equal(pd.read_parquet(shared.train_log), pd.read_parquet(own.train_log))
    ours, theirs = (torch.load(files.model, weights_only=True)["state_dict"] for files in (shared, own))
    assert all(torch.equal(ours[k], theirs[k]) for k in ours)
    assert metrics[own]["test_mae"].iloc[0] != metrics[dropout]["test_mae"].iloc[0]  # MC inference did act
