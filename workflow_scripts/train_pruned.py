"""Snakemake job: prune a parent network (early: to a density; late: a share of survivors), fine-tune."""
from devprune.stages import configure_job, train_pruned

configure_job(snakemake.threads, snakemake.log[0])
params = snakemake.params
train_pruned(
    snakemake.input.parent, snakemake.input.get("parent_mask"), snakemake.input.train,
    snakemake.output.model, snakemake.output.mask, snakemake.output.train_log,
    task_cfg=params.task, stage_cfg=params.stage, seed=int(snakemake.wildcards.seed), device=params.device,
    early_density=params.get("early_density"), branch=params.get("branch"), late_fraction=params.get("late_fraction"),
)
