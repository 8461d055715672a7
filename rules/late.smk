for block, block_seeds in BLOCKS.items():

    rule:
        name:
            f"late_prune_block{block}"
        input:
            parent=block_files(block_seeds, "{method}/early/{density}/model.pt"),
            parent_mask=block_files(block_seeds, "{method}/early/{density}/mask.pt"),
            train=block_files(block_seeds, "data/train.parquet"),
            trajectory=trajectory_inputs(block_seeds),
        output:
            model=block_files(block_seeds, "{method}/late/{density}/{branch}/model.pt"),
            mask=block_files(block_seeds, "{method}/late/{density}/{branch}/mask.pt"),
            train_log=block_files(
                block_seeds, "{method}/late/{density}/{branch}/train_log.parquet"
            ),
        log:
            f"{LOGS}/block{block}/{{method}}/late_{{density}}_{{branch}}.log",
        benchmark:
            f"{BENCH}/block{block}/{{method}}/late_{{density}}_{{branch}}.tsv"
        conda:
            "../envs/devprune.yaml"
        threads: config["threads"]["pruning"]
        resources:
            mem_mb=2000,
            runtime=30,
            gpu=GPUS_PER_JOB,
        params:
            task=config["task"],
            stage=stage_settings("late"),
            branch=lambda wc: wc.branch,
            late_fraction=lambda wc: BRANCHES[wc.branch],
            seeds=block_seeds,
            method=method_params,
            device=config["device"],
        script:
            "../workflow_scripts/prune_late.py"
