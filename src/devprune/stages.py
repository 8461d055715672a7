"""One function per pipeline stage: read the parent files, do the work, write the targets.

These are what the Snakemake scripts call, and what tests call without Snakemake. A stage
handles every seed of the experiment in one call: the seeds' networks are trained together as
one stacked model (:func:`devprune.train.train_stacked`, bit-identical to training them one by
one), while every seed keeps its own files. Each seed's ``config_hash`` chains its parent's
hash with the stage's own settings, so a row's hash names exactly the settings that produced it.

Random streams are paired on purpose: all early densities of a seed share one batch order,
both late branches of an early network share one, and every model of a seed sees the same
evaluation noise, so differences between densities or branches are not shuffling noise.
"""

from __future__ import annotations

import logging
import time

import pandas as pd
import torch

from devprune import masks as masking
from devprune.config import stable_hash
from devprune.evaluate import evaluate
from devprune.io import METRIC_ID_COLUMNS, METRICS_SCHEMA, machine, provenance, read_parquet, write_parquet
from devprune.models import TaskGatedMLP
from devprune.pruning.method import Pruner, StageSchedule, StageTarget, initial_progress
from devprune.pruning.registry import SCHEDULES
from devprune.runtime import load_tensors, save_tensors
from devprune.tasks import TASKS, TaskData, draw_task_data
from devprune.train import cued_inputs, steps_per_epoch, train_stacked

log = logging.getLogger(__name__)


def derived_seed(*parts) -> int:
    return int(stable_hash(*parts), 16) % 2**63


def make_data(task_cfg: dict, seeds: list[int], train_paths: list[str], test_paths: list[str]) -> None:
    for seed, train_path, test_path in zip(seeds, train_paths, test_paths, strict=True):
        config_hash = stable_hash("data", task_cfg, seed)
        for split, frame in draw_task_data(task_cfg, seed).items():
            write_parquet(frame, train_path if split == "train" else test_path, provenance(config_hash, seed, "cpu"))
        log.info("seed %d: data written (%s)", seed, config_hash)


def _load_split(path: str, device: str) -> tuple[TaskData, str]:
    frame = read_parquet(path)
    return TaskData(frame, device), str(frame["config_hash"].iloc[0])


def load_model(model_path: str, device: str = "cpu") -> tuple[TaskGatedMLP, dict]:
    checkpoint = load_tensors(model_path, device)
    meta = checkpoint["meta"]
    model = TaskGatedMLP(meta["hidden"], input_dim=meta["input_dim"], n_classes=meta["n_classes"]).to(device)
    model.load_state_dict(checkpoint["state_dict"])
    return model, meta


def _train_and_save(
    models: list[TaskGatedMLP], masks: list[masking.Masks], data: list[TaskData], metas: list[dict],
    shuffle_seeds: list[int], labels: list[str], stage_cfg: dict, device: str,
    model_paths: list[str], mask_paths: list[str] | None, log_paths: list[str], task_cfg: dict,
    parents: list[list[str]], **training,
) -> None:
    """Train every seed's network at once, then write each one's checkpoint, mask and log, each
    recording the digests of that seed's ``parents``. ``training`` goes to
    :func:`devprune.train.train_stacked` (mask schedule, epoch hook)."""
    for label, model_masks in zip(labels, masks):
        alive, total = masking.count(model_masks)
        log.info("%s: %d of %d weights kept (density %.4f)", label, alive, total, alive / total)
    start = time.perf_counter()
    train_logs = train_stacked(models, masks, data, task_cfg, seeds=shuffle_seeds, labels=labels, **stage_cfg, **training)
    log.info("timing training_s=%.3f models=%d", time.perf_counter() - start, len(models))  # read by bench/
    for i, (model, model_masks, meta) in enumerate(zip(models, masks, metas)):
        alive, total = masking.count(model_masks)
        meta["final_density"] = alive / total
        meta["machine"] = machine(device)
        state = {k: v.cpu() for k, v in model.state_dict().items()}
        save_tensors({"state_dict": state, "meta": meta}, model_paths[i], parents[i])
        if mask_paths is not None:
            save_tensors({name: mask.cpu() for name, mask in model_masks.items()}, mask_paths[i], parents[i])
        write_parquet(train_logs[i], log_paths[i], provenance(meta["config_hash"], meta["seed"], device), parents=parents[i])


def train_baseline(
    train_paths: list[str], model_paths: list[str], log_paths: list[str], trajectory_paths: list[str], *,
    task_cfg: dict, model_cfg: dict, stage_cfg: dict, seeds: list[int], device: str,
) -> None:
    """Dense training. Besides the final network, every seed's weights at the start and after
    each epoch go to its trajectory file, for lottery-ticket rewinding to any epoch."""
    models, masks, data, metas = [], [], [], []
    for seed, train_path in zip(seeds, train_paths, strict=True):
        seed_data, data_hash = _load_split(train_path, device)
        torch.manual_seed(derived_seed(seed, "baseline", "init"))
        model = TaskGatedMLP(model_cfg["hidden"], input_dim=4, n_classes=len(task_cfg["centers"])).to(device)
        models.append(model)
        masks.append(masking.full_masks(model))
        data.append(seed_data)
        metas.append({
            "stage": "baseline", "method": None, "seed": seed, "early_density": None, "branch": None,
            "late_fraction": None, "hidden": list(model_cfg["hidden"]), "input_dim": 4,
            "n_classes": len(task_cfg["centers"]), "config_hash": stable_hash(data_hash, "baseline", model_cfg, stage_cfg),
        })
    shuffle_seeds = [derived_seed(seed, "baseline") for seed in seeds]
    labels = [f"seed {seed} baseline" for seed in seeds]
    trajectories = [[] for _ in models]

    def record(epoch, trained):
        for trajectory, model in zip(trajectories, trained):
            trajectory.append({k: v.detach().cpu().clone() for k, v in model.state_dict().items()})

    parents = [[path] for path in train_paths]
    _train_and_save(models, masks, data, metas, shuffle_seeds, labels, stage_cfg, device, model_paths, None, log_paths,
                    task_cfg, parents, on_epoch_end=record)
    for trajectory, path, seed_parents in zip(trajectories, trajectory_paths, parents, strict=True):
        save_tensors({"epochs": trajectory}, path, seed_parents)


def scoring_samples(data: TaskData, task_cfg: dict, n_per_task: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n_per_task`` training samples of each task (with its cue) and their labels:
    what data-driven criteria (saliency, neuron activations) measure on."""
    inputs = cued_inputs(data, task_cfg)
    return torch.cat([inputs[t][:n_per_task] for t in TASKS]), torch.cat([data.labels[t][:n_per_task] for t in TASKS])


def train_pruned(
    parent_models: list[str], parent_masks: list[str] | None, train_paths: list[str], model_paths: list[str],
    mask_paths: list[str], log_paths: list[str], *, task_cfg: dict, stage_cfg: dict, seeds: list[int], device: str,
    method_name: str, method: dict, trajectory_paths: list[str] | None = None,
    early_density: float | None = None, branch: str | None = None, late_fraction: float | None = None,
) -> None:
    """Early stage (``early_density`` given): prune each baseline to that density.
    Late stage (``branch`` and ``late_fraction`` given): prune that share of the survivors.
    ``method`` (resolved, see :func:`devprune.config.resolve_method`) says which weights go and
    when; rewinding reads the baseline's ``trajectory_paths``."""
    target = StageTarget(early_density=None if branch else early_density, late_fraction=late_fraction)
    schedule = SCHEDULES[method["schedule"]]
    models, masks, data, metas, shuffle_seeds, labels, pruners, parents = [], [], [], [], [], [], [], []
    for i, seed in enumerate(seeds):
        parents.append([parent_models[i], train_paths[i]])
        data.append(_load_split(train_paths[i], device)[0])
        model, parent = load_model(parent_models[i], device)
        if branch is None:
            stage, density = "early", early_density
            start_masks = masking.full_masks(model)
            shuffle_seeds.append(derived_seed(seed, "early"))
            labels.append(f"seed {seed} {method_name} early d={early_density:g}")
        else:
            stage, density = "late", parent["early_density"]
            start_masks = load_tensors(parent_masks[i], device)
            parents[-1].append(parent_masks[i])
            shuffle_seeds.append(derived_seed(seed, "late", density))
            labels.append(f"seed {seed} {method_name} late d={density:g} {branch}")
        generator = torch.Generator().manual_seed(derived_seed(seed, "random criterion", stage, density, branch))
        pruner = Pruner(method, target, start_masks, generator=generator,
                        samples=scoring_samples(data[-1], task_cfg, method.get("samples", 0)))
        model_masks = pruner.prune(model, start_masks, initial_progress(method))
        if schedule.needs_trajectory:
            parents[-1].append(trajectory_paths[i])
            schedule.prepare(method, model, model_masks, load_tensors(trajectory_paths[i], device))
        models.append(model)
        masks.append(model_masks)
        pruners.append(pruner)
        metas.append({
            **parent, "stage": stage, "method": method_name, "early_density": density, "branch": branch,
            "late_fraction": late_fraction,
            "config_hash": stable_hash(parent["config_hash"], stage, stage_cfg, density, branch, late_fraction, method),
        })
    sizes = {task: len(data[0].labels[task]) for task in TASKS}
    mask_schedule = StageSchedule(method, pruners, epochs=stage_cfg["epochs"],
                                  steps_per_epoch=steps_per_epoch(sizes, stage_cfg["batch_size"]))
    _train_and_save(models, masks, data, metas, shuffle_seeds, labels, stage_cfg, device, model_paths, mask_paths,
                    log_paths, task_cfg, parents, mask_schedule=mask_schedule)


def evaluate_models(model_paths: list[str], test_paths: dict[int, str], metrics_paths: list[str], *, task_cfg: dict,
                    eval_cfg: dict, device: str) -> None:
    """Evaluate each model on its own seed's test set (``test_paths``: seed -> file, each read
    once); one tidy metrics file per model."""
    start = time.perf_counter()
    test_sets = {}
    for model_path, metrics_path in zip(model_paths, metrics_paths, strict=True):
        model, meta = load_model(model_path, device)
        seed = meta["seed"]
        if seed not in test_sets:
            test_sets[seed] = _load_split(test_paths[seed], device)
        data, data_hash = test_sets[seed]
        rows = pd.DataFrame(evaluate(model, data, task_cfg, eval_cfg, seed))
        for column in METRIC_ID_COLUMNS:
            rows.insert(METRIC_ID_COLUMNS.index(column), column, meta[column])
        config_hash = stable_hash(meta["config_hash"], data_hash, "evaluate", eval_cfg)
        write_parquet(rows, metrics_path, provenance(config_hash, seed, device), schema=METRICS_SCHEMA,
                      parents=[model_path, test_paths[seed]])
        log.info("%s evaluated: %s", model_path, ", ".join(f"{r.metric}[{r.level:g}]={r.value:.1f}" for r in rows.itertuples()))
    log.info("timing evaluation_s=%.3f models=%d", time.perf_counter() - start, len(model_paths))  # read by bench/
