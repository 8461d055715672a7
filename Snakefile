# devprune: phased-pruning experiments as a Snakemake DAG.
#   data -> baseline -> early prune (per density) -> late prune (per branch) -> evaluate -> aggregate
#   the seed-002 forecasting benchmark is the target `forecast` (rules/forecast.smk)
# Run: snakemake --cores N   (see README.md)

import os
import sys

from snakemake.utils import min_version

min_version("9.0")
sys.path.insert(0, os.path.join(workflow.basedir, "src"))
from devprune.config import check_config_files

# Snakemake's own loader names neither the file nor the line of a YAML error; this check does.
# (It cannot precede Snakemake's reading of --configfile files: README, "Bad config values".)
check_config_files(["config.yaml"])


configfile: "config.yaml"


# `--sdm apptainer`: every job runs in this image (config key `container`; docs/cluster.md,
# "Containers"); null leaves jobs in the environment Snakemake runs in.
container: config.get("container")


# `snakemake --report results/<experiment>/report.html`: this text, then every output flagged
# with report() (rules/aggregate.smk, rules/forecast.smk), captioned by report/<name>.rst.
report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/baseline.smk"
include: "rules/early.smk"
include: "rules/late.smk"
include: "rules/evaluate.smk"
include: "rules/aggregate.smk"
include: "rules/forecast.smk"


# Seconds-long jobs stay on the submitting machine when a cluster executor is used (the
# per-block data rules say so themselves: `localrule: True`).
localrules:
    aggregate_metrics,
    tables,
    figures,
    forecast_fetch,
    forecast_data,
    forecast_metrics,
    forecast_tables,
    forecast_figures,
    forecast_variant_metrics,
    forecast_attribution,
    multiverse,
    multiverse_figures,


rule all:
    default_target: True
    input:
        TABLES,
        FIGURES,
        MULTIVERSE_TABLES + MULTIVERSE_FIGURES if len(UNIVERSES) > 1 else [],
