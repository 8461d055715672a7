"""Exact mask counts, the rounding rule, magnitude ordering, and masks that survive training."""

import pytest
import torch

from devprune import masks as masking
from devprune.phased.models import TaskGatedMLP

PAPER_WEIGHTS = 4 * 256 + 256 * 256 + 256 * 128 + 128 * 4  # 99,840 prunable weights


@pytest.fixture()
def model():
    torch.manual_seed(0)
    return TaskGatedMLP([256, 256, 128])


def test_paper_model_has_the_stated_size(model):
    assert masking.count(masking.full_masks(model)) == (PAPER_WEIGHTS, PAPER_WEIGHTS)
    assert sum(p.numel() for p in model.parameters()) == 100_484  # "about 100 000 parameters"


@pytest.mark.parametrize("density", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
def test_prune_to_density_keeps_exact_count(model, density):
    masks = masking.prune_to_density(model, masking.full_masks(model), density)
    expected = {0.1: 9984, 0.2: 19968, 0.3: 29952, 0.4: 39936, 0.5: 49920,
                0.6: 59904, 0.7: 69888, 0.8: 79872, 0.9: 89856, 1.0: 99840}[density]
    assert masking.count(masks) == (expected, PAPER_WEIGHTS)


@pytest.mark.parametrize(("fraction", "alive_after"), [(0.2, 29952 - 5990), (0.5, 29952 - 14976)])
def test_prune_fraction_removes_exact_share_of_survivors(model, fraction, alive_after):
    early = masking.prune_to_density(model, masking.full_masks(model), 0.3)
    late = masking.prune_fraction(model, early, fraction)
    assert masking.count(late)[0] == alive_after  # 0.2 * 29,952 = 5,990.4 -> 5,990 removed
    for name in early:  # late survivors are a subset of early survivors
        assert not (late[name] & ~early[name]).any()


def test_rounding_rule_is_half_up_on_the_decimal_value():
    assert masking.round_half_up(0.5, 5) == 3  # 2.5 -> 3
    assert masking.round_half_up(0.3, 5) == 2  # 1.5 -> 2
    assert masking.round_half_up(0.7, 99840) == 69888  # float product is 69887.99999999999
    assert masking.round_half_up(0.25, 6) == 2  # 1.5 -> 2
    assert masking.round_half_up(0.1, 4) == 0


def test_global_magnitude_keeps_the_largest_weights_across_layers(model):
    masks = masking.prune_to_density(model, masking.full_masks(model), 0.2)
    weights = masking.prunable_weights(model)
    kept = torch.cat([weights[n].abs()[masks[n]] for n in masks])
    pruned = torch.cat([weights[n].abs()[~masks[n]] for n in masks])
    assert kept.min() >= pruned.max()
    # global, not per layer: layers keep different shares
    shares = {n: float(m.float().mean()) for n, m in masks.items()}
    assert max(shares.values()) - min(shares.values()) > 0.05


def test_ties_are_broken_by_position_and_counts_stay_exact():
    layer = torch.nn.Linear(4, 1, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 1.0, 1.0, 0.5]]))
    model = torch.nn.Sequential(layer)
    masks = masking.prune_to_density(model, masking.full_masks(model), 0.5)
    assert masks["0.weight"].tolist() == [[True, True, False, False]]


def test_apply_masks_zeroes_pruned_weights_and_leaves_biases(model):
    biases = [layer.bias.clone() for layer in model.layers]
    masks = masking.prune_to_density(model, masking.full_masks(model), 0.1)
    masking.apply_masks(model, masks)
    weights = masking.prunable_weights(model)
    assert sum(int((w != 0).sum()) for w in weights.values()) == 9984
    assert all(torch.equal(b, layer.bias) for b, layer in zip(biases, model.layers))


def test_cannot_keep_more_than_survive(model):
    early = masking.prune_to_density(model, masking.full_masks(model), 0.1)
    with pytest.raises(ValueError, match="cannot keep"):
        masking.keep_largest(masking.prunable_weights(model), early, 20000)
