rule data:
    output:
        train=SEED_DIR + "/data/train.parquet",
        test=SEED_DIR + "/data/test.parquet",
    params:
        task=config["task"],
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
