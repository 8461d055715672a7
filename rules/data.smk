for block, block_seeds in BLOCKS.items():

    rule:
        name:
            f"data_block{block}"
        output:
            train=block_files(block_seeds, "data/train.parquet"),
            test=block_files(block_seeds, "data/test.parquet"),
        log:
            f"{LOGS}/block{block}/data.log",
        benchmark:
            f"{BENCH}/block{block}/data.tsv"
        localrule: True
        conda:
            "../envs/devprune.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            task=config["task"],
            seeds=block_seeds,
        script:
            "../workflow_scripts/make_data.py"
