"""Snakemake job: prune every seed's baseline of the block to one early density (one method), then
fine-tune them all as one stacked model."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.runtime import configure_torch_job
from devprune.phased.stages import Block, Method, TrainFiles, prune_early

params, files = snakemake.params, snakemake.input
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
prune_early(
    Block(params.seeds, params.task, device),
    TrainFiles(files.train, snakemake.output.model, snakemake.output.train_log, mask=snakemake.output.mask,
               parent=files.parent, trajectory=files.trajectory),
    params.stage, Method(params.method["method_name"], params.method["method"]), params.early_density,
)
