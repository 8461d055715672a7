# Config validation, path helpers and wildcard constraints shared by every stage.

import os
import sys

sys.path.insert(0, os.path.join(workflow.basedir, "src"))
# Jobs import devprune too; make it importable there without an install (e.g. in conda envs).
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (os.path.join(workflow.basedir, "src"), os.environ.get("PYTHONPATH")) if p
)

from devprune.config import check_config, density_label, resolve_method, stable_hash

validate(config, schema="../src/devprune/config.schema.yaml")
check_config(config)

SEEDS = config["seeds"]
RESULTS = f"{config['results_dir']}/{config['experiment']}"
SEED_DIR = RESULTS + "/seed{seed}"
LOGS = RESULTS + "/logs"
BENCH = RESULTS + "/benchmarks"

DENSITIES = {density_label(d): d for d in config["early"]["densities"]}
BRANCHES = config["late"]["branches"]
# Each method with every default filled in: what its jobs get and what its hashes name.
METHODS = {name: resolve_method(name, method, config) for name, method in config["methods"].items()}
TRAINING_KEYS = ("epochs", "lr", "batch_size")
# Training and evaluation jobs ask for a GPU (`--gpus` on SLURM) only when the config demands one.
GPUS_PER_JOB = 1 if config["device"] == "cuda" else 0


wildcard_constraints:
    method="|".join(METHODS),
    density="|".join(DENSITIES),
    branch="|".join(BRANCHES),


def per_seed(path):
    """``path`` (under SEED_DIR) for every seed, in config order; other wildcards stay.

    Every job handles all seeds at once (they train as one stacked model), so rules name one
    file per seed and the job writes them all.
    """
    return expand(path, seed=SEEDS, allow_missing=True)


def stage_settings(stage):
    """The training settings of one stage, the only part of its config section a job sees."""
    return {key: config[stage][key] for key in TRAINING_KEYS}


def method_params(wildcards):
    return {"method_name": wildcards.method, "method": METHODS[wildcards.method]}


def rewind_inputs(wildcards):
    """The baseline's weight trajectories, which only rewinding methods read."""
    if METHODS[wildcards.method]["schedule"] != "rewind":
        return []
    return per_seed(SEED_DIR + "/baseline/trajectory.pt")


def model_dirs():
    """Every evaluated model directory of a seed, relative to SEED_DIR."""
    early = [f"{m}/early/{d}" for m in METHODS for d in DENSITIES]
    late = [f"{m}/late/{d}/{b}" for m in METHODS for d in DENSITIES for b in BRANCHES]
    return ["baseline", *early, *late]


def all_metrics():
    return [f"{SEED_DIR.format(seed=s)}/{m}/metrics.parquet" for s in SEEDS for m in model_dirs()]
