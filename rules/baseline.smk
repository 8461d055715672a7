for variant, block, block_seeds in stage_blocks("baseline"):
    root = stage_root(variant, "baseline")

    rule:
        name:
            rule_name(f"baseline_block{block}", variant)
        input:
            train=block_files(
                block_seeds, "data/train.parquet", stage_root(variant, "data")
            ),
        output:
            model=block_files(block_seeds, "baseline/model.pt", root),
            train_log=block_files(block_seeds, "baseline/train_log.parquet", root),
            trajectory=block_files(block_seeds, "baseline/trajectory.pt", root),
        log:
            f"{root}/logs/block{block}/baseline.log",
        benchmark:
            f"{root}/benchmarks/block{block}/baseline.tsv"
        conda:
            "../envs/devprune.yaml"
        threads: config["threads"]["baseline"]
        resources:
            mem_mb=config["resources"]["baseline"]["mem_mb"],
            runtime=config["resources"]["baseline"]["runtime"],
            gpu=GPUS_PER_JOB,
        params:
            task=variant_config(variant)[0]["task"],
            model=without_defaults("model", variant_config(variant)[0]["model"]),
            stage=stage_settings("baseline", variant),
            seeds=block_seeds,
            device=config["device"],
        script:
            "../workflow_scripts/train_baseline.py"
