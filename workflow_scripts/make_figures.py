"""Snakemake job: the figures."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.phased.aggregate import write_figures
from devprune.io import setup_job_logging

setup_job_logging(snakemake.log[0], snakemake.rule)
write_figures(
    snakemake.input.metrics, snakemake.input.claims, snakemake.input.stability, snakemake.input.per_seed,
    snakemake.output,
    eval_cfg=snakemake.params.evaluation, claims_cfg=snakemake.params.claims, methods=snakemake.params.methods,
)
