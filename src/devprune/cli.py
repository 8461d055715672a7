"""The ``devprune`` command: what a user runs by hand besides Snakemake.

``devprune verify RESULTS [--configfile CONFIG ...]`` re-hashes every checkpoint, mask, trajectory
and Parquet file against its record and checks that each parent a file was built from still has
the digest recorded with it, like ``git fsck``. It reports files that are corrupt or incomplete,
missing (a record or a recorded parent without its file), orphaned (a record without its file) or
unrecorded (a file without a record). Given the config file(s) the run was started with, it also
asks the workflow which files the run should have made and names each one that is missing (a run
that was killed or has not finished). It exits 1 when anything is wrong.

``devprune compare RUN_A RUN_B`` reports, for every artifact of either run, identical bytes,
identical values or differing values (with the first differing metric or tensor), and exits 1
unless every artifact of both runs has identical bytes or values.

``devprune snapshot RESULTS DEST`` copies a finished run's summary tables (or a benchmark's
results) into ``docs/measured/<name>/``, with where they came from.

``devprune docs [--check]`` regenerates every generated block of the README and the docs pages
(config reference, methods and forecasting registries, claims list, measured tables); with
``--check`` it changes nothing and exits 1 when a block differs (one edited by hand).

``devprune config-reference`` prints the config reference, generated from the schema.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
from pathlib import Path

from devprune import compare, docs, integrity, measured
from devprune.config import config_reference_markdown

def audit(results: Path) -> list[str]:
    """Every problem found under ``results``, one line each (empty when all is well)."""
    artifacts = sorted({p for pattern in integrity.ARTIFACT_PATTERNS for p in results.rglob(pattern)})
    records = sorted(results.rglob(f"*{integrity.RECORD_SUFFIX}"))
    problems = []
    for record in records:
        artifact = record.with_name(record.name.removesuffix(integrity.RECORD_SUFFIX))
        if not artifact.exists():
            problems.append(f"orphaned: {record} (its file {artifact.name} is missing)")
    digest_of = functools.cache(integrity.file_digest)  # a parent is hashed once, not once per child
    for artifact in artifacts:
        problem = integrity.damage(artifact)
        if problem:
            problems.append(problem)
            continue
        record = integrity.read_record(artifact)
        for parent, digest in record["parents"].items():
            parent_path = Path(os.path.normpath(artifact.parent / parent))
            if not parent_path.exists():
                problems.append(f"{artifact}: its parent {parent_path} is missing")
            elif digest_of(parent_path) != digest:
                problems.append(f"{artifact}: built from a different {parent_path} than the one there now "
                                f"(SHA-256 {digest[:16]}… then); {integrity.remake_hint(artifact, record['rule'])}")
    return problems


#: The workflow this package belongs to (a clone's Snakefile; absent from an installed wheel).
SNAKEFILE = Path(__file__).resolve().parents[2] / "Snakefile"


def missing_outputs(results: Path, configfiles: list[Path]) -> list[str]:
    """Every file the workflow would make under ``results`` for ``configfiles`` that is not there,
    as Snakemake's ``--summary`` lists them (run in the current directory, as the run was)."""
    if not SNAKEFILE.exists():
        raise SystemExit(f"devprune verify: --configfile needs the workflow's Snakefile, which is not at {SNAKEFILE}; "
                         f"run it from a clone of devprune (pip install -e .)")
    absent = [str(p) for p in configfiles if not p.is_file()]
    if absent:
        raise SystemExit(f"devprune verify: --configfile {', '.join(absent)}: no such file")
    summary = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), "--configfile", *map(str, configfiles),
         "--summary", "--nolock"], capture_output=True, text=True)
    if summary.returncode:
        raise SystemExit(f"devprune verify: the workflow refused the config:\n{summary.stderr.strip()}")
    rows = [line.split("\t") for line in summary.stdout.splitlines()[1:] if "\t" in line]
    root = results.resolve()
    planned = [row for row in rows if root in Path(row[0]).resolve().parents]
    if not planned:
        raise SystemExit(f"devprune verify: the config(s) {', '.join(map(str, configfiles))} make no file under {results} "
                         f"(their results_dir/experiment is elsewhere, e.g. {rows[0][0] if rows else 'nothing'}); give the "
                         f"run's own config, from the directory the run was started in")
    return [f"missing: {row[0]} (not made yet; rule {row[2]})" for row in planned if row[-2] == "missing"]


def verify(results: Path, configfiles: list[Path] | None = None) -> int:
    if not results.is_dir():
        print(f"devprune verify: {results} is not a directory (give results/<experiment>)", file=sys.stderr)
        return 2
    problems = audit(results) + (missing_outputs(results, configfiles) if configfiles else [])
    n_files = sum(1 for pattern in integrity.ARTIFACT_PATTERNS for _ in results.rglob(pattern))
    if n_files == 0 and not problems:
        print(f"devprune verify: {results} holds no artifact (*.pt, *.parquet) to check: not a run's results, or "
              f"a run that has not written any yet", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem)
    print(f"{n_files} artifacts checked under {results}: "
          + (f"{len(problems)} problem(s)" if problems else "all match their records and parents")
          + ("" if configfiles else "; completeness not checked (give --configfile with the run's config files)"))
    return 1 if problems else 0


def compare_runs(a: Path, b: Path) -> int:
    for run in (a, b):
        if not run.is_dir():
            print(f"devprune compare: {run} is not a directory (give two results/<experiment> folders)", file=sys.stderr)
            return 2
    lines, matches = compare.report(a, b)
    print("\n".join(lines))
    return 0 if matches else 1


def take_snapshot(parser: argparse.ArgumentParser, results: Path, dest: Path) -> int:
    missing = measured.missing_inputs(results)
    if missing:
        parser.error(f"{results} is not a finished run: {', '.join(missing)} missing; run the pipeline "
                     f"(or bench/run_benchmark.py) first")
    measured.snapshot(results, dest)
    return 0


def regenerate_docs(root: Path, check: bool) -> int:
    if not (root / "README.md").is_file() or not (root / "docs").is_dir():
        print(f"devprune docs: {root} holds no README.md and docs/: run it in a clone of devprune (or give --root)",
              file=sys.stderr)
        return 2
    try:
        changed = docs.stale(root, write=not check)
    except ValueError as error:
        print(f"devprune docs: {error}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"{path}: generated blocks {'differ from their sources; run devprune docs' if check else 'regenerated'}")
    return 1 if check and changed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devprune", description="devprune's command-line tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="re-hash every artifact of an experiment and check its parents",
                                description=__doc__.split("\n\n")[1])
    check.add_argument("results", type=Path, help="an experiment's results directory, e.g. results/paper")
    check.add_argument("--configfile", type=Path, nargs="+", help="the config file(s) the run was started with: "
                       "also name every file the run should have made and has not")
    pair = commands.add_parser("compare", help="compare two runs artifact by artifact",
                               description=__doc__.split("\n\n")[2])
    pair.add_argument("run_a", type=Path, help="an experiment's results directory, e.g. results/paper")
    pair.add_argument("run_b", type=Path, help="the other run's, e.g. an unpacked published archive")
    snap = commands.add_parser("snapshot", help="copy a finished run's summary tables into docs/measured/",
                               description=__doc__.split("\n\n")[3])
    snap.add_argument("results", type=Path, help="results/<experiment> of a finished run, or a benchmark's --out")
    snap.add_argument("dest", type=Path, help="e.g. docs/measured/<experiment>")
    docs = commands.add_parser("docs", help="regenerate every generated block of the README and the docs",
                               description=__doc__.split("\n\n")[4])
    docs.add_argument("--check", action="store_true", help="change nothing; exit 1 if any block differs")
    docs.add_argument("--root", type=Path, default=Path("."), help="the repository (default: here)")
    commands.add_parser("config-reference", help="print the config reference (Markdown)")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        return take_snapshot(parser, args.results, args.dest)
    if args.command == "docs":
        return regenerate_docs(args.root, args.check)
    if args.command == "config-reference":
        print(config_reference_markdown(), end="")
        return 0
    if args.command == "compare":
        return compare_runs(args.run_a, args.run_b)
    return verify(args.results, args.configfile)


if __name__ == "__main__":
    sys.exit(main())
