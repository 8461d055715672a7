"""Snakemake job: the forecasting benchmark's merged metrics, its tables, its figures or its attribution."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.forecast import report
from devprune.io import setup_job_logging

setup_job_logging(snakemake.log[0], snakemake.rule)
if snakemake.rule in ("forecast_metrics", "forecast_variant_metrics"):
    report.concat_metrics(snakemake.input, snakemake.output[0])
elif snakemake.rule == "forecast_attribution":
    report.write_attribution(snakemake.input, snakemake.output, variants=snakemake.params.variants,
                             methods=snakemake.params.methods, results_hash=snakemake.params.results_hash)
elif snakemake.rule == "forecast_tables":
    report.write_tables(snakemake.input[0], snakemake.output, methods=snakemake.params.methods,
                        results_hash=snakemake.params.results_hash)
else:
    report.write_figures(snakemake.input[0], snakemake.output, methods=snakemake.params.methods)
