"""Snakemake job: concatenate every model's metrics into one table."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.phased.aggregate import concat_metrics
from devprune.io import setup_job_logging

setup_job_logging(snakemake.log[0], snakemake.rule)
concat_metrics(snakemake.input, snakemake.output[0])
