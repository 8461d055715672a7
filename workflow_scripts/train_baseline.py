"""Snakemake job: train every seed's dense baseline (stacked into one model) and keep its weight trajectory."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.runtime import configure_torch_job
from devprune.phased.stages import Block, TrainFiles, train_baseline

params, output = snakemake.params, snakemake.output
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
train_baseline(
    Block(params.seeds, params.task, device),
    TrainFiles(snakemake.input.train, output.model, output.train_log, trajectory=output.trajectory),
    params.model, params.stage,
)
