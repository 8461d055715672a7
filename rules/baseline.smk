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
        params:
            task=config["task"],
            model=config["model"],
            stage=stage_settings("baseline"),
            seeds=block_seeds,
            device=config["device"],
        log:
            f"{LOGS}/block{block}/baseline.log",
        benchmark:
            f"{BENCH}/block{block}/baseline.tsv"
        threads: config["threads"]["baseline"]
        resources:
            mem_mb=2000,
            runtime=30,
            gpu=GPUS_PER_JOB,
        conda:
            "../envs/devprune.yaml"
        script:
            "../workflow_scripts/train_baseline.py"
