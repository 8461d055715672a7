"""Atomic file writes, the provenance every written number carries, and job logging.

Each writer puts the bytes in a temporary file beside the target and renames it into place
(``os.replace`` is atomic on POSIX), so an interrupted job never leaves a half-written
checkpoint, mask or Parquet file under the target's name.

This module does not import torch (≈2 s per process): the light aggregation jobs use it too.
Checkpoints and devices are in :mod:`devprune.runtime`.
"""

from __future__ import annotations

import functools
import logging
import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa

import devprune
from devprune import integrity
from devprune.integrity import atomic_write

#: What produced a row: the settings (``settings_hash``), seed and code, and the machine, which
#: decides the floating-point bits (CPU model, the vector instruction set torch dispatches to, its
#: BLAS and oneDNN builds, the GPU when on CUDA, Python).
PROVENANCE_COLUMNS = ["settings_hash", "seed", "code_version", "torch_version", "device",
                      "cpu", "cpu_capability", "blas", "gpu", "python_version"]
#: The same for a row that summarises many seeds (a table's): the hash of the settings behind the
#: whole table instead of one artifact's (:func:`devprune.publish.summary_provenance`).
SUMMARY_PROVENANCE_COLUMNS = ["results_hash", *PROVENANCE_COLUMNS[1:]]
MACHINE_COLUMNS = PROVENANCE_COLUMNS[5:]

#: Which model a metrics row describes (with ``seed``).
METRIC_ID_COLUMNS = ["stage", "method", "early_density", "branch", "late_fraction", "final_density"]

#: Columns of every metrics.parquet (one row per model x metric x condition); see the README.
METRICS_SCHEMA = pa.schema(
    [
        ("stage", pa.string()), ("method", pa.string()), ("early_density", pa.float64()), ("branch", pa.string()),
        ("late_fraction", pa.float64()), ("final_density", pa.float64()), ("metric", pa.string()),
        ("condition", pa.string()), ("level", pa.float64()), ("value", pa.float64()), ("n_samples", pa.int64()),
        ("settings_hash", pa.string()), ("seed", pa.int64()), ("code_version", pa.string()),
        ("torch_version", pa.string()), ("device", pa.string()), ("cpu", pa.string()), ("cpu_capability", pa.string()),
        ("blas", pa.string()), ("gpu", pa.string()), ("python_version", pa.string()),
    ]
)


@functools.cache
def code_version() -> str:
    """Package version plus the git commit of the source tree (``+dirty`` if it has changes)."""
    source = Path(devprune.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no", "--", "."],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return devprune.__version__
    return f"{devprune.__version__}+g{commit}{'.dirty' if dirty else ''}"


def cpu_model() -> str:
    """The CPU's model name as the kernel reports it (Linux), else what Python knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line(cores: int | None = None) -> str:
    """The machine a benchmark ran on, in the words every measured table's caption uses: the
    CPU, the cores it used (of how many, when not all) and Python."""
    available = os.cpu_count()
    plural = "s" if available > 1 else ""
    used = f"{available} core{plural}" if cores in (None, available) else f"{cores} of {available} core{plural}"
    return f"{cpu_model()}, {used}, Python {platform.python_version()}"


@functools.cache
def machine(device: str) -> dict:
    """The machine columns of a row computed on ``device`` in this process. Only jobs that
    computed with torch call this, so importing torch here costs nothing extra."""
    import torch

    shown = torch.__config__.show()
    found = [re.search(pattern, shown) for pattern in
             (r"BLAS_INFO=(\w+)", r"Math Kernel Library Version (\S+)", r"MKL-DNN (v[\d.]+)")]
    blas = ", ".join(f"{label} {match.group(1)}" for label, match in zip(("BLAS", "oneMKL", "oneDNN"), found) if match)
    if os.environ.get("MKL_CBWR"):
        blas += f", MKL_CBWR={os.environ['MKL_CBWR']}"
    return {
        "cpu": cpu_model(), "cpu_capability": torch.backends.cpu.get_cpu_capability(), "blas": blas,
        "gpu": torch.cuda.get_device_name() if device.startswith("cuda") else None,
        "python_version": platform.python_version(),
    }


def provenance(settings_hash: str, seed: int, device: str) -> dict:
    return {
        "settings_hash": settings_hash,
        "seed": seed,
        "code_version": code_version(),
        "torch_version": metadata.version("torch"),
        "device": device,
        **machine(device),
    }


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike, prov: dict | None = None, schema=None,
                  parents: Iterable[str | os.PathLike] = ()) -> None:
    """Write ``frame`` atomically, with the provenance columns appended when given, and record its
    digest with its ``parents``' (:mod:`devprune.integrity`); with a pyarrow ``schema`` the file
    has exactly those columns and types (else pandas infers them)."""
    if prov is not None:
        frame = frame.assign(**prov)
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False, schema=schema))
    integrity.write_record(path, parents)


def read_parquet(path: str | os.PathLike, **kwargs) -> pd.DataFrame:
    """A Parquet file the pipeline wrote, after checking it against its record."""
    return pd.read_parquet(integrity.verified(path), **kwargs)


def setup_job_logging(log_path: str | None = None, rule: str | None = None) -> None:
    """Progress goes to the job's log file; warnings and errors also to stderr, so Snakemake's
    console stays readable with many jobs (without a log file everything goes to stderr).
    ``rule`` (the Snakemake rule) is recorded with every file the job writes."""
    integrity.set_writing_rule(rule)
    console = logging.StreamHandler()
    console.setLevel(logging.INFO if log_path is None else logging.WARNING)
    handlers = [console]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", handlers=handlers, force=True)
    sys.excepthook = _log_uncaught  # a failing job's log ends with its traceback, not empty


def _log_uncaught(kind, value, traceback) -> None:
    logging.getLogger("devprune").critical("job failed", exc_info=(kind, value, traceback))
