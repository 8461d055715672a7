rule early_prune:
    input:
        parent=SEED_DIR + "/baseline/model.pt",
        train=SEED_DIR + "/data/train.parquet",
    output:
        model=SEED_DIR + "/early/{density}/model.pt",
        mask=SEED_DIR + "/early/{density}/mask.pt",
        train_log=SEED_DIR + "/early/{density}/train_log.parquet",
    params:
        task=config["task"],
        stage=stage_settings("early"),
        early_density=lambda wc: DENSITIES[wc.density],
        device=config["device"],
    log:
        LOGS + "/early_{density}.log",
    benchmark:
        BENCH + "/early_{density}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/train_pruned.py"
