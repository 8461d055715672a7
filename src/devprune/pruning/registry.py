"""The registry of pruning criteria and schedules: what a method may say, and what it does.

Every criterion and schedule is one class here that declares its config keys (default, allowed
values as JSON schema, description), and its behaviour: a criterion scores weights; a schedule
says how much is pruned before training, which training steps change the masks and how. Config
checking (:func:`devprune.config.resolve_method`), the README's config reference and methods
table, the Snakemake rules (does a method read the baseline's trajectory?) and the pruning
stages all ask this registry, never compare names. Adding a schedule is one class decorated
with :func:`register`.

Importing this module does not import torch: the Snakefile and the aggregation jobs read the
declarations; only the methods that prune import the torch code they call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, ClassVar


@dataclass(frozen=True)
class Key:
    """One config key of a criterion or schedule."""

    default: Any
    allowed: dict  # JSON schema of the value
    description: str


@dataclass(frozen=True)
class Criterion:
    """Which weights go. ``scores(model, generator, samples)`` gives per-weight scores of the
    surviving weights, higher meaning "keep" (``samples``: training inputs and labels);
    a ``structured`` criterion removes whole neurons instead (rows and columns), so it has no
    layer scope and no single-weight swaps."""

    name: str
    description: str
    source: str
    scores: Callable | None = None
    keys: dict[str, Key] = field(default_factory=dict)
    structured: bool = False


class Schedule:
    """When the masks change within a stage. One instance per stage: ``method`` is the resolved
    method; training steps count from 1 to ``total_steps``."""

    name: ClassVar[str]
    description: ClassVar[str]
    source: ClassVar[str]
    keys: ClassVar[dict[str, Key]] = {}
    #: Reads the baseline's weight trajectory (``baseline/trajectory.pt``) before training.
    needs_trajectory: ClassVar[bool] = False
    #: Updates swap single weights at constant density instead of pruning towards the target.
    swaps_weights: ClassVar[bool] = False

    def __init__(self, method: dict, *, epochs: int, steps_per_epoch: int):
        self.method, self.epochs, self.steps_per_epoch = method, epochs, steps_per_epoch
        self.total_steps = epochs * steps_per_epoch

    @staticmethod
    def check(method: dict, config: dict) -> tuple[str, str] | None:
        """(key, what is allowed) for a value that cannot work with ``config``, else None."""
        return None

    @staticmethod
    def initial_progress(method: dict) -> Fraction:
        """Share of the stage's pruning done before its first training step."""
        return Fraction(1)

    def is_due(self, step: int) -> bool:
        """Whether the masks change after training step ``step``."""
        return False

    def progress(self, step: int) -> Fraction:
        """Share of the stage's pruning done after step ``step`` (a step that :meth:`is_due`)."""
        raise NotImplementedError

    def update(self, step: int, pruners: list, models: list, masks: list, grads: list) -> list:
        """Every network's masks after step ``step``: each pruner prunes to :meth:`progress`."""
        progress = self.progress(step)
        return [pruner.prune(model, m, progress) for pruner, model, m in zip(pruners, models, masks)]

    @staticmethod
    def prepare(method: dict, model, masks, trajectory: dict) -> None:
        """Set ``model`` up before training from the baseline's ``trajectory`` (only called for
        :attr:`needs_trajectory`)."""


CRITERIA: dict[str, Criterion] = {}
SCHEDULES: dict[str, type[Schedule]] = {}


def register(entry):
    """Add a criterion (a record) or a schedule (a class; use as its decorator) under its ``name``."""
    table = CRITERIA if isinstance(entry, Criterion) else SCHEDULES
    if entry.name in table:
        raise ValueError(f"a pruning {'criterion' if table is CRITERIA else 'schedule'} named {entry.name!r} exists")
    table[entry.name] = entry
    return entry


def method_keys(method: dict) -> dict[str, Key]:
    """The keys a method's criterion and schedule use (names must be registered)."""
    return {**CRITERIA[method["criterion"]].keys, **SCHEDULES[method["schedule"]].keys}


def all_keys() -> dict[str, tuple[str, Key]]:
    """Every criterion's and schedule's key: name -> (who uses it, the key)."""
    keys: dict[str, tuple[str, Key]] = {}
    for entry in (*CRITERIA.values(), *SCHEDULES.values()):
        for name, key in entry.keys.items():
            users = f"{keys[name][0]}, {entry.name}" if name in keys else entry.name
            keys[name] = (users, key)
    return keys


# ---- criteria ----

SAMPLES = Key(512, {"type": "integer", "minimum": 1},
              "training samples per task that the scores are computed on (the first ones of the seed's training set)")


def _magnitude_scores(model, generator, samples):
    from devprune.masks import magnitude_scores

    return magnitude_scores(model)


def _random_scores(model, generator, samples):
    from devprune.pruning.criteria import random_scores

    return random_scores(model, generator)


def _saliency_scores(model, generator, samples):
    from devprune.pruning.criteria import saliency_scores

    return saliency_scores(model, *samples)


register(Criterion("magnitude", "smallest abs(w) go (the paper's)", "seed 000, the paper; seed 001, magnitude-based pruning",
                   _magnitude_scores))
register(Criterion("random", "a seeded uniform draw per weight, blind to the weights", "seed 001, the random-ticket control",
                   _random_scores))
register(Criterion("saliency", "smallest abs(w * dL/dw) for the cross-entropy on training samples go (SNIP)",
                   "seed 001, data-driven criteria; Lee et al. 2019", _saliency_scores, keys={"samples": SAMPLES}))
register(Criterion("neuron_activation", "whole hidden neurons with the smallest mean activation on training samples go",
                   "seed 001, structured pruning", keys={"samples": SAMPLES}, structured=True))


# ---- schedules ----


@register
class OneShot(Schedule):
    name = "one_shot"
    description = "prune once before fine-tuning (the paper's)"
    source = "seed 000, the paper"


@register
class Iterative(Schedule):
    name = "iterative"
    description = ("`steps` equal steps: the first before fine-tuning, the others after the last batch of "
                   "epochs floor(i * E / steps)")
    source = "seed 001, iterative pruning"
    keys = {"steps": Key(3, {"type": "integer", "minimum": 1}, "number of equal pruning steps, spread evenly over the stage's epochs")}

    def __init__(self, method: dict, *, epochs: int, steps_per_epoch: int):
        super().__init__(method, epochs=epochs, steps_per_epoch=steps_per_epoch)
        k = method["steps"]
        self.events = {(i * epochs // k) * steps_per_epoch: Fraction(i + 1, k) for i in range(1, k)}

    @staticmethod
    def check(method, config):
        epochs = min(config["early"]["epochs"], config["late"]["epochs"])
        if method["steps"] > epochs:
            return "steps", f"must be at most the fewest stage epochs ({epochs}): one step per epoch at most"
        return None

    @staticmethod
    def initial_progress(method):
        return Fraction(1, method["steps"])

    def is_due(self, step):
        return step in self.events

    def progress(self, step):
        return self.events[step]


@register
class Cubic(Schedule):
    name = "cubic"
    description = ("nothing before `warmup` of training, then every `prune_every` batches along seed 002's cubic "
                   "towards the target, reached at `ramp_end`")
    source = "seed 002, Algorithms 2-4"
    keys = {
        "warmup": Key(0.1, {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                      "share of the stage's training before pruning starts (seed 002: 2 of 20 epochs)"),
        "ramp_end": Key(0.8, {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                        "share of the stage's training at which the stage's target is reached; the rest fine-tunes at it"),
        "prune_every": Key(5, {"type": "integer", "minimum": 1}, "batches between mask updates (seed 002)"),
    }

    def __init__(self, method: dict, *, epochs: int, steps_per_epoch: int):
        super().__init__(method, epochs=epochs, steps_per_epoch=steps_per_epoch)
        self.ramp_done = False

    @staticmethod
    def check(method, config):
        if method["warmup"] >= method["ramp_end"]:
            return "warmup", f"must be below ramp_end ({method['ramp_end']})"
        return None

    @staticmethod
    def initial_progress(method):
        return Fraction(0)

    def is_due(self, step):
        due = step % self.method["prune_every"] == 0 or step == self.total_steps
        return not self.ramp_done and step / self.total_steps >= self.method["warmup"] and due

    def progress(self, step):
        from devprune.pruning.schedules import cubic_sparsity

        share = cubic_sparsity(step / self.total_steps, warmup=self.method["warmup"], total=self.method["ramp_end"],
                               s_min=0.0, s_max=1.0)
        progress = Fraction(1) if step == self.total_steps else Fraction(share)
        self.ramp_done = progress == 1
        return progress


@register
class Rewind(Schedule):
    name = "rewind"
    description = ("prune once, reset the survivors and biases to the baseline's weights at `rewind_epoch`, "
                   "then train (lottery ticket)")
    source = "seed 001, lottery tickets with (late) rewinding"
    keys = {"rewind_epoch": Key(0, {"type": "integer", "minimum": 0},
                                "baseline epoch whose weights the survivors are reset to; 0 is the initialisation")}
    needs_trajectory = True

    @staticmethod
    def check(method, config):
        if method["rewind_epoch"] > config["baseline"]["epochs"]:
            return "rewind_epoch", f"must be at most baseline.epochs ({config['baseline']['epochs']})"
        return None

    @staticmethod
    def prepare(method, model, masks, trajectory):
        from devprune.pruning.schedules import rewind

        rewind(model, masks, trajectory["epochs"][method["rewind_epoch"]])


@register
class Regrow(Schedule):
    name = "regrow"
    description = ("prune once, then every `regrow_every` batches until `regrow_until` swap the weakest "
                   "`regrow_fraction` of survivors for the pruned connections with the largest gradients")
    source = "seed 001, regrowth; RigL, Evci et al. 2020"
    swaps_weights = True
    keys = {
        "regrow_fraction": Key(0.1, {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                               "share of the survivors dropped (and as many regrown) per update"),
        "regrow_every": Key(100, {"type": "integer", "minimum": 1}, "batches between updates"),
        "regrow_until": Key(0.75, {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                            "share of the stage's training after which the mask stays fixed (RigL)"),
    }

    def is_due(self, step):
        return step % self.method["regrow_every"] == 0 and step / self.total_steps <= self.method["regrow_until"]

    def update(self, step, pruners, models, masks, grads):
        from devprune.pruning.schedules import regrow

        return [regrow(model, m, g, self.method["regrow_fraction"]) for model, m, g in zip(models, masks, grads)]


def registry_markdown() -> str:
    """The README's table of criteria and schedules, generated from this registry."""
    rows = ["| kind | name | keys (defaults) | what it does | source |", "|---|---|---|---|---|"]
    for kind, entries in (("criterion", CRITERIA), ("schedule", SCHEDULES)):
        for entry in entries.values():
            keys = ", ".join(f"`{name}` ({key.default})" for name, key in entry.keys.items()) or "–"
            rows.append(f"| {kind} | `{entry.name}` | {keys} | {entry.description} | {entry.source} |")
    return "\n".join(rows) + "\n"

