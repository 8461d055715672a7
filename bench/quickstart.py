"""Time the README's two quick-start commands, each in a fresh clone, as a new user runs them.

    python bench/quickstart.py [--commit HEAD] [--commands 1 2] [--out bench/out/quickstart]

The commands are read from the README's *Quick start* (its first two ``bash`` blocks), so what
is timed is what the README says. Each runs with ``bash -c`` in a fresh ``git clone`` of
``--commit`` under a temporary directory, with the ``python3`` of ``PATH`` (this script's own
virtual environment taken off it), install included. Per command: its wall time, exit status,
and what it did (Snakemake's jobs done, pytest's tests passed), read from its output. Writes
``quickstart.{md,parquet}`` and ``run.json`` (date, commit, machine) to ``--out``; rendered into
the README's quick start by ``devprune docs`` from its snapshot ``docs/measured/quickstart``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from devprune.io import machine_line  # noqa: E402
from devprune.markdown_tables import markdown_table  # noqa: E402

BASH_BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)
#: What each command's output says it did: Snakemake's last progress line, pytest's summary.
DONE = {"jobs": re.compile(r"(\d+) of \d+ steps \(100%\) done"), "tests": re.compile(r"=+ (\d+) passed")}


def quickstart_commands(readme: str) -> list[str]:
    """The README's quick-start commands: the command line of each of its section's first two
    ``bash`` blocks (comments dropped)."""
    section = readme.split("## Quick start", 1)[1]
    blocks = BASH_BLOCK.findall(section)[:2]
    return [" ".join(line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#"))
            for block in blocks]


def clean_environment() -> dict:
    """This environment without the virtual environment this script may run in."""
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    venv = Path(sys.prefix) / "bin"
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if Path(p) != venv)
    return env


def time_command(number: int, command: str, commit: str, log_dir: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="devprune-quickstart-") as scratch:
        clone = Path(scratch) / "devprune"
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        subprocess.run(["git", "checkout", "--quiet", commit], cwd=clone, check=True)
        log = log_dir / f"command{number}.log"
        print(f"command {number}: {command}  (log: {log})", flush=True)
        start = time.perf_counter()
        with log.open("w") as out:
            rc = subprocess.run(["bash", "-c", command], cwd=clone, env=clean_environment(), stdout=out,
                                stderr=subprocess.STDOUT).returncode
        wall = time.perf_counter() - start
    text = log.read_text()
    done = {what: int(found[-1]) for what, pattern in DONE.items() if (found := pattern.findall(text))}
    return {"command": number, "runs": command, "wall_s": round(wall, 1), "rc": rc,
            "snakemake_jobs": done.get("jobs", 0), "tests_passed": done.get("tests", 0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--commands", type=int, nargs="+", default=[1, 2], choices=[1, 2])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "quickstart")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", args.commit], cwd=REPO, check=True, capture_output=True,
                            text=True).stdout.strip()
    commands = quickstart_commands(subprocess.run(["git", "show", f"{commit}:README.md"], cwd=REPO, check=True,
                                                  capture_output=True, text=True).stdout)
    args.out.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame([time_command(n, commands[n - 1], commit, args.out) for n in args.commands])
    info = {"date": datetime.date.today().isoformat(), "code_version": commit, "cores": os.cpu_count(), "machine": machine_line()}
    table.to_parquet(args.out / "quickstart.parquet", index=False)
    (args.out / "run.json").write_text(json.dumps(info, indent=1) + "\n")
    text = markdown_table(table, number_format="{:g}") + "\n" + json.dumps(info) + "\n"
    (args.out / "quickstart.md").write_text(text)
    print(text)
    return 0 if (table["rc"] == 0).all() else 1


if __name__ == "__main__":
    sys.exit(main())
