"""Snakemake job: prune one late branch's share of every early network's survivors (one method and
density), then fine-tune them all as one stacked model."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.phased.stages import Method, TrainFiles, job_block, prune_late

params, files = snakemake.params, snakemake.input
prune_late(
    job_block(snakemake),
    TrainFiles(files.train, snakemake.output.model, snakemake.output.train_log, mask=snakemake.output.mask,
               parent=files.parent, parent_mask=files.parent_mask, trajectory=files.trajectory),
    params.stage, Method(params.method["method_name"], params.method["method"]), params.branch, params.late_fraction,
)
