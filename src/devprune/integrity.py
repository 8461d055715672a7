"""Trust what is on disk: every artifact's SHA-256 is recorded when it is written and checked
when it is read.

Each checkpoint, mask, trajectory (``*.pt``) and Parquet file the pipeline writes gets a record
beside it, ``<file>.sha256.json``: its digest and size, the rule that wrote it, and the digests
of the parents it was built from (paths relative to the file's own folder, so a results directory
can move between machines). Every load re-hashes the file against its record first, so a flipped
bit or a truncated copy stops the job with the file named and the command that remakes it, instead
of being trained on. ``devprune verify`` audits a whole experiment the same way.

This module does not import torch: the light aggregation jobs use it too.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable

RECORD_SUFFIX = ".sha256.json"
#: The files that get a record: checkpoints, masks and trajectories, and Parquet tables.
ARTIFACT_PATTERNS = ("*.pt", "*.parquet")

#: The Snakemake rule this process runs for (set once per job); recorded with every file it writes.
_writer = {"rule": None}


class DamagedArtifact(RuntimeError):
    """A file that does not match its record (corrupt or incomplete), or that has no record."""


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` and rename the result to ``path``; remove it on failure. The file
    gets the permissions of an ordinary new file (``mkstemp`` would leave it readable by its owner
    only, so a group could not read shared results)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def set_writing_rule(rule: str | None) -> None:
    _writer["rule"] = rule


def record_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + RECORD_SUFFIX)


def file_digest(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_record(path: str | os.PathLike, parents: Iterable[str | os.PathLike] = ()) -> None:
    """Record ``path``'s digest and size, the writing rule and its parents' digests, atomically."""

    path = Path(path)
    record = {
        "sha256": file_digest(path), "bytes": path.stat().st_size, "rule": _writer["rule"],
        "parents": {os.path.relpath(parent, path.parent): file_digest(parent) for parent in parents},
    }
    atomic_write(record_path(path), lambda tmp: Path(tmp).write_text(json.dumps(record, indent=1) + "\n"))


#: What every record holds (``rule`` may be null: a file written outside a Snakemake job).
RECORD_FIELDS = ("sha256", "bytes", "rule", "parents")


def read_record(path: str | os.PathLike) -> dict:
    """The record of ``path``; :class:`DamagedArtifact`, naming the record, when it is not valid
    JSON or lacks a field (a damaged record is as untrustworthy as a damaged file)."""
    record_file = record_path(path)
    try:
        record = json.loads(record_file.read_text())
    except json.JSONDecodeError as error:
        raise DamagedArtifact(f"{record_file}: damaged checksum record (not valid JSON: {error.msg}, line "
                              f"{error.lineno}), so {Path(path).name} cannot be trusted; {remake_hint(path, None)}") from None
    missing = [field for field in RECORD_FIELDS if field not in record] if isinstance(record, dict) else list(RECORD_FIELDS)
    if missing:
        rule = record.get("rule") if isinstance(record, dict) else None
        raise DamagedArtifact(f"{record_file}: damaged checksum record (no {', '.join(missing)}), so {Path(path).name} "
                              f"cannot be trusted; {remake_hint(path, rule)}")
    return record


def remake_hint(path: str | os.PathLike, rule: str | None) -> str:
    made_by = f"rule {rule}" if rule else "the rule that writes it"
    return (f"it is made by {made_by}; remake it with: snakemake --forcerun {path} --configfile CONFIG "
            f"(CONFIG: the config file(s) the run was started with)")


def damage(path: str | os.PathLike) -> str | None:
    """What is wrong with ``path`` against its record, or None when it matches."""
    path = Path(path)
    if not record_path(path).exists():
        return f"{path}: has no checksum record ({record_path(path).name}), so it cannot be trusted"
    try:
        record = read_record(path)
    except DamagedArtifact as error:
        return str(error)
    hint = remake_hint(path, record.get("rule"))
    if not path.exists():
        return f"{path}: missing (its record says rule {record.get('rule')} wrote it); {hint}"
    size = path.stat().st_size
    if size != record["bytes"]:
        return f"{path}: incomplete or overwritten ({size:,} bytes, {record['bytes']:,} when written); {hint}"
    digest = file_digest(path)
    if digest != record["sha256"]:
        return (f"{path}: corrupt (SHA-256 {digest[:16]}…, {record['sha256'][:16]}… when written); {hint}")
    return None


def verified(path: str | os.PathLike) -> Path:
    """``path`` after checking it against its record; raise :class:`DamagedArtifact` otherwise."""
    problem = damage(path)
    if problem:
        raise DamagedArtifact(problem)
    return Path(path)
