"""What a torch job sets up before it works: threads, determinism, device; and checkpoints.

Thread count and device come from the workflow (the rule's ``threads``, the config's
``device``), never from torch's defaults, and each job logs what it got.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
from pathlib import Path
from typing import Iterable

import torch

from devprune import integrity
from devprune.integrity import atomic_write
from devprune.io import setup_job_logging

log = logging.getLogger(__name__)


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


def configure_torch_job(threads: int, device: str, log_path: str | None = None, rule: str | None = None) -> str:
    """Set up logging, torch's thread count and deterministic kernels; return the torch device.

    Results do not depend on the thread count here (bmm splits work by output, tested), but it
    decides how many jobs share a machine, so it is the rule's ``threads`` and nothing else.
    """
    setup_job_logging(log_path, rule)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS on CUDA
    torch.set_num_threads(threads)
    use_deterministic_algorithms()
    resolved = resolve_device(device)
    log.info("torch %s: %d thread(s), device %s (config: %s)", torch.__version__, torch.get_num_threads(), resolved, device)
    return resolved


def use_deterministic_algorithms() -> None:
    """torch.use_deterministic_algorithms(True) without its side line, which imports torch's
    compiler (torch._inductor, about 0.9 s of every job's start-up) only to set a flag that
    torch.compile reads; nothing here compiles (bench/startup.py measures the saving). A torch
    without the private setter (another version or build) gets the public call."""
    if hasattr(torch._C, "_set_deterministic_algorithms"):
        torch._C._set_deterministic_algorithms(True)
    else:
        torch.use_deterministic_algorithms(True)


def save_tensors(obj: dict, path: str | os.PathLike, parents: Iterable[str | os.PathLike] = ()) -> None:
    """Save a dict of tensors and plain values so that ``torch.load(weights_only=True)`` reads it,
    and record its digest with its ``parents``' (:mod:`devprune.integrity`). Saved through a
    buffer, so the zip's inner folder is always ``archive`` (torch names it after the file it
    writes, here a temporary one): the same tensors give the same bytes in every run."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(buffer.getvalue()))
    integrity.write_record(path, parents)


def load_tensors(path: str | os.PathLike, device: str = "cpu") -> dict:
    """A checkpoint, mask or trajectory the pipeline wrote, after checking it against its record.
    A file holding other Python objects is refused unread (torch's weights-only loader runs none of
    them), named, and never reloaded in an unsafe mode."""
    try:
        return torch.load(integrity.verified(path), map_location=device, weights_only=True)
    except pickle.UnpicklingError:
        raise integrity.DamagedArtifact(
            f"{path}: holds Python objects besides tensors and plain values, so this pipeline did not write it; "
            f"it was refused unread and nothing in it ran; {integrity.remake_hint(path, None)}") from None
