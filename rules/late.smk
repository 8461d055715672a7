for variant, block, block_seeds in stage_blocks("late"):
    root = stage_root(variant, "late")

    rule:
        name:
            rule_name(f"late_prune_block{block}", variant)
        input:
            parent=block_files(
                block_seeds,
                "{method}/early/{density}/model.pt",
                stage_root(variant, "early"),
            ),
            parent_mask=block_files(
                block_seeds,
                "{method}/early/{density}/mask.pt",
                stage_root(variant, "early"),
            ),
            train=block_files(
                block_seeds, "data/train.parquet", stage_root(variant, "data")
            ),
            trajectory=trajectory_inputs(block_seeds, variant),
        output:
            model=block_files(
                block_seeds, "{method}/late/{density}/{branch}/model.pt", root
            ),
            mask=block_files(
                block_seeds, "{method}/late/{density}/{branch}/mask.pt", root
            ),
            train_log=block_files(
                block_seeds,
                "{method}/late/{density}/{branch}/train_log.parquet",
                root,
            ),
        log:
            f"{root}/logs/block{block}/{{method}}/late_{{density}}_{{branch}}.log",
        benchmark:
            f"{root}/benchmarks/block{block}/{{method}}/late_{{density}}_{{branch}}.tsv"
        conda:
            "../envs/devprune.yaml"
        threads: config["threads"]["pruning"]
        resources:
            mem_mb=config["resources"]["pruning"]["mem_mb"],
            runtime=config["resources"]["pruning"]["runtime"],
            gpu=GPUS_PER_JOB,
        params:
            task=variant_config(variant)[0]["task"],
            stage=stage_settings("late", variant),
            branch=lambda wc: wc.branch,
            late_fraction=lambda wc, variant=variant: variant_config(variant)[0][
                "late"
            ]["branches"][wc.branch],
            seeds=block_seeds,
            method=method_params(variant),
            device=config["device"],
        script:
            "../workflow_scripts/prune_late.py"
