"""Snakemake job: evaluate a group of models of every seed of a block, each on its seed's test set."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.runtime import configure_torch_job
from devprune.phased.stages import Block, evaluate_models

params = snakemake.params
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
evaluate_models(
    Block(params.seeds, params.task, device), snakemake.input.model, snakemake.input.test, snakemake.output.metrics,
    params.evaluation,
)
