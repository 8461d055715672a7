for variant, block, block_seeds in stage_blocks("data"):
    root = stage_root(variant, "data")

    rule:
        name:
            rule_name(f"data_block{block}", variant)
        output:
            train=block_files(block_seeds, "data/train.parquet", root),
            test=block_files(block_seeds, "data/test.parquet", root),
        log:
            f"{root}/logs/block{block}/data.log",
        benchmark:
            f"{root}/benchmarks/block{block}/data.tsv"
        localrule: True
        conda:
            "../envs/devprune.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            task=variant_config(variant)[0]["task"],
            seeds=block_seeds,
        script:
            "../workflow_scripts/make_data.py"
