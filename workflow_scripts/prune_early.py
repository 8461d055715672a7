"""Snakemake job: prune every seed's baseline of the block to one early density (one method), then
fine-tune them all as one stacked model."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.phased.stages import Method, TrainFiles, job_block, prune_early

params, files = snakemake.params, snakemake.input
prune_early(
    job_block(snakemake),
    TrainFiles(files.train, snakemake.output.model, snakemake.output.train_log, mask=snakemake.output.mask,
               parent=files.parent, trajectory=files.trajectory),
    params.stage, Method(params.method["method_name"], params.method["method"]), params.early_density,
)
