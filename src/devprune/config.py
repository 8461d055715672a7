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


def stable_hash(*parts: Any) -> str:
    """Short SHA-256 of JSON-serialisable parts; equal settings give equal hashes everywhere."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
            if "properties" in sub:
                walk(sub, name + ".")
            else:
                description = " ".join(sub.get("description", "").split())
                rows.append(f"| `{name}` | {allowed(sub)} | {description} |")

    walk(schema, "")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(config_reference_markdown(), end="")
