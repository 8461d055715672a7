"""Shared fixtures: the repository, the tiny config, and a runner for the real Snakemake CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "configs" / "tiny.yaml"
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def tiny_config() -> dict:
    return yaml.safe_load(TINY.read_text())


def snakemake(workdir: Path, *args: str, config: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real workflow in ``workdir`` (its own .snakemake and results/)."""
    workdir.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    command = [*SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
               "--configfile", str(workdir / "config.yaml"), *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The tiny config run once to completion with --cores 2; tests must not modify it."""
    workdir = tmp_path_factory.mktemp("tiny_cores2")
    snakemake(workdir, "--cores", "2", config=tiny_config())
    return workdir


@pytest.fixture()
def tiny_copy(tiny_run, tmp_path) -> Path:
    """A private copy of the finished tiny run (results and Snakemake metadata) to modify."""
    copy = tmp_path / "run"
    shutil.copytree(tiny_run, copy, symlinks=True)
    return copy
