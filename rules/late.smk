rule late_prune:
    input:
        parent=SEED_DIR + "/early/{density}/model.pt",
        parent_mask=SEED_DIR + "/early/{density}/mask.pt",
        train=SEED_DIR + "/data/train.parquet",
    output:
        model=SEED_DIR + "/late/{density}/{branch}/model.pt",
        mask=SEED_DIR + "/late/{density}/{branch}/mask.pt",
        train_log=SEED_DIR + "/late/{density}/{branch}/train_log.parquet",
    params:
        task=config["task"],
        stage=stage_settings("late"),
        branch=lambda wc: wc.branch,
        late_fraction=lambda wc: BRANCHES[wc.branch],
        device=config["device"],
    log:
        LOGS + "/late_{density}_{branch}.log",
    benchmark:
        BENCH + "/late_{density}_{branch}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/train_pruned.py"
