rule data:
    output:
        train=per_seed(SEED_DIR + "/data/train.parquet"),
        test=per_seed(SEED_DIR + "/data/test.parquet"),
    params:
        task=config["task"],
        seeds=SEEDS,
    log:
        LOGS + "/data.log",
    benchmark:
        BENCH + "/data.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/make_data.py"
