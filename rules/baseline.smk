for block, block_seeds in BLOCKS.items():

    rule:
        name:
            f"baseline_block{block}"
        input:
            train=block_files(block_seeds, "data/train.parquet"),
        output:
            model=block_files(block_seeds, "baseline/model.pt"),
            train_log=block_files(block_seeds, "baseline/train_log.parquet"),
            trajectory=block_files(block_seeds, "baseline/trajectory.pt"),
        log:
            f"{LOGS}/block{block}/baseline.log",
        benchmark:
            f"{BENCH}/block{block}/baseline.tsv"
        conda:
            "../envs/devprune.yaml"
        threads: config["threads"]["baseline"]
        resources:
            mem_mb=2000,
            runtime=30,
            gpu=GPUS_PER_JOB,
        params:
            task=config["task"],
            model=without_defaults("model", config["model"]),
            stage=stage_settings("baseline"),
            seeds=block_seeds,
            device=config["device"],
        script:
            "../workflow_scripts/train_baseline.py"
