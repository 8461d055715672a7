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
            if key in ("methods", "datasets") and isinstance(value, dict):  # maps of named entries, documented as <map>.<name>.<key>
                yield f"{prefix}{key}"
                for entry in value.values():
                    yield from keys(entry, f"{prefix}{key}.<name>.")
            elif isinstance(value, dict) and key != "branches":
                yield from keys(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    for path in (REPO / "config.yaml", REPO / "configs" / "methods.yaml", REPO / "configs" / "quick.yaml"):
        for key in keys(yaml.safe_load(path.read_text())):
            assert f"| `{key}` |" in README, (path.name, key)


def test_ci_runs_the_readme_test_command():
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"
    assert command in README
    assert command in (REPO / ".ci" / "run").read_text().splitlines()


def test_methods_table_is_generated_from_the_registry():
    from devprune.pruning.registry import registry_markdown

    block = re.search(r"<!-- pruning-registry:start -->\n(.*)<!-- pruning-registry:end -->", README, re.S).group(1)
    assert block == registry_markdown()


def test_claims_list_is_generated_from_the_claims():
    import yaml

    from devprune.phased.claims import claims_reference_markdown

    block = re.search(r"<!-- claims-reference:start -->\n(.*)<!-- claims-reference:end -->", README, re.S).group(1)
    assert block == claims_reference_markdown(yaml.safe_load((REPO / "config.yaml").read_text())["claims"])
