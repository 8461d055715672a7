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
MULTIVERSE_TABLES = [
    f"{RESULTS}/tables/{name}.{ext}"
    for name in ("multiverse", "robustness", "attribution")
    for ext in ("parquet", "md")
]
MULTIVERSE_FIGURE_NAMES = ("specification_curves", "attribution")
MULTIVERSE_FIGURES = [
    f"{RESULTS}/figures/{name}.png" for name in MULTIVERSE_FIGURE_NAMES
]
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
        all_metrics(UNIVERSES[0]),
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


# ---- the multiverse (config section `multiverse`; devprune.multiverse) ----
# Each universe's metrics are merged once per evaluation variant, its claims read once per
# universe; the default universe's are the plain run's (rules above).
for variant in variants("evaluation")[1:]:
    root = stage_root(variant, "evaluation")

    rule:
        name:
            rule_name("aggregate_metrics", variant)
        input:
            all_metrics(variant),
        output:
            f"{root}/metrics.parquet",
        log:
            f"{root}/logs/aggregate_metrics.log",
        benchmark:
            f"{root}/benchmarks/aggregate_metrics.tsv"
        localrule: True
        conda:
            "../envs/devprune.yaml"
        script:
            "../workflow_scripts/aggregate_metrics.py"


for universe in UNIVERSES[1:]:
    root = universe.directory(RESULTS)

    rule:
        name:
            rule_name("universe_claims", universe)
        input:
            f"{stage_root(universe, 'evaluation')}/metrics.parquet",
        output:
            [
                f"{root}/tables/{name}.{ext}"
                for name in ("claims", "claims_per_seed")
                for ext in ("parquet", "md")
            ],
        log:
            f"{root}/logs/universe_claims.log",
        benchmark:
            f"{root}/benchmarks/universe_claims.tsv"
        localrule: True
        conda:
            "../envs/devprune.yaml"
        params:
            evaluation=variant_config(universe)[0]["evaluation"],
            claims=variant_config(universe)[0]["claims"],
            methods=list(METHODS),
            results_hash=results_hash(variant_config(universe)[0]),
        script:
            "../workflow_scripts/universe_claims.py"


rule multiverse:
    input:
        claims=[f"{u.directory(RESULTS)}/tables/claims.parquet" for u in UNIVERSES],
        per_seed=[
            f"{u.directory(RESULTS)}/tables/claims_per_seed.parquet" for u in UNIVERSES
        ],
    output:
        MULTIVERSE_TABLES,
        [
            reported(f"{RESULTS}/tables/{name}.html", f"{name}_table", "Multiverse")
            for name in ("multiverse", "robustness", "attribution")
        ],
    log:
        f"{RESULTS}/logs/multiverse.log",
    benchmark:
        f"{RESULTS}/benchmarks/multiverse.tsv"
    conda:
        "../envs/devprune.yaml"
    params:
        universes=[u.name for u in UNIVERSES],
        choices=[dict(u.choices) for u in UNIVERSES],
        axes=multiverse_axes(),
    script:
        "../workflow_scripts/make_multiverse.py"


rule multiverse_figures:
    input:
        multiverse=f"{RESULTS}/tables/multiverse.parquet",
        attribution=f"{RESULTS}/tables/attribution.parquet",
    output:
        [
            reported(path, name, "Multiverse")
            for path, name in zip(MULTIVERSE_FIGURES, MULTIVERSE_FIGURE_NAMES)
        ],
    log:
        f"{RESULTS}/logs/multiverse_figures.log",
    benchmark:
        f"{RESULTS}/benchmarks/multiverse_figures.tsv"
    conda:
        "../envs/devprune.yaml"
    params:
        axes=multiverse_axes(),
    script:
        "../workflow_scripts/make_multiverse_figures.py"
