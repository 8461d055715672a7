"""Snakemake job: evaluate one model directory of every seed on that seed's test set."""
from devprune.runtime import configure_torch_job
from devprune.stages import evaluate_models

params = snakemake.params
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
evaluate_models(
    snakemake.input.model, snakemake.input.test, snakemake.output.metrics,
    task_cfg=params.task, eval_cfg=params.evaluation, device=device,
)
