for variant, block, block_seeds in stage_blocks("early"):
    root = stage_root(variant, "early")

    rule:
        name:
            rule_name(f"early_prune_block{block}", variant)
        input:
            parent=block_files(
                block_seeds, "baseline/model.pt", stage_root(variant, "baseline")
            ),
            train=block_files(
                block_seeds, "data/train.parquet", stage_root(variant, "data")
            ),
            trajectory=trajectory_inputs(block_seeds, variant),
        output:
            model=block_files(block_seeds, "{method}/early/{density}/model.pt", root),
            mask=block_files(block_seeds, "{method}/early/{density}/mask.pt", root),
            train_log=block_files(
                block_seeds, "{method}/early/{density}/train_log.parquet", root
            ),
        log:
            f"{root}/logs/block{block}/{{method}}/early_{{density}}.log",
        benchmark:
            f"{root}/benchmarks/block{block}/{{method}}/early_{{density}}.tsv"
        conda:
            "../envs/devprune.yaml"
        threads: config["threads"]["pruning"]
        resources:
            mem_mb=config["resources"]["pruning"]["mem_mb"],
            runtime=config["resources"]["pruning"]["runtime"],
            gpu=GPUS_PER_JOB,
        params:
            task=variant_config(variant)[0]["task"],
            stage=stage_settings("early", variant),
            early_density=lambda wc: DENSITIES[wc.density],
            seeds=block_seeds,
            method=method_params(variant),
            device=config["device"],
        script:
            "../workflow_scripts/prune_early.py"
