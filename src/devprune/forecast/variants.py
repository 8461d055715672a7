"""Variants of the forecasting benchmark, for attribution: which of the authors' choices makes
pruning win?

``forecast.attribution.steps`` lists named steps, each a set of ``forecast`` keys (merged over
the section, mappings key by key). The variants are the default benchmark, the steps applied
cumulatively (step 1; steps 1+2; ...), and, with ``alone``, every later step on its own (step 1
alone is the first cumulative variant). A variant's cell (dataset x architecture x method) is
trained once per distinct training: its files are those of the first variant, the default
first, whose split and method settings (:func:`~devprune.forecast.stages.method_settings`) are
the same, so a step that changes only the pruning arm trains nothing but pruning jobs.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from devprune.config import ConfigError, without_defaults
from devprune.forecast.stages import method_settings

DEFAULT = "default"
#: Keys that decide which cells exist, not how one is trained: not a step's to change.
FIXED_KEYS = ("experiment", "datasets", "architectures", "methods", "sequence_lengths", "trials", "trial_block",
              "attribution")


@dataclass(frozen=True)
class Variant:
    """The steps a variant applies, in order; ``kind``: default, cumulative or alone."""

    steps: tuple[str, ...] = ()
    kind: str = DEFAULT

    @property
    def name(self) -> str:
        """``schedule+handicaps``; ``default`` for no step."""
        return "+".join(self.steps) or DEFAULT


def merged(base: dict, changes: dict) -> dict:
    """``base`` with ``changes`` made: mappings merged key by key, any other value replaced."""
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def declared_variants(forecast: dict) -> list[Variant]:
    """The default, then the cumulative variants, then (with ``alone``) each later step alone."""
    spec = forecast.get("attribution") or {}
    names = [step["name"] for step in spec.get("steps", [])]
    variants = [Variant()]
    variants += [Variant(tuple(names[:k]), "cumulative") for k in range(1, len(names) + 1)]
    if spec.get("alone", True):
        variants += [Variant((name,), "alone") for name in names[1:]]
    return variants


def variant_forecast(forecast: dict, variant: Variant) -> dict:
    """The forecast section under ``variant``'s steps."""
    steps = {step["name"]: step["forecast"] for step in (forecast.get("attribution") or {}).get("steps", [])}
    section = forecast
    for name in variant.steps:
        section = merged(section, steps[name])
    return section


def attribution_datasets(forecast: dict) -> list[str]:
    """The datasets the variants run on: ``attribution.datasets``, else every dataset."""
    return list((forecast.get("attribution") or {}).get("datasets") or forecast["datasets"])


class Attribution:
    """The declared variants of one forecast section, and which variant's files each of their
    datasets and cells are (the first variant, default first, that computes the same)."""

    def __init__(self, forecast: dict):
        self.variants = declared_variants(forecast)
        self.sections = {variant: variant_forecast(forecast, variant) for variant in self.variants}
        self.datasets = attribution_datasets(forecast)
        self._data_owners = self._first(lambda section: without_defaults("forecast.split", section["split"]))
        self._cell_owners = {
            (architecture, method): self._first(lambda section: (without_defaults("forecast.split", section["split"]),
                                                                 method_settings(section, method, architecture)))
            for architecture in forecast["architectures"] for method in forecast["methods"]}

    def _first(self, key) -> dict:
        """Each variant's first variant (declaration order) with the same ``key(section)``."""
        keys = {variant: json.dumps(key(self.sections[variant]), sort_keys=True) for variant in self.variants}
        owners = {}
        for variant in self.variants:
            owners.setdefault(keys[variant], variant)
        return {variant: owners[keys[variant]] for variant in self.variants}

    def data_owner(self, variant: Variant) -> Variant:
        """The variant whose prepared series ``variant`` reads (the split settings decide them)."""
        return self._data_owners[variant]

    def cell_owner(self, variant: Variant, architecture: str, method: str) -> Variant:
        """The variant whose trained files ``variant``'s (architecture, method) cells are."""
        return self._cell_owners[architecture, method][variant]


def check_attribution(forecast: dict, validate) -> None:
    """Refuse a bad ``forecast.attribution`` before any job: a dataset the benchmark lacks, no
    pruning arm to rank, a step name used twice, a step that changes which cells exist, a
    variant whose forecast section the schema or the config check refuses (``validate(section)``
    raises for those)."""
    spec = forecast.get("attribution") or {}
    if not spec.get("steps"):
        return
    for name in attribution_datasets(forecast):
        if name not in forecast["datasets"]:
            raise ConfigError("forecast.attribution.datasets", name,
                              f"is not a dataset of forecast.datasets ({', '.join(forecast['datasets'])})")
    if "pruning" not in forecast["methods"] or len(forecast["methods"]) < 2:
        raise ConfigError("forecast.methods", forecast["methods"],
                          "attribution ranks pruning against the other methods: list pruning and at least one other")
    seen = set()
    for index, step in enumerate(spec["steps"]):
        where = f"forecast.attribution.steps[{index}]"
        if step["name"] in seen or step["name"] == DEFAULT:
            raise ConfigError(f"{where}.name", step["name"], "names another step (or the default): give each step its own name")
        seen.add(step["name"])
        for key in step["forecast"]:
            if key in FIXED_KEYS:
                raise ConfigError(f"{where}.forecast.{key}", step["forecast"][key],
                                  "decides which cells exist, not how one is trained; a step may set any other "
                                  "forecast key (run other cells as an experiment of their own)")
    for variant in declared_variants(forecast)[1:]:
        try:
            validate(variant_forecast(forecast, variant))
        except ConfigError as error:
            raise ConfigError("forecast.attribution.steps", variant.name, f"variant {variant.name}: {error}") from None
        except Exception as error:  # the schema's refusal
            raise ConfigError("forecast.attribution.steps", variant.name,
                              f"variant {variant.name} is not a valid forecast section: {str(error).splitlines()[0]}") from None
