"""The switches for the paper's unspecified choices: each changes exactly the computation it
names, and each left at its default is today's computation (and plans, hashes and reruns
nothing new)."""

import copy
import math

import pandas as pd
import pytest
import torch

from devprune import masks as masking
from devprune.config import schema_defaults, without_defaults
from devprune.phased import models as model_module
from devprune.phased import tables
from devprune.phased.models import HiddenNoise, TaskGatedMLP, initialise
from devprune.phased.tasks import TASKS, TaskData, draw_task_data
from devprune.phased.train import (ALTERNATIONS, MIXED, STAGE_DEFAULTS, STAGE_TASKS, Network, alternating_batches,
                                   stage_batches, steps_per_epoch, train, train_stacked)

from conftest import tiny_config
from test_tables import EVAL, paper_like, synthetic_metrics

SIZES = {"visual": 10, "voice": 6}


def _batches(settings, epoch=1, seed=0):
    return list(stage_batches(SIZES, {"batch_size": 4, **settings}, torch.Generator().manual_seed(seed), epoch))


def test_the_libraries_choices_are_the_schemas():
    from devprune.config import load_schema

    defs = load_schema()["$defs"]
    assert tuple(defs["alternation"]["enum"]) == ALTERNATIONS and tuple(defs["tasks"]["enum"]) == tuple(STAGE_TASKS)
    assert tuple(tiny_config_schema_enum("claims", "stress_readout")) == tables.STRESS_READOUTS


def test_defaults_are_todays_batches_and_the_schemas():
    assert STAGE_DEFAULTS == schema_defaults("early") == schema_defaults("late") == schema_defaults("baseline")
    assert schema_defaults("model") == {"init": "default"} and schema_defaults("evaluation") == {"noise_position": "after_relu"}
    assert schema_defaults("claims")["stress_readout"] == "highest_sigma"
    today = list(alternating_batches(SIZES, 4, torch.Generator().manual_seed(0)))
    for settings in ({}, {"tasks": "both", "alternation": "batch"}):
        assert [(t, i.tolist()) for t, i in _batches(settings)] == [(t, i.tolist()) for t, i in today]


def test_visual_only_fine_tuning_never_draws_a_voice_batch():
    for alternation in ("batch", "epoch", "mixed"):
        for epoch in (1, 2):
            batches = _batches({"tasks": "visual", "alternation": alternation}, epoch)
            assert {source for source, _ in batches} <= {"visual", MIXED}
            assert sorted(torch.cat([i for _, i in batches]).tolist()) == list(range(SIZES["visual"]))  # visual rows only
    assert steps_per_epoch(SIZES, {"batch_size": 4, "tasks": "visual"}) == 3


def test_per_epoch_alternation_trains_one_task_an_epoch():
    for epoch, task in ((1, "visual"), (2, "voice"), (3, "visual")):
        batches = _batches({"alternation": "epoch"}, epoch)
        assert {source for source, _ in batches} == {task}
        assert sorted(torch.cat([i for _, i in batches]).tolist()) == list(range(SIZES[task]))


def test_mixed_batches_hold_both_tasks_and_every_sample_once():
    batches = _batches({"alternation": "mixed"})
    assert {source for source, _ in batches} == {MIXED} and len(batches) == 4  # 16 samples, batches of 4
    assert sorted(torch.cat([i for _, i in batches]).tolist()) == list(range(16))
    assert any(((i < 10).any() and (i >= 10).any()) for _, i in batches)  # some batch mixes the tasks


def _networks():
    cfg = tiny_config()
    networks = []
    for seed in (0, 1):
        data = TaskData(draw_task_data(cfg["task"], seed=seed)["train"])
        torch.manual_seed(seed)
        model = TaskGatedMLP(cfg["model"]["hidden"])
        networks.append(Network(model, masking.prune_to_density(model, masking.full_masks(model), 0.5), data, seed, f"n{seed}"))
    return cfg, networks


@pytest.mark.parametrize("settings", [{"tasks": "visual"}, {"alternation": "epoch"}, {"alternation": "mixed"},
                                      {"tasks": "visual", "alternation": "mixed"}])
def test_every_task_setting_trains_a_stack_as_the_plain_loop_does(settings):
    cfg, networks = _networks()
    settings = {"epochs": 2, "lr": 0.01, "batch_size": 64, **settings}
    alone = [copy.deepcopy(n) for n in networks]
    alone_logs = [train(n, cfg["task"], settings) for n in alone]
    stacked_logs = train_stacked(networks, cfg["task"], settings)
    for single, stacked, single_log, stacked_log in zip(alone, networks, alone_logs, stacked_logs):
        assert all(torch.equal(a, b) for a, b in zip(single.model.state_dict().values(), stacked.model.state_dict().values()))
        pd.testing.assert_frame_equal(single_log, stacked_log)
    log = stacked_logs[0]
    if settings.get("tasks") == "visual":
        assert log["voice_train_accuracy"].isna().all() and log["visual_train_accuracy"].notna().all()
    elif settings.get("alternation") == "epoch":  # epoch 1 visual, epoch 2 voice
        assert math.isnan(log.loc[0, "voice_train_accuracy"]) and math.isnan(log.loc[1, "visual_train_accuracy"])
    else:
        assert log[[f"{t}_train_accuracy" for t in TASKS]].notna().all().all()


def test_explicit_defaults_train_the_same_bits_as_none():
    cfg, networks = _networks()
    twins = copy.deepcopy(networks)
    base = {"epochs": 1, "lr": 0.01, "batch_size": 64}
    train_stacked(networks, cfg["task"], base)
    train_stacked(twins, cfg["task"], {**base, "tasks": "both", "alternation": "batch"})
    for a, b in zip(networks, twins):
        assert all(torch.equal(x, y) for x, y in zip(a.model.state_dict().values(), b.model.state_dict().values()))


def test_switches_at_their_default_are_left_out_of_params_and_hashes():
    assert without_defaults("early", {"epochs": 15, "lr": 5e-4, "batch_size": 128, "tasks": "both", "alternation": "batch"}) \
        == {"epochs": 15, "lr": 5e-4, "batch_size": 128}
    assert without_defaults("early", {"epochs": 15, "tasks": "visual"}) == {"epochs": 15, "tasks": "visual"}
    assert without_defaults("evaluation", {"noise_layers": "all", "noise_position": "after_relu"}) == {"noise_layers": "all"}
    assert without_defaults("model", {"hidden": [8], "init": "kaiming"}) == {"hidden": [8], "init": "kaiming"}


def test_initialisations():
    torch.manual_seed(3)
    default = TaskGatedMLP([32, 16])
    reference = copy.deepcopy(default)
    initialise(default, "default")
    assert all(torch.equal(a, b) for a, b in zip(default.state_dict().values(), reference.state_dict().values()))
    for scheme, bound in (("xavier", lambda fan_in, fan_out: math.sqrt(6 / (fan_in + fan_out))),
                          ("kaiming", lambda fan_in, fan_out: math.sqrt(2) * math.sqrt(3 / fan_in))):
        model = copy.deepcopy(reference)
        initialise(model, scheme)
        for layer in model.layers:
            fan_out, fan_in = layer.weight.shape
            largest = float(layer.weight.detach().abs().max())
            assert 0.8 * bound(fan_in, fan_out) < largest <= bound(fan_in, fan_out)
            assert not layer.bias.any()
    assert model_module.INITIALISATIONS == tuple(tiny_config_schema_enum("model", "init"))


def tiny_config_schema_enum(section, key):
    from devprune.config import load_schema

    return load_schema()["properties"][section]["properties"][key]["enum"]


def _manual_forward(model, x, noises):
    """The network by hand: ``noises[i]`` = (before, after) the ReLU of hidden layer i (or None)."""
    for layer, (before, after) in zip(model.layers[:-1], noises):
        x = layer(x)
        x = x + before if before is not None else x
        x = torch.relu(x)
        x = x + after if after is not None else x
    return model.layers[-1](x)


@pytest.mark.parametrize("layers, position", [("all", "after_relu"), ("last", "after_relu"), ("first", "after_relu"),
                                              ("all", "before_relu"), ("first", "before_relu")])
def test_noise_enters_the_layers_and_position_it_names(layers, position):
    torch.manual_seed(0)
    model = TaskGatedMLP([8, 8, 8])
    x = torch.randn(5, 4)
    got = model(x, HiddenNoise(0.7, layers, position, torch.Generator().manual_seed(1)))
    generator = torch.Generator().manual_seed(1)
    reached = {"all": [0, 1, 2], "last": [2], "first": [0]}[layers]
    noises = []
    for i in range(3):
        draw = 0.7 * torch.randn((5, 8), generator=generator) if i in reached else None
        noises.append((draw, None) if position == "before_relu" else (None, draw))
    assert torch.equal(got, _manual_forward(model, x, noises))
    assert tuple(tiny_config_schema_enum("evaluation", "noise_layers")) == model_module.NOISE_LAYERS
    assert tuple(tiny_config_schema_enum("evaluation", "noise_position")) == model_module.NOISE_POSITIONS


def test_stress_readout_mean_over_sigmas():
    metrics = synthetic_metrics(paper_like, seeds=(0, 1))
    keys = ["seed", "stage", "early_density", "branch"]
    highest = tables.headline_values(metrics, EVAL).sort_values(keys, ignore_index=True)
    mean = tables.headline_values(metrics, EVAL, "mean_over_sigmas").sort_values(keys, ignore_index=True)
    assert len(mean) == len(highest) == 2 * 31
    # synthetic stress is 99 at sigma 1 and the model's own value at sigma 3
    assert (mean["stress"] == (99.0 + highest["stress"]) / 2).all()
    assert mean.drop(columns="stress").equals(highest.drop(columns="stress"))
