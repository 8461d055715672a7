"""Snakemake job: train the dense baseline of one seed."""
from devprune.stages import configure_job, train_baseline

configure_job(snakemake.threads, snakemake.log[0])
train_baseline(
    snakemake.input.train, snakemake.output.model, snakemake.output.train_log,
    task_cfg=snakemake.params.task, model_cfg=snakemake.params.model, stage_cfg=snakemake.params.stage,
    seed=int(snakemake.wildcards.seed), device=snakemake.params.device,
)
