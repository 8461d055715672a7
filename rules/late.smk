rule late_prune:
    input:
        parent=per_seed(SEED_DIR + "/{method}/early/{density}/model.pt"),
        parent_mask=per_seed(SEED_DIR + "/{method}/early/{density}/mask.pt"),
        train=per_seed(SEED_DIR + "/data/train.parquet"),
        trajectory=rewind_inputs,
    output:
        model=per_seed(SEED_DIR + "/{method}/late/{density}/{branch}/model.pt"),
        mask=per_seed(SEED_DIR + "/{method}/late/{density}/{branch}/mask.pt"),
        train_log=per_seed(SEED_DIR + "/{method}/late/{density}/{branch}/train_log.parquet"),
    params:
        task=config["task"],
        stage=stage_settings("late"),
        branch=lambda wc: wc.branch,
        late_fraction=lambda wc: BRANCHES[wc.branch],
        seeds=SEEDS,
        method=method_params,
        device=config["device"],
    log:
        LOGS + "/{method}/late_{density}_{branch}.log",
    benchmark:
        BENCH + "/{method}/late_{density}_{branch}.tsv"
    threads: config["threads"]["pruning"]
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=GPUS_PER_JOB,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/train_pruned.py"
