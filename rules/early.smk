for block, block_seeds in BLOCKS.items():

    rule:
        name:
            f"early_prune_block{block}"
        input:
            parent=block_files(block_seeds, "baseline/model.pt"),
            train=block_files(block_seeds, "data/train.parquet"),
            trajectory=trajectory_inputs(block_seeds),
        output:
            model=block_files(block_seeds, "{method}/early/{density}/model.pt"),
            mask=block_files(block_seeds, "{method}/early/{density}/mask.pt"),
            train_log=block_files(
                block_seeds, "{method}/early/{density}/train_log.parquet"
            ),
        log:
            f"{LOGS}/block{block}/{{method}}/early_{{density}}.log",
        benchmark:
            f"{BENCH}/block{block}/{{method}}/early_{{density}}.tsv"
        conda:
            "../envs/devprune.yaml"
        threads: config["threads"]["pruning"]
        resources:
            mem_mb=2000,
            runtime=30,
            gpu=GPUS_PER_JOB,
        params:
            task=config["task"],
            stage=stage_settings("early"),
            early_density=lambda wc: DENSITIES[wc.density],
            seeds=block_seeds,
            method=method_params,
            device=config["device"],
        script:
            "../workflow_scripts/prune_early.py"
