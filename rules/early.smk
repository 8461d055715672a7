rule early_prune:
    input:
        parent=per_seed(SEED_DIR + "/baseline/model.pt"),
        train=per_seed(SEED_DIR + "/data/train.parquet"),
        trajectory=rewind_inputs,
    output:
        model=per_seed(SEED_DIR + "/{method}/early/{density}/model.pt"),
        mask=per_seed(SEED_DIR + "/{method}/early/{density}/mask.pt"),
        train_log=per_seed(SEED_DIR + "/{method}/early/{density}/train_log.parquet"),
    params:
        task=config["task"],
        stage=stage_settings("early"),
        early_density=lambda wc: DENSITIES[wc.density],
        seeds=SEEDS,
        method=method_params,
        device=config["device"],
    log:
        LOGS + "/{method}/early_{density}.log",
    benchmark:
        BENCH + "/{method}/early_{density}.tsv"
    threads: config["threads"]["pruning"]
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=GPUS_PER_JOB,
    conda:
        "../envs/devprune.yaml"
    script:
        "../workflow_scripts/train_pruned.py"
