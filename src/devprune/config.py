"""Configuration: the JSON schema, checks the schema cannot express, and hashing.

Snakemake validates config.yaml against ``config.schema.yaml`` (``snakemake.utils.validate``);
:func:`check_config` adds the cross-key rules. Both run before any job is planned.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_PATH = resources.files("devprune") / "config.schema.yaml"


class ConfigError(ValueError):
    """A config value that is well-typed but not allowed; the message names key, value, rule."""

    def __init__(self, key: str, value: Any, allowed: str):
        super().__init__(f"config key '{key}' = {value!r}: {allowed}")
        self.key = key


#: Output names a phased experiment cannot take: the forecasting wing's downloads folder, and the
#: path components "." and ".." (outside ``results_dir``).
RESERVED_EXPERIMENTS = ("downloads", ".", "..")


def check_values(config: dict, schema: dict | None = None) -> None:
    """What JSON Schema lets through: a whole-number float where an integer is required (JSON
    counts 2.0 as an integer, and Snakemake would name rules ``data_block0.0``) and a non-finite
    number (NaN passes every minimum and maximum). Raises :class:`ConfigError` naming the key."""
    root = load_schema() if schema is None else schema

    def walk(value, node: dict, key: str) -> None:
        node = resolved(root, node)
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(key, value, "must be a finite number (not NaN or infinity)")
        if node.get("type") == "integer" and isinstance(value, float):
            raise ConfigError(key, value, f"must be a whole number written without a decimal point, e.g. {int(value)}"
                              if value.is_integer() else "must be a whole number")
        if isinstance(value, dict):
            named = node.get("additionalProperties")
            for child_key, child in value.items():
                spec = node.get("properties", {}).get(child_key) or (named if isinstance(named, dict) else {})
                walk(child, spec, f"{key}.{child_key}" if key else str(child_key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, node.get("items", {}) if isinstance(node.get("items"), dict) else {}, f"{key}[{i}]")

    walk(config, root, "")


def check_config_files(paths) -> None:
    """Refuse a config file that is not valid YAML (a syntax error, a tab indent), that is not a
    mapping of keys, or that gives one key twice in a mapping, which YAML loaders (and so
    Snakemake) accept by letting the last value win silently; the error names file and line."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise ConfigError(f"{key_node.start_mark.name}:{key_node.start_mark.line + 1}", key,
                                      f"is given twice in one mapping (first on line {seen[key]}); the second would "
                                      "silently win: delete one")
                seen[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep=deep)

    for path in paths:
        with open(path, encoding="utf-8") as handle:
            try:
                loaded = yaml.load(handle, Loader=StrictLoader)  # JSON is YAML too
            except yaml.MarkedYAMLError as error:
                mark = error.problem_mark or error.context_mark
                raise ConfigError(f"{path}:{mark.line + 1}", _snippet(path, mark.line),
                                  f"is not valid YAML ({error.problem}, column {mark.column + 1}); YAML "
                                  f"indents with spaces, never tabs") from None
        if not isinstance(loaded, dict):
            raise ConfigError(str(path), type(loaded).__name__, "a config file must be a mapping of keys at top level "
                              "(key: value lines), not a list or a single value")


def _snippet(path, line: int) -> str:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return lines[line] if line < len(lines) else ""


def check_config(config: dict) -> None:
    """Raise :class:`ConfigError` for the first rule that spans several keys and is broken."""
    check_values(config)
    if config["experiment"] in RESERVED_EXPERIMENTS:
        raise ConfigError("experiment", config["experiment"], f"is reserved ({', '.join(RESERVED_EXPERIMENTS)}): choose another name")
    if config["experiment"] == config["forecast"]["experiment"]:
        raise ConfigError("experiment", config["experiment"], "must differ from forecast.experiment (both write under results_dir)")
    results_dir = Path(config["results_dir"])
    if results_dir.is_absolute():
        raise ConfigError("results_dir", config["results_dir"], "must be a path relative to the working directory")
    if results_dir.exists() and not results_dir.is_dir():
        raise ConfigError("results_dir", config["results_dir"], "is an existing file, not a directory: choose another path")
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
    mid = claims.get("mid_densities", schema_defaults("claims")["mid_densities"])
    if mid[0] > mid[1]:
        raise ConfigError("claims.mid_densities", mid, "must be [lowest, highest]: lowest first")
    densities = config["early"]["densities"]
    for key, selects in (("low_density", lambda t: any(d <= t for d in densities)),
                         ("high_density", lambda t: any(d >= t for d in densities))):
        if not selects(claims[key]):
            raise ConfigError(f"claims.{key}", claims[key], f"selects none of early.densities {densities}; the claims "
                                                             "that read it would have no value")
    for name, method in config["methods"].items():
        resolve_method(name, method, config)


def check_frequency(key: str, value: str) -> None:
    """A pandas frequency string (``1h``, ``1D``, ``W``), checked before any data are read."""
    from pandas.tseries.frequencies import to_offset

    try:
        to_offset(value)
    except ValueError:
        raise ConfigError(key, value, "must be a pandas frequency such as '1h', '6h', '1D' or 'W'") from None


#: What a method says when it says nothing: the paper's one-shot global magnitude pruning. The
#: keys each criterion and schedule adds, with their defaults, are declared in the registry.
METHOD_BASICS = {"criterion": "magnitude", "scope": "global", "schedule": "one_shot"}
RESERVED_METHOD_NAMES = ("baseline", "data")  # directories beside the methods' in a seed's folder


def resolve_method(name: str, method: dict, config: dict) -> dict:
    """The method's settings with every default filled in (from :mod:`devprune.pruning.registry`);
    raise :class:`ConfigError` for an unknown criterion or schedule, a key they do not use, a
    value they do not allow and combinations that cannot work."""
    from jsonschema import Draft202012Validator

    from devprune.pruning.registry import CRITERIA, SCHEDULES, method_keys

    key = f"methods.{name}"
    if name in RESERVED_METHOD_NAMES:
        raise ConfigError("methods", name, f"method names {list(RESERVED_METHOD_NAMES)} are reserved for other results")
    resolved = {**METHOD_BASICS, **method}
    for part, registered in (("criterion", CRITERIA), ("schedule", SCHEDULES)):
        if resolved[part] not in registered:
            raise ConfigError(f"{key}.{part}", resolved[part], f"must be one of {sorted(registered)}")
    criterion, schedule = CRITERIA[resolved["criterion"]], SCHEDULES[resolved["schedule"]]
    used = method_keys(resolved)
    unused = sorted(set(method) - set(METHOD_BASICS) - set(used))
    if unused:
        extra = unused[0]
        raise ConfigError(
            f"{key}.{extra}", method[extra],
            f"is not used by criterion {criterion.name!r} with schedule {schedule.name!r} (their keys: {sorted(used) or 'none'})",
        )
    for name_, spec in used.items():
        if name_ in method and not Draft202012Validator(spec.allowed).is_valid(method[name_]):
            raise ConfigError(f"{key}.{name_}", method[name_], f"allowed: {allowed_text(spec.allowed)}")
    resolved = {**METHOD_BASICS, **{k: spec.default for k, spec in used.items()}, **method}
    if criterion.structured and resolved["scope"] != "global":
        raise ConfigError(f"{key}.scope", resolved["scope"], f"criterion {criterion.name!r} removes whole neurons; only 'global' applies")
    if criterion.structured and schedule.swaps_weights:
        raise ConfigError(f"{key}.criterion", criterion.name, f"schedule {schedule.name!r} swaps single weights; use an unstructured criterion")
    problem = schedule.check(resolved, config)
    if problem:
        raise ConfigError(f"{key}.{problem[0]}", resolved[problem[0]], problem[1])
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
#: that names the phased tables, like the forecast section, which the tables do not read. The
#: container, like the machine, is recorded in each row's provenance instead.
NOT_IN_RESULTS_HASH = ("threads", "resources", "seed_block", "warm_start", "container", "forecast", "multiverse")


def results_hash(config: dict) -> str:
    """The hash that names the phased experiment's tables (the ``results_hash`` of their rows):
    every setting that shapes a number. Each artifact's own ``settings_hash`` is narrower: its
    parent's hash and its own stage's settings."""
    return stable_hash({key: value for key, value in config.items() if key not in NOT_IN_RESULTS_HASH})


def forecast_results_hash(config: dict) -> str:
    """The hash that names the forecasting benchmark's tables: its own section, nothing else, and
    not ``trial_block``, which decides how trials are grouped into jobs, nor ``attribution``,
    which adds variants beside the benchmark and changes none of its numbers."""
    return stable_hash({key: value for key, value in forecast_without_defaults(config["forecast"]).items()
                        if key not in ("trial_block", "attribution")})


def forecast_without_defaults(forecast: dict) -> dict:
    """The forecast section less the keys at their documented default, in it and in its
    ``split`` and ``pruning`` (:func:`without_defaults`)."""
    minimal = without_defaults("forecast", forecast)
    for section in ("split", "pruning"):
        minimal[section] = without_defaults(f"forecast.{section}", forecast[section])
    return minimal


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


def resolved(schema: dict, node: dict) -> dict:
    """A schema node with its ``$ref`` (into ``$defs``) resolved, the node's own keys winning."""
    if "$ref" not in node:
        return node
    return {**schema["$defs"][node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}


@functools.lru_cache(maxsize=None)
def schema_defaults(section: str) -> dict:
    """The documented defaults of one config section's keys (``early``, ``evaluation``, or a
    dotted section such as ``forecast.pruning``)."""
    schema = load_schema()
    nodes = {key: resolved(schema, node) for key, node in schema_node(section).get("properties", {}).items()}
    return {key: node["default"] for key, node in nodes.items() if "default" in node}


def schema_node(key: str) -> dict | None:
    """The schema of a dotted config key (``early.tasks``, ``methods.magnitude.criterion``), its
    ``$ref`` resolved; None when the schema has no such key."""
    schema = load_schema()
    node = schema
    for part in key.split("."):
        node = resolved(schema, node)
        named = node.get("additionalProperties")
        if part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(named, dict):  # a map of user-chosen names (methods, branches)
            node = named
        else:
            return None
    return resolved(schema, node)


def without_defaults(section: str, values: dict) -> dict:
    """``values`` of config section ``section`` less the keys that sit at their documented default:
    what a job's params and hashes name. A switch added with today's behaviour as its default
    therefore changes no job of a run made before it existed, and reruns nothing."""
    defaults = schema_defaults(section)
    return {key: value for key, value in values.items() if key not in defaults or value != defaults[key]}


@functools.lru_cache(maxsize=None)
def load_schema() -> dict:
    """The config schema, parsed once per process (shared: read it, never change it). LibYAML's
    parser when PyYAML has it: the pure-Python one took about 0.14 s a parse, paid by every job."""
    import yaml

    return yaml.load(SCHEMA_PATH.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def allowed_text(node: dict, resolve=lambda node: node) -> str:
    """What a JSON schema node allows, in words (``resolve`` follows ``$ref`` in list items)."""
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "")
    if isinstance(kind, list):  # e.g. [string, "null"]
        kind = " or ".join(kind)
    bounds = []
    for word, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if word in node:
            bounds.append(f"{sign} {node[word]}")
    if kind == "array":
        item = allowed_text(resolve(node.get("items", {})), resolve)
        return f"list of ({item})" if "," in item else f"list of {item}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"map name → {allowed_text(node['additionalProperties'], resolve)}"
    return ", ".join([kind, *bounds])


def method_key_rows() -> list[str]:
    """Config reference rows of every criterion's and schedule's keys, from the registry."""
    from devprune.pruning.registry import all_keys

    return [f"| `methods.<name>.{name}` | {allowed_text(key.allowed)} | {users}: {key.description}. Default {key.default}. |"
            for name, (users, key) in all_keys().items()]


def config_reference_markdown() -> str:
    """The README's config reference, generated from the schema so the two cannot drift."""
    schema = load_schema()
    rows = ["| key | allowed | description |", "|---|---|---|"]

    def resolve(node: dict) -> dict:
        return resolved(schema, node)

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
                if name == "methods":  # the keys each criterion and schedule adds live in the registry
                    rows.extend(method_key_rows())
            else:
                description = " ".join(sub.get("description", "").split())
                if "default" in sub:
                    default = sub["default"]  # as config.yaml spells it: true, null
                    description += f" Default {json.dumps(default) if default is None or isinstance(default, bool) else default}."
                rows.append(f"| `{name}` | {allowed_text(sub, resolve)} | {description} |")

    walk(schema, "")
    return "\n".join(rows) + "\n"

