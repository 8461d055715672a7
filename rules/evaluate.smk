rule evaluate:
    input:
        model=SEED_DIR + "/{model_dir}/model.pt",
        test=SEED_DIR + "/data/test.parquet",
    output:
        metrics=SEED_DIR + "/{model_dir}/metrics.parquet",
    params:
        task=config["task"],
        evaluation=config["evaluation"],
        device=config["device"],
    log:
        LOGS + "/evaluate_{model_dir}.log",
    benchmark:
        BENCH + "/evaluate_{model_dir}.tsv"
    wildcard_constraints:
        model_dir=r"baseline|early/[^/]+|late/[^/]+/[^/]+",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/evaluate.py"
