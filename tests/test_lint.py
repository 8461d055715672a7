"""Snakemake's own linter finds nothing in the workflow, and snakefmt would change nothing."""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, snakemake, tiny_config

@pytest.mark.workflow
def test_snakemake_lint_reports_nothing(tmp_path):
    result = snakemake(tmp_path, "--lint", config=tiny_config(), check=False)
    output = result.stdout + result.stderr
    assert "Lints for" not in output, output
    assert result.returncode == 0 and "your workflow is in a good condition" in output


def test_snakefmt_would_change_nothing():
    snakefmt = Path(sys.executable).with_name("snakefmt")
    result = subprocess.run([str(snakefmt), "--check", "Snakefile", "rules"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
