"""Shared fixtures: the repository, the tiny config, and a runner for the real Snakemake CLI."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "configs" / "tiny.yaml"
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def tiny_config() -> dict:
    return yaml.safe_load(TINY.read_text())


_TINY = tiny_config()
N_DENSITIES, N_BRANCHES = len(_TINY["early"]["densities"]), len(_TINY["late"]["branches"])
#: Models of one seed and method in the tiny run: the baseline, the early ones, the late ones.
MODELS_PER_SEED = 1 + N_DENSITIES + N_DENSITIES * N_BRANCHES


def snakemake_command(workdir: Path, *args: str) -> list[str]:
    return [*SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
            "--configfile", str(workdir / "config.yaml"), *args]


def snakemake(
    workdir: Path, *args: str, config: dict | None = None, check: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run the real workflow in ``workdir`` (its own .snakemake and results/)."""
    workdir.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    command = snakemake_command(workdir, *args)
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def results(workdir):
    return workdir / "results" / "tiny"


def planned_jobs(output: str) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job in a dry run's output, grouped jobs (``group:``, listed
    indented under "Group job ...") included."""
    jobs, rule = [], None
    for line in output.splitlines():
        if match := re.match(r"^\s*rule (\w+):", line):
            if rule is not None:
                jobs.append((rule, ""))
            rule = match.group(1)
        elif (match := re.match(r"^\s+wildcards: (.*)", line)) and rule is not None:
            jobs.append((rule, match.group(1)))
            rule = None
    if rule is not None:
        jobs.append((rule, ""))
    return jobs


def dry_run(workdir, config=None):
    result = snakemake(workdir, "-n", config=config)
    return result.stdout + result.stderr


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The tiny config run once to completion with --cores 2; tests must not modify it. Once
    per test run: pytest-xdist's workers share it (the first to take the lock runs it)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's temporary directory, above each worker's own
    workdir, done = root / "tiny_cores2", root / "tiny_cores2.done"
    with open(root / "tiny_cores2.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(workdir, ignore_errors=True)  # a run that failed before
            snakemake(workdir, "--cores", "2", config=tiny_config())
            done.touch()
    return workdir


@pytest.fixture()
def tiny_copy(tiny_run, tmp_path) -> Path:
    """A private copy of the finished tiny run (results and Snakemake metadata) to modify."""
    copy = tmp_path / "run"
    shutil.copytree(tiny_run, copy, symlinks=True)
    return copy


def kill_midway(workdir: Path, *args: str, env: dict | None = None) -> dict[Path, int]:
    """Start the tiny workflow, SIGKILL Snakemake and its local jobs once 3 models are evaluated
    (no clean-up at all), and return the finished metrics files with their mtimes."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(tiny_config()))
    process = subprocess.Popen(snakemake_command(workdir, *args), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    deadline = time.time() + 300
    while len(list(workdir.rglob("metrics.parquet"))) < 3 and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return {p: p.stat().st_mtime_ns for p in workdir.rglob("metrics.parquet")}


def evaluation_job(metrics_path: Path) -> str:
    """Which evaluation job of its block writes a metrics file: ``baseline``, ``<method>/early``
    or ``<method>/late/<branch>`` (rules/evaluate.smk)."""
    parts = metrics_path.parent.parts
    model_dir = parts[next(i for i, part in enumerate(parts) if part.startswith("seed")) + 1:]
    if model_dir[0] == "baseline":
        return "baseline"
    method, stage = model_dir[:2]
    return f"{method}/early" if stage == "early" else f"{method}/late/{model_dir[-1]}"


def warm_jobs_in(logs) -> int:
    """How many jobs ran in a fork of the warm server (devprune.warm_jobs logs a line in each)."""
    return sum("forked from the warm server" in path.read_text() for path in logs.rglob("*.log"))


def assert_same_metrics(workdir: Path, reference: Path) -> None:
    path = Path("results") / "tiny" / "metrics.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(workdir / path), pd.read_parquet(reference / path))


def bench_module(name: str):
    """A script of bench/ imported as a module (bench/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
