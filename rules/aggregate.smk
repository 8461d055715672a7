TABLE_NAMES = (
    "table1",
    "table2",
    "claims",
    "claims_per_seed",
    "pi_coverage",
    "methods",
    "stability",
    "provenance",
)
TABLES = [
    f"{RESULTS}/tables/{name}.{ext}"
    for name in TABLE_NAMES
    for ext in ("parquet", "md")
]
FIGURE_NAMES = (
    "stress_vs_density",
    "noise_curves",
    "ambiguity_curves",
    "branch_differences",
    "methods_comparison",
    "claims_forest",
    "claims_distributions",
    "claims_by_seeds",
)
FIGURES = [f"{RESULTS}/figures/{name}.png" for name in FIGURE_NAMES]
# Each table's HTML page and each figure in the report (`snakemake --report`): its category there,
# and its caption, report/<name>.rst.
REPORT_CATEGORIES = {
    "claims": "Claims",
    "claims_per_seed": "Claims",
    "claims_distributions": "Claims",
    "pi_coverage": "Claims",
    "stability": "Claims",
    "claims_forest": "Claims",
    "claims_by_seeds": "Claims",
    "table1": "Table 1",
    "stress_vs_density": "Table 1",
    "noise_curves": "Table 1",
    "ambiguity_curves": "Table 1",
    "table2": "Table 2",
    "branch_differences": "Table 2",
    "methods": "Pruning methods",
    "methods_comparison": "Pruning methods",
    "provenance": "Run and provenance",
}


rule aggregate_metrics:
    input:
        all_metrics(),
    output:
        f"{RESULTS}/metrics.parquet",
    log:
        f"{RESULTS}/logs/aggregate_metrics.log",
    benchmark:
        f"{RESULTS}/benchmarks/aggregate_metrics.tsv"
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/aggregate_metrics.py"


rule tables:
    input:
        f"{RESULTS}/metrics.parquet",
    output:
        TABLES,
        [
            reported(f"{RESULTS}/tables/{name}.html", name, REPORT_CATEGORIES[name])
            for name in TABLE_NAMES
        ],
    log:
        f"{RESULTS}/logs/tables.log",
    benchmark:
        f"{RESULTS}/benchmarks/tables.tsv"
    conda:
        "../envs/devprune.yaml"
    params:
        evaluation=config["evaluation"],
        claims=config["claims"],
        methods=list(METHODS),
        results_hash=results_hash(config),
    script:
        "../workflow_scripts/make_tables.py"


rule figures:
    input:
        metrics=f"{RESULTS}/metrics.parquet",
        claims=f"{RESULTS}/tables/claims.parquet",
        stability=f"{RESULTS}/tables/stability.parquet",
        per_seed=f"{RESULTS}/tables/claims_per_seed.parquet",
    output:
        [
            reported(path, name, REPORT_CATEGORIES[name])
            for path, name in zip(FIGURES, FIGURE_NAMES)
        ],
    log:
        f"{RESULTS}/logs/figures.log",
    benchmark:
        f"{RESULTS}/benchmarks/figures.tsv"
    conda:
        "../envs/devprune.yaml"
    params:
        evaluation=config["evaluation"],
        claims=config["claims"],
        methods=list(METHODS),
    script:
        "../workflow_scripts/make_figures.py"
