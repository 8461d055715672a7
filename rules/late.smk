rule late_prune:
    input:
        parent=per_seed(SEED_DIR + "/early/{density}/model.pt"),
        parent_mask=per_seed(SEED_DIR + "/early/{density}/mask.pt"),
        train=per_seed(SEED_DIR + "/data/train.parquet"),
    output:
        model=per_seed(SEED_DIR + "/late/{density}/{branch}/model.pt"),
        mask=per_seed(SEED_DIR + "/late/{density}/{branch}/mask.pt"),
        train_log=per_seed(SEED_DIR + "/late/{density}/{branch}/train_log.parquet"),
    params:
        task=config["task"],
        stage=stage_settings("late"),
        branch=lambda wc: wc.branch,
        late_fraction=lambda wc: BRANCHES[wc.branch],
        seeds=SEEDS,
        device=config["device"],
    log:
        LOGS + "/late_{density}_{branch}.log",
    benchmark:
        BENCH + "/late_{density}_{branch}.tsv"
    threads: config["threads"]["pruning"]
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=GPUS_PER_JOB,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/train_pruned.py"
