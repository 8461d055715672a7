"""Snakemake job: train every seed's dense baseline (stacked into one model) and keep its weight trajectory."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.phased.stages import TrainFiles, job_block, train_baseline

output = snakemake.output
train_baseline(
    job_block(snakemake),
    TrainFiles(snakemake.input.train, output.model, output.train_log, trajectory=output.trajectory),
    snakemake.params.model, snakemake.params.stage,
)
