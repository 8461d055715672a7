"""Snakemake job: train and test every trial of one dataset x architecture x method x length
(or, for a method that shares another's training, test that method's trained models)."""
from devprune.warm_jobs import hand_over

hand_over(snakemake.config["warm_start"])

from devprune.forecast.stages import Trial, TrialFiles, train_trial
from devprune.runtime import configure_torch_job

wildcards, params, inputs, output = snakemake.wildcards, snakemake.params, snakemake.input, snakemake.output
device = configure_torch_job(snakemake.threads, params.device, snakemake.log[0], snakemake.rule)
shared = (list(map(TrialFiles, [inputs.series] * len(params.trials), inputs.shared_models, inputs.shared_train_logs,
                   inputs.shared_metrics)) if hasattr(inputs, "shared_models") else [None] * len(params.trials))
for trial, model, train_log, metrics, trained in zip(params.trials, output.models, output.train_logs, output.metrics, shared):
    train_trial(
        Trial(wildcards.dataset, params.target, wildcards.architecture, wildcards.fmethod, int(wildcards.length), trial),
        TrialFiles(inputs.series, model, train_log, metrics),
        params.cfg, device, trained,
    )
