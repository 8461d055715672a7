"""Snakemake job: the multiverse, robustness and attribution tables over every universe."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.io import setup_job_logging
from devprune.phased.universes import write_multiverse

setup_job_logging(snakemake.log[0], snakemake.rule)
params = snakemake.params
write_multiverse(
    dict(zip(params.universes, snakemake.input.claims)), dict(zip(params.universes, snakemake.input.per_seed)),
    snakemake.output, choices=dict(zip(params.universes, params.choices)), axes=params.axes, default=params.universes[0],
)
