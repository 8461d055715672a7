"""Snakemake job: one universe's claims table and per-seed values."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.io import setup_job_logging
from devprune.phased.universes import write_universe_claims

setup_job_logging(snakemake.log[0], snakemake.rule)
write_universe_claims(
    snakemake.input[0], snakemake.output, eval_cfg=snakemake.params.evaluation, claims_cfg=snakemake.params.claims,
    methods=snakemake.params.methods, results_hash=snakemake.params.results_hash,
)
