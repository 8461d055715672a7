"""Snakemake job: train and test one forecaster (dataset x architecture x method x length x trial)."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.forecast.stages import Trial, TrialFiles, train_trial
from devprune.runtime import configure_torch_job

wildcards, params = snakemake.wildcards, snakemake.params
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
train_trial(
    Trial(wildcards.dataset, params.target, wildcards.architecture, wildcards.fmethod, int(wildcards.length),
          int(wildcards.trial)),
    TrialFiles(snakemake.input.series, snakemake.output.model, snakemake.output.train_log, snakemake.output.metrics),
    params.cfg, device,
)
