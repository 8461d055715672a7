"""Print a pip constraints file pinning every direct dependency of pyproject.toml (and its test
extra) at the lowest version it declares: `pip install -c <this> -e '.[test]'` then installs
the oldest environment the project claims to support."""
import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
    name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
    floor = re.search(r"(?:>=|==)\s*([0-9][^,;\s]*)", requirement)
    if floor is None:
        sys.exit(f"pyproject.toml: {requirement!r} declares no lower bound; give it one (>=X)")
    print(f"{name}=={floor.group(1)}")
