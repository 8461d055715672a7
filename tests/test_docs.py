"""The README and the docs stay true: every generated block matches its source, a hand edit is
caught, the site builds in strict mode, and the README's test command is CI's."""

import shutil
import subprocess
import sys

import pytest
import yaml

from devprune import cli

from conftest import REPO

README = (REPO / "README.md").read_text()


def test_every_generated_block_matches_its_source():
    """Config reference, registries, claims list and every measured table: `devprune docs --check`."""
    assert cli.main(["docs", "--check", "--root", str(REPO)]) == 0


@pytest.fixture()
def docs_copy(tmp_path):
    """What `devprune docs` reads and writes, copied."""
    for name in ("README.md", "config.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    return tmp_path


def test_a_block_edited_by_hand_fails_the_check_and_is_regenerated(docs_copy, capsys):
    page = docs_copy / "docs" / "config.md"
    original = page.read_text()
    page.write_text(original.replace("| `seeds` |", "| `seeds` (edited) |", 1))
    results = docs_copy / "docs" / "results.md"
    results.write_text(results.read_text().replace("**reproduced**", "**not reproduced**", 1))
    assert cli.main(["docs", "--check", "--root", str(docs_copy)]) == 1
    out = capsys.readouterr().out
    assert f"{page}: generated blocks differ" in out and f"{results}: generated blocks differ" in out
    assert cli.main(["docs", "--root", str(docs_copy)]) == 0
    assert page.read_text() == original and cli.main(["docs", "--check", "--root", str(docs_copy)]) == 0


def test_a_block_no_generator_makes_is_an_error(docs_copy, capsys):
    page = docs_copy / "docs" / "results.md"
    page.write_text(page.read_text() + "<!-- measured:paper/claimz:start -->\n<!-- measured:paper/claimz:end -->\n")
    assert cli.main(["docs", "--check", "--root", str(docs_copy)]) == 2
    err = capsys.readouterr().err
    assert "docs/results.md: no generator makes the block(s) measured:paper/claimz" in err and "measured:paper/claims" in err


def test_every_config_key_is_documented():
    reference = (REPO / "docs" / "config.md").read_text()

    def keys(node, prefix=""):
        for key, value in node.items():
            if key in ("methods", "datasets") and isinstance(value, dict):  # maps of named entries, documented as <map>.<name>.<key>
                yield f"{prefix}{key}"
                for entry in value.values():
                    yield from keys(entry, f"{prefix}{key}.<name>.")
            elif isinstance(value, dict) and key != "branches":
                yield from keys(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    for path in (REPO / "config.yaml", *sorted((REPO / "configs").glob("*.yaml"))):
        for key in keys(yaml.safe_load(path.read_text())):
            if not key.startswith(("multiverse.axes.", "forecast.attribution.steps", "forecast.pruning.by_architecture.")):
                assert f"| `{key}` |" in reference, (path.name, key)


def test_ci_runs_the_readme_test_command():
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"
    assert command in README
    assert command in (REPO / ".ci" / "run").read_text().splitlines()


def test_the_readme_is_a_front_door():
    """At most about 200 lines, and every docs page it points to exists."""
    import re

    assert len(README.splitlines()) <= 200
    linked = re.findall(r"\]\((docs/[^)#]+)", README)
    assert linked and all((REPO / path).exists() for path in linked)


def test_the_docs_site_builds_in_strict_mode(tmp_path):
    """MkDocs (the `docs` extra) with --strict: a broken link or a page missing from the nav fails."""
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for page in ("index", "pipeline", "config", "forecasting", "results"):
        assert (tmp_path / "site" / page / "index.html").exists() or (tmp_path / "site" / f"{page}.html").exists()
