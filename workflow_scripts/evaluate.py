"""Snakemake job: evaluate one trained model on its seed's test set."""
from devprune.stages import configure_job, evaluate_model

configure_job(snakemake.threads, snakemake.log[0])
evaluate_model(
    snakemake.input.model, snakemake.input.test, snakemake.output.metrics,
    task_cfg=snakemake.params.task, eval_cfg=snakemake.params.evaluation, device=snakemake.params.device,
)
