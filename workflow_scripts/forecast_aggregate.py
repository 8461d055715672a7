"""Snakemake job: the forecasting benchmark's merged metrics, its tables or its figures."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.forecast import report
from devprune.io import setup_job_logging

setup_job_logging(snakemake.log[0], snakemake.rule)
if snakemake.rule == "forecast_metrics":
    report.concat_metrics(snakemake.input, snakemake.output[0])
elif snakemake.rule == "forecast_tables":
    report.write_tables(snakemake.input[0], snakemake.output, methods=snakemake.params.methods,
                        results_hash=snakemake.params.results_hash)
else:
    report.write_figures(snakemake.input[0], snakemake.output, methods=snakemake.params.methods)
