"""Snakemake job: prune every seed's parent network (early: to a density; late: a share of
survivors), then fine-tune them all as one stacked model."""
from devprune.runtime import configure_torch_job
from devprune.stages import train_pruned

params = snakemake.params
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
train_pruned(
    snakemake.input.parent, snakemake.input.get("parent_mask"), snakemake.input.train,
    snakemake.output.model, snakemake.output.mask, snakemake.output.train_log,
    task_cfg=params.task, stage_cfg=params.stage, seeds=params.seeds, device=device, **params.method,
    trajectory_paths=snakemake.input.trajectory,
    early_density=params.get("early_density"), branch=params.get("branch"), late_fraction=params.get("late_fraction"),
)
