"""Masks persist through optimiser steps; training is deterministic for a seed; the stacked
trainer the pipeline uses gives every network exactly what the plain loop gives it."""

import copy
import subprocess
import sys

import pandas as pd
import pytest
import torch

from devprune import masks as masking
from devprune.phased.models import TaskGatedMLP
from devprune.phased.tasks import TaskData, draw_task_data
from devprune.runtime import use_deterministic_algorithms
from devprune.phased.train import LaneSafeAdam, Network, alternating_batches, train, train_stacked

from conftest import tiny_config


def _setup(density=0.3):
    cfg = tiny_config()
    data = TaskData(draw_task_data(cfg["task"], seed=0)["train"])
    torch.manual_seed(0)
    model = TaskGatedMLP(cfg["model"]["hidden"])
    masks = masking.prune_to_density(model, masking.full_masks(model), density)
    return cfg, data, model, masks


def test_pruned_weights_stay_zero_through_adam_steps():
    cfg, data, model, masks = _setup()
    before = masking.count(masks)
    train(Network(model, masks, data, 1, "train"), cfg["task"], dict(epochs=3, lr=0.01, batch_size=32))
    weights = {n: w.detach() for n, w in masking.prunable_weights(model).items()}
    assert all(float(weights[n][~m].abs().max()) == 0.0 for n, m in masks.items())
    assert sum(int((w != 0).sum()) for w in weights.values()) == before[0]


def test_without_reapplying_masks_adam_would_revive_pruned_weights():
    """The property above is not vacuous: Adam's moments move zeroed weights."""
    cfg, data, model, masks = _setup()
    masking.apply_masks(model, masks)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    x = torch.cat([data.stimuli["visual"][:64], torch.tensor([[1.0, 0.0]]).expand(64, 2)], 1)
    for _ in range(3):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), data.labels["visual"][:64]).backward()
        optimizer.step()
    weights = {n: w.detach() for n, w in masking.prunable_weights(model).items()}
    assert any(float(weights[n][~m].abs().max()) > 0 for n, m in masks.items())


def test_batches_alternate_between_tasks_and_cover_each_sample_once():
    batches = list(alternating_batches({"visual": 10, "voice": 7}, 4, torch.Generator().manual_seed(0)))
    assert [task for task, _ in batches] == ["visual", "voice", "visual", "voice", "visual"]
    for task, n in (("visual", 10), ("voice", 7)):
        seen = torch.cat([index for t, index in batches if t == task])
        assert sorted(seen.tolist()) == list(range(n))


def test_training_is_deterministic_for_a_seed():
    states = []
    for _ in range(2):
        cfg, data, model, masks = _setup()
        log = train(Network(model, masks, data, 7, "train"), cfg["task"], dict(epochs=2, lr=0.01, batch_size=32))
        states.append((model.state_dict(), log))
    assert all(torch.equal(states[0][0][k], states[1][0][k]) for k in states[0][0])
    assert states[0][1].equals(states[1][1])


def _three_networks():
    """Different seeds, data and densities (one dense), as in one stacked pipeline job."""
    cfg = tiny_config()
    models, masks, data = [], [], []
    for seed, density in ((0, 0.3), (1, 1.0), (2, 0.55)):
        data.append(TaskData(draw_task_data(cfg["task"], seed=seed)["train"]))
        torch.manual_seed(seed)
        model = TaskGatedMLP(cfg["model"]["hidden"])
        models.append(model)
        masks.append(masking.prune_to_density(model, masking.full_masks(model), density))
    return cfg, models, masks, data


@pytest.mark.parametrize("threads, stack", [(1, 3), (2, 3), (1, 1)])
def test_stacked_training_is_bit_identical_to_training_each_network_alone(threads, stack):
    """A stack of three, on 1 and 2 threads, and a stack of one (its own code path)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        cfg, *networks = _three_networks()
        models, masks, data = (part[:stack] for part in networks)
        alone = [copy.deepcopy(model) for model in models]
        settings = dict(epochs=2, lr=0.01, batch_size=32)
        alone_logs = [
            train(Network(model, model_masks, seed_data, 10 + i, label), cfg["task"], settings)
            for i, (model, model_masks, seed_data, label) in enumerate(zip(alone, masks, data, "abc"))
        ]
        stacked = [Network(*run, 10 + i, label) for i, (*run, label) in enumerate(zip(models, masks, data, "abc"))]
        stacked_logs = train_stacked(stacked, cfg["task"], settings)
    finally:
        torch.set_num_threads(before)
    for single, stacked, single_log, stacked_log in zip(alone, models, alone_logs, stacked_logs):
        single_state, stacked_state = single.state_dict(), stacked.state_dict()
        assert all(torch.equal(single_state[k], stacked_state[k]) for k in single_state)
        pd.testing.assert_frame_equal(single_log, stacked_log)
    if stack > 1:
        assert not torch.equal(models[0].layers[1].weight, alone[1].layers[1].weight)  # the networks did differ


def test_stacked_training_keeps_each_networks_masks():
    cfg, models, masks, data = _three_networks()
    networks = [Network(*run, i, label) for i, (*run, label) in enumerate(zip(models, masks, data, "abc"))]
    train_stacked(networks, cfg["task"], dict(epochs=2, lr=0.01, batch_size=32))
    for model, model_masks in zip(models, masks):
        weights = masking.prunable_weights(model)
        assert sum(int((weights[n] != 0).sum()) for n in model_masks) == masking.count(model_masks)[0]


def test_stacked_training_rejects_training_sets_of_different_sizes():
    cfg, models, masks, data = _three_networks()
    small = copy.deepcopy(data[0])
    small.labels["voice"] = small.labels["voice"][:-1]
    small.stimuli["voice"] = small.stimuli["voice"][:-1]
    with pytest.raises(ValueError, match="training sets of one size"):
        networks = [Network(*run, i, label) for i, (*run, label) in enumerate(zip(models, masks, [small, *data[1:]], "abc"))]
        train_stacked(networks, cfg["task"], dict(epochs=1, lr=0.01, batch_size=32))


def test_lane_safe_adam_gives_torch_adams_numbers():
    """The fused kernel on lane-safe tensors is torch.optim.Adam(fused=True); the rest is its
    single-tensor loop: the same bits after 30 steps, for the pipeline network's shapes."""
    torch.manual_seed(0)
    shapes = [(256, 4), (256,), (256, 256), (4, 128), (4,)]
    ours = [torch.randn(shape, requires_grad=True) for shape in shapes]
    theirs = [p.detach().clone().requires_grad_(True) for p in ours]
    optimizer = LaneSafeAdam(ours, lr=1e-3)
    fused = torch.optim.Adam(theirs[:-1], lr=1e-3, fused=True)
    loop = torch.optim.Adam(theirs[-1:], lr=1e-3, foreach=False)
    for _ in range(30):
        grads = [torch.randn(shape) * 10.0 ** torch.randint(-6, 0, shape) for shape in shapes]
        for a, b, grad in zip(ours, theirs, grads):
            a.grad, b.grad = grad.clone(), grad.clone()
        optimizer.step()
        fused.step()
        loop.step()
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs))


def test_without_torchs_private_kernels_the_public_paths_run(monkeypatch):
    """A torch build lacking ``torch._fused_adam_`` and ``torch._C._set_deterministic_algorithms``
    (another version or build): Adam steps every tensor the elementwise way, torch.optim.Adam's
    single-tensor loop, and deterministic algorithms are switched on through the public call."""
    monkeypatch.delattr(torch, "_fused_adam_")
    monkeypatch.delattr(torch._C, "_set_deterministic_algorithms")
    monkeypatch.setattr(torch, "use_deterministic_algorithms", lambda flag: public.append(flag))
    public = []
    use_deterministic_algorithms()
    assert public == [True]
    torch.manual_seed(0)
    ours = [torch.randn(shape, requires_grad=True) for shape in [(256, 4), (256,), (4,)]]
    theirs = [p.detach().clone().requires_grad_(True) for p in ours]
    optimizer, loop = LaneSafeAdam(ours, lr=1e-3), torch.optim.Adam(theirs, lr=1e-3, foreach=False)
    assert optimizer.fused == []
    for _ in range(5):
        for a, b in zip(ours, theirs):
            a.grad = torch.randn(a.shape)
            b.grad = a.grad.clone()
        optimizer.step()
        loop.step()
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs))


def test_a_training_jobs_set_up_does_not_import_torchs_compiler():
    """torch.use_deterministic_algorithms and torch.optim optimisers import torch._dynamo (about
    0.9 s); a job's set-up and training step must not (bench/startup.py measures the difference)."""
    code = (
        "import sys, torch\n"
        "from devprune.runtime import configure_torch_job\n"
        "from devprune.phased.train import LaneSafeAdam\n"
        "configure_torch_job(1, 'cpu')\n"
        "assert torch.are_deterministic_algorithms_enabled()\n"
        "layer = torch.nn.Linear(16, 4)\n"
        "layer(torch.ones(2, 16)).sum().backward()\n"
        "LaneSafeAdam(layer.parameters(), 1e-3).step()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('torch._dynamo', 'torch._inductor'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
