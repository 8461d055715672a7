"""Snakemake job: Tables 1 and 2, the claims and the methods comparison, as Parquet and Markdown."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.phased.aggregate import write_tables
from devprune.io import setup_job_logging

setup_job_logging(snakemake.log[0], snakemake.rule)
write_tables(
    snakemake.input[0], snakemake.output, eval_cfg=snakemake.params.evaluation,
    claims_cfg=snakemake.params.claims, methods=snakemake.params.methods, results_hash=snakemake.params.results_hash,
)
