"""The evaluation measures on a trained tiny model."""

import pytest
import torch

from devprune import masks as masking
from devprune.phased.evaluate import evaluate, integration_inputs
from devprune.phased.models import TaskGatedMLP
from devprune.phased.tasks import TaskData, draw_task_data
from devprune.phased.train import Network, train

from conftest import tiny_config


@pytest.fixture(scope="module")
def trained():
    cfg = tiny_config()
    splits = draw_task_data(cfg["task"], seed=0)
    torch.manual_seed(0)
    model = TaskGatedMLP(cfg["model"]["hidden"])
    train(Network(model, masking.full_masks(model), TaskData(splits["train"]), 0, "train"), cfg["task"],
          dict(epochs=15, lr=0.003, batch_size=32))
    return cfg, model, TaskData(splits["test"])


def _values(rows):
    return {(r["metric"], r["condition"], r["level"]): r["value"] for r in rows}


def test_rows_cover_every_configured_condition(trained):
    cfg, model, data = trained
    rows = evaluate(model, data, cfg["task"], cfg["evaluation"], seed=0)
    keys = set(_values(rows))
    assert ("visual_accuracy", "clean", 1.0) in keys and ("voice_accuracy", "clean", 1.0) in keys
    assert {k[2] for k in keys if k[0] == "stress_tolerance"} == set(cfg["evaluation"]["noise_sigmas"])
    assert {k[2] for k in keys if k[0] == "ambiguity_tolerance"} == set(cfg["evaluation"]["cue_weights"])
    assert {k[1] for k in keys if k[0] == "sensory_integration"} == {"clear", "ambiguous"}
    assert all(0 <= r["value"] <= 100 and r["n_samples"] > 0 for r in rows)


def test_trained_model_solves_both_rules_and_noise_hurts(trained):
    cfg, model, data = trained
    values = _values(evaluate(model, data, cfg["task"], {**cfg["evaluation"], "noise_sigmas": [0.01, 50.0]}, seed=0))
    assert values[("visual_accuracy", "clean", 1.0)] > 95 and values[("voice_accuracy", "clean", 1.0)] > 95
    assert values[("stress_tolerance", "noise_sigma", 0.01)] == pytest.approx(values[("visual_accuracy", "clean", 1.0)], abs=1)
    assert values[("stress_tolerance", "noise_sigma", 50.0)] < 60
    # the full visual cue is the clean visual test
    assert values[("ambiguity_tolerance", "cue_weight", 1.0)] == values[("visual_accuracy", "clean", 1.0)]


def test_evaluation_noise_is_seeded(trained):
    cfg, model, data = trained
    a, b, c = (evaluate(model, data, cfg["task"], cfg["evaluation"], seed=s) for s in (0, 0, 1))
    assert a == b
    stress = [r["value"] for r in a if r["metric"] == "stress_tolerance"]
    assert stress != [r["value"] for r in c if r["metric"] == "stress_tolerance"]


def test_noise_on_last_layer_only_hurts_less_than_on_all(trained):
    cfg, model, data = trained
    ev = {**cfg["evaluation"], "noise_sigmas": [3.0]}
    everywhere = _values(evaluate(model, data, cfg["task"], {**ev, "noise_layers": "all"}, seed=0))
    last = _values(evaluate(model, data, cfg["task"], {**ev, "noise_layers": "last"}, seed=0))
    assert last[("stress_tolerance", "noise_sigma", 3.0)] > everywhere[("stress_tolerance", "noise_sigma", 3.0)]


def test_integration_readings(trained):
    cfg, _, data = trained
    blend = {"mode": "feature_blend", "blend": 0.5, "ambiguous_cue_weight": 0.5}
    x, y = integration_inputs(data, cfg["task"], blend, "ambiguous")
    n = cfg["task"]["n_test_per_task"]
    expected = 0.5 * data.stimuli["visual"] + 0.5 * data.stimuli["voice"]
    assert torch.allclose(x[:, :2], expected) and (x[:, 2:] == 0.5).all() and torch.equal(y, data.labels["visual"])
    x, y = integration_inputs(data, cfg["task"], {**blend, "mode": "task_mix"}, "clear")
    assert len(y) == 2 * n
    assert (x[:n, 2:] == x.new_tensor([1.0, 0.0])).all() and (x[n:, 2:] == x.new_tensor([0.0, 1.0])).all()
