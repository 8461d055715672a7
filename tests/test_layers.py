"""The package's layers: two experiments (``devprune.phased``, ``devprune.forecast``) over one
shared layer. A wing may import the shared layer, never the other wing, and the shared layer
imports neither (``devprune.measured``, which renders both wings' results, ``devprune.docs``, which
writes every generated block, and ``devprune.workflow_checks``, which checks the whole config, are
the modules above them). Checked on the source, lazy imports included."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
WINGS = ("devprune.phased", "devprune.forecast")
ABOVE_THE_WINGS = {"devprune.measured", "devprune.docs", "devprune.workflow_checks"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Every devprune module ``path`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("devprune"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("devprune"))
    return found


def _wing(module: str) -> str | None:
    return next((wing for wing in WINGS if module == wing or module.startswith(wing + ".")), None)


MODULES = {_module_name(path): _imports(path) for path in sorted(SRC.rglob("*.py"))}


def test_both_wings_and_the_shared_layer_exist():
    assert {_wing(m) for m in MODULES} == {*WINGS, None}
    assert {"devprune.config", "devprune.seeds", "devprune.verdicts", "devprune.publish"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_wing_imports_the_other_and_the_shared_layer_imports_no_wing(module):
    own = _wing(module)
    if module in ABOVE_THE_WINGS:
        return
    foreign = sorted(i for i in MODULES[module] if _wing(i) not in (None, own))
    assert not foreign, f"{module} imports {foreign}"


def test_the_checker_sees_a_cross_import(tmp_path):
    """The check above can fail: a forecasting module importing a phased one is found."""
    offender = tmp_path / "stages.py"
    offender.write_text("def f():\n    from devprune.phased.stages import make_data\n")
    assert {i for i in _imports(offender) if _wing(i) == "devprune.phased"} == {
        "devprune.phased.stages", "devprune.phased.stages.make_data"}
