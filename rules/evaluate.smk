for block, block_seeds in BLOCKS.items():

    rule:
        name:
            f"evaluate_block{block}"
        input:
            model=block_files(block_seeds, "{model_dir}/model.pt"),
            test=block_files(block_seeds, "data/test.parquet"),
        output:
            metrics=block_files(block_seeds, "{model_dir}/metrics.parquet"),
        params:
            task=config["task"],
            evaluation=config["evaluation"],
            device=config["device"],
        log:
            f"{LOGS}/block{block}/evaluate_{{model_dir}}.log",
        benchmark:
            f"{BENCH}/block{block}/evaluate_{{model_dir}}.tsv"
        wildcard_constraints:
            model_dir=r"baseline|[^/]+/early/[^/]+|[^/]+/late/[^/]+/[^/]+",
        threads: config["threads"]["evaluation"]
        resources:
            mem_mb=2000,
            runtime=10,
            gpu=GPUS_PER_JOB,
        conda:
            "../envs/devprune.yaml"
        script:
            "../workflow_scripts/evaluate.py"
