"""Snakemake job: evaluate a group of models of every seed of a block, each on its seed's test set."""
from devprune.runtime import configure_torch_job
from devprune.stages import evaluate_models

params = snakemake.params
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
evaluate_models(
    snakemake.input.model, dict(zip(params.seeds, snakemake.input.test, strict=True)), snakemake.output.metrics,
    task_cfg=params.task, eval_cfg=params.evaluation, device=device,
)
