"""A pruning method at work in one stage: exact targets, and the schedules inside training."""

from fractions import Fraction

import pytest
import torch

from devprune import masks as masking
from devprune.config import ConfigError, config_reference_markdown, resolve_method
from devprune.phased.models import TaskGatedMLP
from devprune.phased.tasks import TASKS, TaskData, draw_task_data
from devprune.phased.train import Network, steps_per_epoch, train_stacked
from devprune.pruning.method import Pruner, StageSchedule, StageTarget, initial_progress
from devprune.pruning.registry import SCHEDULES, Key, Schedule, register

from conftest import tiny_config

CFG = tiny_config()
BATCH = 64


def _method(**keys):
    return resolve_method("test", keys, CFG)


def _stage(method, target, n_models=2, epochs=4):
    """Everything a stage gives train_stacked: models pruned before training, masks, schedule."""
    data = [TaskData(draw_task_data(CFG["task"], seed=i)["train"]) for i in range(n_models)]
    models, masks, pruners = [], [], []
    for i in range(n_models):
        torch.manual_seed(i)
        model = TaskGatedMLP(CFG["model"]["hidden"])
        start = masking.full_masks(model)
        pruner = Pruner(method, target, start, generator=torch.Generator().manual_seed(i), samples=(None, None))
        models.append(model)
        masks.append(pruner.prune(model, start, initial_progress(method)))
        pruners.append(pruner)
    sizes = {task: len(data[0].labels[task]) for task in TASKS}
    schedule = StageSchedule(method, pruners, epochs=epochs, steps_per_epoch=steps_per_epoch(sizes, {"batch_size": BATCH}))
    return models, masks, data, schedule


def _train(models, masks, data, schedule, epochs=4):
    """Train with ``schedule``; ``masks`` becomes the final masks."""
    networks = [Network(*run, i, f"m{i}") for i, run in enumerate(zip(models, masks, data))]
    logs = train_stacked(networks, CFG["task"], dict(epochs=epochs, lr=0.003, batch_size=BATCH), mask_schedule=schedule)
    masks[:] = [network.masks for network in networks]
    return logs


@pytest.mark.parametrize("density", [0.1, 0.3, 0.75])
@pytest.mark.parametrize("fraction", [0.2, 0.5])
def test_stage_target_at_full_progress_is_the_papers_one_shot_count(density, fraction):
    total, alive = 1728, 519
    assert StageTarget(early_density=density).n_keep(total, Fraction(1)) == masking.round_half_up(density, total)
    late = StageTarget(late_fraction=fraction)
    assert late.n_keep(alive, Fraction(1)) == alive - masking.round_half_up(fraction, alive)
    counts = [late.n_keep(alive, Fraction(k, 10)) for k in range(11)]
    assert counts[0] == alive and counts == sorted(counts, reverse=True)


def test_cubic_schedule_prunes_nothing_in_warmup_and_hits_the_target_at_ramp_end():
    method = _method(schedule="cubic", warmup=0.25, ramp_end=0.75, prune_every=2)
    models, masks, data, schedule = _stage(method, StageTarget(early_density=0.3))
    assert all(masking.density(m) == 1.0 for m in masks)  # cubic prunes nothing before training
    logs = _train(models, masks, data, schedule)
    total = masking.count(masks[0])[1]
    for log, model, model_masks in zip(logs, models, masks):
        densities = log["density"].tolist()  # after epochs 1..4; the ramp spans epochs 1 to 3
        assert densities[0] == 1.0 or densities[0] > densities[1]
        assert 0.3 < densities[1] < 1.0 and densities == sorted(densities, reverse=True)
        assert densities[2] == densities[3] == masking.round_half_up(0.3, total) / total
        weights = masking.prunable_weights(model)
        assert all(not weights[n][~m].any() for n, m in model_masks.items())  # pruned weights stayed zero


def test_iterative_schedule_prunes_in_equal_steps_at_epoch_starts():
    method = _method(schedule="iterative", steps=2)
    models, masks, data, schedule = _stage(method, StageTarget(early_density=0.2))
    total = masking.count(masks[0])[1]
    assert masking.count(masks[0])[0] == masking.round_half_up(0.6, total)  # first step: halfway
    logs = _train(models, masks, data, schedule)
    # The second step comes after epoch 2's last batch; the log has the density at each epoch's end.
    expected = [masking.round_half_up(0.6, total) / total] + [masking.round_half_up(0.2, total) / total] * 3
    assert all(log["density"].tolist() == expected for log in logs)


def test_regrowth_moves_the_mask_at_constant_density():
    method = _method(schedule="regrow", regrow_fraction=0.2, regrow_every=3, regrow_until=0.5)
    models, masks, data, schedule = _stage(method, StageTarget(early_density=0.3))
    before = [dict(m) for m in masks]
    logs = _train(models, masks, data, schedule)
    total = masking.count(masks[0])[1]
    for log, old, new in zip(logs, before, masks):
        assert set(log["density"]) == {masking.round_half_up(0.3, total) / total}
        assert any(not torch.equal(old[n], new[n]) for n in new)


def test_layer_scope_removes_the_same_share_of_every_layer_in_the_late_stage():
    torch.manual_seed(0)
    model = TaskGatedMLP(CFG["model"]["hidden"])
    start = masking.prune_to_density(model, masking.full_masks(model), 0.5)
    pruner = Pruner(_method(scope="layer"), StageTarget(late_fraction=0.5), start,
                    generator=torch.Generator(), samples=(None, None))
    late = pruner.prune(model, start, Fraction(1))
    for name, mask in late.items():
        alive = int(start[name].sum())
        assert int(mask.sum()) == alive - masking.round_half_up(0.5, alive)
        assert not (mask & ~start[name]).any()


def test_neuron_pruning_stops_at_the_nearest_count_below_the_target():
    torch.manual_seed(0)
    model = TaskGatedMLP(CFG["model"]["hidden"])
    full = masking.full_masks(model)
    samples = (torch.randn(128, 4, generator=torch.Generator().manual_seed(0)), None)
    pruner = Pruner(_method(criterion="neuron_activation"), StageTarget(early_density=0.5), full,
                    generator=torch.Generator(), samples=samples)
    masks = pruner.prune(model, full, Fraction(1))
    alive, total = masking.count(masks)
    assert alive <= masking.round_half_up(0.5, total)
    names = list(masks)
    for inner, outer in zip(names, names[1:]):  # a neuron is gone from both sides or from neither
        assert torch.equal(masks[inner].any(1), masks[outer].any(0))


def test_a_schedule_added_to_the_registry_works_with_no_other_edit():
    """A linear ramp, declared in one registered class: the config check, the config reference
    and a stage's training all take it from the registry."""

    @register
    class LinearRamp(Schedule):
        name = "linear_ramp"
        description = "prune the stage's share in equal parts every `every` batches, done at the last step"
        source = "a test"
        keys = {"every": Key(10, {"type": "integer", "minimum": 1}, "batches between mask updates")}

        @staticmethod
        def initial_progress(method):
            return Fraction(0)

        def is_due(self, step):
            return step % self.method["every"] == 0 or step == self.total_steps

        def progress(self, step):
            return Fraction(step, self.total_steps)

    try:
        method = _method(schedule="linear_ramp", every=7)
        assert method == {"criterion": "magnitude", "scope": "global", "schedule": "linear_ramp", "every": 7}
        assert _method(schedule="linear_ramp")["every"] == 10
        with pytest.raises(ConfigError, match=r"'methods.test.every' = 0: allowed: integer, ≥ 1"):
            _method(schedule="linear_ramp", every=0)
        assert "| `methods.<name>.every` | integer, ≥ 1 | linear_ramp: batches between mask updates. Default 10. |" in config_reference_markdown()
        models, masks, data, schedule = _stage(method, StageTarget(early_density=0.3))
        assert all(masking.density(m) == 1.0 for m in masks)
        logs = _train(models, masks, data, schedule)
        total = masking.count(masks[0])[1]
        for log in logs:
            densities = log["density"].tolist()
            assert densities == sorted(densities, reverse=True) and len(set(densities)) == len(densities)
            assert densities[-1] == masking.round_half_up(0.3, total) / total
    finally:
        del SCHEDULES["linear_ramp"]
