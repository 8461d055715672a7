"""The Gaussian-blob tasks: balanced clusters, permuted voice labels, seeded draws."""

import numpy as np
import pytest

from devprune.phased.tasks import TaskData, blended_cue, draw_task_data, with_cue

from conftest import tiny_config


@pytest.fixture()
def task_cfg():
    return tiny_config()["task"]


def test_sizes_labels_and_balance(task_cfg):
    splits = draw_task_data(task_cfg, seed=3)
    train, test = splits["train"], splits["test"]
    assert len(train) == 2 * task_cfg["n_train_per_task"] and len(test) == 2 * task_cfg["n_test_per_task"]
    visual, voice = train[train.task == "visual"], train[train.task == "voice"]
    assert (visual.label == visual.cluster).all()
    assert (voice.label == np.array(task_cfg["voice_permutation"])[voice.cluster]).all()
    assert visual.cluster.value_counts().tolist() == [task_cfg["n_train_per_task"] // 4] * 4


def test_points_lie_around_their_centres(task_cfg):
    frame = draw_task_data({**task_cfg, "n_train_per_task": 4000}, seed=0)["train"]
    centres = np.array(task_cfg["centers"])
    offsets = frame[["x1", "x2"]].to_numpy() - centres[frame.cluster]
    assert np.allclose(offsets.mean(0), 0, atol=0.05)
    assert np.allclose(offsets.std(0), task_cfg["sigma"], rtol=0.05)


def test_same_seed_same_data_other_seed_other_data(task_cfg):
    a, b, c = (draw_task_data(task_cfg, seed=s)["train"] for s in (1, 1, 2))
    assert a.equals(b) and not a.equals(c)


def test_cues(task_cfg):
    assert blended_cue(task_cfg, 0.5) == [0.5, 0.5]
    assert blended_cue(task_cfg, 1.0) == [1.0, 0.0]
    data = TaskData(draw_task_data(task_cfg, seed=0)["test"])
    x = with_cue(data.stimuli["voice"], task_cfg["voice_cue"])
    assert x.shape == (task_cfg["n_test_per_task"], 4) and (x[:, 2:] == x.new_tensor([0.0, 1.0])).all()
