"""Compare two runs artifact by artifact: ``devprune compare RUN_A RUN_B``.

The check a reproduction needs against a published archive (or a second machine): for every
checkpoint, mask, trajectory and Parquet file present in either run, whether the two files have
identical bytes, identical values (bytes differ: the provenance columns, e.g. another commit or
CPU), or differing values, and then where they first differ: the metric (row and column) of a
Parquet file, the tensor of a ``.pt`` file. A file only one run has is named too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from devprune import integrity
from devprune.io import SUMMARY_PROVENANCE_COLUMNS, PROVENANCE_COLUMNS

#: Columns that say where a row came from, not what was measured: they may differ between runs
#: whose values are identical.
PROVENANCE = {*PROVENANCE_COLUMNS, *SUMMARY_PROVENANCE_COLUMNS, "table_code_version"}


@dataclass(frozen=True)
class Comparison:
    path: str  # relative to both runs
    outcome: str  # identical bytes | identical values | differing values | only in A | only in B
    detail: str = ""


def artifacts(run: Path) -> set[str]:
    return {str(p.relative_to(run)) for pattern in integrity.ARTIFACT_PATTERNS for p in run.rglob(pattern)}


def compare_runs(a: Path, b: Path) -> list[Comparison]:
    """Every artifact of ``a`` and ``b``, sorted by path."""
    ours, theirs = artifacts(a), artifacts(b)
    found = [Comparison(p, "only in A") for p in ours - theirs] + [Comparison(p, "only in B") for p in theirs - ours]
    found += [compare_files(a / p, b / p, p) for p in ours & theirs]
    return sorted(found, key=lambda c: c.path)


def compare_files(a: Path, b: Path, name: str) -> Comparison:
    if integrity.file_digest(a) == integrity.file_digest(b):
        return Comparison(name, "identical bytes")
    if a.suffix == ".parquet":  # each table read once, for its values and its provenance
        left, right = pd.read_parquet(a), pd.read_parquet(b)
        difference, note = parquet_difference(left, right), provenance_note(left, right)
    else:
        difference, note = tensor_difference(a, b), ""
    if difference:
        return Comparison(name, "differing values", difference)
    return Comparison(name, "identical values", "bytes differ" + note)


def provenance_note(left: pd.DataFrame, right: pd.DataFrame) -> str:
    differ = [c for c in left.columns if c in PROVENANCE and c in right.columns and not left[c].equals(right[c])]
    return f" in provenance: {', '.join(differ)}" if differ else ""


def parquet_difference(left: pd.DataFrame, right: pd.DataFrame) -> str | None:
    """Where two tables' values first differ (provenance columns aside), or None: the first row
    with a difference, its first differing column, and the row's labels both tables share."""
    columns = [c for c in left.columns if c not in PROVENANCE]
    if columns != [c for c in right.columns if c not in PROVENANCE]:
        return f"columns differ: {', '.join(sorted(set(columns) ^ set(right.columns) - PROVENANCE)) or 'their order'}"
    if len(left) != len(right):
        return f"{len(left)} rows against {len(right)}"
    differs = pd.DataFrame({c: ~column_equal(left[c], right[c]) for c in columns})
    rows = differs.any(axis=1).to_numpy().nonzero()[0]
    if not len(rows):
        return None
    row = rows[0]
    column = next(c for c in columns if differs[c].iloc[row])
    where = ", ".join(f"{c}={plain(left[c].iloc[row])}" for c in columns if is_label(left[c], row) and not differs[c].iloc[row])
    return (f"first differing metric: {column} in row {row} ({where}): "
            f"{plain(left[column].iloc[row])} against {plain(right[column].iloc[row])}")


def is_label(column: pd.Series, row: int) -> bool:
    """Whether ``column`` names what a row is (a short string or an integer that is there)."""
    value = column.iloc[row]
    if pd.api.types.is_float_dtype(column) or not pd.api.types.is_scalar(value) or pd.isna(value):
        return False
    return not isinstance(value, str) or len(value) <= 40


def plain(value) -> str:
    """A cell as a reader writes it: ``0.91``, ``C1``, not ``np.float64(0.91)``."""
    return str(value.item() if hasattr(value, "item") else value)


def column_equal(x: pd.Series, y: pd.Series) -> pd.Series:
    """Element-wise equality, a missing value equal to a missing value."""
    both_missing = x.isna().to_numpy() & y.isna().to_numpy()
    try:
        equal = (x.to_numpy() == y.to_numpy())
    except (TypeError, ValueError):  # cells holding lists or arrays
        equal = [str(u) == str(v) for u, v in zip(x, y)]
    return pd.Series(pd.array(equal, dtype="boolean").fillna(False).to_numpy(bool) | both_missing, index=x.index)


def same(x, y) -> bool:
    """Equal plain values (a missing value equal to a missing value)."""
    if pd.api.types.is_scalar(x) and pd.api.types.is_scalar(y) and (pd.isna(x) or pd.isna(y)):
        return bool(pd.isna(x) and pd.isna(y))
    return str(x) == str(y) if not pd.api.types.is_scalar(x) else bool(x == y)


def tensor_difference(a: Path, b: Path) -> str | None:
    """The first entry whose tensors (or plain values) differ, with the largest difference."""
    import torch

    def flat(obj, prefix=""):
        if isinstance(obj, dict):
            for key, value in obj.items():
                yield from flat(value, f"{prefix}{key}.")
        else:
            yield prefix.rstrip("."), obj

    left, right = (dict(flat(torch.load(p, map_location="cpu", weights_only=True))) for p in (a, b))
    if left.keys() != right.keys():
        return f"entries differ: {', '.join(sorted(set(left) ^ set(right)))}"
    for key, value in left.items():
        if isinstance(value, torch.Tensor):
            other = right[key]
            if value.shape != other.shape or value.dtype != other.dtype:
                return f"first differing tensor: {key} ({tuple(value.shape)} {value.dtype} against {tuple(other.shape)} {other.dtype})"
            if not torch.equal(value, other):
                largest = (value.double() - other.double()).abs().max().item()
                return f"first differing tensor: {key} (largest difference {largest:.3g})"
        elif not same(value, right[key]):
            return f"first differing entry: {key}: {value!r} against {right[key]!r}"
    return None


def report(a: Path, b: Path) -> tuple[list[str], bool]:
    """Lines to print, and whether every artifact matches (identical bytes or values)."""
    found = compare_runs(a, b)
    lines = [f"{c.outcome}: {c.path}" + (f" ({c.detail})" if c.detail else "") for c in found if c.outcome != "identical bytes"]
    counts = pd.Series([c.outcome for c in found], dtype="object").value_counts()
    summary = ", ".join(f"{counts[o]} {o}" for o in ("identical bytes", "identical values", "differing values",
                                                       "only in A", "only in B") if o in counts)
    lines.append(f"{len(found)} artifacts compared, A = {a}, B = {b}: {summary or 'none found'}")
    matches = bool(found) and all(c.outcome in ("identical bytes", "identical values") for c in found)
    return lines, matches
