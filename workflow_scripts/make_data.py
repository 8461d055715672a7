"""Snakemake job: draw every seed's train/test data."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.runtime import configure_torch_job
from devprune.phased.stages import make_data

configure_torch_job(snakemake.threads, "cpu", snakemake.log[0], snakemake.rule)
make_data(snakemake.params.task, snakemake.params.seeds, snakemake.output.train, snakemake.output.test)
