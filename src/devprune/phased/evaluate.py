"""The four measures of seed 000 (Evaluation metrics), returned as tidy rows.

Every row is ``{metric, condition, level, value, n_samples}``, value in percent:

* ``visual_accuracy`` / ``voice_accuracy`` - condition ``clean``, level = cue weight 1.0:
  each task's test set under its own cue.
* ``stress_tolerance`` - condition ``noise_sigma``, level = sigma: visual accuracy with
  Gaussian noise on the hidden activations (every hidden layer, the first or the last, after
  or before the ReLU, per config).
* ``ambiguity_tolerance`` - condition ``cue_weight``, level = w: visual accuracy under the
  blended cue [w, 1 - w]; w = 0.5 is fully ambiguous.
* ``sensory_integration`` - conditions ``clear`` (level 1.0) and ``ambiguous`` (level = the
  ambiguous cue weight): mixed visual/voice inputs, see :func:`integration_inputs`.

Noise is drawn from a generator seeded by the experiment seed alone, so every model of a
seed sees the same noise (common random numbers make the branch differences less noisy).
"""

from __future__ import annotations

import torch
from torch import nn

from devprune.phased.models import HiddenNoise
from devprune.phased.tasks import TaskData, blended_cue, with_cue
from devprune.seeds import derived_seed


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return 100.0 * float((logits.argmax(1) == labels).double().mean())


def integration_inputs(data: TaskData, task_cfg: dict, integration: dict, condition: str):
    """Mixed visual/voice test inputs and their targets, under a ``clear`` or ``ambiguous`` cue.

    ``feature_blend``: the i-th visual and i-th voice test stimuli are blended,
    (1 - blend) * visual + blend * voice, and the target is the visual stimulus's visual label;
    the clear cue is the visual cue. ``task_mix``: both test sets pooled, each sample scored
    against its own task's label; the clear cue is each sample's own task cue.
    The ambiguous cue is [w, 1 - w] with w = ``ambiguous_cue_weight`` in both modes.
    """
    ambiguous = blended_cue(task_cfg, integration["ambiguous_cue_weight"])
    if integration["mode"] == "feature_blend":
        n = min(len(data.labels["visual"]), len(data.labels["voice"]))
        blend = integration["blend"]
        stimuli = (1 - blend) * data.stimuli["visual"][:n] + blend * data.stimuli["voice"][:n]
        cue = task_cfg["visual_cue"] if condition == "clear" else ambiguous
        return with_cue(stimuli, cue), data.labels["visual"][:n]
    cues = {"visual": task_cfg["visual_cue"], "voice": task_cfg["voice_cue"]}
    inputs = [with_cue(data.stimuli[task], cues[task] if condition == "clear" else ambiguous) for task in cues]
    return torch.cat(inputs), torch.cat([data.labels[task] for task in cues])


@torch.no_grad()
def evaluate(model: nn.Module, data: TaskData, task_cfg: dict, eval_cfg: dict, seed: int) -> list[dict]:
    model.eval()
    device = data.labels["visual"].device
    visual = with_cue(data.stimuli["visual"], task_cfg["visual_cue"])
    voice = with_cue(data.stimuli["voice"], task_cfg["voice_cue"])
    n_visual, n_voice = len(visual), len(voice)
    rows = [
        _row("visual_accuracy", "clean", 1.0, accuracy(model(visual), data.labels["visual"]), n_visual),
        _row("voice_accuracy", "clean", 1.0, accuracy(model(voice), data.labels["voice"]), n_voice),
    ]
    for sigma in eval_cfg["noise_sigmas"]:
        generator = torch.Generator(device=device).manual_seed(derived_seed(seed, "noise", sigma))
        noise = HiddenNoise(sigma, eval_cfg["noise_layers"], eval_cfg.get("noise_position", "after_relu"), generator)
        logits = model(visual, noise)
        rows.append(_row("stress_tolerance", "noise_sigma", sigma, accuracy(logits, data.labels["visual"]), n_visual))
    for weight in eval_cfg["cue_weights"]:
        blended = with_cue(data.stimuli["visual"], blended_cue(task_cfg, weight))
        rows.append(_row("ambiguity_tolerance", "cue_weight", weight, accuracy(model(blended), data.labels["visual"]), n_visual))
    integration = eval_cfg["integration"]
    for condition, weight in (("clear", 1.0), ("ambiguous", integration["ambiguous_cue_weight"])):
        inputs, labels = integration_inputs(data, task_cfg, integration, condition)
        rows.append(_row("sensory_integration", condition, weight, accuracy(model(inputs), labels), len(labels)))
    return rows


def _row(metric: str, condition: str, level: float, value: float, n_samples: int) -> dict:
    return {"metric": metric, "condition": condition, "level": float(level), "value": value, "n_samples": n_samples}
