"""Snakemake job: evaluate a group of models of every seed of a block, each on its seed's test set."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.phased.stages import evaluate_models, job_block

evaluate_models(
    job_block(snakemake), snakemake.input.model, snakemake.input.test, snakemake.output.metrics,
    snakemake.params.evaluation,
)
