"""Snakemake job: concatenate every model's metrics into one table."""
from devprune.aggregate import concat_metrics
from devprune.stages import configure_job

configure_job(snakemake.threads, snakemake.log[0])
concat_metrics(snakemake.input, snakemake.output[0])
