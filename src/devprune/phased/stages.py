"""One function per pipeline stage: read the parent files, do the work, write the targets.

These are what the Snakemake scripts call, and what tests call without Snakemake. A stage
handles every seed of the experiment in one call: the seeds' networks are trained together as
one stacked model (:func:`devprune.phased.train.train_stacked`, bit-identical to training them one by
one), while every seed keeps its own files. Each seed's ``settings_hash`` chains its parent's
hash with the stage's own settings, so a row's hash names exactly the settings that produced it.

Random streams are paired on purpose: all early densities of a seed share one batch order,
both late branches of an early network share one, and every model of a seed sees the same
evaluation noise, so differences between densities or branches are not shuffling noise.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pandas as pd
import torch

from devprune import masks as masking
from devprune.config import stable_hash
from devprune.io import METRIC_ID_COLUMNS, METRICS_SCHEMA, machine, provenance, read_parquet, write_parquet
from devprune.phased.evaluate import evaluate
from devprune.phased.models import TaskGatedMLP, initialise
from devprune.phased.tasks import TASKS, TaskData, draw_task_data
from devprune.phased.train import Network, cued_inputs, steps_per_epoch, train_stacked
from devprune.pruning.method import Pruner, StageSchedule, StageTarget, initial_progress
from devprune.pruning.registry import SCHEDULES
from devprune.runtime import configure_torch_job, load_tensors, save_tensors
from devprune.seeds import derived_seed

log = logging.getLogger(__name__)


def make_data(task_cfg: dict, seeds: list[int], train_paths: list[str], test_paths: list[str]) -> None:
    for seed, train_path, test_path in zip(seeds, train_paths, test_paths, strict=True):
        settings_hash = stable_hash("data", task_cfg, seed)
        for split, frame in draw_task_data(task_cfg, seed).items():
            write_parquet(frame, train_path if split == "train" else test_path, provenance(settings_hash, seed, "cpu"))
        log.info("seed %d: data written (%s)", seed, settings_hash)


def _load_split(path: str, device: str) -> tuple[TaskData, str]:
    frame = read_parquet(path)
    return TaskData(frame, device), str(frame["settings_hash"].iloc[0])


def load_model(model_path: str, device: str = "cpu") -> tuple[TaskGatedMLP, dict]:
    checkpoint = load_tensors(model_path, device)
    meta = checkpoint["meta"]
    model = TaskGatedMLP(meta["hidden"], input_dim=meta["input_dim"], n_classes=meta["n_classes"]).to(device)
    model.load_state_dict(checkpoint["state_dict"])
    return model, meta


@dataclass(frozen=True)
class Block:
    """What every job of one seed block shares: its seeds (trained together as one stack), the
    task settings and the torch device."""

    seeds: list[int]
    task_cfg: dict
    device: str


def job_block(snakemake) -> Block:
    """Set a Snakemake job up for torch (its rule's threads, the config's device, its log) and
    return its seed block (the rule's ``seeds`` and ``task`` params)."""
    params = snakemake.params
    device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
    return Block(params.seeds, params.task, device)


@dataclass(frozen=True)
class TrainFiles:
    """A training job's files, each a list with one path per seed of its block."""

    train: list[str]
    model: list[str]
    log: list[str]
    mask: list[str] | None = None  # written by the pruning stages
    parent: list[str] | None = None  # the network a pruning stage starts from
    parent_mask: list[str] | None = None  # its mask (late stage)
    trajectory: list[str] | None = None  # written by the baseline, read by schedules that need it


@dataclass
class SeedRun(Network):
    """One seed's network in a training job, ready to train, with what the job writes for it
    (``meta``) and the files its outputs record as parents."""

    meta: dict
    parents: list[str]


def _train_and_save(block: Block, runs: list[SeedRun], files: TrainFiles, stage_cfg: dict, **training) -> None:
    """Train every seed's network at once, then write each one's checkpoint, mask (pruning stages)
    and log, each recording the digests of that seed's parents. ``training`` goes to
    :func:`devprune.phased.train.train_stacked` (mask schedule, epoch hook)."""
    for run in runs:
        alive, total = masking.count(run.masks)
        log.info("%s: %d of %d weights kept (density %.4f)", run.label, alive, total, alive / total)
    start = time.perf_counter()
    train_logs = train_stacked(runs, block.task_cfg, stage_cfg, **training)  # runs' masks become the final ones
    log.info("timing training_s=%.3f models=%d", time.perf_counter() - start, len(runs))  # read by bench/
    for i, run in enumerate(runs):
        alive, total = masking.count(run.masks)
        run.meta["final_density"] = alive / total
        run.meta["machine"] = machine(block.device)
        state = {k: v.cpu() for k, v in run.model.state_dict().items()}
        save_tensors({"state_dict": state, "meta": run.meta}, files.model[i], run.parents)
        if files.mask is not None:
            save_tensors({name: mask.cpu() for name, mask in run.masks.items()}, files.mask[i], run.parents)
        prov = provenance(run.meta["settings_hash"], run.meta["seed"], block.device)
        write_parquet(train_logs[i], files.log[i], prov, parents=run.parents)


def train_baseline(block: Block, files: TrainFiles, model_cfg: dict, stage_cfg: dict) -> None:
    """Dense training. Besides the final network, every seed's weights at the start and after
    each epoch go to its trajectory file, for lottery-ticket rewinding to any epoch."""
    runs = []
    n_classes = len(block.task_cfg["centers"])
    for seed, train_path in zip(block.seeds, files.train, strict=True):
        seed_data, data_hash = _load_split(train_path, block.device)
        torch.manual_seed(derived_seed(seed, "baseline", "init"))
        model = TaskGatedMLP(model_cfg["hidden"], input_dim=4, n_classes=n_classes)
        initialise(model, model_cfg.get("init", "default"))
        model = model.to(block.device)
        meta = {
            "stage": "baseline", "method": None, "seed": seed, "early_density": None, "branch": None,
            "late_fraction": None, "hidden": list(model_cfg["hidden"]), "input_dim": 4,
            "n_classes": n_classes, "settings_hash": stable_hash(data_hash, "baseline", model_cfg, stage_cfg),
        }
        runs.append(SeedRun(model, masking.full_masks(model), seed_data, derived_seed(seed, "baseline"),
                            f"seed {seed} baseline", meta, [train_path]))
    trajectories = [[] for _ in runs]

    def record(epoch, trained):
        for trajectory, model in zip(trajectories, trained):
            trajectory.append({k: v.detach().cpu().clone() for k, v in model.state_dict().items()})

    _train_and_save(block, runs, files, stage_cfg, on_epoch_end=record)
    for trajectory, path, run in zip(trajectories, files.trajectory, runs, strict=True):
        save_tensors({"epochs": trajectory}, path, run.parents)


def scoring_samples(data: TaskData, task_cfg: dict, n_per_task: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n_per_task`` training samples of each task (with its cue) and their labels:
    what data-driven criteria (saliency, neuron activations) measure on."""
    inputs = cued_inputs(data, task_cfg)
    return torch.cat([inputs[t][:n_per_task] for t in TASKS]), torch.cat([data.labels[t][:n_per_task] for t in TASKS])


@dataclass(frozen=True)
class Method:
    """A pruning method: its name in the config and its resolved settings
    (:func:`devprune.config.resolve_method`)."""

    name: str
    settings: dict


@dataclass(frozen=True)
class PruningStage:
    """What one pruning stage removes, and the late branch it makes (None in the early stage)."""

    name: str
    target: StageTarget
    branch: str | None = None


def prune_early(block: Block, files: TrainFiles, stage_cfg: dict, method: Method, early_density: float) -> None:
    """Prune each seed's baseline to ``early_density`` of its weights, then fine-tune them all."""
    _prune_and_train(block, files, stage_cfg, method, PruningStage("early", StageTarget(early_density=early_density)))


def prune_late(block: Block, files: TrainFiles, stage_cfg: dict, method: Method, branch: str, late_fraction: float) -> None:
    """Prune ``late_fraction`` of each early network's survivors (the late ``branch``), then
    fine-tune them all."""
    _prune_and_train(block, files, stage_cfg, method, PruningStage("late", StageTarget(late_fraction=late_fraction), branch))


def _prune_and_train(block: Block, files: TrainFiles, stage_cfg: dict, method: Method, stage: PruningStage) -> None:
    """The method prunes each seed's parent towards the stage's target (all of it before training,
    or step by step while it trains: its schedule says), and the stack trains."""
    schedule = SCHEDULES[method.settings["schedule"]]
    runs, pruners = [], []
    for i, seed in enumerate(block.seeds):
        data = _load_split(files.train[i], block.device)[0]
        model, parent = load_model(files.parent[i], block.device)
        parents = [files.parent[i], files.train[i]]
        if stage.name == "early":
            density, start_masks = stage.target.early_density, masking.full_masks(model)
            shuffle_seed = derived_seed(seed, "early")
            label = f"seed {seed} {method.name} early d={density:g}"
        else:
            density, start_masks = parent["early_density"], load_tensors(files.parent_mask[i], block.device)
            parents.append(files.parent_mask[i])
            shuffle_seed = derived_seed(seed, "late", density)
            label = f"seed {seed} {method.name} late d={density:g} {stage.branch}"
        generator = torch.Generator().manual_seed(derived_seed(seed, "random criterion", stage.name, density, stage.branch))
        pruner = Pruner(method.settings, stage.target, start_masks, generator=generator,
                        samples=scoring_samples(data, block.task_cfg, method.settings.get("samples", 0)))
        model_masks = pruner.prune(model, start_masks, initial_progress(method.settings))
        if schedule.needs_trajectory:
            parents.append(files.trajectory[i])
            schedule.prepare(method.settings, model, model_masks, load_tensors(files.trajectory[i], block.device))
        late_fraction = stage.target.late_fraction
        meta = {
            **parent, "stage": stage.name, "method": method.name, "early_density": density, "branch": stage.branch,
            "late_fraction": late_fraction,
            "settings_hash": stable_hash(parent["settings_hash"], stage.name, stage_cfg, density, stage.branch, late_fraction,
                                       method.settings),
        }
        runs.append(SeedRun(model, model_masks, data, shuffle_seed, label, meta, parents))
        pruners.append(pruner)
    sizes = {task: len(runs[0].data.labels[task]) for task in TASKS}
    mask_schedule = StageSchedule(method.settings, pruners, epochs=stage_cfg["epochs"],
                                  steps_per_epoch=steps_per_epoch(sizes, stage_cfg))
    _train_and_save(block, runs, files, stage_cfg, mask_schedule=mask_schedule)


def evaluate_models(block: Block, model_paths: list[str], test_paths: list[str], metrics_paths: list[str],
                    eval_cfg: dict) -> None:
    """Evaluate each model on its own seed's test set (``test_paths``: one per seed of the block,
    each read once); one tidy metrics file per model."""
    start = time.perf_counter()
    test_of = dict(zip(block.seeds, test_paths, strict=True))
    test_sets = {}
    for model_path, metrics_path in zip(model_paths, metrics_paths, strict=True):
        model, meta = load_model(model_path, block.device)
        seed = meta["seed"]
        if seed not in test_sets:
            test_sets[seed] = _load_split(test_of[seed], block.device)
        data, data_hash = test_sets[seed]
        rows = pd.DataFrame(evaluate(model, data, block.task_cfg, eval_cfg, seed))
        for column in METRIC_ID_COLUMNS:
            rows.insert(METRIC_ID_COLUMNS.index(column), column, meta[column])
        settings_hash = stable_hash(meta["settings_hash"], data_hash, "evaluate", eval_cfg)
        write_parquet(rows, metrics_path, provenance(settings_hash, seed, block.device), schema=METRICS_SCHEMA,
                      parents=[model_path, test_of[seed]])
        log.info("%s evaluated: %s", model_path, ", ".join(f"{r.metric}[{r.level:g}]={r.value:.1f}" for r in rows.itertuples()))
    log.info("timing evaluation_s=%.3f models=%d", time.perf_counter() - start, len(model_paths))  # read by bench/
