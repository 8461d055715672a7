"""One function per pipeline stage: read the parent files, do the work, write the targets.

These are what the Snakemake scripts call, and what tests call without Snakemake. Each stage
derives its ``config_hash`` from its parent's hash and its own settings, so a row's hash
names exactly the settings that produced it (a change upstream changes every hash below).

Random streams are paired on purpose: all early densities of a seed share one batch order,
both late branches of an early network share one, and every model of a seed sees the same
evaluation noise, so differences between densities or branches are not shuffling noise.
"""

from __future__ import annotations

import logging
import os

import pandas as pd
import pyarrow as pa
import torch

from devprune import masks as masking
from devprune.config import stable_hash
from devprune.evaluate import evaluate
from devprune.io import load_tensors, provenance, resolve_device, save_tensors, write_parquet
from devprune.models import TaskGatedMLP
from devprune.tasks import TaskData, draw_task_data
from devprune.train import train

log = logging.getLogger(__name__)

METRIC_ID_COLUMNS = ["stage", "early_density", "branch", "late_fraction", "final_density"]

#: Columns of every metrics.parquet (one row per model x metric x condition); see the README.
METRICS_SCHEMA = pa.schema(
    [
        ("stage", pa.string()), ("early_density", pa.float64()), ("branch", pa.string()),
        ("late_fraction", pa.float64()), ("final_density", pa.float64()), ("metric", pa.string()),
        ("condition", pa.string()), ("level", pa.float64()), ("value", pa.float64()), ("n_samples", pa.int64()),
        ("config_hash", pa.string()), ("seed", pa.int64()), ("code_version", pa.string()),
        ("torch_version", pa.string()), ("device", pa.string()),
    ]
)


def derived_seed(*parts) -> int:
    return int(stable_hash(*parts), 16) % 2**63


def configure_job(threads: int, log_path: str | None = None) -> None:
    """Pin torch's thread count (results depend on it); progress goes to the job's log file,
    warnings and errors also to stderr (Snakemake's console stays readable with many jobs)."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS on CUDA
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    console = logging.StreamHandler()
    console.setLevel(logging.INFO if log_path is None else logging.WARNING)
    handlers = [console]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", handlers=handlers, force=True)


def make_data(task_cfg: dict, seed: int, train_path: str, test_path: str) -> None:
    config_hash = stable_hash("data", task_cfg, seed)
    for split, frame in draw_task_data(task_cfg, seed).items():
        write_parquet(frame, train_path if split == "train" else test_path, provenance(config_hash, seed, "cpu"))
    log.info("seed %d: data written (%s)", seed, config_hash)


def _load_split(path: str, device: str) -> tuple[TaskData, str]:
    frame = pd.read_parquet(path)
    return TaskData(frame, device), str(frame["config_hash"].iloc[0])


def _save_model(model: TaskGatedMLP, masks: masking.Masks, meta: dict, model_path: str, mask_path: str | None) -> None:
    save_tensors({"state_dict": {k: v.cpu() for k, v in model.state_dict().items()}, "meta": meta}, model_path)
    if mask_path is not None:
        save_tensors({name: mask.cpu() for name, mask in masks.items()}, mask_path)


def load_model(model_path: str, device: str = "cpu") -> tuple[TaskGatedMLP, dict]:
    checkpoint = load_tensors(model_path, device)
    meta = checkpoint["meta"]
    model = TaskGatedMLP(meta["hidden"], input_dim=meta["input_dim"], n_classes=meta["n_classes"]).to(device)
    model.load_state_dict(checkpoint["state_dict"])
    return model, meta


def train_baseline(
    train_path: str, model_path: str, log_path: str, *, task_cfg: dict, model_cfg: dict, stage_cfg: dict,
    seed: int, device: str,
) -> None:
    device = resolve_device(device)
    data, data_hash = _load_split(train_path, device)
    config_hash = stable_hash(data_hash, "baseline", model_cfg, stage_cfg)
    torch.manual_seed(derived_seed(seed, "baseline", "init"))
    model = TaskGatedMLP(model_cfg["hidden"], input_dim=4, n_classes=len(task_cfg["centers"])).to(device)
    masks = masking.full_masks(model)
    train_log = train(model, masks, data, task_cfg, seed=derived_seed(seed, "baseline"), label=f"seed {seed} baseline", **stage_cfg)
    meta = {
        "stage": "baseline", "seed": seed, "early_density": None, "branch": None, "late_fraction": None,
        "final_density": 1.0, "hidden": list(model_cfg["hidden"]), "input_dim": 4,
        "n_classes": len(task_cfg["centers"]), "config_hash": config_hash,
    }
    _save_model(model, masks, meta, model_path, None)
    write_parquet(train_log, log_path, provenance(config_hash, seed, device))


def train_pruned(
    parent_model: str, parent_mask: str | None, train_path: str, model_path: str, mask_path: str, log_path: str,
    *, task_cfg: dict, stage_cfg: dict, seed: int, device: str, early_density: float | None = None,
    branch: str | None = None, late_fraction: float | None = None,
) -> None:
    """Early stage (``early_density`` given): prune the baseline to that density.
    Late stage (``branch`` and ``late_fraction`` given): prune that share of the survivors."""
    device = resolve_device(device)
    data, _ = _load_split(train_path, device)
    model, parent = load_model(parent_model, device)
    if branch is None:
        stage, label = "early", f"seed {seed} early d={early_density:g}"
        masks = masking.prune_to_density(model, masking.full_masks(model), early_density)
        shuffle_seed = derived_seed(seed, "early")
    else:
        stage, label = "late", f"seed {seed} late d={parent['early_density']:g} {branch}"
        early_masks = {k: v.to(device) for k, v in load_tensors(parent_mask, device).items()}
        masks = masking.prune_fraction(model, early_masks, late_fraction)
        early_density = parent["early_density"]
        shuffle_seed = derived_seed(seed, "late", early_density)
    alive, total = masking.count(masks)
    log.info("%s: %d of %d weights kept (density %.4f)", label, alive, total, alive / total)
    config_hash = stable_hash(parent["config_hash"], stage, stage_cfg, early_density, branch, late_fraction)
    train_log = train(model, masks, data, task_cfg, seed=shuffle_seed, label=label, **stage_cfg)
    meta = {
        **parent, "stage": stage, "early_density": early_density, "branch": branch, "late_fraction": late_fraction,
        "final_density": alive / total, "config_hash": config_hash,
    }
    _save_model(model, masks, meta, model_path, mask_path)
    write_parquet(train_log, log_path, provenance(config_hash, seed, device))


def evaluate_model(model_path: str, test_path: str, metrics_path: str, *, task_cfg: dict, eval_cfg: dict, device: str) -> None:
    device = resolve_device(device)
    data, data_hash = _load_split(test_path, device)
    model, meta = load_model(model_path, device)
    rows = pd.DataFrame(evaluate(model, data, task_cfg, eval_cfg, meta["seed"]))
    for column in METRIC_ID_COLUMNS:
        rows.insert(METRIC_ID_COLUMNS.index(column), column, meta[column])
    config_hash = stable_hash(meta["config_hash"], data_hash, "evaluate", eval_cfg)
    write_parquet(rows, metrics_path, provenance(config_hash, meta["seed"], device), schema=METRICS_SCHEMA)
    log.info("%s evaluated: %s", model_path, ", ".join(f"{r.metric}[{r.level:g}]={r.value:.1f}" for r in rows.itertuples()))
