# Config validation, path helpers and wildcard constraints shared by every stage.

import os
import sys

sys.path.insert(0, os.path.join(workflow.basedir, "src"))
# Jobs import devprune too; make it importable there without an install (e.g. in conda envs).
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (os.path.join(workflow.basedir, "src"), os.environ.get("PYTHONPATH")) if p
)

from devprune.config import check_config, density_label, stable_hash

validate(config, schema="../src/devprune/config.schema.yaml")
check_config(config)

RESULTS = f"{config['results_dir']}/{config['experiment']}"
SEED_DIR = RESULTS + "/seed{seed}"
LOGS = RESULTS + "/logs/seed{seed}"
BENCH = RESULTS + "/benchmarks/seed{seed}"

DENSITIES = {density_label(d): d for d in config["early"]["densities"]}
BRANCHES = config["late"]["branches"]
TRAINING_KEYS = ("epochs", "lr", "batch_size")


wildcard_constraints:
    seed=r"\d+",
    density="|".join(DENSITIES),
    branch="|".join(BRANCHES),


def stage_settings(stage):
    """The training settings of one stage, the only part of its config section a job sees."""
    return {key: config[stage][key] for key in TRAINING_KEYS}


def model_dirs():
    """Every evaluated model directory of a seed, relative to SEED_DIR."""
    early = [f"early/{d}" for d in DENSITIES]
    late = [f"late/{d}/{b}" for d in DENSITIES for b in BRANCHES]
    return ["baseline", *early, *late]


def all_metrics():
    return [f"{SEED_DIR.format(seed=s)}/{m}/metrics.parquet" for s in config["seeds"] for m in model_dirs()]
