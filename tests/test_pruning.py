"""The defining property of every criterion and schedule of the pruning library."""

import copy
import math

import pytest
import torch

from devprune import masks as masking
from devprune.phased.models import TaskGatedMLP
from devprune.pruning import criteria, schedules

HIDDEN = [32, 32, 16]


def _model(seed=0):
    torch.manual_seed(seed)
    return TaskGatedMLP(HIDDEN)


def _global(density, masks):
    return masking.round_half_up(density, masking.count(masks)[1])


def _per_layer(density, masks):
    return {name: masking.round_half_up(density, mask.numel()) for name, mask in masks.items()}


def _batch(seed=0, n=64):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 4, generator=generator), torch.randint(0, 4, (n,), generator=generator)


@pytest.mark.parametrize("criterion", ["magnitude", "random", "saliency"])
@pytest.mark.parametrize("density", [0.1, 0.35, 0.7])
def test_every_criterion_keeps_the_exact_count_globally(criterion, density):
    model = _model()
    scores = {
        "magnitude": lambda: criteria.magnitude_scores(model),
        "random": lambda: criteria.random_scores(model, torch.Generator().manual_seed(3)),
        "saliency": lambda: criteria.saliency_scores(model, *_batch()),
    }[criterion]()
    full = masking.full_masks(model)
    masks = criteria.select(scores, full, _global(density, full))
    alive, total = masking.count(masks)
    assert alive == masking.round_half_up(density, total)


def test_layer_wise_magnitude_keeps_the_exact_share_of_every_layer():
    model = _model()
    full = masking.full_masks(model)
    masks = criteria.select(criteria.magnitude_scores(model), full, _per_layer(0.3, full))
    for name, mask in masks.items():
        assert int(mask.sum()) == masking.round_half_up(0.3, mask.numel())
        weight = masking.prunable_weights(model)[name].abs()
        assert weight[mask].min() >= weight[~mask].max()  # within a layer, the largest survive


def test_global_and_layer_wise_magnitude_differ():
    model = _model()
    full = masking.full_masks(model)
    scores = criteria.magnitude_scores(model)
    global_masks = criteria.select(scores, full, _global(0.3, full))
    layer_masks = criteria.select(scores, full, _per_layer(0.3, full))
    assert any(not torch.equal(global_masks[n], layer_masks[n]) for n in full)


def test_random_pruning_is_independent_of_the_weights_given_a_seed():
    first, second = _model(0), _model(1)
    assert not torch.equal(first.layers[1].weight, second.layers[1].weight)
    full = masking.full_masks(first)
    masks = [criteria.select(criteria.random_scores(m, torch.Generator().manual_seed(5)), full, _global(0.4, full))
             for m in (first, second)]
    assert all(torch.equal(masks[0][n], masks[1][n]) for n in masks[0])
    other_seed = criteria.select(criteria.random_scores(first, torch.Generator().manual_seed(6)), full, _global(0.4, full))
    assert any(not torch.equal(masks[0][n], other_seed[n]) for n in masks[0])


def test_saliency_is_weight_times_gradient_on_the_batch():
    model = _model()
    inputs, targets = _batch()
    scores = criteria.saliency_scores(model, inputs, targets)
    torch.nn.functional.cross_entropy(model(inputs), targets).backward()
    for name, weight in masking.prunable_weights(model).items():
        torch.testing.assert_close(scores[name], (weight * weight.grad).abs().detach())


def test_structured_pruning_removes_whole_neurons():
    model = _model()
    inputs, _ = _batch(n=256)
    neuron_scores = criteria.activation_neuron_scores(model, inputs)
    masks = criteria.prune_neurons(model, masking.full_masks(model), neuron_scores, 0.25)
    removed = []
    for layer, scores in enumerate(neuron_scores):
        gone = (~masks[list(masks)[layer]]).all(1)  # whole rows of incoming weights
        assert int(gone.sum()) == masking.round_half_up(0.25, len(scores))
        assert scores[gone].max() <= scores[~gone].min()  # the least active neurons go
        removed.append(gone)
    widths = [4, *HIDDEN, 4]
    no_neuron_gone = [torch.zeros(widths[0], dtype=torch.bool), *removed, torch.zeros(widths[-1], dtype=torch.bool)]
    for layer, name in enumerate(masks):  # exactly the removed neurons' rows and columns, nothing else
        expected = ~no_neuron_gone[layer + 1][:, None] & ~no_neuron_gone[layer][None, :]
        assert torch.equal(masks[name], expected)


def test_cubic_schedule_follows_algorithm_2():
    schedule = dict(warmup=2, total=20, s_min=0.3, s_max=0.7)
    assert schedules.cubic_sparsity(0, **schedule) == 0.0 and schedules.cubic_sparsity(1.99, **schedule) == 0.0
    assert schedules.cubic_sparsity(2, **schedule) == pytest.approx(0.3)
    assert schedules.cubic_sparsity(20, **schedule) == pytest.approx(0.7)
    assert schedules.cubic_sparsity(25, **schedule) == pytest.approx(0.7)
    assert schedules.cubic_sparsity(11, **schedule) == pytest.approx(0.3 + 0.4 * 0.5**3)
    values = [schedules.cubic_sparsity(t / 4, **schedule) for t in range(8, 81)]
    assert values == sorted(values)


def test_gradual_pruning_only_ever_removes_weights_and_reaches_the_target():
    model = _model()
    masks = masking.full_masks(model)
    total = masking.count(masks)[1]
    previous = masks
    for epoch in range(0, 21):
        masks = schedules.prune_to_sparsity(model, masks, schedules.cubic_sparsity(epoch, warmup=2, total=20, s_min=0.3, s_max=0.7))
        assert all(not (masks[n] & ~previous[n]).any() for n in masks)  # nothing regrows
        previous = masks
    assert total - masking.count(masks)[0] == math.floor(0.7 * total)


def test_rewinding_restores_stored_values_of_survivors_only():
    model = _model()
    stored = copy.deepcopy(model.state_dict())
    masks = masking.prune_to_density(model, masking.full_masks(model), 0.3)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(1.0)  # "training" moved every weight and bias
    schedules.rewind(model, masks, stored)
    for name, weight in masking.prunable_weights(model).items():
        assert torch.equal(weight[masks[name]], stored[name][masks[name]])
        assert not weight[~masks[name]].any()  # pruned weights stay pruned, not rewound
    assert torch.equal(model.layers[0].bias, stored["layers.0.bias"])  # unmasked parameters rewind too


def test_regrowth_keeps_density_and_regrows_where_gradients_are_largest():
    model = _model()
    masks = masking.prune_to_density(model, masking.full_masks(model), 0.3)
    alive = masking.count(masks)[0]
    grads = {n: torch.randn(w.shape, generator=torch.Generator().manual_seed(i))
             for i, (n, w) in enumerate(masking.prunable_weights(model).items())}
    before = copy.deepcopy(masks)
    new = schedules.regrow(model, masks, grads, 0.1)
    assert masking.count(new)[0] == alive
    grown = {n: new[n] & ~before[n] for n in new}
    n_grown = sum(int(g.sum()) for g in grown.values())
    assert n_grown == masking.round_half_up(0.1, alive)
    grown_grads = torch.cat([grads[n][grown[n]].abs() for n in new])
    still_pruned = torch.cat([grads[n][~new[n] & ~before[n]].abs() for n in new])
    assert grown_grads.min() >= still_pruned.max()
    weights = masking.prunable_weights(model)
    assert all(not weights[n][grown[n]].any() for n in new)  # regrown connections start at zero
