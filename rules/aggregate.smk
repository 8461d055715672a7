TABLES = [f"{RESULTS}/tables/{name}.{ext}" for name in ("table1", "table2", "claims", "methods", "stability") for ext in ("parquet", "md")]
FIGURES = [
    f"{RESULTS}/figures/{name}.png"
    for name in (
        "stress_vs_density",
        "noise_curves",
        "ambiguity_curves",
        "branch_differences",
        "claims_forest",
        "claims_by_seeds",
    )
]


rule aggregate_metrics:
    input:
        all_metrics(),
    output:
        RESULTS + "/metrics.parquet",
    log:
        RESULTS + "/logs/aggregate_metrics.log",
    benchmark:
        RESULTS + "/benchmarks/aggregate_metrics.tsv"
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/aggregate_metrics.py"


rule tables:
    input:
        RESULTS + "/metrics.parquet",
    output:
        TABLES,
    params:
        evaluation=config["evaluation"],
        claims=config["claims"],
        methods=list(METHODS),
        config_hash=results_hash(config),
    log:
        RESULTS + "/logs/tables.log",
    benchmark:
        RESULTS + "/benchmarks/tables.tsv"
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/make_tables.py"


rule figures:
    input:
        metrics=RESULTS + "/metrics.parquet",
        claims=RESULTS + "/tables/claims.parquet",
        stability=RESULTS + "/tables/stability.parquet",
    output:
        FIGURES,
    params:
        evaluation=config["evaluation"],
        claims=config["claims"],
        methods=list(METHODS),
    log:
        RESULTS + "/logs/figures.log",
    benchmark:
        RESULTS + "/benchmarks/figures.tsv"
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/make_figures.py"
