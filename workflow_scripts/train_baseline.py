"""Snakemake job: train every seed's dense baseline (stacked into one model) and keep its weight trajectory."""
from devprune.runtime import configure_torch_job
from devprune.stages import train_baseline

params = snakemake.params
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
train_baseline(
    snakemake.input.train, snakemake.output.model, snakemake.output.train_log, snakemake.output.trajectory,
    task_cfg=params.task, model_cfg=params.model, stage_cfg=params.stage, seeds=params.seeds, device=device,
)
