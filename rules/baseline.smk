rule baseline:
    input:
        train=per_seed(SEED_DIR + "/data/train.parquet"),
    output:
        model=per_seed(SEED_DIR + "/baseline/model.pt"),
        train_log=per_seed(SEED_DIR + "/baseline/train_log.parquet"),
        trajectory=per_seed(SEED_DIR + "/baseline/trajectory.pt"),
    params:
        task=config["task"],
        model=config["model"],
        stage=stage_settings("baseline"),
        seeds=SEEDS,
        device=config["device"],
    log:
        LOGS + "/baseline.log",
    benchmark:
        BENCH + "/baseline.tsv"
    threads: config["threads"]["baseline"]
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=GPUS_PER_JOB,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/train_baseline.py"
