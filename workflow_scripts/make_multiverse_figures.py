"""Snakemake job: the multiverse's specification curves and attribution figure."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.io import setup_job_logging
from devprune.phased.universes import write_multiverse_figures

setup_job_logging(snakemake.log[0], snakemake.rule)
write_multiverse_figures(
    snakemake.input.multiverse, snakemake.input.attribution, snakemake.output, axes=snakemake.params.axes
)
