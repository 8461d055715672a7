"""Snakemake job: the figures."""
from devprune.aggregate import write_figures
from devprune.stages import configure_job

configure_job(snakemake.threads, snakemake.log[0])
write_figures(snakemake.input[0], snakemake.output, eval_cfg=snakemake.params.evaluation, claims_cfg=snakemake.params.claims)
