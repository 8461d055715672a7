"""Snakemake job: train and test every trial of one dataset x architecture x method x length."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.forecast.stages import Trial, TrialFiles, train_trial
from devprune.runtime import configure_torch_job

wildcards, params, output = snakemake.wildcards, snakemake.params, snakemake.output
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
for trial, model, train_log, metrics in zip(params.trials, output.models, output.train_logs, output.metrics):
    train_trial(
        Trial(wildcards.dataset, params.target, wildcards.architecture, wildcards.fmethod, int(wildcards.length), trial),
        TrialFiles(snakemake.input.series, model, train_log, metrics),
        params.cfg, device,
    )
