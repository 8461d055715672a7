# Evaluation: one job per block and group of models made together (EVALUATION_GROUPS: the
# baseline; a method's early models; a method's late models of one branch), so a job pays Python
# and torch start-up once for many models (bench/startup.py) and a change reruns only its group.
# Every model keeps its own metrics file. Priority: an evaluation job runs as soon as its models
# exist, beside the remaining training jobs, instead of last and alone on one core (bench/).
for block, block_seeds in BLOCKS.items():
    for group, log_name in EVALUATION_LOGS.items():

        rule:
            name:
                f"evaluate_{group}_block{block}"
            input:
                model=group_files(block_seeds, group, "model.pt"),
                test=block_files(block_seeds, "data/test.parquet"),
            output:
                metrics=group_files(block_seeds, group, "metrics.parquet"),
            log:
                f"{LOGS}/block{block}/{log_name}.log",
            benchmark:
                f"{BENCH}/block{block}/{log_name}.tsv"
            priority: 1
            conda:
                "../envs/devprune.yaml"
            threads: config["threads"]["evaluation"]
            resources:
                mem_mb=2000,
                runtime=10,
                gpu=GPUS_PER_JOB,
            params:
                task=config["task"],
                evaluation=without_defaults("evaluation", config["evaluation"]),
                seeds=block_seeds,
                device=config["device"],
            script:
                "../workflow_scripts/evaluate.py"
