"""The README's measured tables, rendered from a run's results, never typed by hand.

    python -m devprune.measured snapshot results/paper measured/paper     # after a run
    python -m devprune.measured readme README.md measured/paper [...]     # rewrite the README's blocks
    python -m devprune.measured readme README.md measured/paper --check   # exit 1 if they differ

``snapshot`` copies the run's small summary tables into the repository (``measured/<experiment>/``)
with ``run.json``: the commit, torch version and device from the rows' provenance, the seeds, and
the machine the snapshot was taken on (take it on the machine that ran the pipeline). ``readme``
replaces every block between ``<!-- measured:<snapshot>/<table>:start -->`` and
``<!-- measured:<snapshot>/<table>:end -->`` (e.g. ``paper/claims``) with that table rendered from
the snapshot folder of that name; a test checks that the README matches.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
from pathlib import Path

import pandas as pd

from devprune import claims as claim_readings
from devprune.io import cpu_model
from devprune.tables import markdown

SNAPSHOT_TABLES = ("claims", "stability")


def snapshot(results: Path, dest: Path) -> None:
    """Copy the run's summary tables to ``dest`` and describe the run in ``run.json``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SNAPSHOT_TABLES:
        shutil.copyfile(results / "tables" / f"{name}.parquet", dest / f"{name}.parquet")
    rows = pd.read_parquet(results / "tables" / "claims.parquet")
    info = {
        "experiment": results.name, "seeds": rows["seed"].iloc[0], "code_version": rows["code_version"].iloc[0],
        "torch_version": rows["torch_version"].iloc[0], "device": rows["device"].iloc[0],
        "config_hash": rows["config_hash"].iloc[0],
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    (dest / "run.json").write_text(json.dumps(info, indent=1) + "\n")


def _source(info: dict, snapshot_dir: Path) -> str:
    n_seeds = len(str(info["seeds"]).split(","))
    return (f"*Measured: {n_seeds} seeds, {info['device']}, torch {info['torch_version']}, code {info['code_version']}, "
            f"config hash {info['config_hash']}; machine: {info['machine']}. Rendered by "
            f"`python -m devprune.measured` from `measured/{snapshot_dir.name}/`.*\n")


def claims_block(claims: pd.DataFrame, source: str) -> str:
    """Per method: every claim with its four readings, compact."""
    parts = [source]
    for method, rows in claims.groupby("method", sort=False):
        view = pd.DataFrame([{
            "id": r.claim_id, "ours: mean [95 % CI]": claim_readings.format_estimate(r),
            "one seed: 95 % PI": claim_readings.format_interval(r.pi_low, r.pi_high, r.statistic),
            "paper": claim_readings.format_value(r.paper_estimate, r.statistic),
            "paper in CI / PI": f"{claim_readings.yes_no(r.paper_in_ci)} / {claim_readings.yes_no(r.paper_in_pi)}",
            "direction": r.direction, "verdict": f"**{r.verdict}**",
            "seeds needed": "–" if pd.isna(r.seeds_needed) else f"{r.seeds_needed:,}",
        } for r in rows.itertuples()])
        title = f"Method `{method}`:\n\n" if claims["method"].nunique() > 1 else ""
        parts.append(title + markdown(view))
    return "\n".join(parts)


def stability_block(stability: pd.DataFrame, source: str) -> str:
    """Per method: each claim's verdict and direction on the first 5, 10, 20, ... seeds and on
    each half, with the split-half agreement."""
    agreement = claim_readings.split_half_agreement(stability)
    parts = [source]
    for method, rows in stability.groupby("method", sort=False):
        cells = {(r.claim_id, r.subset): f"{r.verdict}, {r.direction}" for r in rows.itertuples()}
        claim_ids, subsets = list(dict.fromkeys(rows["claim_id"])), list(dict.fromkeys(rows["subset"]))
        parts.append(markdown(pd.DataFrame([{"id": c, **{s: cells[c, s] for s in subsets}} for c in claim_ids])))
        halves = agreement[agreement["method"] == method]
        if len(halves):
            parts.append(f"Split-half agreement ({halves['first_half'].iloc[0]} against {halves['second_half'].iloc[0]}): "
                         f"the same verdict for {int(halves['same_verdict'].sum())} of {len(halves)} claims, the same "
                         f"direction for {int(halves['same_direction'].sum())} of {len(halves)}.\n")
    return "\n".join(parts)


def render(snapshot_dir: Path) -> dict[str, str]:
    """Every block a snapshot directory gives, by name (``<snapshot>/<table>``)."""
    source = _source(json.loads((snapshot_dir / "run.json").read_text()), snapshot_dir)
    tables = {name: pd.read_parquet(snapshot_dir / f"{name}.parquet") for name in SNAPSHOT_TABLES}
    return {f"{snapshot_dir.name}/claims": claims_block(tables["claims"], source),
            f"{snapshot_dir.name}/stability": stability_block(tables["stability"], source)}


def marker(name: str, end: str) -> str:
    return f"<!-- measured:{name}:{end} -->"


BLOCK = re.compile(r"<!-- measured:(?P<name>[^ ]+):start -->.*?<!-- measured:(?P=name):end -->", re.S)


def replace_blocks(text: str, blocks: dict[str, str]) -> str:
    """``text`` with every measured block's content rendered anew; a block no snapshot renders is
    an error (a typo in a marker must not leave a table stale)."""
    unknown = sorted({m["name"] for m in BLOCK.finditer(text)} - set(blocks))
    if unknown:
        raise ValueError(f"no snapshot renders the README block(s) {', '.join(unknown)}; "
                         f"rendered are {', '.join(sorted(blocks)) or 'none'}")
    return BLOCK.sub(lambda m: f"{marker(m['name'], 'start')}\n{blocks[m['name']]}{marker(m['name'], 'end')}", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devprune.measured", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    snap = commands.add_parser("snapshot", help="copy a run's summary tables into the repository")
    snap.add_argument("results", type=Path, help="results/<experiment> of a finished run")
    snap.add_argument("dest", type=Path, help="e.g. measured/<experiment>")
    readme = commands.add_parser("readme", help="rewrite the README's measured blocks from snapshots")
    readme.add_argument("readme", type=Path)
    readme.add_argument("snapshots", type=Path, nargs="+", help="measured/<name> folders")
    readme.add_argument("--check", action="store_true", help="change nothing; exit 1 if the README differs")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        missing = [name for name in SNAPSHOT_TABLES if not (args.results / "tables" / f"{name}.parquet").exists()]
        if missing:
            parser.error(f"{args.results}/tables has no {', '.join(missing)}.parquet: run the pipeline first")
        snapshot(args.results, args.dest)
        return 0
    text = args.readme.read_text()
    updated = replace_blocks(text, {name: block for snap in args.snapshots for name, block in render(snap).items()})
    if args.check:
        if updated != text:
            print(f"{args.readme}: measured tables differ from the snapshots; run without --check", file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
