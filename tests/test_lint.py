"""Snakemake's own linter finds nothing in the workflow (rules and Snakefiles)."""

import pytest

from conftest import snakemake, tiny_config

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow


def test_snakemake_lint_reports_nothing(tmp_path):
    result = snakemake(tmp_path, "--lint", config=tiny_config(), check=False)
    output = result.stdout + result.stderr
    assert "Lints for" not in output, output
    assert result.returncode == 0 and "your workflow is in a good condition" in output
