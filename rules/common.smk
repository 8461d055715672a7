# Config validation, paths, helper functions and wildcard constraints shared by every stage
# (functions live here only: Snakemake's lint keeps them out of the rule files).

import functools
import os
import re
import sys

sys.path.insert(0, os.path.join(workflow.basedir, "src"))
# Jobs import devprune too; make it importable there without an install (e.g. in conda envs).
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        p
        for p in (os.path.join(workflow.basedir, "src"), os.environ.get("PYTHONPATH"))
        if p
    )
)

from devprune.config import (
    density_label,
    forecast_results_hash,
    in_schema_order,
    resolve_method,
    results_hash,
    seed_blocks,
    stable_hash,
    without_defaults,
)
from devprune.multiverse import declared_universes
from devprune.forecast.sources import PACKAGES
from devprune.forecast.registry import SOURCES
from devprune.pruning.registry import SCHEDULES
from devprune.forecast.stages import method_settings, training_source
from devprune.forecast.variants import Attribution
from devprune.workflow_checks import check_workflow_config

check_workflow_config(config, workflow.configfiles)
# Every mapping in the schema's key order: a config file that lists the same settings in another
# order (as YAML tools that sort keys write it) gives the same params, so nothing reruns.
config.update(in_schema_order(config))

SEEDS = config["seeds"]
# Block number -> the seeds one job trains together (stacked); fixed by each seed's value.
BLOCKS = seed_blocks(SEEDS, config["seed_block"])
RESULTS = f"{config['results_dir']}/{config['experiment']}"

DENSITIES = {density_label(d): d for d in config["early"]["densities"]}
BRANCHES = config["late"]["branches"]
# Each method with every default filled in: what its jobs get and what its hashes name.
METHODS = {
    name: resolve_method(name, method, config)
    for name, method in config["methods"].items()
}
TRAINING_KEYS = ("epochs", "lr", "batch_size", "tasks", "alternation")
# Training and evaluation jobs ask for a GPU (`--gpus` on SLURM) only when the config demands one.
GPUS_PER_JOB = 1 if config["device"] == "cuda" else 0


wildcard_constraints:
    method="|".join(METHODS),
    density="|".join(DENSITIES),
    branch="|".join(BRANCHES),


# The default universe (this config) first, then every universe of its multiverse section.
UNIVERSES = declared_universes(config)


def variants(stage):
    """The distinct choices that shape ``stage``'s files over all universes, the default first:
    one set of rules each (universes that agree up to ``stage`` share its files)."""
    return list(dict.fromkeys(universe.up_to(stage) for universe in UNIVERSES))


def stage_blocks(stage):
    """(variant, block, seeds) of every job definition of a training stage, one per block and variant.
    One loop, not two: Snakemake records a rule's code with its indentation, so a rule nested
    deeper than before would rerun every finished job."""
    return [
        (v, block, seeds) for v in variants(stage) for block, seeds in BLOCKS.items()
    ]


def evaluation_blocks(group):
    """(variant, block, seeds) for every evaluation rule of one group."""
    return [
        (v, block, seeds)
        for v in evaluation_variants(group)
        for block, seeds in BLOCKS.items()
    ]


def stage_root(variant, stage):
    """The results directory of the files ``stage`` writes under ``variant``'s choices."""
    return variant.up_to(stage).directory(RESULTS)


def rule_name(name, variant, tag="u"):
    """A rule's name: the plain run's own, or with the short hash of a universe (``tag`` u) or
    of a forecast variant (v)."""
    return (
        f"{name}_{tag}{stable_hash(variant.name)[:8]}"
        if variant.name != "default"
        else name
    )


@functools.cache
def variant_config(variant):
    """The config of ``variant``'s universe, and its methods with every default filled in."""
    changed = variant.apply(config)
    return changed, {
        name: resolve_method(name, method, changed)
        for name, method in changed["methods"].items()
    }


def block_files(seeds, path, root=RESULTS):
    """``path`` (under ``root``/seed<S>) for each seed of a block; other wildcards stay.

    A job trains one block of seeds as one stacked model and writes every seed's own files, so
    each stage has one rule per block (Snakemake outputs cannot depend on a wildcard's value).
    """
    return expand(f"{root}/seed{{seed}}/{path}", seed=seeds, allow_missing=True)


# The model directories each evaluation job evaluates (wildcards left to the rule), and its log name.
# Each group is named after the stage that trains its models.
EVALUATION_GROUPS = {
    "baseline": ["baseline"],
    "early": [f"{{method}}/early/{density}" for density in DENSITIES],
    "late": [f"{{method}}/late/{density}/{{branch}}" for density in DENSITIES],
}
EVALUATION_LOGS = {
    "baseline": "evaluate_baseline",
    "early": "{method}/evaluate_early",
    "late": "{method}/evaluate_late_{branch}",
}


def group_files(seeds, group, name, root=RESULTS):
    """The file ``name`` of every model of an evaluation group, for each seed of a block."""
    return [
        path
        for model_dir in EVALUATION_GROUPS[group]
        for path in block_files(seeds, f"{model_dir}/{name}", root)
    ]


def reported(path, caption, category):
    """``path`` flagged for the report (`snakemake --report`), captioned by report/<caption>.rst
    and listed there by name, e.g. "claims forest (figure)"."""
    kind = "figure" if path.endswith(".png") else "table"
    name = os.path.basename(path).split(".")[0].replace("_", " ")
    return report(
        path,
        caption=f"../report/{caption}.rst",
        category=category,
        labels={"result": f"{name} ({kind})"},
    )


def stage_settings(stage, variant):
    """The training settings of one stage under ``variant``'s choices, the only part of its
    config section a job sees (switches at their default left out, so adding one reruns nothing).
    """
    cfg = variant_config(variant)[0][stage]
    return without_defaults(
        stage, {key: cfg[key] for key in TRAINING_KEYS if key in cfg}
    )


def method_params(variant):
    """The params function giving a job its method's resolved settings under ``variant``."""
    methods = variant_config(variant)[1]
    return lambda wildcards: {
        "method_name": wildcards.method,
        "method": methods[wildcards.method],
    }


def trajectory_inputs(seeds, variant):
    """The input function giving a block's baseline weight trajectories to the methods whose
    schedule reads them (lottery-ticket rewinding)."""
    methods = variant_config(variant)[1]

    def trajectories(wildcards):
        if not SCHEDULES[methods[wildcards.method]["schedule"]].needs_trajectory:
            return []
        return block_files(
            seeds, "baseline/trajectory.pt", stage_root(variant, "baseline")
        )

    return trajectories


def model_dirs():
    """Every evaluated model directory of a seed, with its evaluation group: each group's, for
    every method and branch."""
    return list(
        dict.fromkeys(
            (group, path)
            for group, templates in EVALUATION_GROUPS.items()
            for template in templates
            for path in expand(template, method=METHODS, branch=BRANCHES)
        )
    )


def multiverse_axes():
    """The dotted keys any universe changes, in the order the config declares them."""
    return list(dict.fromkeys(key for u in UNIVERSES for key, _ in u.choices))


def evaluation_variants(group):
    """The distinct choices that shape the metrics of one evaluation group, over all universes."""
    return list(dict.fromkeys(u.evaluating(group) for u in UNIVERSES))


def all_metrics(universe):
    """Every model's metrics file of ``universe``, each from where its group's choices put it."""
    return [
        f"{universe.evaluating(group).directory(RESULTS)}/seed{s}/{path}/metrics.parquet"
        for s in SEEDS
        for group, path in model_dirs()
    ]


# ---- the forecasting benchmark (rules/forecast.smk) ----

FORECAST = config["forecast"]
FRESULTS = f"{config['results_dir']}/{FORECAST['experiment']}"
DOWNLOADS = f"{config['results_dir']}/downloads"
FORECAST_TABLE_NAMES = ("summary", "by_length", "tests", "claims")
FORECAST_TABLES = [
    f"{FRESULTS}/tables/{name}.{ext}"
    for name in FORECAST_TABLE_NAMES
    for ext in ("parquet", "md")
]
FORECAST_FIGURE_NAMES = ("mae_by_method", "mae_by_length")
FORECAST_FIGURES = [f"{FRESULTS}/figures/{name}.png" for name in FORECAST_FIGURE_NAMES]
# One training job per dataset x architecture x method x length and block of trials trains the
# block's trials in turn (each trial's files of its own): one start-up per block, not per trial.
CELL = "{dataset}/{architecture}/{fmethod}/L{length}"
TRIAL_BLOCKS = seed_blocks(range(FORECAST["trials"]), FORECAST["trial_block"])


# The default benchmark first, then the variants of forecast.attribution (none unless declared).
ATTRIBUTION = Attribution(FORECAST)
VARIANTS = {variant.name: variant for variant in ATTRIBUTION.variants}
ATTRIBUTION_TABLES = [
    f"{FRESULTS}/tables/attribution.{ext}" for ext in ("parquet", "md", "html")
]
ATTRIBUTION_FIGURE = f"{FRESULTS}/figures/attribution.png"
# The forecast target asks for the attribution only when variants are declared.
ATTRIBUTION_OUTPUTS = (
    ATTRIBUTION_TABLES + [ATTRIBUTION_FIGURE] if len(VARIANTS) > 1 else []
)


def package_file(wildcards):
    """The downloaded package file a dataset's source reads, if any."""
    package = SOURCES[FORECAST["datasets"][wildcards.dataset]["source"]].package
    return [f"{DOWNLOADS}/{PACKAGES[package][1]}"] if package else []


def variant_dir(variant):
    """The part of a variant's files' path under the benchmark's directory: none for the default."""
    return f"attribution/{variant.name}/" if variant.steps else ""


def variant_root(variant):
    """Where the files a variant trains itself live: the benchmark's own for the default."""
    return f"{FRESULTS}/{variant_dir(variant)}".rstrip("/")


# The split settings of each variant that prepares series of its own, by its path part (the
# other variants read an earlier one's series).
DATA_SPLITS = {
    variant_dir(v): without_defaults("forecast.split", ATTRIBUTION.sections[v]["split"])
    for v in ATTRIBUTION.variants
    if ATTRIBUTION.data_owner(v) == v
}


def variant_series(variant):
    """The prepared series a variant's training jobs read ({dataset} left to the rule)."""
    owner = variant_dir(ATTRIBUTION.data_owner(variant))
    return f"{FRESULTS}/{owner}data/{{dataset}}/series.parquet"


def forecast_train_blocks():
    """(variant, block, trials) of every training rule: one per block for the default and for
    each variant that trains a cell of its own."""
    owners = {
        ATTRIBUTION.cell_owner(v, a, m)
        for v in ATTRIBUTION.variants
        for a in FORECAST["architectures"]
        for m in FORECAST["methods"]
    }
    return [
        (v, block, trials)
        for v in ATTRIBUTION.variants
        if v in owners
        for block, trials in TRIAL_BLOCKS.items()
    ]


def variant_settings(variant):
    """The params function giving a training job its method's settings under ``variant``."""
    section = ATTRIBUTION.sections[variant]
    return lambda wc: method_settings(section, wc.fmethod, wc.architecture)


def shared_training(variant, trials):
    """The input function naming, for a method whose training is another's under ``variant``
    (mc_dropout's is dropout's: training_source), that method's files of the same trials, which
    the job tests instead of training the same networks again; nothing for the others.
    """

    def inputs(wc):
        section = ATTRIBUTION.sections[variant]
        source = training_source(
            wc.fmethod, method_settings(section, wc.fmethod, wc.architecture)
        )
        if source not in FORECAST["methods"]:
            return {}
        root = variant_root(ATTRIBUTION.cell_owner(variant, wc.architecture, source))
        cell = {**dict(wc.items()), "fmethod": source}
        return {
            f"shared_{kind}": expand(trial_files(trials, name, root), **cell)
            for kind, name in (
                ("models", "model.pt"),
                ("train_logs", "train_log.parquet"),
                ("metrics", "metrics.parquet"),
            )
        }

    return inputs


def trial_files(trials, name, root=FRESULTS):
    """A cell's per-trial files called ``name`` under ``root`` (its wildcards stay to be filled)."""
    return [f"{root}/{CELL}/trial{trial}/{name}" for trial in trials]


def variant_metrics(wildcards):
    """Every trial's metrics file of a variant on the attribution datasets, each from the
    variant that trains its cell."""
    variant = VARIANTS[wildcards.variant]
    return [
        path
        for a in FORECAST["architectures"]
        for m in FORECAST["methods"]
        for path in expand(
            trial_files(
                range(FORECAST["trials"]),
                "metrics.parquet",
                variant_root(ATTRIBUTION.cell_owner(variant, a, m)),
            ),
            dataset=ATTRIBUTION.datasets,
            architecture=a,
            fmethod=m,
            length=FORECAST["sequence_lengths"],
        )
    ]


def attribution_variants():
    """The variants as the attribution table names them."""
    return [
        {"name": v.name, "kind": v.kind, "steps": list(v.steps)}
        for v in ATTRIBUTION.variants
    ]


def forecast_metrics():
    return expand(
        trial_files(range(FORECAST["trials"]), "metrics.parquet"),
        dataset=FORECAST["datasets"],
        architecture=FORECAST["architectures"],
        fmethod=FORECAST["methods"],
        length=FORECAST["sequence_lengths"],
    )
