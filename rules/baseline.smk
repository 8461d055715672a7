rule baseline:
    input:
        train=SEED_DIR + "/data/train.parquet",
    output:
        model=SEED_DIR + "/baseline/model.pt",
        train_log=SEED_DIR + "/baseline/train_log.parquet",
    params:
        task=config["task"],
        model=config["model"],
        stage=stage_settings("baseline"),
        device=config["device"],
    log:
        LOGS + "/baseline.log",
    benchmark:
        BENCH + "/baseline.tsv"
    threads: 1  # fixed: torch's results depend on its thread count
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/train_baseline.py"
