"""The ``devprune`` command: ``devprune verify <results dir>`` audits an experiment's artifacts.

It re-hashes every checkpoint, mask, trajectory and Parquet file against its record and checks
that each parent a file was built from still has the digest recorded with it, like ``git fsck``.
It reports files that are corrupt or incomplete, missing (a record or a recorded parent without
its file), orphaned (a record without its file) or unrecorded (a file without a record), and exits
1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from devprune import integrity

ARTIFACT_PATTERNS = ("*.pt", "*.parquet")


def audit(results: Path) -> list[str]:
    """Every problem found under ``results``, one line each (empty when all is well)."""
    artifacts = sorted({p for pattern in ARTIFACT_PATTERNS for p in results.rglob(pattern)})
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


def verify(results: Path) -> int:
    if not results.is_dir():
        print(f"devprune verify: {results} is not a directory (give results/<experiment>)", file=sys.stderr)
        return 2
    problems = audit(results)
    n_files = sum(1 for pattern in ARTIFACT_PATTERNS for _ in results.rglob(pattern))
    if n_files == 0 and not problems:
        print(f"devprune verify: {results} holds no artifact (*.pt, *.parquet) to check: not a run's results, or "
              f"a run that has not written any yet", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem)
    print(f"{n_files} artifacts checked under {results}: "
          + (f"{len(problems)} problem(s)" if problems else "all match their records and parents"))
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devprune", description="devprune's command-line tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="re-hash every artifact of an experiment and check its parents",
                                description=__doc__.split("\n\n")[1])
    check.add_argument("results", type=Path, help="an experiment's results directory, e.g. results/paper")
    args = parser.parse_args(argv)
    return verify(args.results)


if __name__ == "__main__":
    sys.exit(main())
