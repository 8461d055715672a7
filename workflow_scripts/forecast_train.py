"""Snakemake job: train and test one forecaster (dataset x architecture x method x length x trial)."""
from devprune.forecast.stages import train_trial
from devprune.runtime import configure_torch_job

wildcards, params = snakemake.wildcards, snakemake.params
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
train_trial(
    snakemake.input.series, snakemake.output.model, snakemake.output.train_log, snakemake.output.metrics,
    dataset=wildcards.dataset, target=params.target, architecture=wildcards.architecture, method=wildcards.fmethod,
    length=int(wildcards.length), trial=int(wildcards.trial), cfg=params.cfg, device=device,
)
