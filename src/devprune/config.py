"""Configuration: the JSON schema, checks the schema cannot express, and hashing.

Snakemake validates config.yaml against ``config.schema.yaml`` (``snakemake.utils.validate``);
:func:`check_config` adds the cross-key rules. Both run before any job is planned.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

SCHEMA_PATH = resources.files("devprune") / "config.schema.yaml"


class ConfigError(ValueError):
    """A config value that is well-typed but not allowed; the message names key, value, rule."""

    def __init__(self, key: str, value: Any, allowed: str):
        super().__init__(f"config key '{key}' = {value!r}: {allowed}")
        self.key = key


def check_config(config: dict) -> None:
    """Raise :class:`ConfigError` for the first rule that spans several keys and is broken."""
    task = config["task"]
    n_classes = len(task["centers"])
    if sorted(task["voice_permutation"]) != list(range(n_classes)):
        raise ConfigError(
            "task.voice_permutation",
            task["voice_permutation"],
            f"must be a permutation of 0..{n_classes - 1} (one voice label per cluster centre)",
        )
    if task["visual_cue"] == task["voice_cue"]:
        raise ConfigError("task.voice_cue", task["voice_cue"], "must differ from task.visual_cue")
    branches = sorted(config["late"]["branches"])
    claims = config["claims"]
    for key in ("reference_branch", "comparison_branch"):
        if claims[key] not in branches:
            raise ConfigError(f"claims.{key}", claims[key], f"must be one of the late branches {branches}")
    if claims["reference_branch"] == claims["comparison_branch"]:
        raise ConfigError(
            "claims.comparison_branch", claims["comparison_branch"], "must differ from claims.reference_branch"
        )
    if claims["low_density"] >= claims["high_density"]:
        raise ConfigError("claims.low_density", claims["low_density"], "must be below claims.high_density")
    for name, method in config["methods"].items():
        resolve_method(name, method, config)
    check_forecast(config["forecast"])


def check_frequency(key: str, value: str) -> None:
    """A pandas frequency string (``1h``, ``1D``, ``W``), checked before any data are read."""
    from pandas.tseries.frequencies import to_offset

    try:
        to_offset(value)
    except ValueError:
        raise ConfigError(key, value, "must be a pandas frequency such as '1h', '6h', '1D' or 'W'") from None


#: Forecast sources with a time index that ``resample`` averages over.
RESAMPLED_SOURCES = ("household_power", "beijing_pm")


def check_forecast(forecast: dict) -> None:
    """Cross-key rules of the forecasting benchmark's section."""
    for name, dataset in forecast["datasets"].items():
        for key in ("path", "time_column", "columns"):
            if key in dataset and dataset["source"] != "csv":
                raise ConfigError(f"forecast.datasets.{name}.{key}", dataset[key], "is only used by source 'csv'")
        if dataset["source"] == "csv" and "path" not in dataset:
            raise ConfigError(f"forecast.datasets.{name}.path", None, "source 'csv' needs the file's path")
        if "resample" in dataset:
            key = f"forecast.datasets.{name}.resample"
            if dataset["source"] not in RESAMPLED_SOURCES:
                raise ConfigError(key, dataset["resample"], f"is only used by sources {', '.join(map(repr, RESAMPLED_SOURCES))}")
            check_frequency(key, dataset["resample"])
    if forecast["split"]["train"] + forecast["split"]["validation"] >= 1:
        raise ConfigError("forecast.split.validation", forecast["split"]["validation"], "train + validation must leave a test share")
    if forecast["model"]["d_model"] % forecast["model"]["heads"]:
        raise ConfigError("forecast.model.d_model", forecast["model"]["d_model"], f"must be a multiple of forecast.model.heads ({forecast['model']['heads']})")
    pruning = forecast["pruning"]
    if pruning["s_min"] > pruning["s_max"]:
        raise ConfigError("forecast.pruning.s_min", pruning["s_min"], f"must be at most forecast.pruning.s_max ({pruning['s_max']})")
    if pruning["warmup"] > forecast["epochs"]:
        raise ConfigError("forecast.pruning.warmup", pruning["warmup"], f"must be at most forecast.epochs ({forecast['epochs']})")


#: Pruning methods: criterion, scope and schedule, each with the keys only it uses (and their
#: defaults). The schema lists every key; the README documents what each one does.
METHOD_BASICS = {"criterion": "magnitude", "scope": "global", "schedule": "one_shot"}
CRITERION_KEYS = {"magnitude": {}, "random": {}, "saliency": {"samples": 512}, "neuron_activation": {"samples": 512}}
SCHEDULE_KEYS = {
    "one_shot": {},
    "iterative": {"steps": 3},
    "cubic": {"warmup": 0.1, "ramp_end": 0.8, "prune_every": 5},
    "rewind": {"rewind_epoch": 0},
    "regrow": {"regrow_fraction": 0.1, "regrow_every": 100, "regrow_until": 0.75},
}
RESERVED_METHOD_NAMES = ("baseline", "data")  # directories beside the methods' in a seed's folder


def resolve_method(name: str, method: dict, config: dict) -> dict:
    """The method's settings with every default filled in; raise :class:`ConfigError` for a key
    its criterion or schedule does not use and for combinations that cannot work."""
    key = f"methods.{name}"
    if name in RESERVED_METHOD_NAMES:
        raise ConfigError("methods", name, f"method names {list(RESERVED_METHOD_NAMES)} are reserved for other results")
    resolved = {**METHOD_BASICS, **method}
    criterion, schedule = resolved["criterion"], resolved["schedule"]
    used = {**CRITERION_KEYS[criterion], **SCHEDULE_KEYS[schedule]}
    unused = sorted(set(method) - set(METHOD_BASICS) - set(used))
    if unused:
        extra = unused[0]
        raise ConfigError(
            f"{key}.{extra}", method[extra],
            f"is not used by criterion {criterion!r} with schedule {schedule!r} (their keys: {sorted(used) or 'none'})",
        )
    resolved = {**METHOD_BASICS, **used, **method}
    if criterion == "neuron_activation" and resolved["scope"] != "global":
        raise ConfigError(f"{key}.scope", resolved["scope"], "criterion 'neuron_activation' removes whole neurons; only 'global' applies")
    if criterion == "neuron_activation" and schedule == "regrow":
        raise ConfigError(f"{key}.criterion", criterion, "schedule 'regrow' swaps single weights; use an unstructured criterion")
    if schedule == "iterative":
        epochs = min(config["early"]["epochs"], config["late"]["epochs"])
        if resolved["steps"] > epochs:
            raise ConfigError(f"{key}.steps", resolved["steps"], f"must be at most the fewest stage epochs ({epochs}): one step per epoch at most")
    if schedule == "cubic" and resolved["warmup"] >= resolved["ramp_end"]:
        raise ConfigError(f"{key}.warmup", resolved["warmup"], f"must be below {key}.ramp_end ({resolved['ramp_end']})")
    if schedule == "rewind" and resolved["rewind_epoch"] > config["baseline"]["epochs"]:
        raise ConfigError(
            f"{key}.rewind_epoch", resolved["rewind_epoch"], f"must be at most baseline.epochs ({config['baseline']['epochs']})"
        )
    return resolved


def in_schema_order(config: dict, schema: dict | None = None) -> dict:
    """``config`` with every mapping's keys in the schema's order, the same whatever order the file
    wrote them in (Snakemake compares a job's params by their ``repr``, so the same settings in
    another key order, as a YAML tool that sorts keys writes them, would rerun every job).
    Mappings of user-chosen names (methods, branches, datasets) keep their order: it is the order
    of the tables and figures."""
    root = load_schema() if schema is None else schema

    def node(value, spec: dict):
        spec = root["$defs"][spec["$ref"].rsplit("/", 1)[1]] if "$ref" in spec else spec
        if not isinstance(value, dict):
            return value
        named = spec.get("properties", {})
        keys = [key for key in named if key in value] + [key for key in value if key not in named]
        return {key: node(value[key], named.get(key) or spec.get("additionalProperties") or {}) for key in keys}

    return node(config, root)


#: Keys that decide how jobs run but never a number they produce (tested): left out of the hash
#: that names the phased tables, like the forecast section, which the tables do not read.
NOT_IN_RESULTS_HASH = ("threads", "seed_block", "forecast")


def results_hash(config: dict) -> str:
    """The hash that names the phased experiment's tables: every setting that shapes a number."""
    return stable_hash({key: value for key, value in config.items() if key not in NOT_IN_RESULTS_HASH})


def stable_hash(*parts: Any) -> str:
    """Short SHA-256 of JSON-serialisable parts; equal settings give equal hashes everywhere."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def seed_blocks(seeds: list[int], size: int) -> dict[int, list[int]]:
    """The seeds each job trains together: block ``b`` holds the configured seeds in
    ``[b * size, (b + 1) * size)``, in ascending order.

    A seed's block follows from its value alone, never from its position in ``seeds``, so
    appending seeds (or reordering the list) leaves every existing block, and its jobs, as it was.
    """
    blocks: dict[int, list[int]] = {}
    for seed in sorted(seeds):
        blocks.setdefault(seed // size, []).append(seed)
    return blocks


def density_label(density: float) -> str:
    """Directory name of a density: 0.1 -> 'd10', 0.125 -> 'd12.5'."""
    return f"d{density * 100:.6g}"


def load_schema() -> dict:
    import yaml

    return yaml.safe_load(SCHEMA_PATH.read_text())


def config_reference_markdown() -> str:
    """The README's config reference, generated from the schema so the two cannot drift."""
    schema = load_schema()
    rows = ["| key | allowed | description |", "|---|---|---|"]

    def resolve(node: dict) -> dict:
        if "$ref" in node:
            target = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
            return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def allowed(node: dict) -> str:
        if "enum" in node:
            return " \\| ".join(f"`{v}`" for v in node["enum"])
        kind = node.get("type", "")
        bounds = []
        for word, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
            if word in node:
                bounds.append(f"{sign} {node[word]}")
        if kind == "array":
            item = resolve(node.get("items", {}))
            return f"list of ({allowed(item)})" if "," in allowed(item) else f"list of {allowed(item)}"
        if kind == "object" and "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
            return f"map name → {allowed(node['additionalProperties'])}"
        return ", ".join([kind, *bounds])

    def walk(node: dict, prefix: str) -> None:
        for key, sub in node.get("properties", {}).items():
            sub = resolve(sub)
            name = f"{prefix}{key}"
            entry = resolve(sub.get("additionalProperties", {})) if isinstance(sub.get("additionalProperties"), dict) else {}
            if "properties" in sub:
                walk(sub, name + ".")
            elif "properties" in entry:  # a map of named objects: one row for the map, then its keys
                rows.append(f"| `{name}` | map name → object | {' '.join(sub.get('description', '').split())} |")
                walk(entry, f"{name}.<name>.")
            else:
                description = " ".join(sub.get("description", "").split())
                rows.append(f"| `{name}` | {allowed(sub)} | {description} |")

    walk(schema, "")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(config_reference_markdown(), end="")
