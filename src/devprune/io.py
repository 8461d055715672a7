"""Atomic file writes and the provenance every written number carries.

Each writer puts the bytes in a temporary file beside the target and renames it into place
(``os.replace`` is atomic on POSIX), so an interrupted job never leaves a half-written
checkpoint, mask or Parquet file under the target's name.
"""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd
import torch

import devprune

PROVENANCE_COLUMNS = ["config_hash", "seed", "code_version", "torch_version", "device"]


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` and rename the result to ``path``; remove it on failure."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def provenance(config_hash: str, seed: int, device: str) -> dict:
    return {
        "config_hash": config_hash,
        "seed": seed,
        "code_version": code_version(),
        "torch_version": torch.__version__,
        "device": device,
    }


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike, prov: dict | None = None, schema=None) -> None:
    """Write ``frame`` atomically, with the provenance columns appended when given; with a
    pyarrow ``schema`` the file has exactly those columns and types (else pandas infers them)."""
    if prov is not None:
        frame = frame.assign(**prov)
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False, schema=schema))


def save_tensors(obj: dict, path: str | os.PathLike) -> None:
    """Save a dict of tensors and plain values so that ``torch.load(weights_only=True)`` reads it."""
    atomic_write(path, lambda tmp: torch.save(obj, tmp))


def load_tensors(path: str | os.PathLike, device: str = "cpu") -> dict:
    return torch.load(path, map_location=device, weights_only=True)


def resolve_device(requested: str) -> str:
    """Map the config's ``device`` (auto|cpu|cuda) to a torch device, failing clearly."""
    if requested == "cpu":
        return "cpu"
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"config key 'device' = 'cuda': no CUDA device is available here "
                f"(torch {torch.__version__}, built for CUDA {torch.version.cuda}); use 'auto' or 'cpu'"
            )
        return "cuda"
    raise ValueError(f"config key 'device' = {requested!r}: allowed are 'auto', 'cpu', 'cuda'")
