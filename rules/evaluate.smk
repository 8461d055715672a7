# Evaluation: one job per block and group of models made together (EVALUATION_GROUPS: the
# baseline; a method's early models; a method's late models of one branch), so a job pays Python
# and torch start-up once for many models (bench/startup.py) and a change reruns only its group.
# Every model keeps its own metrics file, beside its model under the plain run and under the
# evaluating universe's directory otherwise. Priority: an evaluation job runs as soon as its
# models exist, beside the remaining training jobs, instead of last and alone on one core.
for group, log_name in EVALUATION_LOGS.items():
    for variant, block, block_seeds in evaluation_blocks(group):
        root = variant.directory(RESULTS)

        rule:
            name:
                rule_name(f"evaluate_{group}_block{block}", variant)
            input:
                model=group_files(
                    block_seeds, group, "model.pt", stage_root(variant, group)
                ),
                test=block_files(
                    block_seeds, "data/test.parquet", stage_root(variant, "data")
                ),
            output:
                metrics=group_files(block_seeds, group, "metrics.parquet", root),
            log:
                f"{root}/logs/block{block}/{log_name}.log",
            benchmark:
                f"{root}/benchmarks/block{block}/{log_name}.tsv"
            priority: 1
            conda:
                "../envs/devprune.yaml"
            threads: config["threads"]["evaluation"]
            resources:
                mem_mb=config["resources"]["evaluation"]["mem_mb"],
                runtime=config["resources"]["evaluation"]["runtime"],
                gpu=GPUS_PER_JOB,
            params:
                task=variant_config(variant)[0]["task"],
                evaluation=without_defaults(
                    "evaluation", variant_config(variant)[0]["evaluation"]
                ),
                seeds=block_seeds,
                device=config["device"],
            script:
                "../workflow_scripts/evaluate.py"
