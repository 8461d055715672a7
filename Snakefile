# devprune: phased-pruning experiments as a Snakemake DAG.
#   data -> baseline -> early prune (per density) -> late prune (per branch) -> evaluate -> aggregate
# Run: snakemake --cores N   (see README.md)

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/baseline.smk"
include: "rules/early.smk"
include: "rules/late.smk"
include: "rules/evaluate.smk"
include: "rules/aggregate.smk"


# Seconds-long jobs stay on the submitting machine when a cluster executor is used.
localrules:
    data,
    aggregate_metrics,
    tables,
    figures,


rule all:
    default_target: True
    input:
        TABLES,
        FIGURES,
