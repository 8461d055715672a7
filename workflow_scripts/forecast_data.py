"""Snakemake job: one dataset's series, scaled on its training rows and labelled by split."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.forecast.stages import prepare_dataset
from devprune.io import setup_job_logging

setup_job_logging(snakemake.log[0], snakemake.rule)
prepare_dataset(snakemake.wildcards.dataset, snakemake.params.spec, snakemake.params.split,
                snakemake.input.package[0] if snakemake.input.package else None,
                snakemake.output.series, snakemake.output.scaler)
