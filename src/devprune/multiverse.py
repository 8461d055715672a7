"""A multiverse: the experiment under other readings of the choices its paper leaves open.

A *universe* is the base config with some keys changed (its *choices*, dotted keys such as
``early.tasks``). The base config itself is the default universe. Every config key belongs to
one stage of the DAG (:data:`SECTION_STAGE`), and a universe's files up to the stage before the
first one its choices touch are the default universe's own: a universe that only changes the
evaluation trains nothing. :meth:`Universe.up_to` gives the choices that shape one stage's
files, and so the directory those files live in (:meth:`Universe.directory`); universes that
agree on them share the files.

The config section ``multiverse`` declares the universes: ``axes`` (dotted key -> values to
try), ``design`` (``one_at_a_time``: each value alone; ``full``: every combination of every
axis's values with the base value) and ``combinations`` (explicit universes, each a mapping of
dotted keys to values).
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

from devprune.config import ConfigError, schema_node

#: The DAG's stages, in order: a stage's files depend on every stage before it.
STAGES = ("data", "baseline", "early", "late", "evaluation", "tables")
#: Which stage each config section feeds.
SECTION_STAGE = {"task": "data", "model": "baseline", "baseline": "baseline", "methods": "early", "early": "early",
                 "late": "late", "evaluation": "evaluation", "claims": "tables"}
#: Keys that decide which models exist (and so the DAG's shape) rather than how one is made.
SHAPE_KEYS = ("early.densities", "late.branches", "methods")  # and methods.<name>
DEFAULT = "default"


def stage_of(key: str) -> str:
    """The stage a dotted config key feeds (``early.tasks`` -> ``early``)."""
    return SECTION_STAGE[key.split(".", 1)[0]]


def _slug(value: Any) -> str:
    """A value as a path-safe word: ``visual``, ``32``, ``0.6-0.8``."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return re.sub(r"[^A-Za-z0-9._]+", "-", text).strip("-") or "-"


@dataclass(frozen=True)
class Universe:
    """A set of choices: (dotted key, value) pairs, sorted by key, none at the base value."""

    choices: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, choices: dict[str, Any]) -> "Universe":
        return cls(tuple(sorted(choices.items())))

    @property
    def name(self) -> str:
        """Readable and stable: ``early.tasks=visual+evaluation.noise_layers=last``, whatever
        order the config lists them in; ``default`` for no choice."""
        return "+".join(f"{key}={_slug(value)}" for key, value in self.choices) or DEFAULT

    def up_to(self, stage: str) -> "Universe":
        """The choices that shape the files of ``stage``: those of it and of the stages before."""
        last = STAGES.index(stage)
        return Universe(tuple((k, v) for k, v in self.choices if STAGES.index(stage_of(k)) <= last))

    def evaluating(self, stage: str) -> "Universe":
        """The choices that shape the metrics of the models ``stage`` trains: those up to that
        stage and the evaluation's own (a late-stage choice leaves the early models' metrics
        as they are)."""
        last = STAGES.index(stage)
        return Universe(tuple((k, v) for k, v in self.choices
                              if STAGES.index(stage_of(k)) <= last or stage_of(k) == "evaluation"))

    def directory(self, results: str) -> str:
        """Where files shaped by these choices live: ``results`` itself for none (the plain run's
        files are the default universe's), else ``results/universes/<name>``."""
        return results if not self.choices else f"{results}/universes/{self.name}"

    def apply(self, config: dict) -> dict:
        """``config`` with these choices made."""
        changed = copy.deepcopy(config)
        for key, value in self.choices:
            *parents, last = key.split(".")
            node = changed
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = copy.deepcopy(value)
        return changed


def _get(config: dict, key: str):
    """The base config's value of a dotted key: the config's own, or the schema's default."""
    node = config
    try:
        for part in key.split("."):
            node = node[part]
    except (KeyError, TypeError):
        spec = schema_node(key)
        if spec is None or "default" not in spec:
            raise KeyError(key) from None
        return spec["default"]
    return node


def declared_universes(config: dict) -> list[Universe]:
    """The default universe, then every universe the ``multiverse`` section declares (choices at
    the base value dropped, duplicates once), in declaration order."""
    spec = config.get("multiverse") or {}
    axes = spec.get("axes") or {}
    universes = [Universe()]
    if spec.get("design", "one_at_a_time") == "full":
        levels = [[_get(config, key), *values] for key, values in axes.items()]
        designs = [dict(zip(axes, combination)) for combination in itertools.product(*levels)]
    else:
        designs = [{key: value} for key, values in axes.items() for value in values]
    designs += list(spec.get("combinations") or [])
    for choices in designs:
        universe = Universe.of({key: value for key, value in choices.items() if value != _get(config, key)})
        if universe not in universes:
            universes.append(universe)
    return universes


def check_multiverse(config: dict, validate) -> None:
    """Refuse a bad multiverse before any job: an axis that is no key of the phased experiment,
    a key that changes which models exist, a value the schema or the config check refuses
    (``validate(config)`` raises for those), two universes with one name."""
    spec = config.get("multiverse") or {}
    keys = list(spec.get("axes") or {}) + [key for combination in spec.get("combinations") or [] for key in combination]
    for key in keys:
        where = f"multiverse.axes.{key}"
        if key.split(".", 1)[0] not in SECTION_STAGE:
            raise ConfigError(where, key, f"an axis must be a key of one of the phased experiment's sections "
                                          f"{sorted(SECTION_STAGE)} (forecast and run settings are not choices of the protocol)")
        try:
            _get(config, key)
        except KeyError:
            raise ConfigError(where, key, "is no key of the config or its schema; axes name config keys, e.g. "
                                          "early.tasks (README, config reference)") from None
        if key in SHAPE_KEYS or (key.startswith("methods.") and key.count(".") == 1):
            raise ConfigError(where, key, "changes which models exist, not how one is made; run it as an experiment of its own")
    names = {}
    for universe in declared_universes(config)[1:]:
        keys, values = zip(*universe.choices)
        where, value = f"multiverse.axes.{'+'.join(keys)}", values[0] if len(values) == 1 else list(values)
        try:
            validate(universe.apply(config))
        except ConfigError as error:
            raise ConfigError(where, value, f"universe {universe.name}: {error}") from None
        except Exception as error:  # the schema's refusal
            raise ConfigError(where, value, f"universe {universe.name} is not a valid config: "
                                            f"{str(error).splitlines()[0]}") from None
        if names.get(universe.name, universe) != universe:
            raise ConfigError("multiverse", universe.name, "two universes would share this name; change one value")
        names[universe.name] = universe
