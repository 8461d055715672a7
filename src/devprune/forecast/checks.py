"""The forecasting section's cross-key rules, run with the config check before any job
(:func:`devprune.config.check_config` checks the phased experiment's; the workflow runs both)."""

from __future__ import annotations

from devprune.config import ConfigError, check_frequency
from devprune.forecast.registry import ARCHITECTURES, METHODS, SOURCES


def check_forecast(forecast: dict) -> None:
    """Cross-key rules of the forecasting benchmark's section; sources, architectures and
    methods are the registered ones (:mod:`devprune.forecast.registry`)."""
    named = {"architectures": forecast["architectures"], "methods": forecast["methods"],
             "pruning.by_architecture": list(forecast["pruning"].get("by_architecture", {}))}
    for key, table in (("architectures", ARCHITECTURES), ("methods", METHODS), ("pruning.by_architecture", ARCHITECTURES)):
        for name in named[key]:
            if name not in table:
                raise ConfigError(f"forecast.{key}", name, f"is not registered; registered are {', '.join(table)} "
                                                           f"(devprune.forecast.registry)")
    for name, dataset in forecast["datasets"].items():
        source = SOURCES.get(dataset["source"])
        if source is None:
            raise ConfigError(f"forecast.datasets.{name}.source", dataset["source"],
                              f"is not registered; registered are {', '.join(SOURCES)} (devprune.forecast.registry)")
        for key in set(dataset) - {"source", "target", *source.keys}:
            users = [s.name for s in SOURCES.values() if key in s.keys]
            raise ConfigError(f"forecast.datasets.{name}.{key}", dataset[key], f"is only used by source(s) {', '.join(users)}")
        for key in source.required:
            if key not in dataset:
                raise ConfigError(f"forecast.datasets.{name}.{key}", None, f"source {source.name!r} needs it")
        if "resample" in dataset:
            check_frequency(f"forecast.datasets.{name}.resample", dataset["resample"])
    if forecast["split"]["train"] + forecast["split"]["validation"] >= 1:
        raise ConfigError("forecast.split.validation", forecast["split"]["validation"], "train + validation must leave a test share")
    if forecast["model"]["d_model"] % forecast["model"]["heads"]:
        raise ConfigError("forecast.model.d_model", forecast["model"]["d_model"], f"must be a multiple of forecast.model.heads ({forecast['model']['heads']})")
    pruning = forecast["pruning"]
    if pruning["s_min"] > pruning["s_max"]:
        raise ConfigError("forecast.pruning.s_min", pruning["s_min"], f"must be at most forecast.pruning.s_max ({pruning['s_max']})")
    if pruning["warmup"] > forecast["epochs"]:
        raise ConfigError("forecast.pruning.warmup", pruning["warmup"], f"must be at most forecast.epochs ({forecast['epochs']})")
