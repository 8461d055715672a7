"""The README stays true: its config reference and its test command."""

import re

from devprune.config import config_reference_markdown

from conftest import REPO

README = (REPO / "README.md").read_text()


def test_config_reference_is_generated_from_the_schema():
    block = re.search(r"<!-- config-reference:start -->\n(.*)<!-- config-reference:end -->", README, re.S).group(1)
    assert block == config_reference_markdown()


def test_every_config_key_is_documented():
    import yaml

    def keys(node, prefix=""):
        for key, value in node.items():
            if isinstance(value, dict) and key != "branches":
                yield from keys(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    for key in keys(config):
        assert f"| `{key}` |" in README, key


def test_ci_runs_the_readme_test_command():
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"
    assert command in README
    assert command in (REPO / ".ci" / "run").read_text().splitlines()
