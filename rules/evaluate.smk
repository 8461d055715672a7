rule evaluate:
    input:
        model=per_seed(SEED_DIR + "/{model_dir}/model.pt"),
        test=per_seed(SEED_DIR + "/data/test.parquet"),
    output:
        metrics=per_seed(SEED_DIR + "/{model_dir}/metrics.parquet"),
    params:
        task=config["task"],
        evaluation=config["evaluation"],
        device=config["device"],
    log:
        LOGS + "/evaluate_{model_dir}.log",
    benchmark:
        BENCH + "/evaluate_{model_dir}.tsv"
    wildcard_constraints:
        model_dir=r"baseline|[^/]+/early/[^/]+|[^/]+/late/[^/]+/[^/]+",
    threads: config["threads"]["evaluation"]
    resources:
        mem_mb=2000,
        runtime=10,
        gpu=GPUS_PER_JOB,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/evaluate.py"
