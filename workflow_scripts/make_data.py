"""Snakemake job: draw one seed's train/test data."""
from devprune.stages import configure_job, make_data

configure_job(snakemake.threads, snakemake.log[0])
make_data(snakemake.params.task, int(snakemake.wildcards.seed), snakemake.output.train, snakemake.output.test)
